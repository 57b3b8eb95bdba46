"""A delayed cleanup callback keeps a closed scheduler alive through a closure.

On worker removal the scheduler schedules `loop.call_later(delay, purge)`,
where the nested `purge` closes over `self`. The timer handle sits in the
loop's `_scheduled` heap for the whole delay and holds the scheduler.
"""

import asyncio

LOOP = None


class ClusterScheduler:
    def __init__(self, loop):
        self.loop = loop
        self.events = {}
        self.status = "running"

    def remove_worker(self, address, delay=3600.0):
        self.events.setdefault(address, []).append("remove-worker")

        def purge():
            self.events.pop(address, None)

        self.loop.call_later(delay, purge)

    def __repr__(self):
        return f"<ClusterScheduler {self.status}>"


def build():
    global LOOP
    LOOP = asyncio.new_event_loop()
    scheduler = ClusterScheduler(LOOP)
    scheduler.remove_worker("tcp://127.0.0.1:4002")
    scheduler.status = "closed"
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".LOOP", "._scheduled", "[0]", "._callback", "closure variable 'self'"],
    }
    return scheduler, expected


def cleanup():
    LOOP.close()
