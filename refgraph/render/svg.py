"""The SVG renderer: a static drawing laid out in Python, with arrows, edge labels and links.

Every node is a link to its entry in the details list of the same page. The
drawing, its why-alive chains and its "+N more" badges need no script. The
page's scripts add the details panel, the filter, the chain picker and the
hidden-edge toggle. It reads well up to about 50 nodes, because labels are
never moved apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from refgraph.render._embed import read_asset
from refgraph.render._layout import Layout, layered_layout
from refgraph.render._page import DrawnEdge, NodeView, Page, render_document, script_data
from refgraph.render._palette import NODE_BORDER, PLACEHOLDER_BORDER, TARGET_BORDER, TARGET_BORDER_WIDTH

#: Size of the box drawn for a "+N more" placeholder, in pixels.
PLACEHOLDER_WIDTH = 150
PLACEHOLDER_HEIGHT = 28

#: Space between an arrow's tip and the node it points at, in pixels.
ARROW_GAP = 2.0

#: Distance between the lines of a node's label, in pixels.
LINE_HEIGHT = 13

#: Gap between a node on a why-alive chain and the halo drawn around it, in pixels.
HALO_GAP = 8

#: Width per character of a 10 px edge label and the height of the white box
#: behind it, in pixels. The width is an estimate, like the badge's below.
EDGE_LABEL_CHARACTER_WIDTH = 5.6
EDGE_LABEL_BOX_HEIGHT = 13

#: Height of a "+N more" badge and the width per character of its 11 px bold
#: text, in pixels. The width is an estimate, because the page cannot measure
#: text before it is drawn without a script.
BADGE_HEIGHT = 17
BADGE_CHARACTER_WIDTH = 6.6

# Sideways offset of the control point of a curved edge, in pixels. Edges
# inside one column and edges that point back towards the referrer side are
# curved, so they do not run through the nodes between their ends.
_SAME_COLUMN_BEND = 45.0
_BACKWARD_BEND = 35.0


@dataclass(frozen=True)
class SvgBadge:
    """The "+N more" badge at the top right of a node whose neighbours the walk cut."""

    x: float
    y: float
    width: float
    height: float
    text: str


@dataclass(frozen=True)
class SvgNode:
    """A node placed in the drawing, with the shape, text lines, halo and badge to draw."""

    view: NodeView
    x: float
    y: float
    shape: str
    half_width: float
    half_height: float
    stroke: str
    stroke_width: int
    lines: tuple[tuple[str, float, str], ...]
    halo_radius: float
    badge: SvgBadge | None


@dataclass(frozen=True)
class SvgEdge:
    """A drawn edge with its path data, the position of its label and the box behind the label."""

    edge: DrawnEdge
    path: str
    label_x: str
    label_y: str
    label_box: tuple[str, str, str, str]


def _number(value: float) -> str:
    return f"{value:.1f}"


def _shape(view: NodeView) -> tuple[str, float, float]:
    if view.is_placeholder:
        return "box", PLACEHOLDER_WIDTH / 2, PLACEHOLDER_HEIGHT / 2
    if view.is_root:
        return "square", view.radius, view.radius
    return "circle", view.radius, view.radius


def _text_lines(view: NodeView, y: float, half_height: float) -> tuple[tuple[str, float, str], ...]:
    if view.is_placeholder:
        return (("placeholder-text", y + 4, view.label),)

    lines = []
    top = y + half_height + 14
    for index, text in enumerate(view.label_lines):
        css_class = "type" if index == 0 else "repr"
        lines.append((css_class, top + index * LINE_HEIGHT, text))
    return tuple(lines)


def _badge(view: NodeView, x: float, y: float, half_width: float, half_height: float) -> SvgBadge | None:
    if not view.cut_count:
        return None
    text = f"+{view.cut_count:,} more"
    return SvgBadge(
        x=x + half_width * 0.5,
        y=y - half_height - BADGE_HEIGHT * 0.7,
        width=len(text) * BADGE_CHARACTER_WIDTH + 12,
        height=BADGE_HEIGHT,
        text=text,
    )


def place_node(view: NodeView, x: float, y: float) -> SvgNode:
    """Return the drawing of one node centred at (x, y)."""
    shape, half_width, half_height = _shape(view)
    stroke = NODE_BORDER
    if view.is_placeholder:
        stroke = PLACEHOLDER_BORDER
    if view.is_target:
        stroke = TARGET_BORDER

    return SvgNode(
        view=view,
        x=x,
        y=y,
        shape=shape,
        half_width=half_width,
        half_height=half_height,
        stroke=stroke,
        stroke_width=TARGET_BORDER_WIDTH if view.is_target else 1,
        lines=_text_lines(view, y, half_height),
        halo_radius=max(half_width, half_height) + HALO_GAP,
        badge=_badge(view, x, y, half_width, half_height),
    )


def boundary_distance(node: SvgNode, dx: float, dy: float) -> float:
    """Return the distance from a node's centre to its outline along the unit vector (dx, dy)."""
    if node.shape == "circle":
        return node.half_width
    limits = []
    if abs(dx) > 1e-9:
        limits.append(node.half_width / abs(dx))
    if abs(dy) > 1e-9:
        limits.append(node.half_height / abs(dy))
    return min(limits) if limits else node.half_width


