"""Breadth-first walk of the reference graph around one target object.

`graph()` collects holders or referents level by level with `refgraph.scan`,
names each reference with `refgraph.edges`, stops at roots (modules,
classes, executing frames) and at the cap, and returns a `RefGraph` of plain
data. The caller's own variable that refers to the target is reported apart
(`prepare_scope`).
"""

from __future__ import annotations

import inspect
import os
import socket
import sys
import time
import types
from dataclasses import dataclass, field
from typing import Any

from refgraph import describe
from refgraph.edges import Reference, frame_locals
from refgraph.model import Edge, Node, RefGraph
from refgraph.scan import Holding, Scope, find_holders, find_referents, is_own_code

_DIRECTIONS = ("referrers", "referents", "both")

#: Maximum number of edges drawn between one holder and one held object.
MAX_EDGES_PER_PAIR = 10

#: References to the target that a call to `graph()` or `why_alive()` adds: the
#: function's parameter and, before 3.11, the argument on the caller's value stack.
TARGET_CALL_REFERENCES = 1 + (1 if sys.version_info < (3, 11) else 0)


# ---------------------------------------------------------------- roots


def prepare_scope(scope: Scope, target_id: int, frame: types.FrameType) -> list[str]:
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
    while caller is not None and is_own_code(caller.f_code):
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
    name = caller.f_globals.get("__name__") if type(caller.f_globals) is dict else None
    if at_module_level and type(name) is str:
        module = sys.modules.get(name)
        if module is not None and types.ModuleType.__dict__["__dict__"].__get__(module) is caller.f_globals:
            scope.excluded[(scope.track(module), target_id)] = {f".{name}" for name in names}

    scope.index_frames(running_frames())
    caller_id = scope.caller_frame_id = id(caller)
    entries = scope.frame_values.get(target_id, [])
    scope.frame_values[target_id] = [(frame_id, name) for frame_id, name in entries if frame_id != caller_id]
    return names


def running_frames() -> dict[int, tuple[int, types.FrameType]]:
    """Map the id of every executing frame outside refgraph's own code to (thread ident, frame).

    refgraph's own frames are left out: this function's frame in its own
    result would be a reference cycle that keeps the caller's frame, and
    with it the target, alive after the call until the collector runs.
    """
    frames = {}
    for ident, top in sys._current_frames().items():
        frame: types.FrameType | None = top
        while frame is not None:
            if not is_own_code(frame.f_code):
                frames[id(frame)] = (ident, frame)
            frame = frame.f_back
        # This thread's top frame is this function's own: a local that refers to
        # it is a cycle as well.
        top = None
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
    scope: Scope = field(default_factory=Scope)
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
        facts = describe_object(obj)
        # Without the walk's own references: the object table, `obj` and the argument,
        # plus for the target the public function's parameter and, before 3.11, the
        # caller's value stack, which keeps an argument during the call.
        own_references = 3 + (1 if key in self.executing else 0)
        if role == "target":
            own_references += TARGET_CALL_REFERENCES
        facts["refcount"] = sys.getrefcount(obj) - own_references
        draft = _Draft(
            key=f"{key:x}",
            obj_id=key,
            depth=depth,
            role=role,
            facts=facts,
            root=root_of(obj, self.executing),
        )
        self.drafts[key] = draft
        return draft

    def add_edge(self, holding: Holding) -> None:
        if holding.holder == holding.held:
            return
        references = holding.labels(self.scope)
        if len(references) > MAX_EDGES_PER_PAIR:
            # One container can hold an object thousands of times: keep a few labels
            # and say how many more there are, so the graph stays drawable.
            extra = len(references) - MAX_EDGES_PER_PAIR + 1
            references = references[: MAX_EDGES_PER_PAIR - 1] + [Reference(f"+{extra:,} more references", "more")]
        for reference in references:
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
        nodes = [self.node_record(draft, in_degree.get(draft.obj_id, 0)) for draft in self.drafts.values()]
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

    def node_record(self, draft: _Draft, in_degree: int) -> Node:
        """Return the plain-data `Node` for a draft."""
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
    chains (see `why_alive`) within `max_depth` are added first, so that the
    cap does not cut them, and are listed in `RefGraph.chains`. A chain longer
    than `max_nodes` is left out. Use ``chains=0`` to skip that search on a
    very large heap.

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
