"""Scan the live heap for the holders of objects, without ever seeing the scan itself.

This module and `refgraph.edges` are the only code that touches live
objects; everything they return is ids and labels. Three rules shape it:

- The scan never shows itself. Every list, tuple and dict it creates that
  could refer to an inspected object is registered in `Scope`, and the
  collector's results are filtered against that registry, along with the
  frames and generators of refgraph's own code.
- A heap scan is expensive. `gc.get_referrers(*objs)` compares every
  reference in the heap with every argument, so one call costs (references
  in the heap) x (arguments). A walk makes one call per level with the
  whole frontier, and `referrers_of` switches to one pass over
  `gc.get_objects()` with a set lookup when the frontier is larger than
  `SWEEP_THRESHOLD`.
- One holder is one object a person thinks about. A module's, class's or
  instance's `__dict__` and a function's closure cells are folded into
  their owner, and the edge is labelled ``.name`` or ``closure variable 'x'``.
"""

from __future__ import annotations

import collections
import gc
import inspect
import os
import types
import weakref
from dataclasses import dataclass
from typing import Any, Iterable

from refgraph.describe import is_one_of
from refgraph.edges import (
    Reference,
    closure_cells,
    frame_locals,
    instance_dict,
    is_own_weak_reference,
    namespace_dict,
    reference_labels,
    referents,
    set_executing_frames,
)

#: Frontier size above which one pass over `gc.get_objects()` replaces a
#: `gc.get_referrers(*frontier)` call. On a heap of 250,000 tracked objects
#: the two cost the same at 100 to 200 arguments (benchmarks/bench_walk.py).
SWEEP_THRESHOLD = 128

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- scope


class Scope:
    """The walk's own objects, which the collector must never report as holders.

    Live objects found by the walk are kept in one table, `objects`, keyed by
    id, and everything else the walk passes around is ids. The few
    containers that do refer to live objects (that table, argument tuples,
    scan results) are registered with `own()`. Ids stay unique only while
    their objects live, so the scope keeps all of them alive until `close()`.
    """

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}
        self._kept: dict[int, Any] = {}
        self.ids: set[int] = {id(self.objects), id(self._kept), id(self)}
        self.reverse_index: dict[int, list[int]] | None = None
        # Executing frames, found through sys._current_frames(): since 3.11 the
        # collector does not report them, so their locals are indexed here.
        self.executing: dict[int, tuple[int, types.FrameType]] = {}
        self.frame_values: dict[int, list[tuple[int, str]]] = {}
        # References that are reported apart from the graph: the caller's own variables.
        self.excluded: dict[tuple[int, int], set[str]] = {}
        self.caller_frame_id: int | None = None

    def index_frames(self, executing: dict[int, tuple[int, types.FrameType]]) -> None:
        """Record which executing frame's local refers to which object, by id."""
        self.executing = self.own(executing)
        set_executing_frames(set(executing))
        for frame_id, (_, frame) in executing.items():
            if self.ignores(frame):
                continue
            # A module-level frame's locals are the module's globals: the module root names them.
            if not (frame.f_code.co_flags & inspect.CO_OPTIMIZED) and frame.f_locals is frame.f_globals:
                continue
            items = frame_locals(frame, executing=True)
            if items is None:
                continue
            self.track(frame)
            for name, value in items:
                if type(name) is str:
                    self.frame_values.setdefault(self.track(value), []).append((frame_id, name))
            del items

    def build_reverse_index(self) -> None:
        """Map every tracked object's id to the ids of its referrers, in one pass over the heap.

        After this, `referrers_of` looks referrers up in memory instead of scanning the
        heap, which makes deep chains linear in their length. The index
        describes the heap at this moment: objects created later are not in it.
        """
        heap = self.own(gc.get_objects())
        index: collections.defaultdict[int, list[int]] = self.own(collections.defaultdict(list))
        objects = self.objects
        for candidate in heap:
            if self.ignores(candidate):
                continue
            candidate_id = id(candidate)
            objects[candidate_id] = candidate
            for referent in referents(candidate):
                index[id(referent)].append(candidate_id)
        del candidate
        self.release(heap)
        self.reverse_index = index

    def own(self, container: Any) -> Any:
        """Register `container` as one of the walk's own and return it."""
        self._kept[id(container)] = container
        self.ids.add(id(container))
        return container

    def release(self, container: Any) -> None:
        """Empty and forget a container registered with `own`, so it holds nothing any more."""
        if type(container) in (list, dict, set):
            container.clear()
        self._kept.pop(id(container), None)
        self.ids.discard(id(container))

    def track(self, obj: Any) -> int:
        """Keep `obj` in the object table and return its id."""
        key = id(obj)
        self.objects[key] = obj
        return key

    def ignores(self, obj: object) -> bool:
        """Return whether `obj` is the walk's own container, frame or generator."""
        if id(obj) in self.ids:
            return True
        cls = type(obj)
        if cls is types.FrameType:
            return is_own_code(obj.f_code)
        if is_one_of(cls, (types.GeneratorType, types.CoroutineType)):
            code = obj.gi_code if cls is types.GeneratorType else obj.cr_code
            return is_own_code(code)
        return False

    def close(self) -> None:
        set_executing_frames(None)
        self.reverse_index = None
        self.frame_values.clear()
        self.excluded.clear()
        self.objects.clear()
        for container in list(self._kept.values()):
            self.release(container)
        self.ids.clear()


