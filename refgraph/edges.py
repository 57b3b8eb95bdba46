"""Name the references from one live object (the holder) to another (the held).

`reference_labels(holder, held)` returns one `Reference` per distinct way the
holder refers to the held object, in Python access syntax: ``.attr``,
``['key']``, ``[3]``, ``.__self__``, ``.f_locals['name']``. A dict that holds
the object twice yields two labels, because a label is computed per edge and
never by searching for the first matching key.

Nothing here calls `__eq__`, `__hash__`, `__getattr__` or `__repr__` of an
inspected object: comparisons use identity, attributes are read through the
C-level descriptors of builtin types, and keys are shown with `short_repr`.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import gc
import inspect
import sys
import threading
import types
import weakref
from typing import Any, Iterable, NamedTuple

from refgraph.describe import (
    REPR_TRACING_THREADS,
    class_attribute,
    is_one_of,
    mro_of,
    short_repr,
    type_module,
    type_name,
)

_CO_OPTIMIZED = inspect.CO_OPTIMIZED

# Sizes of the retry loop for containers that another thread mutates while
# they are read ("dictionary changed size during iteration").
_MUTATION_RETRIES = 3

_LRU_WRAPPER = getattr(functools, "_lru_cache_wrapper", None)

# The C descriptors read attributes of builtin types without any hook of the instance.
_member_get = types.MemberDescriptorType.__get__
_object_getattribute = object.__getattribute__


class Reference(NamedTuple):
    """A reference from a holder to a held object: its label and its kind.

    Kinds: ``attr`` (instance, class or module attribute, `__slots__`
    included), ``item`` (dict value), ``key`` (dict key), ``index``,
    ``member`` (set member), ``closure``, ``local`` (frame local), ``frame``,
    ``method``, ``traceback``, ``class`` (an instance's type), ``weak``,
    ``internal`` (a C-level reference with no Python name).
    """

    label: str
    kind: str


def reference_labels(holder: object, held: object) -> list[Reference]:
    """Return every way `holder` refers to `held`, one `Reference` per edge.

    When no rule below explains the reference, the result is one
    ``internal`` reference, so a caller never loses an edge that
    `gc.get_referents` reported.
    """
    found: list[Reference] = []
    cls = type(holder)
    bases = mro_of(cls)

    for rule in _RULES:
        if rule.applies(cls, bases):
            found.extend(rule.labels(holder, held))

    if not is_one_of(cls, _NO_INSTANCE_ATTRIBUTES):
        if held is cls:
            # An instance refers to its heap type; an attribute may name the class too.
            found.append(Reference(".__class__", "class"))
            found.extend(reference for reference in instance_attribute_labels(holder, held)
                         if reference.label != ".<attribute>")
        else:
            found.extend(instance_attribute_labels(holder, held))

    return _unique(found) or [_internal_reference(holder, held)]


def _unique(references: Iterable[Reference]) -> list[Reference]:
    seen: set[Reference] = set()
    result = []
    for reference in references:
        if reference not in seen:
            seen.add(reference)
            result.append(reference)
    return result


def _internal_reference(holder: object, held: object) -> Reference:
    if _LRU_WRAPPER is not None and type(holder) is _LRU_WRAPPER:
        # The C cache keeps its dict and its linked entries out of Python's reach.
        if type(held) is dict:
            return Reference("<lru_cache storage>", "internal")
        return Reference("<lru_cache entry>", "internal")
    return Reference("<internal>", "internal")


# Instances of these exact types have no instance attributes beyond what the
# rules above name, so the costlier attribute search is skipped for them.
_NO_INSTANCE_ATTRIBUTES = frozenset({
    dict, list, tuple, set, frozenset, collections.deque, type, types.ModuleType, types.FunctionType,
    types.MethodType, types.FrameType, types.CodeType, types.CellType, types.TracebackType,
    types.GeneratorType, types.CoroutineType,
})


# ---------------------------------------------------------------- referents

#: Whether `gc.get_referents` of the `_asyncio` module returns freed
#: asyncio.Future iterators from its free list. Holding one frees it twice,
#: and the next collection loops forever (fixed in CPython 3.12.6).
_ASYNCIO_FREE_LIST_BUG = (3, 12) <= sys.version_info[:3] < (3, 12, 6)


def referents(obj: Any) -> list[Any]:
    """Return `gc.get_referents(obj)`, except only its namespace for `_asyncio` on 3.12.0 to 3.12.5."""
    if _ASYNCIO_FREE_LIST_BUG and type(obj) is types.ModuleType:
        namespace = types.ModuleType.__dict__["__dict__"].__get__(obj)
        if namespace.get("__name__") == "_asyncio":
            return [namespace]
    return gc.get_referents(obj)


# ---------------------------------------------------------------- key display


def key_repr(key: object) -> str:
    """Return a short display of a dict key, as it would be typed in code."""
    return short_repr(key, limit=60)


def item_label(key: object) -> str:
    return f"[{key_repr(key)}]"


# ---------------------------------------------------------------- safe copies


def snapshot_items(mapping: dict) -> list[tuple[Any, Any]]:
    """Copy a dict's items with `dict.items`, retrying if another thread mutates it.

    Uses the C method of `dict` itself, so a subclass's `items` override does
    not run. Returns an empty list after repeated concurrent mutation.
    """
    for _ in range(_MUTATION_RETRIES):
        try:
            return list(dict.items(mapping))
        except RuntimeError:
            continue
    return []


def snapshot_sequence(container: object, iterate: Any) -> list[Any]:
    """Copy a container through the C-level `iterate` method, retrying on mutation."""
    for _ in range(_MUTATION_RETRIES):
        try:
            return list(iterate(container))
        except RuntimeError:
            continue
    return []


# ---------------------------------------------------------------- rules


class _Rule:
    """Labels the references of holders of one family of types."""

    holder_types: tuple[type, ...] = ()

    def applies(self, cls: type, bases: tuple[type, ...]) -> bool:
        return any(base is candidate for base in self.holder_types for candidate in bases)

    def labels(self, holder: Any, held: object) -> Iterable[Reference]:
        raise NotImplementedError


class _DictRule(_Rule):
    holder_types = (dict,)

    def labels(self, holder: dict, held: object) -> Iterable[Reference]:
        for key, value in snapshot_items(holder):
            if key is held:
                yield Reference("key", "key")
            if value is held:
                yield Reference(item_label(key), "item")
        if issubclass(type(holder), collections.defaultdict):
            if collections.defaultdict.default_factory.__get__(holder) is held:  # type: ignore[attr-defined]
                yield Reference(".default_factory", "attr")


class _SequenceRule(_Rule):
    holder_types = (list, tuple, collections.deque)

    def labels(self, holder: Any, held: object) -> Iterable[Reference]:
        cls = type(holder)
        if issubclass(cls, list):
            items = snapshot_sequence(holder, list.__iter__)
        elif issubclass(cls, tuple):
            items = list(tuple.__iter__(holder))
        else:
            items = snapshot_sequence(holder, collections.deque.__iter__)

        fields = class_attribute(cls, "_fields") if issubclass(cls, tuple) else None
        for index, item in enumerate(items):
            if item is not held:
                continue
            if type(fields) is tuple and index < len(fields) and type(fields[index]) is str:
                # A namedtuple field reads best by its name, which is also valid access syntax.
                yield Reference(f".{fields[index]}", "attr")
            else:
                yield Reference(f"[{index}]", "index")


class _SetRule(_Rule):
    holder_types = (set, frozenset)

    def labels(self, holder: Any, held: object) -> Iterable[Reference]:
        iterate = set.__iter__ if issubclass(type(holder), set) else frozenset.__iter__
        for member in snapshot_sequence(holder, iterate):
            if member is held:
                yield Reference("set member", "member")


def _attribute_references(holder: object, held: object, names: Iterable[str], kind: str = "attr") -> Iterable[Reference]:
    for name in names:
        try:
            value = _object_getattribute(holder, name)
        except Exception:
            continue
        if value is held:
            yield Reference(f".{name}", kind)


class _FunctionRule(_Rule):
    holder_types = (types.FunctionType,)
    _names = ("__code__", "__globals__", "__defaults__", "__kwdefaults__", "__dict__",
              "__annotations__", "__module__", "__doc__", "__name__", "__qualname__", "__closure__",
              "__builtins__", "__type_params__")

    def labels(self, holder: types.FunctionType, held: object) -> Iterable[Reference]:
        yield from _attribute_references(holder, held, self._names)
        for name, cell in closure_cells(holder):
            if cell is held:
                yield Reference(f".__closure__ cell {name!r}", "closure")
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if contents is held:
                yield Reference(f"closure variable {name!r}", "closure")


def closure_cells(function: types.FunctionType) -> list[tuple[str, types.CellType]]:
    """Return (free variable name, cell) pairs of a Python function's closure."""
    cells = function.__closure__ or ()
    names = function.__code__.co_freevars
    return list(zip(names, cells))


class _MethodRule(_Rule):
    holder_types = (types.MethodType,)

    def labels(self, holder: types.MethodType, held: object) -> Iterable[Reference]:
        yield from _attribute_references(holder, held, ("__self__", "__func__"), "method")


class _CellRule(_Rule):
    holder_types = (types.CellType,)

    def labels(self, holder: types.CellType, held: object) -> Iterable[Reference]:
        try:
            contents = holder.cell_contents
        except ValueError:
            return
        if contents is held:
            yield Reference(".cell_contents", "closure")


class _TracebackRule(_Rule):
    holder_types = (types.TracebackType,)

    def labels(self, holder: types.TracebackType, held: object) -> Iterable[Reference]:
        yield from _attribute_references(holder, held, ("tb_frame", "tb_next"), "traceback")


class _FrameRule(_Rule):
    holder_types = (types.FrameType,)

    def labels(self, holder: types.FrameType, held: object) -> Iterable[Reference]:
        yield from _attribute_references(holder, held, ("f_back", "f_code", "f_globals", "f_builtins", "f_trace"), "frame")
        for name in frame_local_names(holder, held):
            yield Reference(f".f_locals[{name!r}]", "local")


class _GeneratorRule(_Rule):
    holder_types = (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)
    _frame_attribute = {types.GeneratorType: "gi_frame", types.CoroutineType: "cr_frame", types.AsyncGeneratorType: "ag_frame"}

    def labels(self, holder: Any, held: object) -> Iterable[Reference]:
        frame_name = self._frame_attribute.get(type(holder), "gi_frame")
        code_name = frame_name.replace("frame", "code")
        yield from _attribute_references(holder, held, (frame_name, code_name, "__name__", "__qualname__"), "frame")
        frame = getattr(holder, frame_name, None)
        # Since 3.11 a generator stores its frame's locals itself, so the
        # collector reports the generator, not a frame, as their holder.
        if frame is not None and sys.version_info >= (3, 11):
            for name in frame_local_names(frame, held):
                yield Reference(f".{frame_name}.f_locals[{name!r}]", "local")


class _ExceptionRule(_Rule):
    holder_types = (BaseException,)

    def labels(self, holder: BaseException, held: object) -> Iterable[Reference]:
        names = ("__traceback__", "__context__", "__cause__", "args")
        for name in names:
            try:
                value = BaseException.__dict__[name].__get__(holder)
            except Exception:
                continue
            if value is held:
                yield Reference(f".{name}", "traceback" if name == "__traceback__" else "attr")


class _TypeRule(_Rule):
    holder_types = (type,)

    def labels(self, holder: type, held: object) -> Iterable[Reference]:
        for name in ("__mro__", "__bases__", "__base__", "__dict__"):
            try:
                value = type.__dict__[name].__get__(holder)
            except Exception:
                continue
            if value is held:
                yield Reference(f".{name}", "attr")
        try:
            namespace = type.__dict__["__dict__"].__get__(holder)
        except Exception:
            return
        for name, value in snapshot_items(namespace_dict(namespace)):
            if value is held:
                yield Reference(f".{name}" if type(name) is str else item_label(name), "attr")


class _ModuleRule(_Rule):
    holder_types = (types.ModuleType,)

    def labels(self, holder: types.ModuleType, held: object) -> Iterable[Reference]:
        namespace = types.ModuleType.__dict__["__dict__"].__get__(holder)
        if namespace is held:
            yield Reference(".__dict__", "attr")
        for name, value in snapshot_items(namespace):
            if value is held:
                yield Reference(f".{name}" if type(name) is str else item_label(name), "attr")


class _PropertyRule(_Rule):
    holder_types = (property, staticmethod, classmethod, functools.partial)

    def labels(self, holder: Any, held: object) -> Iterable[Reference]:
        yield from _attribute_references(holder, held, ("fget", "fset", "fdel", "__func__", "func", "args", "keywords"))


class _FutureRule(_Rule):
    """asyncio futures and tasks, whose C implementation keeps callbacks out of any attribute."""

    holder_types = tuple({asyncio.Future, asyncio.futures._PyFuture})  # type: ignore[attr-defined]

    def labels(self, holder: Any, held: object) -> Iterable[Reference]:
        if not _is_c_future(type(holder)):
            return
        for name in ("_result", "_exception", "_loop", "_source_traceback", "_fut_waiter", "_coro"):
            descriptor = class_attribute(type(holder), name)
            if type(descriptor) is not types.GetSetDescriptorType:
                continue
            try:
                value = descriptor.__get__(holder, type(holder))
            except Exception:
                continue
            if value is held:
                yield Reference(f".{name}", "attr")
        try:
            callbacks = asyncio.Future._callbacks.__get__(holder) or []  # type: ignore[attr-defined]
        except Exception:
            callbacks = []
        for index, entry in enumerate(callbacks):
            if type(entry) is tuple and entry and entry[0] is held:
                yield Reference(f"._callbacks[{index}][0]", "attr")


def _is_c_future(cls: type) -> bool:
    # The C classes of the _asyncio module are not heap types; a Python subclass is.
    return any(klass in (asyncio.Future, asyncio.Task) for klass in mro_of(cls)) and not any(
        klass is asyncio.futures._PyFuture for klass in mro_of(cls)  # type: ignore[attr-defined]
    )


_RULES: tuple[_Rule, ...] = (
    _DictRule(), _SequenceRule(), _SetRule(), _FunctionRule(), _MethodRule(), _CellRule(),
    _TracebackRule(), _FrameRule(), _GeneratorRule(), _ExceptionRule(), _TypeRule(), _ModuleRule(),
    _PropertyRule(), _FutureRule(),
)


def namespace_dict(proxy: object) -> dict:
    """Return the real dict behind a class's mappingproxy, found without copying it."""
    if type(proxy) is dict:
        return proxy
    for referent in referents(proxy):
        if type(referent) is dict:
            return referent
    return {}


# ---------------------------------------------------------------- instances


def slot_members(cls: type) -> list[tuple[str, Any]]:
    """Return (name, member descriptor) for every `__slots__` entry along the MRO."""
    members = []
    for klass in mro_of(cls):
        try:
            namespace = type.__dict__["__dict__"].__get__(klass)
        except Exception:
            continue
        for name, value in snapshot_items(namespace_dict(namespace)):
            if type(value) is types.MemberDescriptorType:
                members.append((name, value))
    return members


def instance_dict(instance: object) -> dict | None:
    """Return the instance's `__dict__` if it already exists, without creating one.

    Reading `obj.__dict__` creates the dict on Python 3.11 and later (and on
    3.10 for an instance that never had one), which changes the heap under
    analysis. Instead, this looks among the collector's referents of the
    instance for a dict that the type's layout makes its `__dict__`.
    """
    cls = type(instance)
    try:
        if cls.__dictoffset__ == 0:
            return None
    except Exception:
        return None
    slot_values = {id(value) for _, value in _slot_values(instance)}
    candidates = [r for r in referents(instance) if type(r) is dict and id(r) not in slot_values]
    # Builtin containers (a dict subclass, a list subclass) report their items too,
    # so among several dicts the instance dict cannot be identified safely.
    if len(candidates) != 1 or issubclass(cls, (dict, list, tuple, set, frozenset, collections.deque)):
        return None
    candidate = candidates[0]

    # Since 3.11 an instance without a materialised __dict__ reports its inline
    # attribute values instead, so a dict among them may be an attribute's value.
    if sys.version_info >= (3, 11) and _is_attribute_value(instance, candidate):
        return None
    return candidate


def _is_attribute_value(instance: object, candidate: dict) -> bool:
    cls = type(instance)
    for name in candidate_attribute_names(cls):
        if _is_data_descriptor(class_attribute(cls, name)):
            continue
        try:
            if _object_getattribute(instance, name) is candidate:
                return True
        except Exception:
            continue
    return False


def _is_data_descriptor(value: object) -> bool:
    return value is not None and class_attribute(type(value), "__set__") is not None


def _slot_values(instance: object) -> list[tuple[str, Any]]:
    values = []
    for name, member in slot_members(type(instance)):
        try:
            values.append((name, _member_get(member, instance, type(instance))))
        except Exception:
            continue
    return values


def instance_attribute_labels(instance: object, held: object) -> list[Reference]:
    """Label `.name` references of an ordinary instance: slots, `__dict__` and inline values."""
    found = [Reference(f".{name}", "attr") for name, value in _slot_values(instance) if value is held]

    namespace = instance_dict(instance)
    if namespace is not None:
        if namespace is held:
            found.append(Reference(".__dict__", "attr"))
        found.extend(Reference(f".{k}" if type(k) is str else item_label(k), "attr")
                     for k, v in snapshot_items(namespace) if v is held)
    elif not found:
        found.extend(inline_attribute_labels(instance, held))
    return found


def inline_attribute_labels(instance: object, held: object) -> list[Reference]:
    """Name attributes kept inline in the instance (Python 3.11+), without creating `__dict__`.

    The attribute names are not readable without creating the dict, so this
    tries the names that the class's own methods store or load (their
    `co_names`) and reads each through `object.__getattribute__`. Names that
    are class-level data descriptors are skipped, so no property runs.

    NOTE: an attribute set under a name that no method of the class mentions
    (through `setattr` with a computed name, or from outside the class) is
    not found, and the edge is labelled ``.<attribute>`` instead.
    """
    cls = type(instance)
    found = []
    for name in candidate_attribute_names(cls):
        # Any descriptor is skipped: a non-data one such as functools.cached_property
        # would run (and store its value) when the instance lacks the attribute.
        if class_attribute(type(class_attribute(cls, name)), "__get__") is not None:
            continue
        try:
            value = _object_getattribute(instance, name)
        except Exception:
            continue
        if value is held:
            found.append(Reference(f".{name}", "attr"))
    if not found and _has_managed_dict(cls):
        found.append(Reference(".<attribute>", "attr"))
    return found


def _has_managed_dict(cls: type) -> bool:
    # Python 3.11 added Py_TPFLAGS_MANAGED_DICT (1 << 4): instances keep attributes inline.
    try:
        return sys.version_info >= (3, 11) and bool(type.__dict__["__flags__"].__get__(cls) & (1 << 4))
    except Exception:
        return False


# Attribute names per class, keyed by id. A weak reference checks that the id
# still belongs to the same class, and keeps the cache out of every graph.
_NAMES_BY_CLASS: dict[int, tuple[weakref.ref, tuple[str, ...]]] = {}


def candidate_attribute_names(cls: type) -> tuple[str, ...]:
    """Return the attribute names that the methods of `cls` mention, sorted and cached per class."""
    cached = _NAMES_BY_CLASS.get(id(cls))
    if cached is not None and cached[0]() is cls:
        return cached[1]
    names = _names_of_class(cls)
    try:
        reference = weakref.ref(cls)
    except TypeError:  # a class that does not support weak references is not cached
        return names
    _NAMES_BY_CLASS[id(cls)] = (reference, names)
    return names


def is_own_weak_reference(reference: object) -> bool:
    """Return whether `reference` is one of this module's cache entries, never shown in a graph."""
    if not issubclass(type(reference), weakref.ref):
        return False
    cached = _NAMES_BY_CLASS.get(id(weakref.ref.__call__(reference)))
    return cached is not None and cached[0] is reference


def _names_of_class(cls: type) -> tuple[str, ...]:
    names: set[str] = set()
    for klass in mro_of(cls):
        if klass is object:
            continue
        try:
            namespace = namespace_dict(type.__dict__["__dict__"].__get__(klass))
        except Exception:
            continue
        for value in list(namespace.values()):
            function = value.__func__ if is_one_of(type(value), (staticmethod, classmethod)) else value
            if type(function) is property:
                function = function.fget
            if type(function) is types.FunctionType:
                _collect_code_names(function.__code__, names)
    return tuple(sorted(names))


def _collect_code_names(code: types.CodeType, names: set[str]) -> None:
    names.update(code.co_names)
    for constant in code.co_consts:
        if type(constant) is types.CodeType:
            _collect_code_names(constant, names)
        else:
            # Names passed as strings, as in setattr(self, "name", value) or a tuple of names.
            strings = constant if type(constant) in (tuple, frozenset) else (constant,)
            names.update(item for item in strings if type(item) is str and item.isidentifier())


# ---------------------------------------------------------------- frames


def frame_local_names(frame: types.FrameType, held: object) -> list[str]:
    """Return the names of the frame's local variables that refer to `held`."""
    items = frame_locals(frame, executing=frame_is_executing(frame))
    if items is None:
        return []
    names = [name for name, value in items if value is held or _cell_holds(value, held)]
    if not names and type(held) is types.CellType:
        # f_locals shows a cell variable's contents, never the cell, so match the
        # contents among the frame's cell and free variable names.
        code = frame.f_code
        cell_names = set(code.co_cellvars) | set(code.co_freevars)
        try:
            contents = held.cell_contents
        except ValueError:
            return []
        names = [name for name, value in items if name in cell_names and value is contents]
    return names


def frame_locals(frame: types.FrameType, *, executing: bool) -> list[tuple[str, Any]] | None:
    """Return the (name, value) pairs of a frame's locals, or None when reading them is unsafe.

    On Python 3.13 and later `frame.f_locals` is a write-through proxy with no
    side effect. On 3.10 to 3.12 reading it stores a snapshot dict on the
    frame, which would keep the values it copied alive while the frame runs
    on, so `_read_locals_snapshot` empties a snapshot that this read created.
    While a Python-level trace function (a debugger) is installed, an
    executing frame's snapshot may be about to be written back into the
    frame, so its locals are not read at all on those versions.

    NOTE: a trace function that another thread installed with `sys.settrace`
    inside that thread is not visible here; only this thread's and
    `threading.settrace`'s are checked.
    """
    if sys.version_info >= (3, 13):
        try:
            mapping = frame.f_locals
            # exec() with a mapping as locals returns that mapping, whose methods are user code.
            if type_name(type(mapping)) != "FrameLocalsProxy" and type(mapping) is not dict:
                return None
            return list(mapping.items())
        except Exception:
            return None
    if executing and python_tracer_active():
        return None
    return _read_locals_snapshot(frame)


def python_tracer_active() -> bool:
    """Return whether a trace or profile function that may write f_locals back is installed.

    CPython writes a frame's f_locals snapshot back after calling a trace or
    profile function set with sys.settrace or sys.setprofile (pdb, debugpy,
    Python profilers). Tracers installed from C do not go through that path;
    coverage.py's CTracer and cProfile's Profiler are the known ones, so
    every other installed function counts.
    """
    if REPR_TRACING_THREADS - {threading.get_ident()}:
        # Another thread's walk is running a guarded repr under a Python trace function.
        # NOTE: a repr that starts between this check and the emptying of a snapshot
        # is not seen. That window is a few bytecodes of this thread.
        return True
    installed = (sys.gettrace(), sys.getprofile(), threading.gettrace(), threading.getprofile())
    return any(tracer is not None and not _is_c_tracer(tracer) for tracer in installed)


_C_TRACERS = {("coverage.tracer", "CTracer"), ("_lsprof", "Profiler")}


def _is_c_tracer(tracer: object) -> bool:
    # cProfile.Profile is a Python subclass of the C class _lsprof.Profiler.
    return any((type_module(klass), type_name(klass)) in _C_TRACERS for klass in mro_of(type(tracer)))


def _cell_holds(value: object, held: object) -> bool:
    if type(value) is not types.CellType:
        return False
    try:
        return value.cell_contents is held
    except ValueError:
        return False


# Ids of the frames that threads were executing when the current walk started,
# set by the walk. Looking them up again with sys._current_frames() during a
# walk would create frame objects for refgraph's own generators, which form
# reference cycles that outlive the walk.
_walk_state = threading.local()


def set_executing_frames(frame_ids: set[int] | None) -> None:
    """Record the executing frames of the walk running in this thread (None when it ends)."""
    _walk_state.executing = frame_ids


def frame_is_executing(frame: types.FrameType) -> bool:
    """Return whether `frame` is on the stack of any thread right now."""
    known = getattr(_walk_state, "executing", None)
    if known is not None:
        return id(frame) in known
    for top in sys._current_frames().values():
        current: types.FrameType | None = top
        while current is not None:
            if current is frame:
                return True
            current = current.f_back
    return False


def _read_locals_snapshot(frame: types.FrameType) -> list[tuple[str, Any]] | None:
    try:
        snapshot = frame.f_locals
    except Exception:
        return None
    if type(snapshot) is not dict:
        # exec() with a mapping as locals: reading it would run the mapping's own code.
        return None
    items = snapshot_items(snapshot)

    # Three references mean only the frame, this function and getrefcount's argument
    # have the snapshot, so no debugger keeps it. No Python trace function is about
    # to write it back (frame_locals checked), and every later reader refreshes it
    # first, so emptying it undoes this read.
    # A module, class body or exec frame is not optimised: its f_locals is the
    # real namespace, never a snapshot, and must stay as it is.
    is_snapshot = bool(frame.f_code.co_flags & _CO_OPTIMIZED)
    if is_snapshot and sys.getrefcount(snapshot) <= 3:
        snapshot.clear()
    return items
