"""Browser tests: each renderer's page loads offline in Chromium, responds to the reader and runs no injected script.

Every request other than the page itself is recorded as a problem and aborted,
as are console errors (Content-Security-Policy violations among them), page
errors and dialogs. Screenshots are saved under pytest's tmp_path.

The tests skip when Playwright or Chromium is missing, unless the environment
sets REFGRAPH_REQUIRE_BROWSER=1 (scripts/test.sh does), in which case they fail.
The suite loads about 20 pages, which took about 40 s on a 2-core machine.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refgraph.display import notebook_html
from refgraph.model import Edge, Node, RefGraph
from refgraph.render._display import detail_text
from refgraph.render._page import anchor_for

from .conftest import HOSTILE_REPRS, tree_graph

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

#: Maximum time of any other Playwright action or wait, in milliseconds.
ACTION_TIMEOUT_MS = 10_000

#: Maximum load-to-stable time of the 1,000-node canvas page, in milliseconds.
#: It took about 3 s on a 2-core machine. The bound only catches a layout that
#: no longer converges, such as one that lost its radial start positions.
THOUSAND_NODES_BUDGET_MS = 30_000

# Runs before the page's own scripts and records what the CSP blocked.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

#: Hostile text beyond conftest.HOSTILE_REPRS, put into every fuzzed page.
KNOWN_PAYLOADS = [
    '"><script>window.__pwned=3</script>',
    "<svg onload=\"window.__pwned=4\"></svg>",
    "<iframe srcdoc=\"<script>parent.__pwned=5</script>\"></iframe>",
    "</textarea></style></pre><img src=x onerror=alert(4)>",
    "javascript:window.__pwned=6",
    "{{ 7*7 }} {% if 1 %}x{% endif %} ${7*7} #{7*7}",
    "<!-- ]]> <![CDATA[ x ]]>",
    "\u202eevil\u202c \u2066isolate\u2069 \u200bzero",
    "nul\x00byte \x1b[31mansi\x1b[0m \r\ncrlf \u2028 sep",
    "lone \ud800 and \udfff surrogates",
    "\nstarts with a newline",
]


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


def new_context(browser: sync_api.Browser) -> sync_api.BrowserContext:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


@pytest.fixture
def open_page(browser):
    """Return a function that loads an HTML file offline and records every problem."""
    contexts = []

    def load(path: pathlib.Path) -> LoadedPage:
        context = new_context(browser)
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


def canvas_point(page: sync_api.Page, key: str, dx: float = 0.0, dy: float = 0.0) -> dict[str, float]:
    """Return the page coordinates of a point of the canvas drawing, `dx`, `dy` away from a node's centre."""
    return page.evaluate(
        """([key, dx, dy]) => {
            const network = window.refgraphNetwork;
            const centre = network.getPosition(key);
            const position = network.canvasToDOM({ x: centre.x + dx, y: centre.y + dy });
            const box = document.getElementById("graph").getBoundingClientRect();
            return { x: box.left + position.x, y: box.top + position.y };
        }""",
        [key, dx, dy],
    )


def hover_canvas_node(page: sync_api.Page, key: str) -> None:
    """Move the mouse onto a vis-network node, found through the page's test hook."""
    point = canvas_point(page, key)
    page.mouse.move(point["x"], point["y"])


def wait_for_tooltip(page: sync_api.Page) -> str:
    page.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip'); return t && t.style.visibility === 'visible'; }"
    )
    return page.locator("div.vis-tooltip").inner_text()


def panel_text(page: sync_api.Page | sync_api.Frame) -> str:
    return page.locator("#selected-details").text_content()


def legend_libraries(page: sync_api.Page) -> list[str]:
    return page.locator(".legend .libraries .library").all_text_contents()


# ---------------------------------------------------------------- hostile pages


