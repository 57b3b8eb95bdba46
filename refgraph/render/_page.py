"""The page model that both HTML renderers share: node views, details links and drawn edges.

`build_page` turns a `RefGraph` into display-ready, sorted values, so the
templates never see raw text from the inspected program and the same graph
always gives the same page. The header facts and the legend come from
`_summary`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from refgraph.model import Edge, Node, RefGraph
from refgraph.render import _display
from refgraph.render._embed import content_security_policy, html_safe_json, inline_block, template_environment
from refgraph.render._palette import PLACEHOLDER_FILL, library_colours, node_radius
from refgraph.render._summary import LegendEntry, header_facts, legend_entries

# Node keys that can be used in an HTML id and a URL fragment as they are.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")

_HEADINGS = {
    "referrers": "Referrers of",
    "referents": "Referents of",
    "both": "Neighbourhood of",
}


@dataclass(frozen=True)
class EdgeLink:
    """One incoming or outgoing edge in a node's details entry, with the node at its other end."""

    anchor: str
    other_type: str
    other_repr: str
    label: str
    kind: str
    weak: bool
    hidden: bool
    placeholder: bool


@dataclass(frozen=True)
class NodeView:
    """Display-ready facts of one node.

    Text fields are shortened and have their invisible characters written as
    escapes. HTML escaping is left to the templates.
    """

    key: str
    anchor: str
    kind: str
    is_target: bool
    type_name: str
    qualified_type: str
    library: str
    colour: str
    repr_text: str
    label_lines: tuple[str, ...]
    title: str
    badge: str
    object_id: str
    size: int
    refcount: int | None
    role: str
    depth: int
    root_kind: str
    root_label: str
    expanded: bool
    in_degree: int
    radius: int
    incoming: tuple[EdgeLink, ...]
    outgoing: tuple[EdgeLink, ...]

    @property
    def label(self) -> str:
        """The label drawn in the graph, one line per entry of `label_lines`."""
        return "\n".join(self.label_lines)

    @property
    def is_placeholder(self) -> bool:
        return self.kind == "more"

    @property
    def is_root(self) -> bool:
        return bool(self.root_kind)


@dataclass(frozen=True)
class DrawnEdge:
    """One line drawn from holder to held, standing for every edge between that pair."""

    id: str
    source: str
    target: str
    label: str
    title: str
    weak: bool
    hidden: bool
    placeholder: bool


@dataclass(frozen=True)
class Page:
    """Everything a page template shows, independent of how the graph is drawn."""

    heading: str
    direction: str
    target: NodeView
    nodes: tuple[NodeView, ...]
    drawn_edges: tuple[DrawnEdge, ...]
    facts: tuple[tuple[str, str], ...]
    legend: tuple[LegendEntry, ...]
    hidden_edge_count: int
    redacted: bool


# ---------------------------------------------------------------- ordering


def natural_key(text: str) -> tuple[tuple[int, Any], ...]:
    """Return a sort key that orders embedded numbers by value, so "n2" sorts before "n10"."""
    parts = re.split(r"(\d+)", text)
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)


def _node_order(target_key: str):
    def order(node: Node) -> tuple[Any, ...]:
        return (node.key != target_key, node.depth, node.kind, node.type_name, natural_key(node.key))

    return order


def _edge_order(edge: Edge) -> tuple[Any, ...]:
    return (natural_key(edge.source), natural_key(edge.target), edge.label, edge.kind, edge.weak, edge.hidden)


def anchor_for(key: str) -> str:
    """Return the HTML id of a node's details entry.

    Plain keys are used as they are (``node-7f3a``). Any other key is written
    in hex after a double dash, which no plain key produces, so anchors stay
    unique and need no escaping in a URL fragment.
    """
    if _PLAIN_KEY.fullmatch(key):
        return f"node-{key}"
    return "node--" + key.encode("utf-8", "surrogatepass").hex()


# ---------------------------------------------------------------- validation


def validate_graph(graph: RefGraph) -> None:
    """Raise ValueError if node keys repeat or the target or an edge names a missing node."""
    keys: set[str] = set()
    for node in graph.nodes:
        if node.key in keys:
            raise ValueError(f"invalid graph: node key {node.key!r} appears more than once; keys must be unique")
        keys.add(node.key)

    if graph.target_key not in keys:
        raise ValueError(f"invalid graph: target_key {graph.target_key!r} is not the key of any node")

    for edge in graph.edges:
        for end in (edge.source, edge.target):
            if end not in keys:
                raise ValueError(
                    f"invalid graph: edge {edge.source!r} -> {edge.target!r} ({edge.label!r}) "
                    f"refers to node key {end!r}, which is not in graph.nodes"
                )