def is_own_code(code: types.CodeType) -> bool:
    # The separator keeps a file such as refgraph_plugin.py beside the package out.
    return code.co_filename.startswith(_PACKAGE_DIR + os.sep)


# ---------------------------------------------------------------- heap scans


def referrers_of(scope: Scope, ids: Iterable[int]) -> list[int]:
    """Return the ids of the objects that refer to any object in `ids`, without the walk's own.

    The argument tuple is built here and registered, because on Python 3.13
    the tuple that ``*objects`` would create shows up among the referrers.
    """
    wanted = list(ids)
    if not wanted:
        return []
    if scope.reverse_index is not None:
        return _referrers_from_index(scope, wanted)
    arguments = None
    if len(wanted) > SWEEP_THRESHOLD:
        found = _sweep_for_referrers(scope, set(wanted))
    else:
        arguments = scope.own(tuple(scope.objects[key] for key in wanted))
        found = scope.own(gc.get_referrers(*arguments))

    # The argument tuple stays registered until the result is filtered, because
    # on 3.13 the collector reports it as a referrer of every argument.
    result = [scope.track(obj) for obj in found if not scope.ignores(obj)]
    scope.release(found)
    if arguments is not None:
        scope.release(arguments)
    return result


def _referrers_from_index(scope: Scope, wanted: list[int]) -> list[int]:
    index = scope.reverse_index or {}
    found: dict[int, None] = {}
    for key in wanted:
        for referrer in index.get(key, ()):
            if referrer not in scope.ids:
                found[referrer] = None
    return list(found)


def _sweep_for_referrers(scope: Scope, wanted: set[int]) -> list[Any]:
    heap = scope.own(gc.get_objects())
    found = scope.own([])
    for candidate in heap:
        for referent in referents(candidate):
            if id(referent) in wanted:
                found.append(candidate)
                break
    del candidate
    scope.release(heap)
    return found


def referent_ids(scope: Scope, key: int) -> list[int]:
    """Return the ids of what the object `key` refers to, as `gc.get_referents` reports them."""
    return [id(referent) for referent in referents(scope.objects[key])]


# ---------------------------------------------------------------- holders


@dataclass
class Holding:
    """One logical reference found by a scan: object `holder` refers to object `held` (ids)."""

    holder: int
    held: int
    references: list[Reference] | None = None
    weak: bool = False

    def labels(self, scope: Scope) -> list[Reference]:
        """Return the references from holder to held, naming them on first use.

        Naming is the costly part of a scan, so a walk that keeps only some
        holders (the cap, a search that already reached a holder) names only those.
        """
        if self.references is None:
            self.references = reference_labels(scope.objects[self.holder], scope.objects[self.held])
        return self.references


def _fold_owner(scope: Scope, intermediate_id: int, candidate_ids: list[int]) -> int | None:
    """Return the id of the object whose namespace or closure `intermediate` is, if any."""
    intermediate = scope.objects[intermediate_id]
    cls = type(intermediate)
    for candidate_id in candidate_ids:
        candidate = scope.objects[candidate_id]
        candidate_type = type(candidate)
        if cls is dict:
            if issubclass(candidate_type, types.ModuleType):
                if types.ModuleType.__dict__["__dict__"].__get__(candidate) is intermediate:
                    return candidate_id
            elif issubclass(candidate_type, type):
                if namespace_dict(type.__dict__["__dict__"].__get__(candidate)) is intermediate:
                    return candidate_id
            elif not is_one_of(candidate_type, (dict, list, tuple, set, types.FrameType, types.FunctionType)):
                if instance_dict(candidate) is intermediate:
                    return candidate_id
        elif cls is types.CellType and candidate_type is tuple:
            return candidate_id
        elif cls is tuple and candidate_type is types.FunctionType:
            if candidate.__closure__ is intermediate:
                return candidate_id
    return None


def _is_foldable(obj: object) -> bool:
    cls = type(obj)
    if cls is tuple:
        # Only a closure tuple, made of cells, folds into its function.
        return len(obj) > 0 and all(type(item) is types.CellType for item in obj)  # type: ignore[arg-type]
    return cls is dict or cls is types.CellType


