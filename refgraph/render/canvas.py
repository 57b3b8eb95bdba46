"""The canvas renderer: vis-network draws the graph on a ``<canvas>``, which stays fast with hundreds of nodes.

vis-network 9.1.2 comes from the installed pyvis package and is inlined into
the page, but pyvis's own template is not used: it loads Bootstrap from a CDN
and inserts node titles that contain "href" with innerHTML. Here every title
is a plain string, which vis-network 9.1.2 shows with ``innerText``
(`Popup.setText`), so markup in a repr is displayed and never parsed.
"""

from __future__ import annotations

from typing import Any

from refgraph.render._embed import read_asset, vis_network_assets
from refgraph.render._layout import radial_layout
from refgraph.render._page import DrawnEdge, NodeView, Page, render_document, script_data
from refgraph.render._palette import (
    BADGE_BORDER,
    BADGE_FILL,
    BADGE_TEXT,
    CHAIN_COLOUR,
    CHAIN_EDGE_WIDTH,
    CHAIN_HALO,
    NODE_BORDER,
    PLACEHOLDER_BORDER,
    TARGET_BORDER,
    TARGET_BORDER_WIDTH,
)

#: Seed of vis-network's random choices, so a graph is laid out the same way on every load.
LAYOUT_SEED = 1

#: Smallest radius of the target node, so it is easy to find even when few objects refer to it.
TARGET_MIN_RADIUS = 18

#: Font of labels drawn on the canvas. Only locally installed fonts are used.
FONT_FACE = "system-ui, sans-serif"

_EDGE_COLOUR = "#8c8c8c"
_PLACEHOLDER_EDGE_COLOUR = "#bdbdbd"


#: Force-layout iterations before the layout counts as stable, for graphs up
#: to SMALL_GRAPH_NODES nodes and for larger ones. Every node starts on the
#: radial layout of `_layout.radial_layout`, which is already close to the
#: result. On the 2-core machine of the test suite, Chromium stabilised a
#: 1,000-node tree in about 3 s with 150 iterations from that start, and in
#: about 8 s with 400 iterations from random positions.
SMALL_GRAPH_ITERATIONS = 300
LARGE_GRAPH_ITERATIONS = 150
SMALL_GRAPH_NODES = 150


def vis_options(node_count: int) -> dict[str, Any]:
    """Return the vis-network options of a canvas page with `node_count` nodes."""
    iterations = SMALL_GRAPH_ITERATIONS if node_count <= SMALL_GRAPH_NODES else LARGE_GRAPH_ITERATIONS
    return {
        # Every node comes with its start position, so vis-network's own
        # improved layout, which also tries to cluster graphs above 150 nodes
        # and logs an error when that fails, is not needed.
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": False},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 110, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "keyboard": False, "navigationButtons": False},
        "nodes": {"font": {"size": 12, "face": FONT_FACE, "color": "#222222"}, "borderWidth": 1},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "color": {"color": _EDGE_COLOUR, "highlight": "#333333", "hover": "#333333", "inherit": False},
            "font": {"size": 10, "face": FONT_FACE, "color": "#444444", "strokeWidth": 3, "strokeColor": "#ffffff"},
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.3},
            "width": 1.2,
        },
    }


def _shape(view: NodeView) -> str:
    if view.is_placeholder:
        return "box"
    if view.is_root:
        return "square"
    return "dot"


def vis_node(view: NodeView, position: tuple[float, float]) -> dict[str, Any]:
    """Return the vis-network item of one node, starting at `position`."""
    border = NODE_BORDER
    if view.is_placeholder:
        border = PLACEHOLDER_BORDER
    # The target keeps its red border when hovered or selected.
    active_border = "#000000"
    if view.is_target:
        border = TARGET_BORDER
        active_border = TARGET_BORDER

    item: dict[str, Any] = {
        "id": view.key,
        "x": position[0],
        "y": position[1],
        "label": view.label,
        "title": view.title,
        "shape": _shape(view),
        "size": max(view.radius, TARGET_MIN_RADIUS) if view.is_target else view.radius,
        "borderWidth": TARGET_BORDER_WIDTH if view.is_target else 1,
        "color": {
            "background": view.colour,
            "border": border,
            "highlight": {"background": view.colour, "border": active_border},
            "hover": {"background": view.colour, "border": active_border},
        },
    }
    if view.is_target:
        item["font"] = {"color": TARGET_BORDER, "size": 15}
    if view.is_placeholder:
        item["font"] = {"color": "#555555"}
        item["shapeProperties"] = {"borderDashes": [5, 4]}
    return item


def vis_edge(edge: DrawnEdge) -> dict[str, Any]:
    """Return the vis-network item of one drawn edge."""
    item: dict[str, Any] = {
        "id": edge.id,
        "from": edge.source,
        "to": edge.target,
        "label": edge.label,
        "title": edge.title,
        "hidden": edge.hidden,
        "dashes": False,
    }
    if edge.weak:
        item["dashes"] = [6, 4]
    if edge.placeholder:
        item["dashes"] = [2, 4]
        item["color"] = {"color": _PLACEHOLDER_EDGE_COLOUR, "inherit": False}
    return item


#: Colours, widths and font that canvas.js uses for a why-alive chain, a node the filter leaves out and a "+N more" badge.
STYLES = {
    "chainColour": CHAIN_COLOUR,
    "chainHalo": CHAIN_HALO,
    "chainEdgeWidth": CHAIN_EDGE_WIDTH,
    "chainBorderWidth": 3,
    "dimmedOpacity": 0.15,
    "badgeFill": BADGE_FILL,
    "badgeBorder": BADGE_BORDER,
    "badgeText": BADGE_TEXT,
    "badgeFont": f"bold 11px {FONT_FACE}",
}


def render_canvas(page: Page) -> str:
    """Render `page` as a self-contained HTML page drawn by vis-network."""
    vis_script, vis_style = vis_network_assets()
    positions = radial_layout(page.nodes, page.drawn_edges, page.target.key)
    data = {
        "page": script_data(page),
        "nodes": [vis_node(view, positions[view.key]) for view in page.nodes],
        "edges": [vis_edge(edge) for edge in page.drawn_edges],
        "options": vis_options(len(page.nodes)),
        "styles": STYLES,
    }
    return render_document(
        "canvas.html.j2",
        page,
        data=data,
        scripts=[vis_script, read_asset("canvas.js"), read_asset("page.js")],
        styles=[vis_style, read_asset("page.css")],
        renderer="canvas",
    )
