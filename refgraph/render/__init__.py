"""Render a `RefGraph` as a self-contained HTML page or as indented text.

Renderers work only from the plain data of a `RefGraph`. They never import
`gc` and never touch a live object, so a graph can be rendered in another
process or long after the walk.
"""

from __future__ import annotations

from refgraph.model import RefGraph
from refgraph.render._page import build_page
from refgraph.render.canvas import render_canvas
from refgraph.render.svg import render_svg

__all__ = ["RENDERERS", "render_html"]

#: Names accepted by `render_html(renderer=...)`.
RENDERERS = ("canvas", "svg")


def render_html(graph: RefGraph, *, renderer: str = "canvas", redact: bool = False) -> str:
    """Render `graph` as one HTML page that works offline and return its text.

    ``"canvas"`` draws with vis-network and suits hundreds of nodes. ``"svg"``
    draws a static layered picture with arrows, edge labels and links, best
    up to about 50 nodes. With `redact`, every repr is replaced by its type
    name. The same graph always gives the same page, byte for byte.

    Raises ValueError for an unknown `renderer` or an inconsistent graph.
    """
    if renderer not in RENDERERS:
        allowed = ", ".join(repr(name) for name in RENDERERS)
        raise ValueError(f"invalid renderer {renderer!r}: use one of {allowed}")

    page = build_page(graph, redact=redact)
    if renderer == "svg":
        return render_svg(page)
    return render_canvas(page)