# ---------------------------------------------------------------- nodes


def _cut_text(node: Node) -> str:
    parts = []
    if node.cut_referrers:
        parts.append(f"+{node.cut_referrers} more referrers")
    if node.cut_referents:
        parts.append(f"+{node.cut_referents} more referents")
    return ", ".join(parts)


def placeholder_text(node: Node) -> str:
    """Return the text of a "+N more" placeholder node, such as "+12 more referrers"."""
    text = _cut_text(node)
    if text:
        return text

    # The walk writes the count into the placeholder's repr. That text comes
    # from refgraph, not from an inspected object, so redaction leaves it.
    return node.repr or "more objects not shown"


def cut_badge(node: Node) -> str:
    """Return the "+N more" text for an object node whose neighbours the walk cut, or ""."""
    if node.kind == "more":
        return ""
    return _cut_text(node)


def shown_repr(node: Node, redact: bool) -> str:
    """Return the repr to show for `node`: its own, or its type name when redacting."""
    if node.kind == "more":
        return placeholder_text(node)
    if redact:
        return node.type_name
    return node.repr


def _label_lines(node: Node, redact: bool) -> tuple[str, ...]:
    if node.kind == "more":
        return (_display.label_text(placeholder_text(node)),)

    lines = [_display.label_text(node.type_name)]
    if not redact:
        lines.append(_display.label_text(node.repr))
    badge = cut_badge(node)
    if badge:
        lines.append(badge)
    return tuple(lines)


def _hover_title(node: Node, is_target: bool, redact: bool) -> str:
    if node.kind == "more":
        return f"{placeholder_text(node)} not shown: the walk stopped at max_nodes or max_depth"

    heading = _display.detail_text(node.qualified_type, _display.MAX_TITLE_CHARS)
    lines = [f"{heading} (target)" if is_target else heading]
    lines.append(_display.detail_text(shown_repr(node, redact), _display.MAX_TITLE_CHARS))

    facts = [f"library {_display.label_text(node.library)}", f"{node.size:,} bytes"]
    if node.refcount is not None:
        facts.append(f"refcount {node.refcount}")
    facts.append(f"{node.in_degree} referrers")
    lines.append(", ".join(facts))

    if node.root_kind:
        lines.append(f"root: {_display.detail_text(_root_text(node), _display.MAX_TITLE_CHARS)}")
    badge = cut_badge(node)
    if badge:
        lines.append(f"{badge} not shown")
    return "\n".join(lines)


def _root_text(node: Node) -> str:
    # The walk's root labels start with the kind ("module __main__"), so the label alone is shown.
    return node.root_label or node.root_kind or ""


def _edge_link(edge: Edge, other: Node, anchors: dict[str, str], redact: bool) -> EdgeLink:
    return EdgeLink(
        anchor=anchors[other.key],
        other_type=_display.detail_text(other.qualified_type),
        other_repr=_display.label_text(shown_repr(other, redact), 60),
        label=_display.detail_text(edge.label),
        kind=_display.label_text(edge.kind),
        weak=edge.weak,
        hidden=edge.hidden,
        placeholder=other.kind == "more",
    )


def _node_view(
    node: Node,
    graph: RefGraph,
    colours: dict[str, str],
    anchors: dict[str, str],
    links: tuple[tuple[EdgeLink, ...], tuple[EdgeLink, ...]],
    redact: bool,
) -> NodeView:
    is_target = node.key == graph.target_key
    incoming, outgoing = links
    return NodeView(
        key=node.key,
        anchor=anchors[node.key],
        kind=node.kind,
        is_target=is_target,
        type_name=_display.detail_text(node.type_name),
        qualified_type=_display.detail_text(node.qualified_type),
        library=_display.detail_text(node.library),
        colour=PLACEHOLDER_FILL if node.kind == "more" else colours[node.library],
        repr_text=_display.detail_text(shown_repr(node, redact)),
        label_lines=_label_lines(node, redact),
        title=_hover_title(node, is_target, redact),
        badge=cut_badge(node),
        object_id="" if node.id is None else f"{node.id:#x}",
        size=node.size,
        refcount=node.refcount,
        role=_display.label_text(node.role),
        depth=node.depth,
        root_kind=_display.detail_text(node.root_kind or ""),
        root_label=_display.detail_text(node.root_label or ""),
        expanded=node.expanded,
        in_degree=node.in_degree,
        radius=node_radius(node.in_degree),
        incoming=incoming,
        outgoing=outgoing,
    )


