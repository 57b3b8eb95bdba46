"""Breadth-first walk of the live heap around one target object.

This is the only layer that touches live objects. It collects holders
(`gc.get_referrers`) or referents (`gc.get_referents`) level by level, names
each reference with `refgraph.edges`, and returns a `RefGraph` of plain data.

Three rules shape the code:

- The walk never shows itself. Every list, tuple and dict it creates that
  could refer to an inspected object is registered in `_Scope`, and the
  collector's results are filtered against that registry, along with the
  frames and generators of refgraph's own code. The caller's own variable
  that refers to the target is reported apart (`prepare_scope`).
- A heap scan is expensive. `gc.get_referrers(*objs)` compares every
  reference in the heap with every argument, so one call costs (references
  in the heap) x (arguments). The walk makes one call per level with the
  whole frontier, and switches to one pass over `gc.get_objects()` with a
  set lookup when the frontier is larger than `SWEEP_THRESHOLD`.
- One node is one object a person thinks about. A module's, class's or
  instance's `__dict__` and a function's closure cells are folded into their
  owner, and the edge is labelled ``.name`` or ``closure variable 'x'``.
"""

from __future__ import annotations

import collections
import gc
import inspect
import os
import socket
import sys
import time
import types
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from refgraph import describe
from refgraph.edges import (
    Reference,
    closure_cells,
    frame_locals,
    instance_dict,
    is_own_weak_reference,
    namespace_dict,
    reference_labels,
    set_executing_frames,
)
from refgraph.model import Edge, Node, RefGraph

#: Frontier size above which one pass over `gc.get_objects()` replaces a
#: `gc.get_referrers(*frontier)` call. On a heap of 250,000 tracked objects
#: the two cost the same at 100 to 200 arguments (benchmarks/bench_walk.py).
SWEEP_THRESHOLD = 128

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_DIRECTIONS = ("referrers", "referents", "both")


# ---------------------------------------------------------------- scope


class _Scope:
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
            for referent in gc.get_referents(candidate):
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
            return _is_own_code(obj.f_code)
        if cls in (types.GeneratorType, types.CoroutineType):
            code = obj.gi_code if cls is types.GeneratorType else obj.cr_code
            return _is_own_code(code)
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


def _is_own_code(code: types.CodeType) -> bool:
    return code.co_filename.startswith(_PACKAGE_DIR)


# ---------------------------------------------------------------- heap scans


def referrers_of(scope: _Scope, ids: Iterable[int]) -> list[int]:
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


def _referrers_from_index(scope: _Scope, wanted: list[int]) -> list[int]:
    index = scope.reverse_index or {}
    found: dict[int, None] = {}
    for key in wanted:
        for referrer in index.get(key, ()):
            if referrer not in scope.ids:
                found[referrer] = None
    return list(found)


def _sweep_for_referrers(scope: _Scope, wanted: set[int]) -> list[Any]:
    heap = scope.own(gc.get_objects())
    found = scope.own([])
    for candidate in heap:
        for referent in gc.get_referents(candidate):
            if id(referent) in wanted:
                found.append(candidate)
                break
    del candidate
    scope.release(heap)
    return found


def referent_ids(scope: _Scope, key: int) -> list[int]:
    """Return the ids of what the object `key` refers to, as the collector sees it."""
    return [id(referent) for referent in gc.get_referents(scope.objects[key])]


# ---------------------------------------------------------------- holders


@dataclass
class Holding:
    """One logical reference found by a scan: object `holder` refers to object `held` (ids)."""

    holder: int
    held: int
    references: list[Reference] | None = None
    weak: bool = False

    def labels(self, scope: _Scope) -> list[Reference]:
        """Return the references from holder to held, naming them on first use.

        Naming is the costly part of a scan, so a walk that keeps only some
        holders (the cap, a search that already reached a holder) names only those.
        """
        if self.references is None:
            self.references = reference_labels(scope.objects[self.holder], scope.objects[self.held])
        return self.references


def _fold_owner(scope: _Scope, intermediate_id: int, candidate_ids: list[int]) -> int | None:
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
            elif candidate_type not in (dict, list, tuple, set, types.FrameType, types.FunctionType):
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


def find_holders(scope: _Scope, frontier: list[int], *, include_weak: bool = False) -> list[Holding]:
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


