"""Why is this object alive? The shortest chains from a root to the target.

`why_alive` walks holders breadth first from the target, strong references
only, until it reaches roots: modules, classes and executing frames. Because
the search is breadth first, the first chain found for each root is a
shortest one, and chains come out shortest first.

When no root is reachable, the result explains why instead of inventing a path:
``cycle`` when the target is only on reference cycles that the collector
will free, ``hidden`` when the reference counts show holders the collector
cannot see (C extensions, the interpreter stack, a caller's variable).
"""

from __future__ import annotations

import gc
import inspect
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Sequence

from refgraph.edges import Reference
from refgraph.model import Node
from refgraph.scan import Holding, find_holders, referent_ids, referrers_of
from refgraph.walk import TARGET_CALL_REFERENCES, GraphWalk, prepare_scope, root_of

#: Number of breadth-first levels searched with heap scans before the search
#: builds a reverse index of the whole heap and continues from memory.
SCAN_LEVELS = 8

#: Root kinds that `Chain.root_kind` takes:
#:
#: - ``module``: a module global, ``module logging.root``;
#: - ``class``: a class attribute, ``class logging.Logger.manager``;
#: - ``thread``: a local variable of a frame that a thread is executing;
#: - ``repl``: interactive history, such as ``builtins._`` or IPython's ``Out``;
#: - ``traceback``: the last exception kept by the interpreter (``sys.last_traceback``);
#: - ``hidden``: an object whose reference count shows holders the collector cannot see;
#: - ``cycle``: no holder at all outside reference cycles, which the collector will free.
ROOT_KINDS = ("module", "class", "thread", "repl", "traceback", "hidden", "cycle")

_REPL_NAMES = re.compile(r"^\.(_|__|___|_\d+|Out|_oh|In|_ih|_i\d*)$")
_LAST_EXCEPTION_NAMES = (".last_traceback", ".last_value", ".last_exc", ".last_type")
_KIND_PREFIXES = {"repl": "REPL history:", "traceback": "last exception:"}


@dataclass(frozen=True)
class Chain:
    """One path of strong references from a root to the target.

    `nodes` runs from the root (first) to the target (last); `labels[i]` names
    the reference from `nodes[i]` to `nodes[i + 1]`. `root_kind` is one of
    `ROOT_KINDS`. For a ``hidden`` chain the first node is the object whose
    holders the collector cannot see; for ``cycle``, `nodes` holds the target
    alone. `note` explains those two.
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
        if self.root_kind in ("hidden", "cycle"):
            prefix = f"{self.root_kind}: {self.note}"
            if not self.labels:
                return f"{prefix} -> {self.target.repr}"
            head = f"{prefix}: {self.root.repr}"
        elif self.root_kind == "thread":
            head = f"{self.root.root_label} "
        elif self.root_kind in _KIND_PREFIXES:
            head = f"{_KIND_PREFIXES[self.root_kind]} {self.root.root_label}"
        else:
            head = self.root.root_label or self.root.repr
        parts = [head]
        index = 0
        for label, run in label_runs(self.labels):
            # A run of one repeated hop, such as a linked list's .next, prints once with its count.
            text = label if run == 1 else f"{label} x {run:,}"
            parts.append(_hop_text(text, self.nodes[index + run]))
            index += run
        # Labels that are not access syntax ("key", "set member") carry spaces on both sides.
        return re.sub(" {2,}", " ", "".join(parts) + f" -> {self.target.repr}")

    def __repr__(self) -> str:
        return f"<Chain {self.root_kind}, {len(self)} hops: {self}>"


class WhyAlive(list):
    """The chains that `why_alive` found, shortest first, and what is not a chain.

    `caller_variables` names the caller's own variables that refer to the
    target; they are not chains. `hidden_references` counts the references
    to the target that no holder visible to the collector explains. `note`
    explains why the list is empty when nothing but the caller holds the target.
    """

    caller_variables: list[str]
    hidden_references: int
    note: str

    def __init__(
        self, chains: list[Chain], caller_variables: list[str], hidden_references: int, note: str = ""
    ) -> None:
        super().__init__(chains)
        self.caller_variables = caller_variables
        self.hidden_references = hidden_references
        self.note = note

    def __str__(self) -> str:
        lines = [f"{index}. {chain}" for index, chain in enumerate(self, 1)]
        if self.note:
            lines.append(self.note)
        if self.caller_variables:
            names = ", ".join(f"`{name}`" for name in self.caller_variables)
            lines.append(f"Also held by your variable{'s' if len(self.caller_variables) > 1 else ''} {names}.")
        if self.hidden_references > 0:
            lines.append(
                f"Also {self.hidden_references} reference{'s' if self.hidden_references > 1 else ''} that the "
                "collector cannot see (C code, the interpreter stack or a local of a frame it cannot read)."
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def classify_root(root: Node, first_label: str | None) -> str:
    """Return the kind of a chain's root, refining ``module`` for REPL history and stored tracebacks."""
    kind = root.root_kind or "hidden"
    if kind != "module" or first_label is None:
        return kind
    module = (root.root_label or "").removeprefix("module ")
    if module in ("builtins", "__main__") and _REPL_NAMES.match(first_label):
        return "repl"
    if module == "sys" and first_label in _LAST_EXCEPTION_NAMES:
        return "traceback"
    return kind


