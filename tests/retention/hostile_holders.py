"""Holders whose dunder methods raise or lie, on the path to an ordinary target.

`OuterHostile` raises from `__repr__`, `__eq__`, `__bool__`, `__len__` and
`__getattr__`, is unhashable, and claims to be a dict through `__class__`.
`InnerHostile` raises from `__repr__` and its metaclass refuses to give
`__name__`, `__qualname__`, `__module__`, `__mro__` and `__flags__`.
"""

STASH = []


class Payload:
    pass


class Refusing(type):
    def __getattribute__(cls, name):
        if name in ("__flags__", "__name__", "__qualname__", "__module__", "__mro__"):
            raise AttributeError(f"{name} is not available on this class")
        return super().__getattribute__(name)


class InnerHostile(metaclass=Refusing):
    def __init__(self, payload):
        self.payload = payload

    def __repr__(self):
        raise RuntimeError("repr exploded")


class OuterHostile:
    __hash__ = None

    def __init__(self, inner):
        self.inner = inner

    @property
    def __class__(self):
        return dict

    def __repr__(self):
        raise RuntimeError("repr exploded")

    def __eq__(self, other):
        raise TypeError("comparison not supported")

    def __bool__(self):
        raise ValueError("truthiness undefined")

    def __len__(self):
        raise ValueError("no length")

    def __getattr__(self, name):
        raise RuntimeError(f"probe of {name!r} refused")


def build():
    payload = Payload()
    STASH.append(OuterHostile(InnerHostile(payload)))
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".STASH", "[0]", ".inner", ".payload"],
    }
    return payload, expected
