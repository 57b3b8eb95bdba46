"""The page model that both HTML renderers share: node views, details links, drawn edges and chains.

`build_page` turns a `RefGraph` into display-ready, sorted values, so the
templates never see raw text from the inspected program and the same graph
always gives the same page. The header facts and the legend come from
`_summary`, the why-alive chains from `_chains`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from refgraph.model import Edge, Node, RefGraph
from refgraph.render import _chains, _display
from refgraph.render._chains import ChainView, chain_numbers, chain_records, chain_views
from refgraph.render._embed import content_security_policy, html_safe_json, inline_block, template_environment
from refgraph.render._palette import PLACEHOLDER_FILL, library_colours, node_radius
from refgraph.render._redact import shown_label
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
    index: int
    anchor: str
    kind: str
    is_target: bool
    type_name: str
    qualified_type: str
    library: str
    colour: str
    repr_text: str
    table_repr: str
    label_lines: tuple[str, ...]
    title: str
    badge: str
    cut_count: int
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
    chains: tuple[int, ...]
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

    @property
    def notes(self) -> tuple[str, ...]:
        """Short facts for the table of all objects: target, root, chains and what the walk cut."""
        notes = []
        if self.is_target:
            notes.append("target")
        if self.is_root:
            notes.append(f"root: {self.root_kind}")
        if self.chains:
            notes.append("chain " + ", ".join(str(number) for number in self.chains))
        if self.badge:
            notes.append(self.badge)
        return tuple(notes)


@dataclass(frozen=True)
class DrawnEdge:
    """One line drawn from holder to held, standing for every edge between that pair.

    `chains` lists the numbers of the why-alive chains that take this hop.
    """

    id: str
    source: str
    target: str
    label: str
    title: str
    weak: bool
    hidden: bool
    placeholder: bool
    chains: tuple[int, ...]


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
    hidden_edges_touch_target: bool
    chains: tuple[ChainView, ...]
    object_count: int
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
    """Return the repr to show for `node`: its own, its type name when redacting, or a placeholder's count."""
    if node.kind == "more":
        return placeholder_text(node)
    return _chains.shown_repr(node, redact)


def _label_lines(node: Node, redact: bool) -> tuple[str, ...]:
    if node.kind == "more":
        return (_display.label_text(placeholder_text(node)),)

    # The "+N more" count is drawn as a badge beside the node, not as a label line.
    lines = [_display.label_text(node.type_name)]
    if not redact:
        lines.append(_display.label_text(node.repr))
    return tuple(lines)


def _hover_title(node: Node, is_target: bool, redact: bool, chains: tuple[int, ...]) -> str:
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
    if chains:
        lines.append(f"on why-alive {_chain_list(chains)}")
    return "\n".join(lines)


def _chain_list(numbers: tuple[int, ...]) -> str:
    """Return "chain 1" or "chains 1, 2" for a node or edge on those chains."""
    if len(numbers) == 1:
        return f"chain {numbers[0]}"
    return "chains " + ", ".join(str(number) for number in numbers)


def _root_text(node: Node) -> str:
    # The walk's root labels start with the kind ("module __main__"), so the label alone is shown.
    return node.root_label or node.root_kind or ""


def _edge_link(edge: Edge, other: Node, anchors: dict[str, str], redact: bool) -> EdgeLink:
    return EdgeLink(
        anchor=anchors[other.key],
        other_type=_display.detail_text(other.qualified_type),
        other_repr=_display.label_text(shown_repr(other, redact), 60),
        label=_display.detail_text(shown_label(edge.label, edge.kind, redact)),
        kind=_display.label_text(edge.kind),
        weak=edge.weak,
        hidden=edge.hidden,
        placeholder=other.kind == "more",
    )


#: Maximum characters of a repr in the table of all objects.
TABLE_REPR_CHARS = 100


def _node_view(
    node: Node,
    index: int,
    graph: RefGraph,
    colours: dict[str, str],
    anchors: dict[str, str],
    links: tuple[tuple[EdgeLink, ...], tuple[EdgeLink, ...]],
    chains: tuple[int, ...],
    redact: bool,
) -> NodeView:
    is_target = node.key == graph.target_key
    incoming, outgoing = links
    return NodeView(
        key=node.key,
        index=index,
        anchor=anchors[node.key],
        kind=node.kind,
        is_target=is_target,
        type_name=_display.detail_text(node.type_name),
        qualified_type=_display.detail_text(node.qualified_type),
        library=_display.detail_text(node.library),
        colour=PLACEHOLDER_FILL if node.kind == "more" else colours[node.library],
        repr_text=_display.detail_text(shown_repr(node, redact)),
        table_repr=_display.label_text(shown_repr(node, redact), TABLE_REPR_CHARS),
        label_lines=_label_lines(node, redact),
        title=_hover_title(node, is_target, redact, chains),
        badge=cut_badge(node),
        cut_count=0 if node.kind == "more" else node.cut_referrers + node.cut_referents,
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
        chains=chains,
        incoming=incoming,
        outgoing=outgoing,
    )


