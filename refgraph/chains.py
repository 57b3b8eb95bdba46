"""Why is this object alive? The shortest chains from a root to the target.

`why_alive` walks holders breadth first from the target, strong references
only, until it reaches roots: modules, classes and executing frames. Because
the search is breadth first, the first chain found for each root is a
shortest one, and chains come out shortest first.

When no root is reachable, the answer says why instead of inventing a path:
``cycle`` when the target is only on reference cycles that the collector
will free, ``hidden`` when the reference counts show holders the collector
cannot see (C extensions, the interpreter stack, a caller's variable).
"""

from __future__ import annotations

import gc
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from refgraph.edges import Reference
from refgraph.model import Node
from refgraph.walk import SWEEP_THRESHOLD, GraphWalk, Holding, find_holders, root_of, running_frames

#: Number of breadth-first levels searched with heap scans before the search
#: builds a reverse index of the whole heap and continues from memory.
SCAN_LEVELS = 8

#: Root kinds that `Chain.root_kind` takes.
ROOT_KINDS = ("module", "class", "thread", "hidden", "cycle")


@dataclass(frozen=True)
class Chain:
    """One path of strong references from a root to the target.

    `nodes` runs from the root (first) to the target (last); `labels[i]` names
    the reference from `nodes[i]` to `nodes[i + 1]`. `root_kind` is one of
    `ROOT_KINDS`. For a ``hidden`` or ``cycle`` answer, `nodes` holds the
    target alone and `note` explains what was found.
    """

    nodes: tuple[Node, ...]
    labels: tuple[str, ...]
    root_kind: str
    note: str = ""

    @property
    def root(self) -> Node:
        return self.nodes[0]

    @property
    def target(self) -> Node:
        return self.nodes[-1]

    def __len__(self) -> int:
        return len(self.labels)

    def __str__(self) -> str:
        if not self.labels:
            return f"{self.root_kind}: {self.note} -> {self.target.repr}"
        parts = [self.root.root_label or self.root.repr]
        for label, node in zip(self.labels, self.nodes[1:]):
            parts.append(_hop_text(label, node))
        # Labels that are not access syntax ("key", "set member") carry spaces on both sides.
        text = " ".join("".join(parts).split(" "))
        return re.sub(" {2,}", " ", f"{text} -> {self.target.repr}")


def _hop_text(label: str, node: Node) -> str:
    """Return one hop as it reads in a chain: the label, and the type where it helps."""
    joined = label if label.startswith((".", "[")) else f" {label} "
    if node.kind == "object" and node.library not in ("builtins",) and node.role != "target":
        return f"{joined}<{node.type_name}>"
    return joined


def compact_labels(labels: list[str]) -> list[str]:
    """Collapse runs of one repeated label into ``.next x 49,998``."""
    compacted: list[str] = []
    index = 0
    while index < len(labels):
        run = 1
        while index + run < len(labels) and labels[index + run] == labels[index]:
            run += 1
        compacted.append(labels[index] if run < 3 else f"{labels[index]} x {run:,}")
        index += run
    return compacted


@dataclass
class _Search:
    """Breadth-first search state.

    `toward[key]` lists the next hops from object `key` toward the target on
    shortest paths (at most `max_chains` of them), and `depth[key]` is the
    object's distance from the target.
    """

    walk: GraphWalk
    toward: dict[int, list[Holding]] = field(default_factory=dict)
    depth: dict[int, int] = field(default_factory=dict)


def why_alive(
    obj: Any, *, max_chains: int = 3, max_depth: int | None = None, max_visited: int = 2_000_000
) -> list[Chain]:
    """Return up to `max_chains` shortest chains that keep `obj` alive, shortest first.

    Each chain starts at a root (a module global, a class attribute, an
    executing frame) and ends at `obj`. `max_depth` bounds the chain length
    (None: no bound) and `max_visited` the number of objects searched. When no root is found,
    the result is one chain of kind ``cycle`` or ``hidden`` that explains why.
    """
    if not isinstance(max_chains, int) or max_chains < 1:
        raise ValueError(f"invalid max_chains {max_chains!r}: use a positive integer such as 3")

    walk = GraphWalk(direction="referrers", max_nodes=max_visited, max_depth=max_depth, include_weak=False)
    walk.scope.ids.add(id(sys._getframe(1)))
    search = _Search(walk)
    try:
        target_id = walk.scope.track(obj)
        walk.executing = walk.scope.own(running_frames())
        paths, exhausted = search_paths(search, target_id, max_chains, max_depth, max_visited)
        if not paths:
            return [_explain_missing_root(search, target_id, exhausted=exhausted)]
        return [_chain_from(search, path, labels, target_id) for path, labels in paths]
    finally:
        walk.close()
        del walk, search, obj