def test_canvas_page_offline_and_inert(hostile_graph, hostile_reprs, tmp_path, open_page):
    loaded = open_page(write_page(hostile_graph, tmp_path / "canvas.html", "canvas"))
    page = loaded.page
    wait_for_layout(page)

    assert page.evaluate("window.refgraphNetwork.body.data.nodes.length") == len(hostile_graph.nodes)
    assert page.evaluate("window.refgraphNetwork.body.data.edges.get({filter: (e) => !e.hidden}).length") == 0
    assert hostile_reprs["script"] in page.locator("#details").text_content()

    hover_canvas_node(page, hostile_graph.target_key)
    assert hostile_reprs["script"] in wait_for_tooltip(page)
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


# ---------------------------------------------------------------- reading the page


def test_canvas_page_answers_reader(chain_graph, tmp_path, open_page):
    path = write_page(chain_graph, tmp_path / "chain-canvas.html", "canvas")
    loaded = open_page(path)
    page = loaded.page
    wait_for_layout(page)
    edges = "window.refgraphNetwork.body.data.edges"

    # The chains come first: they are on screen before any scrolling.
    assert page.locator(".chains").bounding_box()["y"] < 900
    assert page.locator(".chain-list > li").count() == 2
    assert sorted(legend_libraries(page)) == chain_graph.libraries()
    # Every object starts in the details panel with the target.
    assert "__main__.Session" in panel_text(page)
    page.screenshot(path=str(tmp_path / "chain-canvas.png"))

    hover_canvas_node(page, "d2")
    assert wait_for_tooltip(page).startswith("distributed.worker.Worker\n")

    point = canvas_point(page, "d2")
    page.mouse.click(point["x"], point["y"])
    details = panel_text(page)
    assert "distributed.worker.Worker" in details
    assert "holds it as .worker" in details
    assert ".sessions is dict" in details
    assert "+12 more referrers" in details
    assert page.evaluate("window.refgraphNetwork.getSelectedNodes()") == ["d2"]

    # The "+12 more" badge is drawn in its fill colour at the top right of the Worker.
    radius = page.evaluate("window.refgraphNetwork.body.data.nodes.get('d2').size")
    badge = canvas_point(page, "d2", radius * 0.5 + 4, -radius - 17 * 0.7 + 8.5)
    pixel = page.evaluate(
        """([x, y]) => {
            const canvas = document.querySelector("#graph canvas");
            const box = canvas.getBoundingClientRect();
            const ratio = canvas.width / box.width;
            const context = canvas.getContext("2d");
            return Array.from(context.getImageData((x - box.left) * ratio, (y - box.top) * ratio, 1, 1).data);
        }""",
        [badge["x"], badge["y"]],
    )
    assert all(abs(actual - expected) < 24 for actual, expected in zip(pixel[:3], (0xFF, 0xF4, 0xD6)))

    # Chain 2 alone: its hops are wide, the frame's hop of chain 1 is not.
    assert page.evaluate(f"{edges}.get({{filter: (e) => e.from === 'e2'}})[0].width") > 3
    page.check("input[name='chain'][value='2']")
    assert page.evaluate(f"{edges}.get({{filter: (e) => e.from === 'e2'}})[0].width") < 2
    assert page.evaluate(f"{edges}.get({{filter: (e) => e.from === 'f3'}})[0].width") > 3
    page.check("input[name='chain'][value='none']")
    assert page.evaluate(f"{edges}.get({{filter: (e) => e.width > 3}}).length") == 0

    page.fill("#filter-text", "worker")
    page.wait_for_function("() => document.getElementById('filter-count').textContent !== ''")
    assert page.locator("#filter-count").text_content() == "1 of 7 objects match"
    assert page.locator("#objects tbody tr:not([hidden])").count() == 1
    dimmed = page.evaluate("window.refgraphNetwork.body.data.nodes.get('b1').color.background")
    assert dimmed.startswith("rgba(")
    page.fill("#filter-text", "")
    page.select_option("#filter-library", "builtins")
    assert page.locator("#filter-count").text_content() == "4 of 7 objects match"

    page.click("#find-target")
    assert "__main__.Session" in panel_text(page)
    assert page.evaluate("window.refgraphNetwork.getSelectedNodes()") == ["a0"]

    # Loading the page again gives the same layout.
    positions = page.evaluate("window.refgraphNetwork.getPositions()")
    page.reload()
    wait_for_layout(page)
    assert page.evaluate("window.refgraphNetwork.getPositions()") == positions
    loaded.check_clean()


