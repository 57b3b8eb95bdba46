"""Look at a reference graph from a REPL or a notebook.

`show` walks an object (or takes a finished `RefGraph`), writes the HTML page
to a file and opens it in a web browser. `notebook_html` is what
`RefGraph._repr_html_` returns: the page inside a sandboxed iframe, with a
static summary that a notebook shows when it strips scripts.
"""

from __future__ import annotations

import os
import sys
import tempfile
import webbrowser
from pathlib import Path
from typing import Any

from refgraph.model import RefGraph
from refgraph.walk import graph

#: Largest graph, in objects, that `notebook_html` draws with the svg renderer.
#: Above it, the canvas renderer is used. A canvas page inlines vis-network's
#: script and stylesheet (about 690 KB), while a small svg page is about 45 KB,
#: and the notebook file stores every output.
NOTEBOOK_SVG_MAX_OBJECTS = 50

#: Height of the iframe in a notebook output, in CSS pixels.
NOTEBOOK_FRAME_HEIGHT = 760

#: Rows of the static table in a notebook output. The full page in the iframe lists every object.
NOTEBOOK_TABLE_MAX_ROWS = 100

#: Platforms that always have a desktop for webbrowser to open a page on.
_DESKTOP_PLATFORMS = ("darwin", "win32", "cygwin")


def show(
    target: Any,
    *,
    renderer: str = "canvas",
    redact: bool = False,
    path: str | os.PathLike[str] | None = None,
    open_browser: bool = True,
    **graph_options: Any,
) -> Path:
    """Walk `target`, write its HTML page and open it in a web browser; return the page's path.

    `target` is the object to inspect, walked with ``refgraph.graph(target,
    **graph_options)``, or a `RefGraph` to show as it is. The page goes to
    `path`, or to a new temporary file that is not deleted afterwards, so the
    browser can still read it. When no browser can be opened (on Linux and
    other X11 or Wayland systems, neither DISPLAY nor WAYLAND_DISPLAY is set
    and BROWSER names no command, or `webbrowser` finds no browser) or
    `open_browser` is false, the path is printed instead.

    Raises TypeError when graph options come with a `RefGraph`, and
    ValueError for an unknown renderer or graph option value.
    """
    if isinstance(target, RefGraph):
        if graph_options:
            names = ", ".join(sorted(graph_options))
            raise TypeError(
                f"show() got graph options ({names}) with a RefGraph, which is already walked; "
                f"pass the object itself to walk it with those options"
            )
        result = target
    else:
        # The walk leaves out the frame that calls it, so this call must stay
        # in show() itself: from a helper, show()'s own frame, which refers to
        # the target, would appear as a holder.
        result = graph(target, **graph_options)
    del target

    page = result.to_html(renderer=renderer, redact=redact)
    destination = _write_page(page, path)

    if not open_browser:
        print(f"refgraph: wrote {destination}")
        return destination

    problem = _open_in_browser(destination)
    if problem:
        print(f"refgraph: wrote {destination}, but {problem}. Open that file in a web browser.")
    return destination


def _write_page(page: str, path: str | os.PathLike[str] | None) -> Path:
    if path is not None:
        destination = Path(path)
        destination.write_text(page, encoding="utf-8")
        return destination

    descriptor, name = tempfile.mkstemp(prefix="refgraph-", suffix=".html")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(page)
    return Path(name)


def display_problem() -> str:
    """Return why no browser window can open on this machine, or "" when one may.

    On Linux and the other systems whose desktops run X11 or Wayland, a
    browser needs DISPLAY or WAYLAND_DISPLAY. Without either, `webbrowser`
    may start a text browser such as lynx in the terminal, which is worse
    than printing the path. A command named in BROWSER is always tried.
    """
    if os.environ.get("BROWSER") or sys.platform in _DESKTOP_PLATFORMS:
        return ""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return "no display is available (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def _open_in_browser(destination: Path) -> str:
    """Open `destination` in a web browser and return "" on success, or why it was not opened."""
    problem = display_problem()
    if problem:
        return problem

    try:
        opened = webbrowser.open(destination.resolve().as_uri(), new=2)
    except webbrowser.Error as error:
        return f"opening a web browser failed ({error})"
    if not opened:
        return "Python's webbrowser module found no browser to open it"
    return ""


def notebook_html(result: RefGraph, *, renderer: str | None = None, redact: bool = False) -> str:
    """Return the HTML of a notebook output that shows `result`.

    The page sits in an ``<iframe sandbox="allow-scripts" srcdoc="...">``:
    its scripts run inside the frame only, with no access to the notebook,
    and the page's own Content-Security-Policy applies inside. A trusted
    notebook shows the frame and hides the static summary after it. An
    untrusted one, or a viewer that strips scripts, also strips the frame,
    and then shows the summary: the chains and a table of up to
    NOTEBOOK_TABLE_MAX_ROWS objects.

    `renderer` defaults to ``"svg"`` for graphs of up to
    NOTEBOOK_SVG_MAX_OBJECTS objects and ``"canvas"`` above that.
    """
    from refgraph.render import render_html
    from refgraph.render._embed import template_environment
    from refgraph.render._page import build_page

    if renderer is None:
        objects = sum(1 for node in result.nodes if node.kind == "object")
        renderer = "svg" if objects <= NOTEBOOK_SVG_MAX_OBJECTS else "canvas"

    page_html = render_html(result, renderer=renderer, redact=redact)
    page = build_page(result, redact=redact)
    template = template_environment().get_template("notebook.html.j2")
    return template.render(
        page=page,
        page_html=page_html,
        renderer=renderer,
        frame_height=NOTEBOOK_FRAME_HEIGHT,
        rows=page.nodes[:NOTEBOOK_TABLE_MAX_ROWS],
    )