def _node_views(
    graph: RefGraph,
    nodes: list[Node],
    edges: list[Edge],
    anchors: dict[str, str],
    chains_of_node: dict[str, tuple[int, ...]],
    redact: bool,
) -> tuple[NodeView, ...]:
    by_key = {node.key: node for node in nodes}
    colours = library_colours(node.library for node in nodes if node.kind == "object")

    incoming: dict[str, list[EdgeLink]] = defaultdict(list)
    outgoing: dict[str, list[EdgeLink]] = defaultdict(list)
    for edge in edges:
        incoming[edge.target].append(_edge_link(edge, by_key[edge.source], anchors, redact))
        outgoing[edge.source].append(_edge_link(edge, by_key[edge.target], anchors, redact))

    return tuple(
        _node_view(
            node,
            index,
            graph,
            colours,
            anchors,
            (tuple(incoming[node.key]), tuple(outgoing[node.key])),
            chains_of_node.get(node.key, ()),
            redact,
        )
        for index, node in enumerate(nodes)
    )


# ---------------------------------------------------------------- edges


def drawn_edges(
    nodes: list[Node],
    edges: list[Edge],
    chains_of_hop: dict[tuple[str, str], tuple[int, ...]] | None = None,
    redact: bool = False,
) -> tuple[DrawnEdge, ...]:
    """Merge the edges between each ordered pair of nodes into one drawn line.

    Hidden and shown edges of one pair stay apart, so the page can toggle the
    hidden ones. An edge on a why-alive chain is always shown, because the
    chain explains why the target is alive. The line is dashed only when every
    merged edge is weak. When weak and strong edges share a line, each weak
    label ends in "(weak)".
    """
    chains_of_hop = chains_of_hop or {}
    by_key = {node.key: node for node in nodes}
    groups: dict[tuple[str, str, bool], list[Edge]] = {}
    for edge in edges:
        hidden = edge.hidden and (edge.source, edge.target) not in chains_of_hop
        groups.setdefault((edge.source, edge.target, hidden), []).append(edge)

    result = []
    for index, ((source, target, hidden), members) in enumerate(groups.items()):
        all_weak = all(edge.weak for edge in members)
        labels = []
        for edge in members:
            label = shown_label(edge.label, edge.kind, redact)
            if edge.weak and not all_weak:
                label += " (weak)"
            if label not in labels:
                labels.append(label)

        holder, held = by_key[source], by_key[target]
        title_lines = [f"{_display.label_text(holder.type_name)} \u2192 {_display.label_text(held.type_name)}"]
        title_lines += [_display.detail_text(label, _display.MAX_TITLE_CHARS) for label in labels]
        if all_weak:
            title_lines.append("weak reference: does not keep the object alive")
        chains = chains_of_hop.get((source, target), ())
        if chains:
            title_lines.append(f"on why-alive {_chain_list(chains)}")

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
                chains=chains,
            )
        )
    return tuple(result)


# ---------------------------------------------------------------- assembly


def build_page(graph: RefGraph, *, redact: bool) -> Page:
    """Validate `graph` and turn it into the sorted, display-ready values of one page."""
    validate_graph(graph)
    records = chain_records(graph)
    chains_of_node, chains_of_hop = chain_numbers(records)

    nodes = sorted(graph.nodes, key=_node_order(graph.target_key))
    edges = sorted(graph.edges, key=_edge_order)
    anchors = {node.key: anchor_for(node.key) for node in nodes}
    views = _node_views(graph, nodes, edges, anchors, chains_of_node, redact)
    target = next(view for view in views if view.is_target)

    drawn = drawn_edges(nodes, edges, chains_of_hop, redact)
    hidden = [edge for edge in edges if edge.hidden and (edge.source, edge.target) not in chains_of_hop]
    heading = _HEADINGS.get(graph.direction, f"{graph.direction} of")
    return Page(
        heading=_display.label_text(heading, 40),
        direction=_display.label_text(graph.direction),
        target=target,
        nodes=views,
        drawn_edges=drawn,
        facts=header_facts(graph, nodes, edges, redact=redact),
        legend=legend_entries(nodes),
        hidden_edge_count=len(hidden),
        hidden_edges_touch_target=all(graph.target_key in (edge.source, edge.target) for edge in hidden),
        chains=chain_views(graph, records, anchors, redact),
        object_count=sum(1 for node in nodes if node.kind == "object"),
        redacted=redact,
    )


def script_data(page: Page) -> dict[str, Any]:
    """Return the facts that the page's scripts read, with nodes as indexes into `page.nodes`.

    Both renderers put this under ``"page"`` in the data block. Edges carry
    the ids of the drawn lines, and each chain lists its nodes from the root
    to the target and the ids of the lines it takes.
    """
    index_of = {view.key: view.index for view in page.nodes}
    line_of = {(edge.source, edge.target): edge.id for edge in page.drawn_edges if not edge.hidden}
    nodes = [
        {
            "anchor": view.anchor,
            "type": view.qualified_type,
            "library": view.library,
            "chains": list(view.chains),
            "badge": f"+{view.cut_count:,} more" if view.cut_count else "",
        }
        for view in page.nodes
    ]
    edges = [
        {
            "id": edge.id,
            "source": index_of[edge.source],
            "target": index_of[edge.target],
            "chains": list(edge.chains),
            "hidden": edge.hidden,
        }
        for edge in page.drawn_edges
    ]
    chains = [
        {
            "nodes": [index_of[key] for key in chain.keys],
            "edges": [line_of[hop] for hop in zip(chain.keys, chain.keys[1:])],
        }
        for chain in page.chains
    ]
    return {"target": page.target.index, "nodes": nodes, "edges": edges, "chains": chains}


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