def test_svg_page_answers_reader(chain_graph, tmp_path, open_page):
    loaded = open_page(write_page(chain_graph, tmp_path / "chain-svg.html", "svg"))
    page = loaded.page

    assert page.locator(".chains").bounding_box()["y"] < 900
    assert sorted(legend_libraries(page)) == chain_graph.libraries()
    assert page.locator("svg#graph .edge path[marker-end]").count() == len(chain_graph.edges)
    assert page.locator("svg#graph .edge.weak").count() == 1
    assert page.locator("svg#graph .edge.chain-on").count() == 4
    assert page.locator("svg#graph .badge").count() == 1

    worker = page.locator("svg#graph a.node:has(title:text('distributed.worker.Worker'))")
    worker.hover()
    assert worker.locator("title").text_content().startswith("distributed.worker.Worker\n")
    assert worker.locator("text.type").text_content() == "Worker"

    # Clicking a node shows it beside the graph and stays in place.
    worker.click()
    assert page.evaluate("window.location.hash") == ""
    assert "holds it as .worker" in panel_text(page)
    assert "selected" in worker.get_attribute("class")

    # The panel's own link moves to the entry in the list.
    page.click("#selected-details a.jump")
    assert page.evaluate("window.location.hash") == "#node-d2"
    assert page.locator("#node-d2").is_visible()

    page.check("input[name='chain'][value='1']")
    assert page.locator("svg#graph .edge.chain-on").count() == 2
    assert page.locator(".chain-list > li.chain-on").count() == 1

    page.select_option("#filter-library", "distributed")
    assert page.locator("svg#graph a.node.dimmed").count() == len(chain_graph.nodes) - 1
    assert page.locator("#objects tbody tr:not([hidden])").count() == 1

    # A link in the table moves to the entry and shows it in the panel.
    page.select_option("#filter-library", "")
    page.click("#objects a[href='#node-f3']")
    assert page.evaluate("window.location.hash") == "#node-f3"
    assert "module __main__" in panel_text(page)
    page.screenshot(path=str(tmp_path / "svg-chain.png"), full_page=True)
    loaded.check_clean()


# ---------------------------------------------------------------- fuzzed text


def fuzz_graph(texts: list[str]) -> RefGraph:
    """Return a referrers walk whose reprs, and some type names, labels and libraries, are `texts`."""
    nodes = [Node("t0", 1, "Target", "fuzz", "fuzz", texts[0], 64, "target", 0, in_degree=len(texts) - 1)]
    edges = []
    for index, text in enumerate(texts[1:], start=1):
        key = f"h{index}"
        type_name = text[:40] if index % 5 == 0 else f"Holder{index}"
        library = text[:20] if index % 7 == 0 else "fuzz"
        nodes.append(Node(key, index + 1, type_name, "fuzz", library, text, 64, "referrer", 1))
        edges.append(Edge(key, "t0", f"[{text[:30]!r}]", "item"))
    return RefGraph(
        nodes=nodes,
        edges=edges,
        target_key="t0",
        direction="referrers",
        hostname=texts[-1][:50],
        chains=[{"keys": ["h1", "t0"], "labels": [edges[0].label], "root_kind": "module", "text": texts[1]}],
    )


