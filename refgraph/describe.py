"""Safe facts about one live object: type name, library, short repr and size.

Objects under inspection are hostile input. Their `__repr__`, `__eq__`,
`__hash__`, `__getattr__` and even `__class__` may raise, lie or run for a
long time. Everything here uses `type()`, identity and the C-level slots of
builtin types, and calls an object's own `__repr__` only inside a guard that
bounds its time and output length.
"""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import Any, Iterable

#: Maximum length of a short repr, in characters.
MAX_REPR_LENGTH = 120

#: Maximum time, in seconds, that one object's own `__repr__` may run.
REPR_TIME_LIMIT = 0.05

_type_qualname = type.__dict__["__qualname__"].__get__
_type_module = type.__dict__["__module__"].__get__
_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_module_dict = types.ModuleType.__dict__["__dict__"].__get__

# Builtin types whose repr is produced by C code and is short for short values.
_SCALAR_TYPES = (int, float, complex, bool, type(None), str, bytes, range, slice)
_CONTAINER_TYPES = (dict, list, tuple, set, frozenset, bytearray)


#: Idents of the threads that are running a guarded repr under its own trace
#: function right now. A walk in another thread cannot see that trace function
#: with sys.gettrace(), so it checks this set (see edges.python_tracer_active).
REPR_TRACING_THREADS: set[int] = set()


class ReprTimeout(BaseException):
    """Raised inside a guarded `__repr__` call that ran past its time limit.

    It derives from BaseException so that a repr that catches Exception
    cannot swallow it.
    """


def is_one_of(cls: type, candidates: Iterable[type]) -> bool:
    """Return whether `cls` is one of `candidates`, by identity.

    `cls in candidates` would call the metaclass's `__eq__` or `__hash__`,
    which a hostile class may make raise.
    """
    return any(cls is candidate for candidate in candidates)


def type_name(cls: type) -> str:
    """Return the qualified name of `cls` without calling its metaclass."""
    try:
        name = _type_qualname(cls)
    except Exception:
        name = None
    if type(name) is not str:
        return f"<unnamed class at {id(cls):#x}>"
    return name


def type_module(cls: type) -> str:
    """Return the module name of `cls`, or "" when the class has none."""
    try:
        module = _type_module(cls)
    except Exception:
        return ""
    return module if type(module) is str else ""


def library_of(module: str) -> str:
    """Return the top-level package of a module name (``distributed`` for ``distributed.scheduler``)."""
    if not module:
        return "unknown"
    return module.split(".", 1)[0]


def mro_of(cls: type) -> tuple[type, ...]:
    """Return the method resolution order of `cls`, read from the C slot."""
    try:
        return tuple(_type_mro(cls))
    except Exception:
        return (cls,)


def class_attribute(cls: type, name: str) -> Any:
    """Return the raw class-level attribute `name` along the MRO, or None.

    Reads each class's own namespace, so no descriptor or metaclass hook runs.
    """
    for klass in mro_of(cls):
        try:
            namespace = _type_dict(klass)
        except Exception:
            continue
        try:
            if name in namespace:
                return namespace[name]
        except Exception:  # a namespace key whose __eq__ raises
            continue
    return None


def module_name(module: types.ModuleType) -> str:
    """Return a module's `__name__` read from its namespace dict."""
    try:
        name = _module_dict(module).get("__name__")
    except Exception:
        name = None
    return name if type(name) is str else "<unnamed module>"


def shallow_size(obj: object) -> int:
    """Return the size of `obj` itself in bytes, not counting what it refers to.

    `sys.getsizeof` calls `__sizeof__`, which a class may override with code of
    its own. For such classes the base `object.__sizeof__` is used instead.
    """
    sizeof = class_attribute(type(obj), "__sizeof__")
    builtin = is_one_of(type(sizeof), (types.MethodDescriptorType, types.WrapperDescriptorType))
    try:
        if builtin:
            return sys.getsizeof(obj)
        return object.__sizeof__(obj)
    except Exception:
        return 0