def _node_views(graph: RefGraph, nodes: list[Node], edges: list[Edge], redact: bool) -> tuple[NodeView, ...]:
    by_key = {node.key: node for node in nodes}
    anchors = {node.key: anchor_for(node.key) for node in nodes}
    colours = library_colours(node.library for node in nodes if node.kind == "object")

    incoming: dict[str, list[EdgeLink]] = defaultdict(list)
    outgoing: dict[str, list[EdgeLink]] = defaultdict(list)
    for edge in edges:
        incoming[edge.target].append(_edge_link(edge, by_key[edge.source], anchors, redact))
        outgoing[edge.source].append(_edge_link(edge, by_key[edge.target], anchors, redact))

    return tuple(
        _node_view(
            node,
            graph,
            colours,
            anchors,
            (tuple(incoming[node.key]), tuple(outgoing[node.key])),
            redact,
        )
        for node in nodes
    )


# ---------------------------------------------------------------- edges


def drawn_edges(nodes: list[Node], edges: list[Edge]) -> tuple[DrawnEdge, ...]:
    """Merge the edges between each ordered pair of nodes into one drawn line.

    Hidden and shown edges of one pair stay apart, so the page can toggle the
    hidden ones. The line is dashed only when every merged edge is weak. When
    weak and strong edges share a line, each weak label ends in "(weak)".
    """
    by_key = {node.key: node for node in nodes}
    groups: dict[tuple[str, str, bool], list[Edge]] = {}
    for edge in edges:
        groups.setdefault((edge.source, edge.target, edge.hidden), []).append(edge)

    result = []
    for index, ((source, target, hidden), members) in enumerate(groups.items()):
        all_weak = all(edge.weak for edge in members)
        labels = []
        for edge in members:
            label = edge.label
            if edge.weak and not all_weak:
                label += " (weak)"
            if label not in labels:
                labels.append(label)

        holder, held = by_key[source], by_key[target]
        title_lines = [f"{_display.label_text(holder.type_name)} \u2192 {_display.label_text(held.type_name)}"]
        title_lines += [_display.detail_text(label, _display.MAX_TITLE_CHARS) for label in labels]
        if all_weak:
            title_lines.append("weak reference: does not keep the object alive")

        result.append(
            DrawnEdge(
                id=f"edge-{index}",
                source=source,
                target=target,
                label=_display.label_text(", ".join(labels), _display.MAX_EDGE_LABEL_CHARS),
                title="\n".join(title_lines),
                weak=all_weak,
                hidden=hidden,
                placeholder="more" in (holder.kind, held.kind),
            )
        )
    return tuple(result)


# ---------------------------------------------------------------- assembly


def build_page(graph: RefGraph, *, redact: bool) -> Page:
    """Validate `graph` and turn it into the sorted, display-ready values of one page."""
    validate_graph(graph)

    nodes = sorted(graph.nodes, key=_node_order(graph.target_key))
    edges = sorted(graph.edges, key=_edge_order)
    views = _node_views(graph, nodes, edges, redact)
    target = next(view for view in views if view.is_target)

    heading = _HEADINGS.get(graph.direction, f"{graph.direction} of")
    return Page(
        heading=_display.label_text(heading, 40),
        direction=_display.label_text(graph.direction),
        target=target,
        nodes=views,
        drawn_edges=drawn_edges(nodes, edges),
        facts=header_facts(graph, nodes, edges),
        legend=legend_entries(nodes),
        hidden_edge_count=sum(1 for edge in edges if edge.hidden),
        redacted=redact,
    )


def render_document(
    template_name: str,
    page: Page,
    *,
    data: Any,
    scripts: list[str],
    styles: list[str],
    **context: Any,
) -> str:
    """Render one page template with its data block, inline scripts, styles and matching CSP."""
    script_blocks = [inline_block(text, "script") for text in scripts]
    style_blocks = [inline_block(text, "style") for text in styles]
    template = template_environment().get_template(template_name)
    return template.render(
        page=page,
        data_json=html_safe_json(data),
        scripts=script_blocks,
        styles=style_blocks,
        csp=content_security_policy([str(block) for block in script_blocks], [str(block) for block in style_blocks]),
        **context,
    )
