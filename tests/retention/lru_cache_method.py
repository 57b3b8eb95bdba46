"""`functools.lru_cache` on a method keeps every instance that called it.

The cache key contains `self`, and the cache lives in the C wrapper stored
on the class, so the instance stays alive until its entry is evicted. No
Python attribute names the cache.
"""

import functools


class RoutePlanner:
    def __init__(self, name):
        self.name = name

    @functools.lru_cache(maxsize=16)
    def shortest(self, source, destination):
        return [source, destination]

    def __repr__(self):
        return f"<RoutePlanner {self.name}>"


def build():
    planner = RoutePlanner("night-shift")
    planner.shortest("depot", "airport")
    expected = {
        "root_kind": "class",
        "root_label": f"class {__name__}.RoutePlanner",
        "labels": [".shortest", "<lru_cache entry>", "[0]"],
    }
    return planner, expected