def _frame_holders(scope: _Scope, frontier: list[int]) -> list[Holding]:
    by_frame: dict[tuple[int, int], list[Reference]] = {}
    for key in frontier:
        for frame_id, name in scope.frame_values.get(key, ()):
            by_frame.setdefault((frame_id, key), []).append(Reference(f".f_locals[{name!r}]", "local"))
    return [Holding(frame_id, key, references) for (frame_id, key), references in by_frame.items()]


def _keep_after_exclusions(scope: _Scope, holding: Holding) -> bool:
    excluded = scope.excluded.get((holding.holder, holding.held))
    if not excluded:
        return True
    holding.references = [r for r in holding.labels(scope) if r.label not in excluded]
    return bool(holding.references)


def _fold_pairs(scope: _Scope, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
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


def _weak_holders(scope: _Scope, frontier: list[int]) -> list[Holding]:
    holdings = []
    for key in frontier:
        try:
            references = weakref.getweakrefs(scope.objects[key])
        except TypeError:
            continue
        for reference in references:
            if is_own_weak_reference(reference):
                continue
            is_proxy = type(reference) in (weakref.ProxyType, weakref.CallableProxyType)
            label = "weakref.proxy" if is_proxy else "weakref"
            holdings.append(Holding(scope.track(reference), key, [Reference(label, "weak")], weak=True))
        del references
    return holdings


def find_referents(scope: _Scope, key: int) -> list[Holding]:
    """Return what the object `key` refers to, with its namespace dict folded into it."""
    obj = scope.objects[key]
    namespace = _own_namespace(obj)
    closure = obj.__closure__ if type(obj) is types.FunctionType else None
    results = []
    for referent in gc.get_referents(obj):
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
    if type(obj) in (dict, list, tuple, set, frozenset, types.FunctionType, types.FrameType):
        return None
    return instance_dict(obj)


# ---------------------------------------------------------------- roots


def prepare_scope(scope: _Scope, target_id: int, frame: types.FrameType) -> list[str]:
    """Index executing frames and set the caller's own variables apart; return their names.

    The caller is the first frame outside refgraph's own code, starting at
    `frame`. A caller's variable that refers to the target is reported by
    itself ("also held by your variable") instead of as a chain. So that
    local of the caller's frame is not indexed, and at module level (a REPL,
    a script) the module's reference under that name is excluded. The caller's
    other locals stay roots like any executing frame's, because they may hold
    the target indirectly.
    """
    caller: types.FrameType | None = frame
    while caller is not None and _is_own_code(caller.f_code):
        caller = caller.f_back
    if caller is None:
        scope.index_frames(running_frames())
        return []

    items = frame_locals(caller, executing=True) or []
    target = scope.objects[target_id]
    names = sorted({name for name, value in items if value is target and type(name) is str})
    del items, target

    # Only a module-level frame has its globals as locals; reading f_locals of an
    # optimised (function) frame again would store a snapshot on it.
    at_module_level = not (caller.f_code.co_flags & inspect.CO_OPTIMIZED) and caller.f_locals is caller.f_globals
    if at_module_level:
        module = sys.modules.get(caller.f_globals.get("__name__", ""))
        if module is not None and types.ModuleType.__dict__["__dict__"].__get__(module) is caller.f_globals:
            scope.excluded[(scope.track(module), target_id)] = {f".{name}" for name in names}

    scope.index_frames(running_frames())
    caller_id = scope.caller_frame_id = id(caller)
    entries = scope.frame_values.get(target_id, [])
    scope.frame_values[target_id] = [(frame_id, name) for frame_id, name in entries if frame_id != caller_id]
    return names


def running_frames() -> dict[int, tuple[int, types.FrameType]]:
    """Map the id of every executing frame to (thread ident, frame)."""
    frames = {}
    for ident, top in sys._current_frames().items():
        frame: types.FrameType | None = top
        while frame is not None:
            frames[id(frame)] = (ident, frame)
            frame = frame.f_back
    return frames


def root_of(obj: Any, executing: dict[int, tuple[int, types.FrameType]]) -> tuple[str, str] | None:
    """Return (root kind, root label) when `obj` is a root of the reference graph."""
    cls = type(obj)
    if issubclass(cls, types.ModuleType):
        return "module", f"module {describe.module_name(obj)}"
    if issubclass(cls, type):
        return "class", f"class {describe.short_repr(obj)[7:-1]}"
    if type(obj) is types.FrameType and id(obj) in executing:
        ident, frame = executing[id(obj)]
        code = frame.f_code
        return "thread", f"thread {describe.thread_name(ident)!r} {code.co_name}() line {frame.f_lineno}"
    return None


# ---------------------------------------------------------------- graph


@dataclass
class _Draft:
    """Facts that the walk collects about one node while it runs, made into a `Node` at the end."""

    key: str
    obj_id: int
    depth: int
    role: str
    facts: dict[str, Any]
    root: tuple[str, str] | None = None
    cut_referrers: int = 0
    cut_referents: int = 0
    expanded: bool = False


@dataclass
class _EdgeDraft:
    source: int
    target: int
    reference: Reference
    weak: bool = False


@dataclass
class GraphWalk:
    """One walk in progress. Use `graph()` rather than this class."""

    direction: str
    max_nodes: int
    max_depth: int | None
    include_weak: bool = True
    max_chains: int = 0
    scope: _Scope = field(default_factory=_Scope)
    chain_paths: list[tuple[list[int], list[Reference]]] = field(default_factory=list)
    drafts: dict[int, _Draft] = field(default_factory=dict)
    edges: dict[tuple[int, int, str], _EdgeDraft] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=lambda: {"referrers": 0, "referents": 0})
    executing: dict[int, tuple[int, types.FrameType]] = field(default_factory=dict)

    # -------------------------------------------------------------- nodes

    def add_node(self, key: int, depth: int, role: str) -> _Draft:
        existing = self.drafts.get(key)
        if existing is not None:
            if existing.role not in (role, "target"):
                existing.role = "both"
            return existing
        obj = self.scope.objects[key]
        draft = _Draft(
            key=f"{key:x}",
            obj_id=key,
            depth=depth,
            role=role,
            facts=describe_object(obj),
            root=root_of(obj, self.executing),
        )
        self.drafts[key] = draft
        return draft

    def add_edge(self, holding: Holding) -> None:
        if holding.holder == holding.held:
            return
        for reference in holding.labels(self.scope):
            edge_key = (holding.holder, holding.held, reference.label)
            self.edges.setdefault(edge_key, _EdgeDraft(holding.holder, holding.held, reference, holding.weak))

    def full(self) -> bool:
        return len(self.drafts) >= self.max_nodes

    # -------------------------------------------------------------- levels

    def expand_referrers(self, frontier: list[int], depth: int) -> list[int]:
        """Add the holders of `frontier` at `depth`; return the new ones to expand next."""
        holdings = find_holders(self.scope, frontier, include_weak=self.include_weak)
        next_frontier: dict[int, None] = {}
        for holding in sorted(holdings, key=_holding_order):
            is_new = holding.holder not in self.drafts
            if is_new and self.full():
                self.drafts[holding.held].cut_referrers += 1
                self.cut["referrers"] += 1
                continue
            draft = self.add_node(holding.holder, depth, "referrer")
            self.add_edge(holding)
            # A node that a chain added earlier is expanded when the walk reaches it.
            if not draft.expanded and draft.root is None and not holding.weak:
                next_frontier[holding.holder] = None
        for key in frontier:
            self.drafts[key].expanded = True
        return list(next_frontier)

    def expand_referents(self, frontier: list[int], depth: int) -> list[int]:
        """Add what `frontier` refers to at `depth`; return the new ones to expand next."""
        next_frontier = []
        for key in frontier:
            self.drafts[key].expanded = True
            for holding in find_referents(self.scope, key):
                is_new = holding.held not in self.drafts
                if holding.held == key:
                    continue
                if is_new and self.full():
                    self.drafts[key].cut_referents += 1
                    self.cut["referents"] += 1
                    continue
                draft = self.add_node(holding.held, depth, "referent")
                self.add_edge(holding)
                if is_new and draft.root is None:
                    next_frontier.append(holding.held)
        return next_frontier

    def count_unexpanded_referrers(self, frontier: list[int]) -> None:
        """Count, without adding nodes, the holders of nodes that the cap or depth left unexpanded."""
        if not frontier:
            return
        counted: set[tuple[int, int]] = set()
        for holding in find_holders(self.scope, frontier):
            if holding.holder in self.drafts:
                self.add_edge(holding)
            elif (holding.holder, holding.held) not in counted:
                counted.add((holding.holder, holding.held))
                self.drafts[holding.held].cut_referrers += 1
                self.cut["referrers"] += 1

    def add_chains(self, target_id: int) -> None:
        """Add the shortest root-to-target chains first, so that the cap never cuts them."""
        from refgraph.chains import _Search, search_paths

        search = _Search(self)
        paths, _ = search_paths(search, target_id, self.max_chains, self.max_depth, 2_000_000)
        for path, references in paths:
            if len(path) > self.max_nodes:
                # NOTE: a chain longer than the cap is left out of the graph; why_alive shows it whole.
                continue
            self.chain_paths.append((path, references))
            for index, (holder, held) in enumerate(zip(path, path[1:])):
                if holder not in self.drafts and self.full():
                    break
                self.add_node(held, len(path) - 2 - index, "referrer")
                self.add_node(holder, len(path) - 1 - index, "referrer")
                self.add_edge(Holding(holder, held, [references[index]]))

    def run(self, target_id: int) -> None:
        self.executing = self.scope.executing
        self.add_node(target_id, 0, "target")
        if self.max_chains and self.direction != "referents":
            self.add_chains(target_id)
        referrer_frontier = [target_id] if self.direction != "referents" else []
        referent_frontier = [target_id] if self.direction != "referrers" else []

        depth = 0
        while referrer_frontier or referent_frontier:
            depth += 1
            if (self.max_depth is not None and depth > self.max_depth) or self.full():
                break
            if referrer_frontier:
                referrer_frontier = self.expand_referrers(referrer_frontier, depth)
            if referent_frontier and not self.full():
                referent_frontier = self.expand_referents(referent_frontier, depth)

        unexpanded = [key for key in referrer_frontier if not self.drafts[key].expanded]
        self.count_unexpanded_referrers(unexpanded)

    # -------------------------------------------------------------- output

    def to_graph(self, target_id: int, started: float) -> RefGraph:
        in_degree: dict[int, int] = {}
        for edge in self.edges.values():
            if not edge.weak:
                in_degree[edge.target] = in_degree.get(edge.target, 0) + 1

        # In a depth-1 neighbourhood every node touches the target by construction,
        # so those edges are kept in the data but not drawn by default.
        neighbourhood = self.direction == "both" and self.max_depth == 1
        nodes = [self._node(draft, in_degree.get(draft.obj_id, 0)) for draft in self.drafts.values()]
        edges = [
            Edge(
                source=f"{edge.source:x}",
                target=f"{edge.target:x}",
                label=edge.reference.label,
                kind=edge.reference.kind,
                weak=edge.weak,
                hidden=neighbourhood and target_id in (edge.source, edge.target),
            )
            for edge in self.edges.values()
        ]
        nodes, edges = _add_cut_placeholders(nodes, edges)
        nodes.sort(key=lambda node: (node.depth, node.kind, node.type_name, node.key))
        edges.sort(key=lambda edge: (edge.source, edge.target, edge.label))
        return RefGraph(
            nodes=nodes,
            edges=edges,
            target_key=f"{target_id:x}",
            direction=self.direction,
            options={
                "max_nodes": self.max_nodes,
                "max_depth": self.max_depth,
                "include_weak": self.include_weak,
                "chains": self.max_chains,
            },
            cut=dict(self.cut),
            python_version=sys.version.split()[0],
            pid=os.getpid(),
            hostname=socket.gethostname(),
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            duration_seconds=round(time.perf_counter() - started, 4),
            chains=self._chain_records(nodes),
        )

    def _chain_records(self, nodes: list[Node]) -> list[dict[str, Any]]:
        from refgraph.chains import Chain

        by_key = {node.key: node for node in nodes}
        records = []
        for path, references in self.chain_paths:
            keys = [f"{key:x}" for key in path]
            if not all(key in by_key for key in keys):
                continue
            chain = Chain(
                nodes=tuple(by_key[key] for key in keys),
                labels=tuple(reference.label for reference in references),
                root_kind=by_key[keys[0]].root_kind or "hidden",
            )
            records.append({"keys": keys, "labels": list(chain.labels), "root_kind": chain.root_kind,
                            "text": str(chain)})
        return records

    def _node(self, draft: _Draft, in_degree: int) -> Node:
        root_kind, root_label = draft.root if draft.root else (None, None)
        return Node(
            key=draft.key,
            id=draft.obj_id,
            depth=draft.depth,
            role=draft.role,
            root_kind=root_kind,
            root_label=root_label,
            in_degree=in_degree,
            cut_referrers=draft.cut_referrers,
            cut_referents=draft.cut_referents,
            expanded=draft.expanded or draft.root is not None,
            **draft.facts,
        )

    def close(self) -> None:
        self.executing.clear()
        self.scope.close()


