"""The only path from the root to the target is a 50,000-link chain of `__slots__` objects.

A recursive walk overflows Python's stack on it, and one heap scan per hop
takes minutes. The chain must come out whole, with its repeated hop
compacted when printed.
"""

HEAD = None
LENGTH = 50_000


class Link:
    __slots__ = ("next", "__weakref__")

    def __init__(self):
        self.next = None


def build():
    global HEAD
    HEAD = node = Link()
    for _ in range(LENGTH - 1):
        node.next = Link()
        node = node.next
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".HEAD"] + [".next"] * (LENGTH - 1),
        "text_contains": f".next x {LENGTH - 1:,} -> <Link",
    }
    return node, expected


def cleanup():
    global HEAD
    # Unlink iteratively so that freeing the chain does not recurse.
    node, HEAD = HEAD, None
    while node is not None:
        node.next, node = None, node.next
