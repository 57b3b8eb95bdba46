"""One container refers to the same object several times; each edge gets its own label.

A dict with two keys, a list with the object at two indices, and a tuple
key that contains the object. Labels must be computed per edge, never by
searching for the first key whose value is the object.
"""

CONFIG = None


class Endpoint:
    def __init__(self, url):
        self.url = url


def build():
    global CONFIG
    endpoint = Endpoint("https://primary.invalid")
    CONFIG = {
        "primary": endpoint,
        "fallback": endpoint,
        "rotation": [endpoint, Endpoint("https://other.invalid"), endpoint],
        "pairs": {(endpoint, "read"): 1},
    }
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".CONFIG", "['primary']"],
        "edges_into_target": ["['fallback']", "['primary']", "[0]", "[0]", "[2]"],
    }
    return endpoint, expected