def _hop_text(label: str, node: Node) -> str:
    """Return one hop as it reads in a chain: the label, and the type where it helps."""
    joined = label if label.startswith((".", "[")) else f" {label} "
    if node.kind == "object" and node.library not in ("builtins",) and node.role != "target":
        return f"{joined}<{node.type_name}>"
    return joined


def label_runs(labels: Sequence[str]) -> list[tuple[str, int]]:
    """Split labels into (label, run length) pairs, merging runs of three or more equal labels.

    Shorter runs stay as single hops, because ``[0][0]`` reads better than
    ``[0] x 2``.
    """
    runs: list[tuple[str, int]] = []
    index = 0
    while index < len(labels):
        run = 1
        while index + run < len(labels) and labels[index + run] == labels[index]:
            run += 1
        if run < 3:
            run = 1
        runs.append((labels[index], run))
        index += run
    return runs


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
    holdings_found: int = 0


def why_alive(
    obj: Any, *, max_chains: int = 3, max_depth: int | None = None, max_visited: int = 2_000_000
) -> WhyAlive:
    """Return up to `max_chains` shortest chains that keep `obj` alive, shortest first.

    Each chain starts at a root (a module global, a class attribute, a local
    of an executing frame, the REPL history) and ends at `obj`. `max_depth`
    bounds the chain length (None: no bound) and `max_visited` the number of
    objects searched. When no root is found, the chains explain why: ``cycle``,
    or ``hidden`` starting at the objects whose holders the collector cannot
    see. The caller's own variables that refer to `obj` are not chains: they
    are listed in `WhyAlive.caller_variables`, and printing the result says
    "also held by your variable".
    """
    if not isinstance(max_chains, int) or max_chains < 1:
        raise ValueError(f"invalid max_chains {max_chains!r}: use a positive integer such as 3")
    if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 1):
        raise ValueError(f"invalid max_depth {max_depth!r}: use a positive integer, or None for no limit")
    if not isinstance(max_visited, int) or max_visited < 1:
        raise ValueError(f"invalid max_visited {max_visited!r}: use a positive integer such as 2000000")

    walk = GraphWalk(direction="referrers", max_nodes=max_visited, max_depth=max_depth, include_weak=False)
    search = _Search(walk)
    try:
        target_id = walk.scope.track(obj)
        caller_frame = sys._getframe(1)
        caller_variables = prepare_scope(walk.scope, target_id, caller_frame)
        caller_is_function = bool(caller_frame.f_code.co_flags & inspect.CO_OPTIMIZED)
        del caller_frame
        walk.executing = walk.scope.executing
        paths, exhausted = search_paths(search, target_id, max_chains, max_depth, max_visited)

        # References that the collector never reports: the call's own (TARGET_CALL_REFERENCES)
        # and a function caller's variables.
        caller_references = len(caller_variables) if caller_is_function else 0
        expected_extra = {target_id: TARGET_CALL_REFERENCES + caller_references}
        note = ""
        if paths:
            chains = [_chain_from(search, path, labels, target_id) for path, labels in paths]
            hidden = hidden_references(search, [target_id], expected_extra).get(target_id, 0)
        elif (
            exhausted
            and search.holdings_found == 0
            and not hidden_references(search, [target_id], expected_extra)
        ):
            # No holder at all: only the caller's variables, or nothing but this call.
            chains, hidden = [], 0
            if caller_variables:
                note = "Nothing else refers to it."
            else:
                note = "Nothing else refers to it: it is freed once this call returns."
        else:
            chains = _explain_missing_root(search, target_id, exhausted, expected_extra)
            hidden = 0
        return WhyAlive(chains, caller_variables, hidden, note)
    finally:
        walk.close()
        del walk, search, obj