def search_paths(
    search: _Search, target_id: int, max_chains: int, max_depth: int | None, max_visited: int
) -> tuple[list[tuple[list[int], list[Reference]]], bool]:
    """Find up to `max_chains` shortest root-to-target paths, shortest first.

    Returns the paths as (object ids from root to target, one reference per
    hop) and whether the search ran out of holders, which tells a target
    with no root apart from a search stopped by its limits.
    """
    scope = search.walk.scope
    executing = search.walk.executing
    search.depth[target_id] = 0
    is_root: dict[int, bool] = {}
    # Each arrival at a root is the first hop of one or more chains.
    arrivals: list[Holding] = []
    frontier = [target_id]
    depth = 0

    while frontier and len(arrivals) < max_chains and len(search.depth) < max_visited:
        if max_depth is not None and depth >= max_depth:
            break
        depth += 1
        # Each level costs one heap scan, so a deep or wide search switches to one
        # pass that indexes the whole heap and then follows the index.
        if scope.reverse_index is None and (depth > SCAN_LEVELS or len(frontier) > SWEEP_THRESHOLD):
            scope.build_reverse_index()
        next_frontier = []
        for holding in find_holders(scope, frontier):
            holder = holding.holder
            if holder not in is_root:
                is_root[holder] = root_of(scope.objects[holder], executing) is not None
            if is_root[holder]:
                arrivals.append(holding)
                search.depth.setdefault(holder, depth)
                continue

            # Keep every next hop that lies on a shortest path, up to max_chains of them.
            known_depth = search.depth.setdefault(holder, depth)
            hops = search.toward.setdefault(holder, [])
            if known_depth == depth and len(hops) < max_chains:
                hops.append(holding)
            if known_depth == depth and len(hops) == 1:
                next_frontier.append(holder)
        frontier = next_frontier

    paths: list[tuple[list[int], list[Reference]]] = []
    for arrival in arrivals:
        paths.extend(_paths_from(search, arrival, target_id, max_chains - len(paths)))
        if len(paths) >= max_chains:
            break
    paths.sort(key=lambda path: len(path[1]))
    return paths, not frontier


def _paths_from(
    search: _Search, arrival: Holding, target_id: int, limit: int
) -> list[tuple[list[int], list[Reference]]]:
    """Return up to `limit` shortest paths from a root arrival down to the target.

    Depth-first with an explicit stack, so a chain of 50,000 hops cannot
    overflow Python's recursion limit. Hops are named here, so only the
    references on returned chains are ever labelled.
    """
    scope = search.walk.scope
    found: list[tuple[list[int], list[Reference]]] = []
    stack = [(arrival.held, [arrival.holder, arrival.held], [arrival.labels(scope)[0]])]
    while stack and len(found) < limit:
        current, path, labels = stack.pop()
        if current == target_id:
            found.append((path, labels))
            continue
        hops = search.toward.get(current, [])
        if len(hops) == 1:
            # Extend in place: a long single chain would otherwise copy its path at every hop.
            path.append(hops[0].held)
            labels.append(hops[0].labels(scope)[0])
            stack.append((hops[0].held, path, labels))
            continue
        for hop in reversed(hops):
            stack.append((hop.held, path + [hop.held], labels + [hop.labels(scope)[0]]))
    return found


def _chain_from(search: _Search, path: list[int], labels: list[Reference], target_id: int) -> Chain:
    walk = search.walk
    nodes = []
    for index, key in enumerate(path):
        role = "target" if key == target_id else "referrer"
        draft = walk.add_node(key, len(path) - 1 - index, role)
        nodes.append(walk._node(draft, 0))
    return Chain(
        nodes=tuple(nodes),
        labels=tuple(reference.label for reference in labels),
        root_kind=nodes[0].root_kind or "hidden",
    )


def _explain_missing_root(search: _Search, target_id: int, *, exhausted: bool) -> Chain:
    """Build the answer for a target that no root reaches: ``cycle`` or ``hidden``."""
    walk = search.walk
    draft = walk.add_node(target_id, 0, "target")
    target_node = walk._node(draft, 0)

    if not exhausted:
        note = f"no root within {len(search.depth):,} objects searched; raise max_depth or max_visited"
        return Chain(nodes=(target_node,), labels=(), root_kind="hidden", note=note)

    unexplained = _unexplained_references(search)
    if not unexplained:
        state = "enabled" if gc.isenabled() else "DISABLED, so it will not run by itself"
        note = f"only on reference cycles; the next gc.collect() frees it (the collector is {state})"
        return Chain(nodes=(target_node,), labels=(), root_kind="cycle", note=note)

    holders = ", ".join(f"{count} on {walk.drafts[key].facts['repr'] if key in walk.drafts else hex(key)}"
                        for key, count in unexplained.items())
    note = f"references the collector cannot see ({holders}): C code, the interpreter stack or a caller's variable"
    return Chain(nodes=(target_node,), labels=(), root_kind="hidden", note=note)


def _unexplained_references(search: _Search) -> dict[int, int]:
    """Return, per reached object, the references its count shows but no visible holder explains.

    The counted baseline per object is the search's own references: the
    object table and `sys.getrefcount`'s argument. The target also has
    `why_alive`'s own parameter and the caller's variable.
    """
    scope = search.walk.scope
    visible: dict[int, int] = {key: 0 for key in search.depth}
    for holder in search.depth:
        for referent in gc.get_referents(scope.objects[holder]):
            if id(referent) in visible:
                visible[id(referent)] += 1

    unexplained = {}
    for key, seen in visible.items():
        own_references = 2
        is_target = search.depth[key] == 0
        if is_target:
            # why_alive's `obj` parameter and the caller's variable that passed it.
            own_references += 2
        extra = sys.getrefcount(scope.objects[key]) - own_references - seen
        if extra > 0:
            unexplained[key] = extra
    return unexplained