@pytest.mark.parametrize("renderer", ["canvas", "svg"])
def test_fuzzed_text_shows_literally(renderer, tmp_path, browser):
    # Hypothesis runs inside the test, so each example is a fresh page in one bounded set of loads.
    counter = iter(range(1_000))

    @settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(fuzz=st.lists(st.text(max_size=400), min_size=30, max_size=30))
    def check(fuzz: list[str]) -> None:
        texts = list(HOSTILE_REPRS.values()) + KNOWN_PAYLOADS + fuzz
        graph = fuzz_graph(texts)
        path = write_page(graph, tmp_path / f"fuzz-{renderer}-{next(counter)}.html", renderer)

        context = new_context(browser)
        try:
            loaded = LoadedPage(page=context.new_page(), url=path.as_uri())
            loaded.watch(context)
            loaded.page.goto(loaded.url)
            if renderer == "canvas":
                wait_for_layout(loaded.page)
                hover_canvas_node(loaded.page, "t0")
                assert wait_for_tooltip(loaded.page).startswith("fuzz.Target (target)\n")

            shown = loaded.page.evaluate(
                """() => Object.fromEntries(Array.from(document.querySelectorAll("#details li.entry"))
                    .map((entry) => [entry.id, entry.querySelector("pre.repr").textContent]))"""
            )
            expected = {anchor_for(node.key): detail_text(node.repr) for node in graph.nodes}
            assert shown == expected
            scripts = 4 if renderer == "canvas" else 3
            assert loaded.page.evaluate("document.querySelectorAll('script').length") == scripts
            assert loaded.page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
            loaded.check_clean()
        finally:
            context.close()

    check()


# ---------------------------------------------------------------- notebook output


def write_notebook_host(output: str, path: pathlib.Path) -> pathlib.Path:
    """Write a page that holds one notebook output, as a notebook's output area does."""
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>notebook</title></head>"
        f"<body><h1>Notebook</h1><div class=\"output\">{output}</div></body></html>",
        encoding="utf-8",
    )
    return path


def srcdoc_frame(page: sync_api.Page) -> sync_api.Frame:
    """Return the one srcdoc frame of a page, waiting for it to start loading its document."""
    page.wait_for_selector("iframe")
    for _ in range(100):
        frames = [frame for frame in page.frames if frame.url.startswith("about:srcdoc")]
        if frames:
            assert len(frames) == 1
            return frames[0]
        page.wait_for_timeout(50)
    raise AssertionError(f"no srcdoc frame among {[frame.url for frame in page.frames]}")


def test_notebook_frame_runs_page_in_sandbox(hostile_graph, hostile_reprs, tmp_path, open_page):
    output = notebook_html(hostile_graph, renderer="canvas")
    loaded = open_page(write_notebook_host(output, tmp_path / "notebook-canvas.html"))
    page = loaded.page
    frame = srcdoc_frame(page)
    frame.wait_for_selector('#graph[data-layout="stable"]', state="attached", timeout=LAYOUT_TIMEOUT_MS)

    assert hostile_reprs["script"] in frame.locator("#details").text_content()
    assert "evil.Payload" in panel_text(frame)
    assert page.locator(".refgraph-static").is_hidden()
    # Without allow-same-origin the frame cannot reach the notebook.
    reach = "() => { try { return window.parent.document.title; } catch (error) { return 'blocked'; } }"
    assert frame.evaluate(reach) == "blocked"
    assert frame.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(tmp_path / "notebook-canvas.png"))
    loaded.check_clean()


def test_notebook_frame_links_stay_in_frame(chain_graph, tmp_path, open_page):
    loaded = open_page(write_notebook_host(notebook_html(chain_graph), tmp_path / "notebook-svg.html"))
    page = loaded.page
    frame = srcdoc_frame(page)
    frame.wait_for_selector("#selected-details li")

    frame.locator("svg#graph a.node:has(title:text('distributed.worker.Worker'))").click()
    assert "holds it as .worker" in panel_text(frame)
    frame.locator("#selected-details a.jump").click()
    frame.wait_for_function("() => window.location.hash === '#node-d2'")

    # Following href="#node-d2" in a srcdoc frame would have loaded the host page into it.
    assert srcdoc_frame(page).url == "about:srcdoc#node-d2"
    assert frame.locator("#node-d2").is_visible()
    assert page.url == loaded.url
    loaded.check_clean()


