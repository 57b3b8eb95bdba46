"""Render a `RefGraph` as text for terminals and CI logs: an indented tree, and the summary `repr` shows.

The output is plain ASCII apart from the characters of reprs and labels, has
no colour codes, and shows invisible characters as escapes, so a CI log
keeps it intact.
"""

from __future__ import annotations

from collections import defaultdict

from refgraph.model import Edge, Node, RefGraph
from refgraph.render import _display
from refgraph.render._chains import ChainRecord, chain_numbers, chain_records, chain_text, shown_repr
from refgraph.render._page import natural_key, placeholder_text, validate_graph
from refgraph.render._redact import shown_label

#: Maximum characters of a repr on one line of the tree.
MAX_REPR_CHARS = 80

#: Maximum characters of a type name or edge label on one line of the tree.
MAX_NAME_CHARS = 60

_HEADINGS = {"referrers": "referrers of", "referents": "referents of", "both": "neighbourhood of"}

# The trees printed for each walk direction. An unknown direction prints referrers.
_SIDES = {"referrers": ["referrers"], "referents": ["referents"], "both": ["referrers", "referents"]}


#: Maximum characters of a why-alive chain on one line.
MAX_CHAIN_CHARS = 400

#: Direct holders (or, for a referents walk, held objects) that `summary_text` names.
SUMMARY_NEIGHBOURS = 3

# Chain numbers of each (holder, held) hop, or of nothing.
ChainHops = dict[tuple[str, str], tuple[int, ...]]


def _describe(node: Node, redact: bool = False) -> str:
    type_text = _display.label_text(node.qualified_type, MAX_NAME_CHARS)
    return f"{type_text}: {_display.label_text(shown_repr(node, redact), MAX_REPR_CHARS)}"