def _holding_order(holding: Holding) -> int:
    # Strong references before weak ones, so that the cap cuts weak holders first.
    return 1 if holding.weak else 0


def _add_cut_placeholders(nodes: list[Node], edges: list[Edge]) -> tuple[list[Node], list[Edge]]:
    """Add one synthetic "+N more" node next to every node whose neighbours were cut."""
    extra_nodes = []
    extra_edges = []
    for node in nodes:
        for count, side in ((node.cut_referrers, "referrers"), (node.cut_referents, "referents")):
            if not count:
                continue
            key = f"more-{side}-{node.key}"
            extra_nodes.append(
                Node(key=key, id=None, type_name="more", module="refgraph", library="refgraph",
                     repr=f"+{count} more {side}", size=0, role="referrer" if side == "referrers" else "referent",
                     depth=node.depth + 1, kind="more")
            )
            source, target = (key, node.key) if side == "referrers" else (node.key, key)
            extra_edges.append(Edge(source=source, target=target, label=f"+{count}", kind="more"))
    return nodes + extra_nodes, edges + extra_edges


def describe_object(obj: Any) -> dict[str, Any]:
    """Return the plain-data facts of one object that a `Node` records."""
    cls = type(obj)
    module = describe.type_module(cls)
    return {
        "type_name": describe.type_name(cls),
        "module": module,
        "library": describe.library_of(module),
        "repr": describe.short_repr(obj),
        "size": describe.shallow_size(obj),
    }