def find_holders(scope: Scope, frontier: list[int], *, include_weak: bool = False) -> list[Holding]:
    """Return every logical holder of the frontier objects, with edge labels.

    A namespace dict or a closure cell among the raw referrers is replaced by
    its owner (module, class, instance or function), found with one more
    batched scan per folding step. A dict without an owner stays a holder.
    """
    frontier_set = set(frontier)
    pairs = []
    for referrer in referrers_of(scope, frontier):
        # Executing frames are found through their locals below, with their names.
        if referrer in scope.executing:
            continue
        # A referrer may refer to several frontier objects, so pair it with each.
        for held in dict.fromkeys(referent_ids(scope, referrer)):
            if held in frontier_set:
                pairs.append((referrer, held))

    results = [Holding(holder, held) for holder, held in _fold_pairs(scope, pairs)]
    results.extend(_frame_holders(scope, frontier))
    if scope.excluded:
        results = [holding for holding in results if _keep_after_exclusions(scope, holding)]
    if include_weak:
        results.extend(_weak_holders(scope, frontier))
    return results


def _frame_holders(scope: Scope, frontier: list[int]) -> list[Holding]:
    by_frame: dict[tuple[int, int], list[Reference]] = {}
    for key in frontier:
        for frame_id, name in scope.frame_values.get(key, ()):
            by_frame.setdefault((frame_id, key), []).append(Reference(f".f_locals[{name!r}]", "local"))
    return [Holding(frame_id, key, references) for (frame_id, key), references in by_frame.items()]


def _keep_after_exclusions(scope: Scope, holding: Holding) -> bool:
    excluded = scope.excluded.get((holding.holder, holding.held))
    if not excluded:
        return True
    holding.references = [r for r in holding.labels(scope) if r.label not in excluded]
    return bool(holding.references)


def _fold_pairs(scope: Scope, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Replace namespace dicts and closure cells by their owners, in at most three rounds."""
    result: list[tuple[int, int]] = []
    pending = pairs
    # Cell -> closure tuple -> function needs two rounds, dict -> owner one.
    for _ in range(3):
        folding = [(holder, held) for holder, held in pending if _is_foldable(scope.objects[holder])]
        result.extend((holder, held) for holder, held in pending if not _is_foldable(scope.objects[holder]))
        if not folding:
            return result

        intermediates = set(holder for holder, _ in folding)
        owners_of: dict[int, list[int]] = {}
        for owner in referrers_of(scope, intermediates):
            for referent in referent_ids(scope, owner):
                if referent in intermediates:
                    owners_of.setdefault(referent, []).append(owner)

        pending = []
        for holder, held in folding:
            owner = _fold_owner(scope, holder, owners_of.get(holder, []))
            if owner is None:
                # A tuple that is no closure, or a dict with no owner, is a holder itself.
                result.append((holder, held))
            elif type(scope.objects[owner]) is tuple:
                pending.append((owner, held))
            else:
                result.append((owner, held))
    result.extend(pending)
    return result


def _weak_holders(scope: Scope, frontier: list[int]) -> list[Holding]:
    holdings = []
    for key in frontier:
        try:
            references = weakref.getweakrefs(scope.objects[key])
        except TypeError:
            continue
        for reference in references:
            if is_own_weak_reference(reference):
                continue
            is_proxy = is_one_of(type(reference), (weakref.ProxyType, weakref.CallableProxyType))
            label = "weakref.proxy" if is_proxy else "weakref"
            holdings.append(Holding(scope.track(reference), key, [Reference(label, "weak")], weak=True))
        del references
    return holdings


def find_referents(scope: Scope, key: int) -> list[Holding]:
    """Return what the object `key` refers to, with its namespace dict folded into it."""
    obj = scope.objects[key]
    namespace = _own_namespace(obj)
    closure = obj.__closure__ if type(obj) is types.FunctionType else None
    results = []
    for referent in referents(obj):
        if scope.ignores(referent):
            continue
        if namespace is not None and referent is namespace:
            # Show the namespace's values as attributes of obj, not the dict itself.
            for value in dict.values(namespace):
                results.append(Holding(key, scope.track(value), reference_labels(obj, value)))
        elif closure is not None and referent is closure:
            for name, cell in closure_cells(obj):
                try:
                    contents = cell.cell_contents
                except ValueError:
                    continue
                results.append(Holding(key, scope.track(contents), [Reference(f"closure variable {name!r}", "closure")]))
        else:
            results.append(Holding(key, scope.track(referent), reference_labels(obj, referent)))
    return results


def _own_namespace(obj: Any) -> dict | None:
    if issubclass(type(obj), types.ModuleType):
        return types.ModuleType.__dict__["__dict__"].__get__(obj)
    if issubclass(type(obj), type):
        return namespace_dict(type.__dict__["__dict__"].__get__(obj))
    if is_one_of(type(obj), (dict, list, tuple, set, frozenset, types.FunctionType, types.FrameType)):
        return None
    return instance_dict(obj)