def _unit(dx: float, dy: float) -> tuple[float, float]:
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return (1.0, 0.0)
    return (dx / length, dy / length)


def edge_geometry(source: SvgNode, target: SvgNode, bend: float) -> tuple[str, float, float]:
    """Return the SVG path of an edge and its label position.

    The path starts on the source's outline and ends ARROW_GAP short of the
    target's outline, so the arrowhead marker touches the target. A non-zero
    `bend` makes a quadratic curve whose control point lies that far to the
    side of the straight line.
    """
    if source is target:
        # A self-reference is drawn as a loop above the node.
        top = source.y - source.half_height
        path = (
            f"M{_number(source.x - 6)},{_number(top)} "
            f"C{_number(source.x - 30)},{_number(top - 40)} {_number(source.x + 30)},{_number(top - 40)} "
            f"{_number(source.x + 6)},{_number(top - ARROW_GAP)}"
        )
        return path, source.x, top - 34

    mid_x, mid_y = (source.x + target.x) / 2, (source.y + target.y) / 2
    ux, uy = _unit(target.x - source.x, target.y - source.y)
    control_x, control_y = mid_x - uy * bend, mid_y + ux * bend

    start_x, start_y = _unit(control_x - source.x, control_y - source.y)
    end_x, end_y = _unit(control_x - target.x, control_y - target.y)
    start_offset = boundary_distance(source, start_x, start_y)
    end_offset = boundary_distance(target, end_x, end_y) + ARROW_GAP

    sx, sy = source.x + start_x * start_offset, source.y + start_y * start_offset
    ex, ey = target.x + end_x * end_offset, target.y + end_y * end_offset

    if bend == 0:
        return f"M{_number(sx)},{_number(sy)} L{_number(ex)},{_number(ey)}", (sx + ex) / 2, (sy + ey) / 2

    path = f"M{_number(sx)},{_number(sy)} Q{_number(control_x)},{_number(control_y)} {_number(ex)},{_number(ey)}"
    # The point of a quadratic Bézier curve at t = 0.5.
    label_x = 0.25 * sx + 0.5 * control_x + 0.25 * ex
    label_y = 0.25 * sy + 0.5 * control_y + 0.25 * ey
    return path, label_x, label_y


def _bend(edge: DrawnEdge, layout: Layout) -> float:
    source_column = layout.columns[edge.source]
    target_column = layout.columns[edge.target]
    if source_column == target_column:
        return _SAME_COLUMN_BEND
    if target_column < source_column:
        return _BACKWARD_BEND
    return 0.0


def draw(page: Page) -> tuple[list[SvgNode], list[SvgEdge], Layout]:
    """Lay out `page` and return its drawn nodes, drawn edges and the layout."""
    layout = layered_layout(page.nodes, page.drawn_edges, page.target.key, page.direction)
    nodes = [place_node(view, *layout.positions[view.key]) for view in page.nodes]
    by_key = {node.view.key: node for node in nodes}

    edges = []
    for edge in page.drawn_edges:
        path, label_x, label_y = edge_geometry(by_key[edge.source], by_key[edge.target], _bend(edge, layout))
        baseline = label_y - 3
        width = len(edge.label) * EDGE_LABEL_CHARACTER_WIDTH + 6
        box = (
            _number(label_x - width / 2),
            _number(baseline - EDGE_LABEL_BOX_HEIGHT + 3),
            _number(width),
            _number(EDGE_LABEL_BOX_HEIGHT),
        )
        edges.append(SvgEdge(edge=edge, path=path, label_x=_number(label_x), label_y=_number(baseline), label_box=box))
    return nodes, edges, layout


def page_data(page: Page) -> dict[str, Any]:
    """Return the nodes and edges of an SVG page as JSON-ready data, for tools that read the page."""
    nodes = [
        {
            "key": view.key,
            "anchor": view.anchor,
            "type": view.qualified_type,
            "library": view.library,
            "repr": view.repr_text,
        }
        for view in page.nodes
    ]
    edges = [
        {"source": edge.source, "target": edge.target, "label": edge.label, "weak": edge.weak, "hidden": edge.hidden}
        for edge in page.drawn_edges
    ]
    return {"nodes": nodes, "edges": edges}


def render_svg(page: Page) -> str:
    """Render `page` as a self-contained HTML page with an inline SVG drawing."""
    nodes, edges, layout = draw(page)
    data = page_data(page)
    data["page"] = script_data(page)
    return render_document(
        "svg.html.j2",
        page,
        data=data,
        scripts=[read_asset("svg.js"), read_asset("page.js")],
        styles=[read_asset("page.css")],
        renderer="svg",
        svg_nodes=nodes,
        svg_edges=edges,
        layout=layout,
        number=_number,
    )