def graph(
    obj: Any,
    *,
    direction: str = "referrers",
    max_nodes: int = 50,
    max_depth: int | None = None,
    include_weak: bool = True,
    chains: int = 3,
) -> RefGraph:
    """Walk the reference graph around `obj` and return it as a `RefGraph`.

    `direction` is ``"referrers"`` (who holds `obj`, walking back to roots
    such as modules, classes and running frames), ``"referents"`` (what `obj`
    holds) or ``"both"`` (the neighbourhood; `max_depth` defaults to 1).
    The walk is breadth first and stops at `max_nodes` nodes; what the cap
    cut is counted per node and in `RefGraph.cut`. Weak references to a
    node are shown as weak edges when `include_weak` is true.

    For ``"referrers"`` and ``"both"``, the `chains` shortest root-to-target
    chains (see `why_alive`) are added first, so the graph always contains
    them, and are listed in `RefGraph.chains`. Use ``chains=0`` to skip that
    search on a very large heap.

    The call leaves no trace: afterwards `obj` has the same referrers and
    reference count as before.
    """
    if direction not in _DIRECTIONS:
        raise ValueError(f"invalid direction {direction!r}: use one of {', '.join(map(repr, _DIRECTIONS))}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"invalid max_nodes {max_nodes!r}: use a positive integer such as 50")
    if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 1):
        raise ValueError(f"invalid max_depth {max_depth!r}: use a positive integer, or None for no limit")
    if not isinstance(chains, int) or chains < 0:
        raise ValueError(f"invalid chains {chains!r}: use 0 or a positive integer such as 3")
    if direction == "both" and max_depth is None:
        max_depth = 1

    started = time.perf_counter()
    walk = GraphWalk(
        direction=direction, max_nodes=max_nodes, max_depth=max_depth, include_weak=include_weak, max_chains=chains
    )
    try:
        target_id = walk.scope.track(obj)
        prepare_scope(walk.scope, target_id, sys._getframe(1))
        walk.run(target_id)
        return walk.to_graph(target_id, started)
    finally:
        walk.close()
        del walk, obj