def search_paths(
    search: _Search, target_id: int, max_chains: int, max_depth: int | None, max_visited: int
) -> tuple[list[tuple[list[int], list[Reference]]], bool]:
    """Find up to `max_chains` shortest root-to-target paths, shortest first.

    Returns the paths as (object ids from root to target, one reference per
    hop) and whether the search ran out of holders, which distinguishes a
    target with no root from a search stopped by its limits.
    """
    scope = search.walk.scope
    executing = search.walk.executing
    search.depth[target_id] = 0
    is_root: dict[int, bool] = {}
    # Each arrival at a root is the first hop of one or more chains. Arrivals at
    # the caller's own frame come last: the caller asked about a leak elsewhere.
    arrivals: list[Holding] = []
    caller_arrivals: list[Holding] = []
    frontier = [target_id]
    depth = 0

    while frontier and len(arrivals) < max_chains and len(search.depth) < max_visited:
        if max_depth is not None and depth >= max_depth:
            break
        depth += 1
        # Each level costs one heap scan (a sweep for a wide frontier), so a deep
        # search switches to one pass that indexes the whole heap and then
        # follows the index.
        if scope.reverse_index is None and depth > SCAN_LEVELS:
            scope.build_reverse_index()
        next_frontier = []
        holdings = find_holders(scope, frontier)
        search.holdings_found += len(holdings)
        for holding in holdings:
            holder = holding.holder
            if holder not in is_root:
                is_root[holder] = root_of(scope.objects[holder], executing) is not None
            if is_root[holder]:
                (caller_arrivals if holder == scope.caller_frame_id else arrivals).append(holding)
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
    for arrival in caller_arrivals:
        if len(paths) >= max_chains:
            break
        paths.extend(_paths_from(search, arrival, target_id, max_chains - len(paths)))
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
        nodes.append(walk.node_record(draft, 0))
    names = tuple(reference.label for reference in labels)
    return Chain(nodes=tuple(nodes), labels=names, root_kind=classify_root(nodes[0], names[0] if names else None))


def _explain_missing_root(
    search: _Search, target_id: int, exhausted: bool, expected_extra: dict[int, int]
) -> list[Chain]:
    """Explain a target that no root reaches with ``hidden`` chains, or with one ``cycle`` chain."""
    walk = search.walk
    target_node = walk.node_record(walk.add_node(target_id, 0, "target"), 0)
    if not exhausted:
        note = f"no root within {len(search.depth):,} objects searched; raise max_depth or max_visited"
        return [Chain(nodes=(target_node,), labels=(), root_kind="hidden", note=note)]

    unexplained = hidden_references(search, list(search.depth), expected_extra)
    if not unexplained:
        state = "enabled" if gc.isenabled() else "DISABLED, so nothing frees it until gc.collect() runs"
        note = (
            "no holder outside reference cycles, which the collector frees once nothing else "
            f"refers to them (it is {state})"
        )
        return [Chain(nodes=(target_node,), labels=(), root_kind="cycle", note=note)]

    # The path from each hidden holder down to the target is real, even though
    # what holds that first object is not visible.
    chains = []
    for key, count in sorted(unexplained.items(), key=lambda item: search.depth[item[0]]):
        note = f"{count} reference{'s' if count > 1 else ''} that the collector cannot see"
        path, labels = _shortest_path_down(search, key, target_id)
        nodes = []
        for index, node_key in enumerate(path):
            role = "target" if node_key == target_id else "referrer"
            nodes.append(walk.node_record(walk.add_node(node_key, len(path) - 1 - index, role), 0))
        labels_text = tuple(reference.label for reference in labels)
        chains.append(Chain(nodes=tuple(nodes), labels=labels_text, root_kind="hidden", note=note))
    return chains


def _shortest_path_down(search: _Search, start: int, target_id: int) -> tuple[list[int], list[Reference]]:
    scope = search.walk.scope
    path = [start]
    labels: list[Reference] = []
    while path[-1] != target_id:
        hop = search.toward[path[-1]][0]
        labels.append(hop.labels(scope)[0])
        path.append(hop.held)
    return path, labels


def hidden_references(search: _Search, keys: list[int], expected_extra: dict[int, int]) -> dict[int, int]:
    """Return, per object in `keys`, the references its count shows that no visible holder explains.

    Counted as explained: each reference from a holder the collector reports
    (one per occurrence in the holder's referents), each executing frame's
    local, the search's own table entry, `sys.getrefcount`'s argument, and
    `expected_extra` (why_alive's own parameter, a function caller's
    variables). Objects with reference counts above 2**29 are immortal or
    shared (None, small ints) and are skipped.
    """
    scope = search.walk.scope
    wanted = set(keys)
    visible = {key: len(scope.frame_values.get(key, ())) for key in keys}
    for holder in referrers_of(scope, keys):
        if holder in scope.executing:
            continue
        for referent in referent_ids(scope, holder):
            if referent in wanted:
                visible[referent] += 1

    unexplained = {}
    for key in keys:
        count = sys.getrefcount(scope.objects[key])
        if count > 2**29:
            continue
        extra = count - 2 - visible[key] - expected_extra.get(key, 0)
        if extra > 0:
            unexplained[key] = extra
    return unexplained
