"""Edges without a `__dict__`: a `__slots__` member and an inline attribute.

Since Python 3.11 an instance keeps its attributes inline until something
reads its `__dict__`, so the collector reports the instance itself as the
holder. Reading `__dict__` to name the attribute would create the dict and
change the heap under analysis; `dict_was_created()` tells whether it did.
"""

import gc

HOLDER = None


class Peer:
    __slots__ = ("partner", "__weakref__")


class Registry:
    def __init__(self, head):
        self.head = head


class Secret:
    pass


def build():
    global HOLDER
    peer = Peer()
    peer.partner = Secret()
    HOLDER = Registry(peer)
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".HOLDER", ".head", ".partner"],
    }
    return peer.partner, expected


def dict_was_created():
    """Return whether a `__dict__` object now exists for HOLDER and refers to its head."""
    head = object.__getattribute__(HOLDER, "head")
    return any(type(referrer) is dict and referrer.get("head") is head for referrer in gc.get_referrers(head))