def _chain_mark(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f" [chain {numbers[0]}]"
    return " [chains " + ", ".join(str(number) for number in numbers) + "]"


def _edge_text(side: str, edge: Edge, node: Node, redact: bool = False, chains: tuple[int, ...] = ()) -> str:
    if node.kind == "more":
        return f"... {_display.label_text(placeholder_text(node), MAX_NAME_CHARS)}"

    label = _display.label_text(shown_label(edge.label, edge.kind, redact), MAX_NAME_CHARS)
    if side == "referrers":
        text = f"{label} in {_describe(node, redact)}"
    else:
        text = f"{label} -> {_describe(node, redact)}"

    if edge.weak:
        text += " (weak)"
    if node.root_kind:
        # The walk's root labels start with the kind ("module __main__").
        root = node.root_label or node.root_kind
        text += f" [root: {_display.label_text(root, MAX_NAME_CHARS)}]"
    return text + _chain_mark(chains)


def _children(graph: RefGraph, side: str, chain_hops: ChainHops) -> dict[str, list[tuple[Edge, Node]]]:
    """Map each key to its neighbours on `side`: chain hops first, placeholders last, then in key and label order.

    Chain hops come first so that a tree cut at max_lines still shows the chains.
    """
    by_key = {node.key: node for node in graph.nodes}
    children: dict[str, list[tuple[Edge, Node]]] = defaultdict(list)
    for edge in graph.edges:
        if side == "referrers":
            children[edge.target].append((edge, by_key[edge.source]))
        else:
            children[edge.source].append((edge, by_key[edge.target]))

    def order(item: tuple[Edge, Node]) -> tuple:
        edge, node = item
        on_chain = (edge.source, edge.target) in chain_hops
        return (not on_chain, node.kind == "more", natural_key(node.key), edge.label, edge.kind, edge.weak, edge.hidden)

    for neighbours in children.values():
        neighbours.sort(key=order)
    return children


def _cut_count(node: Node, side: str) -> int:
    return node.cut_referrers if side == "referrers" else node.cut_referents


def _entries(
    node: Node, side: str, children: dict[str, list[tuple[Edge, Node]]], chain_hops: ChainHops, redact: bool
) -> list[tuple[str, str | None]]:
    """Return (text, key to expand or None) for each line directly below `node`."""
    neighbours = children.get(node.key, [])
    entries: list[tuple[str, str | None]] = []
    for edge, other in neighbours:
        text = _edge_text(side, edge, other, redact, chain_hops.get((edge.source, edge.target), ()))
        entries.append((text, other.key if other.kind == "object" else None))

    has_placeholder = any(other.kind == "more" for _, other in neighbours)
    count = _cut_count(node, side)
    if count and not has_placeholder:
        entries.append((f"... +{count} more {side}", None))
    return entries


def tree_lines(
    graph: RefGraph, side: str, chain_hops: ChainHops | None = None, redact: bool = False
) -> tuple[list[str], set[str]]:
    """Return the tree of referrers or referents below the target, depth first, and the keys it shows.

    A node reached a second time is printed with "(shown above)" and not
    expanded again, which ends cycles. A node whose neighbours the walk cut
    gets a "... +N more" line, unless the graph has a placeholder node for
    them, which is printed instead. A hop of a why-alive chain ends in
    "[chain N]" and comes before its siblings.
    """
    chain_hops = chain_hops or {}
    by_key = {node.key: node for node in graph.nodes}
    children = _children(graph, side, chain_hops)
    lines: list[str] = []
    shown_keys = {graph.target_key}

    # An explicit stack instead of recursion, because a chain to a root can be
    # longer than Python's recursion limit. Each item is one line still to
    # print: its prefix, its text, the prefix of its children and the key to
    # expand below it.
    stack: list[tuple[str, str, str, str | None]] = []

    def push_children(key: str, prefix: str) -> None:
        entries = _entries(by_key[key], side, children, chain_hops, redact)
        for index in range(len(entries) - 1, -1, -1):
            text, child_key = entries[index]
            last = index == len(entries) - 1
            connector = "`-- " if last else "|-- "
            child_prefix = prefix + ("    " if last else "|   ")
            stack.append((prefix + connector, text, child_prefix, child_key))

    push_children(graph.target_key, "")
    while stack:
        head, text, child_prefix, key = stack.pop()
        if key is not None and key in shown_keys:
            lines.append(f"{head}{text} (shown above)")
            continue

        lines.append(head + text)
        if key is not None:
            shown_keys.add(key)
            push_children(key, child_prefix)

    return lines, shown_keys


def _cut_text(graph: RefGraph) -> str:
    cut = {side: count for side, count in graph.cut.items() if count}
    return ", ".join(f"{side}={cut[side]}" for side in sorted(cut))


def headline(graph: RefGraph, redact: bool = False) -> str:
    """Return the first line of the text rendering: the target and the size of the graph."""
    heading = _HEADINGS.get(graph.direction, f"{graph.direction} of")
    objects = sum(1 for node in graph.nodes if node.kind == "object")
    summary = f"{objects} objects, {len(graph.edges)} edges"
    cut = _cut_text(graph)
    if cut:
        summary += f", cut by the limits: {cut}"
    return _display.displayable(f"{heading} {_describe(graph.target, redact)} [{summary}]")


def chain_lines(graph: RefGraph, records: tuple[ChainRecord, ...], redact: bool = False) -> list[str]:
    """Return the numbered why-alive chains, with a heading line, or no lines when there are none.

    A chain that reads the same as an earlier one, through other objects of
    the same types, is written as a reference to it.
    """
    if not records:
        return []

    by_key = {node.key: node for node in graph.nodes}
    noun = "chain" if len(records) == 1 else "chains"
    lines = [f"why alive: {len(records)} shortest {noun} from a root to the target"]
    first_number: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        text = _display.label_text(chain_text(record, by_key, graph.target_key, redact), MAX_CHAIN_CHARS)
        first = first_number.setdefault(text, number)
        if first != number:
            text = f"(reads the same as chain {first}, through other objects)"
        lines.append(f"  {number}. {text}")
    return lines


def render_text(graph: RefGraph, max_lines: int = 60, redact: bool = False) -> str:
    """Render `graph` as its why-alive chains and an indented tree from the target, one edge per line.

    Referrers walks show who holds the target (``['key'] in dict: ...``),
    referents walks what it holds (``.attr -> Foo: ...``) and "both" walks
    show the two trees one after the other. The chains of `graph.chains`
    are listed first, and their hops in the tree end in "[chain N]". With
    `redact`, reprs become type names and dict keys in labels ``[…]``.
    Output longer than `max_lines` lines ends with a line saying how many
    lines were cut.

    Raises ValueError if `max_lines` is below 2 or the graph is inconsistent.
    """
    if max_lines < 2:
        raise ValueError(
            f"invalid max_lines {max_lines!r}: use 2 or more, because the output needs room "
            f"for the headline and the line that reports what was cut"
        )
    validate_graph(graph)
    records = chain_records(graph)
    _, chain_hops = chain_numbers(records)

    lines = [headline(graph, redact)]
    lines += chain_lines(graph, records, redact)
    shown_keys: set[str] = set()
    sides = _SIDES.get(graph.direction, ["referrers"])
    for side in sides:
        side_lines, side_keys = tree_lines(graph, side, chain_hops, redact)
        if len(sides) > 1 or records:
            lines.append(f"{side}:")
        lines += side_lines
        shown_keys |= side_keys

    unconnected = sum(1 for node in graph.nodes if node.kind == "object" and node.key not in shown_keys)
    if unconnected:
        lines.append(f"({unconnected} objects are not connected to the target by the edges above)")

    if len(lines) > max_lines:
        cut_count = len(lines) - max_lines + 1
        lines = lines[: max_lines - 1] + [f"... +{cut_count} more lines (max_lines={max_lines})"]
    return "\n".join(lines)


# ---------------------------------------------------------------- summary for repr


def _neighbour_summary(graph: RefGraph, chain_hops: ChainHops) -> str:
    """Return the direct holders of the target (its referents for a referents walk), chain hops first."""
    by_key = {node.key: node for node in graph.nodes}
    side = "referents" if graph.direction == "referents" else "referrers"
    if side == "referrers":
        links = [(edge, by_key[edge.source]) for edge in graph.edges if edge.target == graph.target_key]
    else:
        links = [(edge, by_key[edge.target]) for edge in graph.edges if edge.source == graph.target_key]
    links = [(edge, node) for edge, node in links if node.kind == "object"]
    links.sort(
        key=lambda link: (
            (link[0].source, link[0].target) not in chain_hops,
            link[0].weak,
            -link[1].in_degree,
            natural_key(link[1].key),
            link[0].label,
        )
    )

    parts = []
    for edge, node in links[:SUMMARY_NEIGHBOURS]:
        label = _display.label_text(edge.label, MAX_NAME_CHARS)
        type_text = _display.label_text(node.qualified_type, MAX_NAME_CHARS)
        part = f"{label} in {type_text}" if side == "referrers" else f"{label} -> {type_text}"
        parts.append(part + (" (weak)" if edge.weak else ""))
    if len(links) > SUMMARY_NEIGHBOURS:
        parts.append(f"+{len(links) - SUMMARY_NEIGHBOURS} more")

    heading = "held by" if side == "referrers" else "holds"
    return f"{heading}: " + ("; ".join(parts) if parts else "nothing in this graph")


def summary_text(graph: RefGraph) -> str:
    """Return a short summary of `graph` for its `repr`: target, size, what was cut, holders and the first chain.

    The first line keeps the one-line form ``<RefGraph referrers of T R: N
    nodes, M edges, K cut by the limits``. This never raises: a graph whose
    target is missing gets a one-line summary that names the missing key.
    """
    by_key = {node.key: node for node in graph.nodes}
    target = by_key.get(graph.target_key)
    size = f"{len(graph.nodes)} nodes, {len(graph.edges)} edges"
    direction = _display.label_text(str(graph.direction), MAX_NAME_CHARS)
    if target is None:
        return f"<RefGraph {direction} of a missing target {graph.target_key!r}: {size}>"

    cut = sum(count for count in graph.cut.values() if isinstance(count, int))
    first = (
        f"<RefGraph {direction} of {_display.label_text(target.qualified_type, MAX_NAME_CHARS)} "
        f"{_display.label_text(target.repr, MAX_REPR_CHARS)}: {size}"
    )
    if cut:
        first += f", {cut} cut by the limits"
    lines = [first]

    try:
        records = chain_records(graph)
    except ValueError as error:
        records = ()
        lines.append(f"  chains: not shown, {_display.label_text(str(error), MAX_CHAIN_CHARS)}")
    _, chain_hops = chain_numbers(records)

    lines.append(f"  cut by the limits: {_cut_text(graph) or 'nothing'}")
    lines.append("  " + _neighbour_summary(graph, chain_hops))
    if records:
        text = _display.label_text(chain_text(records[0], by_key, graph.target_key, False), MAX_CHAIN_CHARS)
        more = f" (+{len(records) - 1} more in .chains)" if len(records) > 1 else ""
        lines.append(f"  why alive{more}: {text}")
    lines.append("  .to_text() prints the tree, .show() opens the HTML page in a browser>")
    return "\n".join(_display.displayable(line) for line in lines)