def truncate(text: str, limit: int = MAX_REPR_LENGTH) -> str:
    """Shorten `text` to `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "\u2026"


def short_repr(obj: object, *, limit: int = MAX_REPR_LENGTH) -> str:
    """Return a repr of `obj` that never raises and is at most `limit` characters.

    Builtin containers are summarised by type and length instead of printing
    their items, because an item's repr is user code and a long container's
    repr is slow. Other objects use their own `__repr__` under `guarded_repr`.
    """
    cls = type(obj)
    try:
        described = _describe_builtin(obj, cls)
    except Exception:
        described = None
    if described is not None:
        return truncate(described, limit)

    if class_attribute(cls, "__repr__") is object.__repr__:
        return _default_repr(obj, cls)
    return truncate(guarded_repr(obj, limit=limit), limit)


def _default_repr(obj: object, cls: type) -> str:
    return f"<{type_name(cls)} at {id(obj):#x}>"


def _describe_builtin(obj: Any, cls: type) -> str | None:
    """Describe objects of builtin types without running any user code, or return None."""
    if is_one_of(cls, _SCALAR_TYPES):
        if is_one_of(cls, (str, bytes)) and len(obj) > MAX_REPR_LENGTH:
            return repr(obj[:MAX_REPR_LENGTH])
        return repr(obj)
    if is_one_of(cls, _CONTAINER_TYPES):
        count = len(obj)
        return f"{type_name(cls)} of {count} item{'' if count == 1 else 's'}"
    module_repr = class_attribute(types.ModuleType, "__repr__")
    if issubclass(cls, types.ModuleType) and class_attribute(cls, "__repr__") is module_repr:
        return f"<module {module_name(obj)}>"
    if issubclass(cls, type):
        module = type_module(obj)
        qualified = type_name(obj) if module in ("", "builtins") else f"{module}.{type_name(obj)}"
        return f"<class {qualified}>"
    if cls is types.FunctionType:
        return f"<function {obj.__qualname__}>"
    if cls is types.MethodType:
        owner = type_name(type(obj.__self__))
        function = obj.__func__
        # Any callable can be a method's __func__; only a plain function's name is safe to read.
        name = function.__name__ if type(function) is types.FunctionType else type_name(type(function))
        return f"<bound method {owner}.{name}>"
    if cls is types.FrameType:
        code = obj.f_code
        return f"<frame {code.co_name} at {code.co_filename}:{obj.f_lineno}>"
    if cls is types.CodeType:
        return f"<code {obj.co_name} at {obj.co_filename}:{obj.co_firstlineno}>"
    if cls is types.CellType:
        return "<cell>"
    if cls is types.TracebackType:
        return f"<traceback line {obj.tb_lineno}>"
    if is_one_of(cls, (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)):
        return f"<{type_name(cls)} {obj.__qualname__}>"
    if is_one_of(cls, (types.BuiltinFunctionType, types.MethodWrapperType)):
        return f"<built-in {getattr(obj, '__qualname__', '?')}>"
    return None


def guarded_repr(obj: object, *, limit: int = MAX_REPR_LENGTH, seconds: float = REPR_TIME_LIMIT) -> str:
    """Call `repr(obj)` and return its text, or a placeholder if it fails.

    The call runs under a trace function that raises `ReprTimeout` once it has
    run for `seconds`, so a repr that loops in Python code cannot hang the
    walk. The trace function that was installed before (a debugger or
    coverage) is restored afterwards.

    NOTE: a repr that blocks inside C code (a lock, a socket) is not
    interrupted, because trace functions only run between Python lines.
    """
    deadline = time.monotonic() + seconds

    def stop_when_late(frame: types.FrameType, event: str, arg: object) -> Any:
        if time.monotonic() > deadline:
            raise ReprTimeout
        return stop_when_late

    previous = sys.gettrace()
    # settrace affects only this thread, so other threads keep running untraced.
    ident = threading.get_ident()
    REPR_TRACING_THREADS.add(ident)
    sys.settrace(stop_when_late)
    try:
        text = repr(obj)
    except ReprTimeout:
        return f"<{type_name(type(obj))} at {id(obj):#x}: repr timed out>"
    except RecursionError:
        return f"<{type_name(type(obj))} at {id(obj):#x}: repr recursed too deeply>"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        # asyncio.CancelledError and GeneratorExit derive from BaseException only.
        return f"<{type_name(type(obj))} at {id(obj):#x}: repr raised {type_name(type(error))}>"
    finally:
        sys.settrace(previous)
        REPR_TRACING_THREADS.discard(ident)

    if not issubclass(type(text), str):
        return f"<{type_name(type(obj))} at {id(obj):#x}: repr returned {type_name(type(text))}>"
    # str subclasses can override slicing, so take a plain copy first.
    return str.__str__(text)[: limit + 1]


def thread_name(ident: int) -> str:
    """Return the name of the thread with `ident`, or a placeholder."""
    for thread in threading.enumerate():
        try:
            if thread.ident == ident:
                return str(thread.name)
        except Exception:  # a Thread subclass whose properties raise
            continue
    return f"thread {ident}"
