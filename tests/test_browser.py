"""Browser tests: each renderer's page loads offline in Chromium, draws every node and runs no injected script.

Every request other than the page itself is recorded as a problem and aborted,
as are console errors (Content-Security-Policy violations among them), page
errors and dialogs. Screenshots are saved under pytest's tmp_path.

The tests skip when Playwright or Chromium is missing, unless the environment
sets REFGRAPH_REQUIRE_BROWSER=1 (scripts/test.sh does), in which case they fail.
"""

from __future__ import annotations

import os
import pathlib
import re
from dataclasses import dataclass, field

import pytest

from refgraph.model import RefGraph

#: Whether a missing browser fails the tests instead of skipping them.
REQUIRE_BROWSER = os.environ.get("REFGRAPH_REQUIRE_BROWSER") == "1"

if REQUIRE_BROWSER:
    from playwright import sync_api
else:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

CHROMIUM = pathlib.Path("/usr/bin/chromium")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: Maximum time for vis-network to stabilise the layout, in milliseconds.
LAYOUT_TIMEOUT_MS = 90_000

# Runs before the page's own scripts and records what the CSP blocked.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class LoadedPage:
    """A page under test, with every problem seen while it loaded and ran."""

    page: sync_api.Page
    url: str
    problems: list[str] = field(default_factory=list)

    def watch(self, context: sync_api.BrowserContext) -> None:
        """Abort and record every request other than the page, and record console errors, page errors and dialogs."""
        context.route("**/*", self._only_the_page)
        self.page.add_init_script(RECORD_CSP_VIOLATIONS)
        self.page.on("request", self._record_request)
        self.page.on("console", self._record_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("dialog", self._dismiss)

    def _only_the_page(self, route: sync_api.Route) -> None:
        if route.request.url == self.url:
            route.continue_()
            return
        self.problems.append(f"request: {route.request.url}")
        route.abort()

    def _record_request(self, request: sync_api.Request) -> None:
        if request.url != self.url:
            self.problems.append(f"request event: {request.url}")

    def _record_console(self, message: sync_api.ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _dismiss(self, dialog: sync_api.Dialog) -> None:
        self.problems.append(f"dialog: {dialog.type} {dialog.message}")
        dialog.dismiss()

    def check_clean(self) -> None:
        assert self.problems == []
        assert self.page.evaluate("window.__cspViolations") == []
        assert self.page.evaluate("typeof window.__pwned") == "undefined"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
        if REQUIRE_BROWSER:
            pytest.fail(f"{message} (REFGRAPH_REQUIRE_BROWSER=1 turns this skip into a failure)")
        pytest.skip(message)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """Return a function that loads an HTML file offline and records every problem."""
    contexts = []

    def load(path: pathlib.Path) -> LoadedPage:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        loaded = LoadedPage(page=context.new_page(), url=path.as_uri())
        loaded.watch(context)
        loaded.page.goto(loaded.url)
        return loaded

    yield load
    for context in contexts:
        context.close()


def write_page(graph: RefGraph, path: pathlib.Path, renderer: str) -> pathlib.Path:
    graph.to_html(str(path), renderer=renderer)
    return path


def wait_for_layout(page: sync_api.Page) -> None:
    page.wait_for_selector('#graph[data-layout="stable"]', state="attached", timeout=LAYOUT_TIMEOUT_MS)


def hover_canvas_node(page: sync_api.Page, key: str) -> None:
    """Move the mouse onto a vis-network node, found through the page's test hook."""
    point = page.evaluate(
        """(key) => {
            const network = window.refgraphNetwork;
            const position = network.canvasToDOM(network.getPosition(key));
            const box = document.getElementById("graph").getBoundingClientRect();
            return { x: box.left + position.x, y: box.top + position.y };
        }""",
        key,
    )
    page.mouse.move(point["x"], point["y"])


def test_canvas_page_offline_and_inert(hostile_graph, hostile_reprs, tmp_path, open_page):
    loaded = open_page(write_page(hostile_graph, tmp_path / "canvas.html", "canvas"))
    page = loaded.page
    wait_for_layout(page)

    assert page.evaluate("window.refgraphNetwork.body.data.nodes.length") == len(hostile_graph.nodes)
    assert page.evaluate("window.refgraphNetwork.body.data.edges.get({filter: (e) => !e.hidden}).length") == 0
    assert hostile_reprs["script"] in page.locator("#details").text_content()

    hover_canvas_node(page, hostile_graph.target_key)
    page.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip'); return t && t.style.visibility === 'visible'; }"
    )
    tooltip = page.locator("div.vis-tooltip")
    assert hostile_reprs["script"] in tooltip.text_content()
    assert page.evaluate("document.querySelectorAll('div.vis-tooltip :not(br)').length") == 0
    page.screenshot(path=str(tmp_path / "canvas-hover.png"))

    page.check("#show-hidden-edges")
    assert page.evaluate("window.refgraphNetwork.body.data.edges.get({filter: (e) => !e.hidden}).length") == len(
        hostile_graph.edges
    )
    loaded.check_clean()


def test_svg_page_offline_and_inert(hostile_graph, hostile_reprs, tmp_path, open_page):
    loaded = open_page(write_page(hostile_graph, tmp_path / "svg.html", "svg"))
    page = loaded.page

    assert page.locator("svg#graph a.node").count() == len(hostile_graph.nodes)
    assert hostile_reprs["script"] in page.locator("#details").text_content()
    assert hostile_reprs["script"] in page.locator("svg#graph a.node.target > title").text_content()

    # A horizontal path has an empty bounding box, so visibility is read from the computed style.
    displayed = (
        "Array.from(document.querySelectorAll('svg#graph .edge.hidden-edge'))"
        ".map((edge) => getComputedStyle(edge).display)"
    )
    assert set(page.evaluate(displayed)) == {"none"}
    page.check("#show-hidden-edges")
    assert set(page.evaluate(displayed)) == {"inline"}

    page.hover("svg#graph a.node.target")
    page.screenshot(path=str(tmp_path / "svg-hover.png"))
    loaded.check_clean()


def test_svg_node_links_to_details(chain_graph, tmp_path, open_page):
    loaded = open_page(write_page(chain_graph, tmp_path / "chain-svg.html", "svg"))
    page = loaded.page

    assert page.locator("svg#graph .edge path[marker-end]").count() == len(chain_graph.edges)
    assert page.locator("svg#graph .edge.weak").count() == 1
    page.click("svg#graph a.node:has(title:text('distributed.worker.Worker'))")

    assert page.evaluate("window.location.hash") == "#node-d2"
    assert page.locator("#node-d2").is_visible()
    page.screenshot(path=str(tmp_path / "svg-chain.png"), full_page=True)
    loaded.check_clean()


@pytest.mark.parametrize("renderer", ["canvas", "svg"])
def test_escaping_holds_without_csp(hostile_graph, tmp_path, open_page, renderer):
    # With the policy removed, escaping alone must keep a repr from becoming markup.
    path = write_page(hostile_graph, tmp_path / f"{renderer}-no-csp.html", renderer)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text), encoding="utf-8")

    loaded = open_page(path)
    if renderer == "canvas":
        wait_for_layout(loaded.page)
        hover_canvas_node(loaded.page, hostile_graph.target_key)
    loaded.page.wait_for_timeout(500)

    assert "Content-Security-Policy" not in loaded.page.content()
    assert loaded.page.locator("img").count() == 0
    loaded.check_clean()


def test_canvas_draws_large_graph(large_graph, tmp_path, open_page):
    loaded = open_page(write_page(large_graph, tmp_path / "large-canvas.html", "canvas"))
    wait_for_layout(loaded.page)

    assert loaded.page.evaluate("window.refgraphNetwork.body.data.nodes.length") == 300
    assert loaded.page.evaluate("window.refgraphNetwork.physics.options.enabled") is False
    loaded.page.screenshot(path=str(tmp_path / "large-canvas.png"))
    loaded.check_clean()
