"""Render a `RefGraph` as an indented text tree with ASCII branch lines, for terminals and logs."""

from __future__ import annotations

from collections import defaultdict

from refgraph.model import Edge, Node, RefGraph
from refgraph.render import _display
from refgraph.render._page import natural_key, placeholder_text, validate_graph

#: Maximum characters of a repr on one line of the tree.
MAX_REPR_CHARS = 80

#: Maximum characters of a type name or edge label on one line of the tree.
MAX_NAME_CHARS = 60

_HEADINGS = {"referrers": "referrers of", "referents": "referents of", "both": "neighbourhood of"}

# The trees printed for each walk direction. An unknown direction prints referrers.
_SIDES = {"referrers": ["referrers"], "referents": ["referents"], "both": ["referrers", "referents"]}


def _describe(node: Node) -> str:
    type_text = _display.label_text(node.qualified_type, MAX_NAME_CHARS)
    return f"{type_text}: {_display.label_text(node.repr, MAX_REPR_CHARS)}"


def _edge_text(side: str, edge: Edge, node: Node) -> str:
    if node.kind == "more":
        return f"... {_display.label_text(placeholder_text(node), MAX_NAME_CHARS)}"

    label = _display.label_text(edge.label, MAX_NAME_CHARS)
    if side == "referrers":
        text = f"{label} in {_describe(node)}"
    else:
        text = f"{label} -> {_describe(node)}"

    if edge.weak:
        text += " (weak)"
    if node.root_kind:
        # The walk's root labels start with the kind ("module __main__").
        root = node.root_label or node.root_kind
        text += f" [root: {_display.label_text(root, MAX_NAME_CHARS)}]"
    return text


def _neighbour_order(item: tuple[Edge, Node]) -> tuple:
    edge, node = item
    return (node.kind == "more", natural_key(node.key), edge.label, edge.kind, edge.weak, edge.hidden)


def _children(graph: RefGraph, side: str) -> dict[str, list[tuple[Edge, Node]]]:
    """Map each key to its neighbours on `side`, placeholders last, then in key and label order."""
    by_key = {node.key: node for node in graph.nodes}
    children: dict[str, list[tuple[Edge, Node]]] = defaultdict(list)
    for edge in graph.edges:
        if side == "referrers":
            children[edge.target].append((edge, by_key[edge.source]))
        else:
            children[edge.source].append((edge, by_key[edge.target]))

    for neighbours in children.values():
        neighbours.sort(key=_neighbour_order)
    return children


def _cut_count(node: Node, side: str) -> int:
    return node.cut_referrers if side == "referrers" else node.cut_referents


def _entries(node: Node, side: str, children: dict[str, list[tuple[Edge, Node]]]) -> list[tuple[str, str | None]]:
    """Return (text, key to expand or None) for each line directly below `node`."""
    neighbours = children.get(node.key, [])
    entries: list[tuple[str, str | None]] = []
    for edge, other in neighbours:
        entries.append((_edge_text(side, edge, other), other.key if other.kind == "object" else None))

    has_placeholder = any(other.kind == "more" for _, other in neighbours)
    count = _cut_count(node, side)
    if count and not has_placeholder:
        entries.append((f"... +{count} more {side}", None))
    return entries


def tree_lines(graph: RefGraph, side: str) -> tuple[list[str], set[str]]:
    """Return the tree of referrers or referents below the target, depth first, and the keys it shows.

    A node reached a second time is printed with "(shown above)" and not
    expanded again, which ends cycles. A node whose neighbours the walk cut
    gets a "... +N more" line, unless the graph has a placeholder node for
    them, which is printed instead.
    """
    by_key = {node.key: node for node in graph.nodes}
    children = _children(graph, side)
    lines: list[str] = []
    shown_keys = {graph.target_key}

    # An explicit stack instead of recursion, because a chain to a root can be
    # longer than Python's recursion limit. Each item is one line still to
    # print: its prefix, its text, the prefix of its children and the key to
    # expand below it.
    stack: list[tuple[str, str, str, str | None]] = []

    def push_children(key: str, prefix: str) -> None:
        entries = _entries(by_key[key], side, children)
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


def headline(graph: RefGraph) -> str:
    """Return the first line of the text rendering: the target and the size of the graph."""
    heading = _HEADINGS.get(graph.direction, f"{graph.direction} of")
    objects = sum(1 for node in graph.nodes if node.kind == "object")
    summary = f"{objects} objects, {len(graph.edges)} edges"
    cut = {side: count for side, count in graph.cut.items() if count}
    if cut:
        summary += ", cut by the limits: " + ", ".join(f"{side}={cut[side]}" for side in sorted(cut))
    return _display.displayable(f"{heading} {_describe(graph.target)} [{summary}]")


def render_text(graph: RefGraph, max_lines: int = 60) -> str:
    """Render `graph` as an indented tree from the target, one edge per line.

    Referrers walks show who holds the target (``['key'] in dict: ...``),
    referents walks what it holds (``.attr -> Foo: ...``) and "both" walks
    show the two trees one after the other. Output longer than `max_lines`
    lines ends with a line saying how many lines were cut.

    Raises ValueError if `max_lines` is below 2 or the graph is inconsistent.
    """
    if max_lines < 2:
        raise ValueError(
            f"invalid max_lines {max_lines!r}: use 2 or more, because the output needs room "
            f"for the headline and the line that reports what was cut"
        )
    validate_graph(graph)

    lines = [headline(graph)]
    shown_keys: set[str] = set()
    sides = _SIDES.get(graph.direction, ["referrers"])
    for side in sides:
        side_lines, side_keys = tree_lines(graph, side)
        if len(sides) > 1:
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