def test_notebook_static_summary_without_scripts(hostile_graph, hostile_reprs, tmp_path, open_page):
    # An untrusted notebook strips scripts, iframes and <style> elements from
    # an output. The <style> of a trusted output elsewhere on the same page
    # still applies, so this page keeps one, as JupyterLab's page does when
    # a trusted notebook is open in another tab.
    output = notebook_html(hostile_graph, renderer="canvas")
    stripped = re.sub(r"<iframe\b.*?</iframe>|<style>.*?</style>", "", output, flags=re.S)
    other_style = re.search(r"<style>.*?</style>", output, flags=re.S).group()
    loaded = open_page(write_notebook_host(other_style + stripped, tmp_path / "notebook-untrusted.html"))
    page = loaded.page

    static = page.locator(".refgraph-static")
    assert static.is_visible()
    assert "Scripts do not run in this output" in static.text_content()
    assert page.locator(".refgraph-static tbody tr").count() == len(hostile_graph.nodes)
    assert hostile_reprs["script"][:60] in static.text_content()
    assert page.locator("img").count() == 0
    loaded.check_clean()


# ---------------------------------------------------------------- large graphs


def test_canvas_draws_large_graph(large_graph, tmp_path, open_page, record_property):
    loaded = open_page(write_page(large_graph, tmp_path / "large-canvas.html", "canvas"))
    wait_for_layout(loaded.page)

    assert loaded.page.evaluate("window.refgraphNetwork.body.data.nodes.length") == 300
    assert loaded.page.evaluate("window.refgraphNetwork.physics.options.enabled") is False
    assert loaded.page.locator("#layout-progress").is_hidden()
    record_property("stable_after_ms", loaded.page.get_attribute("#graph", "data-stable-after-ms"))
    loaded.page.screenshot(path=str(tmp_path / "large-canvas.png"))
    loaded.check_clean()


def test_canvas_stabilises_thousand_nodes(tmp_path, open_page, record_property):
    graph = tree_graph(1_000)
    loaded = open_page(write_page(graph, tmp_path / "thousand-canvas.html", "canvas"))
    page = loaded.page
    wait_for_layout(page)

    stable_after = int(page.get_attribute("#graph", "data-stable-after-ms"))
    record_property("stable_after_ms", stable_after)
    print(f"1,000-node canvas page: stable {stable_after} ms after navigation started")
    assert stable_after < THOUSAND_NODES_BUDGET_MS
    assert page.evaluate("window.refgraphNetwork.physics.options.enabled") is False

    # The page still responds once stable: a filter restyles all 1,000 nodes.
    page.fill("#filter-text", "numpy")
    page.wait_for_function("() => document.getElementById('filter-count').textContent !== ''")
    assert page.locator("#filter-count").text_content() == "125 of 1000 objects match"
    page.screenshot(path=str(tmp_path / "thousand-canvas.png"))
    loaded.check_clean()


def test_redacted_page_loads_clean(chain_graph, tmp_path, open_page):
    path = tmp_path / "redacted-canvas.html"
    chain_graph.to_html(str(path), renderer="canvas", redact=True)
    loaded = open_page(path)
    wait_for_layout(loaded.page)

    body = loaded.page.locator("body").inner_text()
    assert "Session id=7" not in body
    assert "'current'" not in body
    assert "build-host" not in body
    loaded.check_clean()


def test_graph_without_chains_loads_clean(chain_graph, tmp_path, open_page):
    graph = dataclasses.replace(chain_graph, chains=[])
    loaded = open_page(write_page(graph, tmp_path / "no-chains-svg.html", "svg"))

    assert loaded.page.locator(".chains").count() == 0
    assert "__main__.Session" in panel_text(loaded.page)
    loaded.check_clean()
