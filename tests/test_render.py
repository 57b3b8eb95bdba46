"""Tests of the HTML and text renderers, on graphs built directly from Node and Edge."""

from __future__ import annotations

import ast
import dataclasses
import base64
import hashlib
import html
import json
import pathlib
import random
import re

import markupsafe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refgraph.cli import main as cli_main
from refgraph.model import Edge, Node, RefGraph
from refgraph.render import RENDERERS, render_html
from refgraph.render._display import displayable, label_text
from refgraph.render._embed import html_safe_json
from refgraph.render._palette import FIXED_LIBRARY_COLOURS, PALETTE, library_colours, node_radius
from refgraph.render._layout import radial_layout
from refgraph.render._page import build_page
from refgraph.render._redact import REDACTED_KEY, REDACTED_LABEL, redact_label
from refgraph.render.canvas import LARGE_GRAPH_ITERATIONS, SMALL_GRAPH_ITERATIONS, TARGET_MIN_RADIUS, vis_options
from refgraph.render.text import render_text, summary_text

RENDER_PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "refgraph" / "render"

DATA_BLOCK = re.compile(r'<script type="application/json" id="refgraph-data">(.*?)</script>', re.S)
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def data_block(page: str) -> str:
    blocks = DATA_BLOCK.findall(page)
    assert len(blocks) == 1
    return blocks[0]


def policy(page: str) -> dict[str, list[str]]:
    metas = CSP_META.findall(page)
    assert len(metas) == 1
    directives = {}
    for directive in html.unescape(metas[0]).split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def section(page: str, start: str, end: str) -> str:
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


def entry(page: str, anchor: str) -> str:
    """Return the details entry of one node, up to the next entry or the end of the list."""
    begin = page.index(f'<li id="{anchor}"')
    ends = [page.find(marker, begin + 1) for marker in ('<li id="node-', "</ol>")]
    return page[begin : min(end for end in ends if end != -1)]


def strings(data: object):
    """Yield every string inside parsed JSON data."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def shuffled(graph: RefGraph, seed: int) -> RefGraph:
    generator = random.Random(seed)
    nodes = list(graph.nodes)
    edges = list(graph.edges)
    generator.shuffle(nodes)
    generator.shuffle(edges)
    return dataclasses.replace(graph, nodes=nodes, edges=edges)


# ---------------------------------------------------------------- renderer selection


def test_render_html_rejects_unknown_renderer(chain_graph):
    with pytest.raises(ValueError) as error:
        render_html(chain_graph, renderer="png")

    message = str(error.value)
    assert "'png'" in message
    assert "'canvas'" in message
    assert "'svg'" in message


def test_render_html_default_is_canvas(chain_graph):
    assert render_html(chain_graph) == render_html(chain_graph, renderer="canvas")


def test_to_html_writes_utf8_file(tmp_path, hostile_graph):
    path = tmp_path / "graph.html"

    returned = hostile_graph.to_html(str(path), renderer="svg")

    assert path.read_text(encoding="utf-8") == returned


@pytest.mark.parametrize("renderer", RENDERERS)
def test_invalid_graph_raises_naming_key(chain_graph, renderer):
    broken = dataclasses.replace(chain_graph, edges=chain_graph.edges + [Edge("b1", "zz9", ".x")])
    with pytest.raises(ValueError, match="'zz9'"):
        render_html(broken, renderer=renderer)

    no_target = dataclasses.replace(chain_graph, target_key="missing")
    with pytest.raises(ValueError, match="'missing'"):
        render_html(no_target, renderer=renderer)

    doubled = dataclasses.replace(chain_graph, nodes=chain_graph.nodes + [chain_graph.nodes[1]])
    with pytest.raises(ValueError, match="'b1'"):
        render_html(doubled, renderer=renderer)


def test_render_package_never_imports_gc():
    for path in sorted(RENDER_PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for statement in ast.walk(tree):
            if isinstance(statement, ast.Import):
                assert all(alias.name != "gc" for alias in statement.names), path
            if isinstance(statement, ast.ImportFrom):
                assert statement.module != "gc", path


# ---------------------------------------------------------------- determinism


@pytest.mark.parametrize("renderer", RENDERERS)
def test_same_graph_gives_identical_page(chain_graph, large_graph, renderer):
    for graph in (chain_graph, large_graph):
        first = render_html(graph, renderer=renderer)
        second = render_html(graph, renderer=renderer)

        assert first == second
        assert first.encode("utf-8") == second.encode("utf-8")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_node_and_edge_order_does_not_change_page(chain_graph, hostile_graph, renderer):
    for graph in (chain_graph, hostile_graph):
        expected = render_html(graph, renderer=renderer)
        for seed in (1, 2, 3):
            assert render_html(shuffled(graph, seed), renderer=renderer) == expected


def test_canvas_layout_is_seeded(chain_graph):
    data = json.loads(data_block(render_html(chain_graph, renderer="canvas")))

    assert isinstance(data["options"]["layout"]["randomSeed"], int)


# ---------------------------------------------------------------- security properties


@pytest.mark.parametrize("renderer", RENDERERS)
def test_csp_allows_only_inline_blocks_on_page(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer)
    directives = policy(page)
    scripts = INLINE_SCRIPT.findall(page)
    styles = INLINE_STYLE.findall(page)

    assert directives["default-src"] == ["'none'"]
    assert sorted(directives["script-src"]) == sorted(csp_hash(text) for text in scripts)
    assert sorted(directives["style-src"]) == sorted(csp_hash(text) for text in styles)
    assert directives["img-src"] == ["data:"]
    assert directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in page
    assert "'unsafe-eval'" not in page
    assert page.index("Content-Security-Policy") < page.index("<style>")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_page_has_no_remote_references(chain_graph, hostile_graph, renderer):
    for graph in (chain_graph, hostile_graph):
        page = render_html(graph, renderer=renderer)

        assert re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:|//|javascript:)""", page, re.I) is None
        assert re.search(r"url\(\s*['\"]?\s*(https?:|//)", page, re.I) is None
        assert "@import" not in page
        assert '<link rel="icon" href="data:,">' in page
        assert len(re.findall(r"<link\b", page)) == 1
        assert re.search(r"<(iframe|object|embed|base|form)\b", page, re.I) is None


def test_canvas_inlines_vis_network_from_pyvis(chain_graph):
    page = render_html(chain_graph, renderer="canvas")

    assert "@version 9.1.2" in page
    assert "bootstrap" not in page.lower()
    assert "cdnjs" not in page.lower()


# ---------------------------------------------------------------- hostile text


@pytest.mark.parametrize("renderer", RENDERERS)
def test_script_payload_is_never_markup(hostile_graph, hostile_reprs, renderer):
    page = render_html(hostile_graph, renderer=renderer)
    payload = hostile_reprs["script"]

    assert payload not in page
    assert "<img" not in page
    assert "<script>window.__pwned" not in page
    assert "<b>Bold" not in page
    assert "<i>lib" not in page
    assert str(markupsafe.escape(payload)) in page
    # Each "</script>" on the page closes one of the page's own script elements.
    assert page.count("</script>") == len(INLINE_SCRIPT.findall(page)) + 1


@pytest.mark.parametrize("renderer", RENDERERS)
def test_data_block_is_html_safe_json(hostile_graph, hostile_reprs, renderer):
    page = render_html(hostile_graph, renderer=renderer)
    block = data_block(page)

    for character in "<>&\u2028\u2029":
        assert character not in block
    data = json.loads(block)
    assert any(hostile_reprs["script"] in text for text in strings(data))


@pytest.mark.parametrize("renderer", RENDERERS)
def test_template_syntax_in_repr_is_literal(hostile_graph, renderer):
    page = render_html(hostile_graph, renderer=renderer)

    assert "{{ 7*7 }} {% raw %}" in page


@pytest.mark.parametrize("renderer", RENDERERS)
def test_javascript_url_is_text_only(hostile_graph, renderer):
    page = render_html(hostile_graph, renderer=renderer)

    assert "javascript:alert(1)" in page
    assert not re.search(r"href=\"javascript", page, re.I)
    for href in re.findall(r'href="([^"]*)"', page):
        assert href == "data:," or href.startswith("#node-")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_invisible_characters_are_escaped(hostile_graph, renderer):
    page = render_html(hostile_graph, renderer=renderer)

    assert "\u202e" not in page
    assert "user\\u202egnp.exe" in page
    assert "\x00" not in page
    assert "before\\x00after" in page


@pytest.mark.parametrize("renderer", RENDERERS)
def test_lone_surrogate_does_not_break_encoding(hostile_graph, renderer):
    page = render_html(hostile_graph, renderer=renderer)

    encoded = page.encode("utf-8")
    assert b"bad \\ud800 text" in encoded
    assert re.search("[\ud800-\udfff]", page) is None


@pytest.mark.parametrize("renderer", RENDERERS)
def test_megabyte_repr_truncated_with_notice(hostile_graph, chain_graph, renderer):
    page = render_html(hostile_graph, renderer=renderer)
    baseline = render_html(chain_graph, renderer=renderer)

    assert "truncated for display: 1,000,016 characters in total" in page
    assert "END-OF-HUGE-REPR" not in page
    assert len(page) - len(baseline) < 100_000


@pytest.mark.parametrize("renderer", RENDERERS)
def test_hostile_metadata_is_escaped(hostile_graph, renderer):
    page = render_html(hostile_graph, renderer=renderer)
    header = section(page, '<header class="summary">', "</header>")

    assert "pid 1 on &lt;script&gt;alert(3)&lt;/script&gt;" in header
    assert "note=&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in header
    assert "<script>alert" not in page


@pytest.mark.parametrize("renderer", RENDERERS)
def test_unusual_node_key_gets_safe_anchor(hostile_graph, renderer):
    page = render_html(hostile_graph, renderer=renderer)
    anchor = "node--" + "k\"<'&>".encode().hex()

    assert f'id="{anchor}"' in page
    assert f'href="#{anchor}"' in page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(), max_size=200))
def test_any_repr_round_trips_through_svg_data(chain_graph, text):
    nodes = [dataclasses.replace(chain_graph.nodes[0], repr=text)] + chain_graph.nodes[1:]
    graph = dataclasses.replace(chain_graph, nodes=nodes)

    page = render_html(graph, renderer="svg")

    page.encode("utf-8")
    data = json.loads(data_block(page))
    assert data["nodes"][0]["repr"] == displayable(text)
    assert page.count("</script>") == len(INLINE_SCRIPT.findall(page)) + 1


def test_html_safe_json_escapes_markup_and_separators():
    text = str(html_safe_json({"a": "</script><!--&\u2028\u2029", "b": "\ud800"}))

    assert text == '{"a":"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029","b":"\\ud800"}'
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029", "b": "\ud800"}


def test_label_text_is_one_short_line():
    label = label_text("line one\nline two\t\u202e" + "x" * 100, 30)

    assert "\n" not in label
    assert len(label) == 30
    assert label.endswith("\u2026")


# ---------------------------------------------------------------- redaction


@pytest.mark.parametrize("renderer", RENDERERS)
def test_redact_replaces_reprs_with_type_names(chain_graph, renderer):
    plain = render_html(chain_graph, renderer=renderer)
    redacted = render_html(chain_graph, renderer=renderer, redact=True)

    for text in ("&lt;Session id=7&gt;", "tcp://127.0.0.1:8786", "&lt;frame handle at app.py:12&gt;"):
        assert text in plain
        assert text not in redacted
    assert "Session id=7" not in redacted
    assert "Redacted: each repr is replaced by its type name" in redacted
    assert "Worker" in redacted
    assert "+12 more referrers" in redacted


# ---------------------------------------------------------------- page content


@pytest.mark.parametrize("renderer", RENDERERS)
def test_legend_lists_each_library(large_graph, hostile_graph, renderer):
    for graph in (large_graph, hostile_graph):
        page = render_html(graph, renderer=renderer)
        legend = section(page, '<aside class="legend"', "</aside>")

        for library in graph.libraries():
            assert f'<span class="library">{markupsafe.escape(library)}</span>' in legend


def test_library_colours_are_stable_and_distinct():
    libraries = [f"library{index}" for index in range(len(PALETTE))]

    colours = library_colours(libraries)

    assert colours == library_colours(reversed(libraries))
    assert len(set(colours.values())) == len(PALETTE)
    assert library_colours(["builtins"])["builtins"] == FIXED_LIBRARY_COLOURS["builtins"]
    assert library_colours(["numpy"])["numpy"] in PALETTE
    # A library that sorts first keeps its hashed colour whatever else the graph contains.
    assert library_colours(["numpy"])["numpy"] == library_colours(["numpy", "zzz"])["numpy"]


def test_node_radius_grows_with_in_degree():
    assert node_radius(0) == 9
    assert node_radius(1) < node_radius(10) < node_radius(1000)
    assert node_radius(10**9) == 30


@pytest.mark.parametrize("renderer", RENDERERS)
def test_more_badge_and_placeholder_shown(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer)
    worker_entry = entry(page, "node-d2")
    placeholder_entry = entry(page, "node-more-referrers-d2")

    assert '<span class="tag more">+12 more referrers</span>' in worker_entry
    assert "+12 more referrers" in placeholder_entry
    assert "did not include" in placeholder_entry


@pytest.mark.parametrize("renderer", RENDERERS)
def test_header_shows_walk_facts(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer)
    header = section(page, '<header class="summary">', "</header>")

    assert "Referrers of <code>__main__.Session</code>" in header
    assert "&lt;Session id=7&gt;" in header
    assert "<dd>referrers</dd>" in header
    assert "6 objects, 1" in header
    assert "6 edges (1 weak, 0 hidden)" in header
    assert "<dd>referrers=12</dd>" in header
    assert "3.11.7" in header
    assert "pid 4242 on build-host" in header
    assert "0.042 s" in header
    assert "2026-01-02T03:04:05+0000" in header


@pytest.mark.parametrize("renderer", RENDERERS)
def test_details_list_every_node_with_edges(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer)
    details = section(page, '<section id="details"', "</section>")
    dict_entry = entry(page, "node-b1")

    assert details.count('<li id="node-') == len(chain_graph.nodes)
    assert "<dt>refcount</dt><dd>3</dd>" in entry(page, "node-a0")
    assert "232 bytes" in dict_entry
    assert 'holds it as <code class="edge-label" title="edge kind: attr">.sessions</code>' in dict_entry
    assert (
        'holds it as <code class="edge-label" title="edge kind: local">.f_locals[&#39;cache&#39;]</code>' in dict_entry
    )
    assert '<code class="edge-label" title="edge kind: item">[&#39;current&#39;]</code> is' in dict_entry
    assert '<span class="tag root">root: thread</span>' in entry(page, "node-e2")
    assert "<dd>thread &#39;MainThread&#39; handle() line 12</dd>" in entry(page, "node-e2")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_weak_edges_listed_as_weak(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer)
    target_entry = entry(page, "node-a0")

    assert '&lt;weakref&gt;</code> <span class="tag weak">weak</span>' in target_entry


def test_svg_draws_weak_edges_dashed(chain_graph):
    page = render_html(chain_graph, renderer="svg")

    assert page.count('<g class="edge weak"') == 1
    assert ".edge.weak path { stroke-dasharray" in page


def test_canvas_draws_weak_edges_dashed(chain_graph):
    data = json.loads(data_block(render_html(chain_graph, renderer="canvas")))
    dashed = [edge for edge in data["edges"] if edge["dashes"] == [6, 4]]

    assert [(edge["from"], edge["to"]) for edge in dashed] == [("c1", "a0")]


def test_svg_hides_hidden_edges_behind_checkbox(hostile_graph):
    page = render_html(hostile_graph, renderer="svg")

    assert '<input type="checkbox" id="show-hidden-edges">' in page
    assert "Show 8 hidden edges of the target" in page
    assert len(re.findall(r'<g class="edge[^"]* hidden-edge[ "]', page)) == 8
    assert ".graph-svg .edge.hidden-edge { display: none; }" in page


def test_canvas_hides_hidden_edges_behind_checkbox(hostile_graph):
    page = render_html(hostile_graph, renderer="canvas")
    data = json.loads(data_block(page))

    assert '<input type="checkbox" id="show-hidden-edges">' in page
    assert all(edge["hidden"] for edge in data["edges"])
    assert all(edge["hidden"] for edge in data["page"]["edges"])
    assert [edge["id"] for edge in data["page"]["edges"]] == [edge["id"] for edge in data["edges"]]


def test_no_checkbox_without_hidden_edges(chain_graph):
    for renderer in RENDERERS:
        assert 'id="show-hidden-edges"' not in render_html(chain_graph, renderer=renderer)


def test_svg_nodes_link_to_details(chain_graph):
    page = render_html(chain_graph, renderer="svg")
    links = re.findall(r'<a href="#(node-[^"]+)" class="node', page)

    assert sorted(links) == sorted(f"node-{node.key}" for node in chain_graph.nodes)
    for anchor in links:
        assert f'<li id="{anchor}"' in page
    assert page.count('marker-end="url(#arrowhead)"') == len(chain_graph.edges)
    assert 'class="edge-label">.sessions</text>' in page


def test_svg_target_sits_right_of_its_referrers(chain_graph):
    page = render_html(chain_graph, renderer="svg")
    circle = (
        r'<a href="#node-(\w+)" class="node[^"]*" data-index="\d+">\n<title>[^<]*</title>\n'
        r'(?:<circle class="chain-halo"[^>]*>\n)?<circle cx="([\d.]+)"'
    )
    centres = dict(re.findall(circle, page))

    assert float(centres["a0"]) > float(centres["b1"]) > float(centres["d2"])


def test_canvas_nodes_have_text_titles(chain_graph):
    data = json.loads(data_block(render_html(chain_graph, renderer="canvas")))
    target = next(node for node in data["nodes"] if node["id"] == "a0")

    assert isinstance(target["title"], str)
    assert target["title"].startswith("__main__.Session (target)\n<Session id=7>")
    assert target["borderWidth"] > 1
    assert target["size"] == max(node_radius(2), TARGET_MIN_RADIUS)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_large_graph_renders_every_node(large_graph, renderer):
    page = render_html(large_graph, renderer=renderer)

    assert page.count('<li id="node-') == 300
    if renderer == "svg":
        assert len(re.findall(r'<a href="#node-[^"]+" class="node', page)) == 300
    else:
        assert len(json.loads(data_block(page))["nodes"]) == 300


# ---------------------------------------------------------------- text renderer


def test_text_tree_of_chain(chain_graph):
    text = render_text(chain_graph)

    assert text.splitlines() == [
        "referrers of __main__.Session: <Session id=7> [6 objects, 6 edges, cut by the limits: referrers=12]",
        "why alive: 2 shortest chains from a root to the target",
        "  1. thread 'MainThread' handle() line 12.f_locals['cache']['current'] -> <Session id=7>",
        "  2. module __main__.worker<Worker>.sessions['current'] -> <Session id=7>",
        "referrers:",
        "|-- ['current'] in dict: dict of 3 items [chains 1, 2]",
        "|   |-- .sessions in distributed.worker.Worker: <Worker 'tcp://127.0.0.1:8786'> [chain 2]",
        "|   |   |-- .worker in module: <module __main__> [root: module __main__] [chain 2]",
        "|   |   `-- ... +12 more referrers",
        "|   `-- .f_locals['cache'] in frame: <frame handle at app.py:12> [root: thread 'MainThread' handle() line 12] [chain 1]",
        "`-- <weakref> in ReferenceType: <weakref to Session> (weak)",
    ]


def test_text_without_chains_has_no_chain_lines(chain_graph):
    graph = dataclasses.replace(chain_graph, chains=[])

    assert render_text(graph).splitlines() == [
        "referrers of __main__.Session: <Session id=7> [6 objects, 6 edges, cut by the limits: referrers=12]",
        "|-- ['current'] in dict: dict of 3 items",
        "|   |-- .sessions in distributed.worker.Worker: <Worker 'tcp://127.0.0.1:8786'>",
        "|   |   |-- .worker in module: <module __main__> [root: module __main__]",
        "|   |   `-- ... +12 more referrers",
        "|   `-- .f_locals['cache'] in frame: <frame handle at app.py:12> [root: thread 'MainThread' handle() line 12]",
        "`-- <weakref> in ReferenceType: <weakref to Session> (weak)",
    ]


def test_text_ignores_node_and_edge_order(chain_graph, hostile_graph):
    for graph in (chain_graph, hostile_graph):
        expected = render_text(graph, max_lines=100)
        for seed in (1, 2, 3):
            assert render_text(shuffled(graph, seed), max_lines=100) == expected


def test_text_matches_model_to_text(chain_graph):
    assert chain_graph.to_text(max_lines=5) == render_text(chain_graph, max_lines=5)


def test_text_cut_says_how_many_lines(large_graph):
    text = render_text(large_graph, max_lines=10)
    lines = text.splitlines()

    assert len(lines) == 10
    assert lines[-1] == "... +293 more lines (max_lines=10)"


def test_text_lists_chain_hops_first(chain_graph):
    # Only the frame's chain is kept. By key order the Worker ("d2") would come
    # before the frame ("e2") and, with three lines of its own, use up max_lines.
    graph = dataclasses.replace(chain_graph, chains=chain_graph.chains[:1])

    lines = render_text(graph, max_lines=7).splitlines()

    assert lines[4] == "|-- ['current'] in dict: dict of 3 items [chain 1]"
    assert lines[5] == (
        "|   |-- .f_locals['cache'] in frame: <frame handle at app.py:12> "
        "[root: thread 'MainThread' handle() line 12] [chain 1]"
    )
    assert lines[-1] == "... +4 more lines (max_lines=7)"


def test_text_rejects_max_lines_below_two(chain_graph):
    with pytest.raises(ValueError, match="invalid max_lines 1"):
        render_text(chain_graph, max_lines=1)


def test_text_counts_cut_without_placeholder(chain_graph):
    nodes = [node for node in chain_graph.nodes if node.kind == "object"]
    edges = [edge for edge in chain_graph.edges if edge.kind != "more"]
    graph = dataclasses.replace(chain_graph, nodes=nodes, edges=edges)

    assert "|   |   `-- ... +12 more referrers" in render_text(graph).splitlines()


def test_text_marks_cycles_shown_above(chain_graph):
    edges = chain_graph.edges + [Edge("a0", "d2", ".worker", "attr")]
    graph = dataclasses.replace(chain_graph, edges=edges)

    lines = render_text(graph).splitlines()

    assert "|   |   |-- .worker in __main__.Session: <Session id=7> (shown above)" in lines


def test_text_of_both_directions(hostile_graph):
    lines = render_text(hostile_graph, max_lines=100).splitlines()

    assert lines[0].startswith("neighbourhood of evil.Payload: </script>")
    assert lines[1] == "referrers:"
    assert "referents:" in lines
    assert lines[-1] == "`-- ['</script><b>'] -> x.<b>Bold</b>: plain"


def test_text_keeps_one_line_per_edge(hostile_graph):
    text = render_text(hostile_graph, max_lines=100)

    assert "\x00" not in text
    assert "\u202e" not in text
    assert "|-- ['rtl_override'] in evil.Holder_rtl_override: user\\u202egnp.exe" in text.splitlines()
    assert "|-- ['lone_surrogate'] in evil.Holder_lone_surrogate: bad \\ud800 text" in text.splitlines()
    assert max(len(line) for line in text.splitlines()) < 250
    text.encode("utf-8")


def test_text_of_referents_walk():
    nodes = [
        Node("t", 1, "Config", "app", "app", "<Config>", 56, "target", 0),
        Node("d", 2, "dict", "builtins", "builtins", "dict of 2 items", 232, "referent", 1, cut_referents=4),
    ]
    graph = RefGraph(nodes=nodes, edges=[Edge("t", "d", ".__dict__", "attr")], target_key="t", direction="referents")

    assert render_text(graph).splitlines() == [
        "referents of app.Config: <Config> [2 objects, 1 edges]",
        "`-- .__dict__ -> dict: dict of 2 items",
        "    `-- ... +4 more referents",
    ]


# ---------------------------------------------------------------- why-alive chains


def chain_section(page: str) -> str:
    return section(page, '<section class="chains"', "</section>")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_chains_listed_before_graph(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer)
    chains = chain_section(page)

    assert page.index('<section class="chains"') < page.index('<main class="layout">')
    assert "Why it is alive: 2 shortest chains from a root to the target" in chains
    assert chains.count('<p class="hops">') == 2
    assert '<a href="#node-f3" class="hop-root" title="root: module">module __main__</a>' in chains
    assert '<code class="edge-label">.sessions</code> <a href="#node-b1">dict</a>' in chains
    assert '<a href="#node-a0" class="hop-target">Session</a>' in chains
    assert "module __main__.worker&lt;Worker&gt;.sessions[&#39;current&#39;] -&gt; &lt;Session id=7&gt;" in chains


def test_svg_draws_chain_hops_in_chain_colour(chain_graph):
    page = render_html(chain_graph, renderer="svg")
    chain_edges = re.findall(r'<g class="edge[^"]* chain chain-on" data-edge="(edge-\d+)">', page)
    chain_nodes = re.findall(r'<a href="#(node-\w+)" class="node[^"]* chain chain-on"', page)

    # Four hops: e2->b1 and b1->a0 on chain 1, f3->d2, d2->b1 and b1->a0 on chain 2.
    assert len(chain_edges) == 4
    assert sorted(chain_nodes) == ["node-a0", "node-b1", "node-d2", "node-e2", "node-f3"]
    assert page.count('<circle class="chain-halo"') == 5
    assert ".edge.chain.chain-on path { stroke: var(--chain)" in page


def test_canvas_data_lists_chains(chain_graph):
    data = json.loads(data_block(render_html(chain_graph, renderer="canvas")))
    info = data["page"]
    keys = [node["id"] for node in data["nodes"]]

    assert [[keys[index] for index in chain["nodes"]] for chain in info["chains"]] == [
        ["e2", "b1", "a0"],
        ["f3", "d2", "b1", "a0"],
    ]
    by_id = {edge["id"]: edge for edge in data["edges"]}
    first = info["chains"][0]["edges"]
    assert [(by_id[line]["from"], by_id[line]["to"]) for line in first] == [("e2", "b1"), ("b1", "a0")]
    assert info["nodes"][keys.index("b1")]["chains"] == [1, 2]
    assert keys[info["target"]] == "a0"


@pytest.mark.parametrize("renderer", RENDERERS)
def test_hidden_chain_hop_is_drawn(chain_graph, renderer):
    edges = [dataclasses.replace(edge, hidden=edge.target == "a0") for edge in chain_graph.edges]
    graph = dataclasses.replace(chain_graph, edges=edges)

    page = render_html(graph, renderer=renderer)

    # The weakref's edge stays hidden. The dict's edge is on both chains and is drawn.
    assert "Show 1 hidden edges of the target" in page
    info = json.loads(data_block(page))["page"]
    assert [edge["hidden"] for edge in info["edges"] if edge["chains"]] == [False] * 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"keys": ["e2", "zz", "a0"]}, "chain 1 names node key 'zz'"),
        ({"labels": [".x"]}, "chain 1 has 3 keys and 1 labels"),
        ({"keys": ["a0"], "labels": []}, "chain 1 has keys ['a0']"),
        ({"keys": ["f3", "b1", "a0"]}, "chain 1 takes the hop 'f3' -> 'b1'"),
    ],
)
def test_invalid_chain_raises_naming_value(chain_graph, change, message):
    chain = dict(chain_graph.chains[0], **change)
    graph = dataclasses.replace(chain_graph, chains=[chain])

    for renderer in RENDERERS:
        with pytest.raises(ValueError, match=re.escape(message)):
            render_html(graph, renderer=renderer)
    with pytest.raises(ValueError, match=re.escape(message)):
        render_text(graph)


def test_chain_reading_same_as_earlier_is_collapsed(chain_graph):
    graph = dataclasses.replace(chain_graph, chains=[chain_graph.chains[1], dict(chain_graph.chains[1])])

    chains = chain_section(render_html(graph, renderer="svg"))

    assert chains.count('<p class="hops">') == 1
    assert "Reads the same as chain 1, through other objects of the same types" in chains
    assert "(reads the same as chain 1, through other objects)" in render_text(graph)


def test_long_chain_lists_ends_only():
    count = 40
    nodes = [
        Node(f"n{index}", index, "Link", "app", "app", f"<Link {index}>", 56,
             "target" if index == count - 1 else "referrer", count - 1 - index,
             root_kind="module" if index == 0 else None, root_label="module app" if index == 0 else None)
        for index in range(count)
    ]
    edges = [Edge(f"n{index}", f"n{index + 1}", ".next", "attr") for index in range(count - 1)]
    chain = {"keys": [node.key for node in nodes], "labels": [".next"] * (count - 1), "root_kind": "module", "text": ""}
    graph = RefGraph(nodes=nodes, edges=edges, target_key=f"n{count - 1}", direction="referrers", chains=[chain])

    chains = chain_section(render_html(graph, renderer="svg"))

    assert chains.count('<span class="hop">') == 10
    assert "&hellip; 29 more hops &hellip;" in chains
    # A chain without recorded text is written from its hops.
    assert "module app.next&lt;Link&gt;.next&lt;Link&gt;" in chains


def test_no_chains_says_so(chain_graph):
    page = render_html(dataclasses.replace(chain_graph, chains=[]), renderer="svg")

    assert '<section class="chains"' not in page
    assert "This graph records no why-alive chain" in page


# ---------------------------------------------------------------- redaction of keys and hosts


@pytest.mark.parametrize(
    ("label", "kind", "expected"),
    [
        ("['session-token']", "item", REDACTED_KEY),
        ("[('user', 42)]", "item", REDACTED_KEY),
        ("[3]", "index", "[3]"),
        ("[12]", "item", "[12]"),
        (".in_flight_tasks", "attr", ".in_flight_tasks"),
        (".f_locals['cache']", "local", ".f_locals['cache']"),
        ("closure variable 'handler'", "closure", "closure variable 'handler'"),
        ("key", "key", "key"),
        ("<weakref>", "weakref", "<weakref>"),
        ("odd 'quoted' label", "other", REDACTED_LABEL),
    ],
)
def test_redact_label_hides_keys_only(label, kind, expected):
    assert redact_label(label, kind) == expected


@pytest.mark.parametrize("renderer", RENDERERS)
def test_redact_hides_keys_host_and_chain_reprs(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer, redact=True)
    text = html.unescape(page)

    # vis-network's own source contains the word "current", so the quoted key is searched for.
    assert "'current'" not in text
    assert "'current'" not in json.dumps(json.loads(data_block(page)))
    assert "build-host" not in text
    assert "pid 4242 on host (redacted)" in text
    assert ".f_locals['cache']" in text
    assert ".sessions" in text
    assert "module __main__.worker<Worker>.sessions[\u2026] -> Session" in text
    assert "thread 'MainThread' handle() line 12.f_locals['cache'][\u2026] -> Session" in text


def test_redacted_chain_after_key_hop(chain_graph):
    nodes = chain_graph.nodes
    edges = [Edge("b1", "a0", "key", "key") if edge.target == "a0" and edge.source == "b1" else edge
             for edge in chain_graph.edges]
    chains = [dict(chain, labels=chain["labels"][:-1] + ["key"]) for chain in chain_graph.chains]
    graph = dataclasses.replace(chain_graph, nodes=nodes, edges=edges, chains=chains)

    lines = render_text(graph, redact=True).splitlines()

    assert "  2. module __main__.worker<Worker>.sessions key -> Session" in lines


@pytest.mark.parametrize("output_name", ["graph.txt", "graph.html"])
def test_cli_render_redacts(chain_graph, tmp_path, capsys, output_name):
    source = tmp_path / "graph.json"
    source.write_text(chain_graph.to_json(), encoding="utf-8")
    output = tmp_path / output_name

    assert cli_main(["render", str(source), "-o", str(output), "--redact"]) == 0

    written = output.read_text(encoding="utf-8")
    assert "Session id=7" not in written
    assert "'current'" not in html.unescape(written)
    assert capsys.readouterr().out == f"{output}\n"


def test_text_redact_matches_html(chain_graph):
    text = render_text(chain_graph, redact=True)

    assert "<Session id=7>" not in text
    assert "current" not in text
    assert "  2. module __main__.worker<Worker>.sessions[\u2026] -> Session" in text.splitlines()
    assert "|-- [\u2026] in dict: dict [chains 1, 2]" in text.splitlines()
    assert chain_graph.to_text(redact=True) == text


# ---------------------------------------------------------------- table, badges, controls


@pytest.mark.parametrize("renderer", RENDERERS)
def test_table_lists_every_node(chain_graph, hostile_graph, renderer):
    for graph in (chain_graph, hostile_graph):
        page = render_html(graph, renderer=renderer)
        table = section(page, '<table class="objects">', "</table>")

        assert table.count("<tr") == len(graph.nodes) + 1
        assert table.count('<th scope="col">') == 9
        assert "<script" not in table

    table = section(render_html(chain_graph, renderer=renderer), '<table class="objects">', "</table>")
    assert '<tr class="target">\n<td>1</td>\n<th scope="row"><a href="#node-a0"><code>__main__.Session</code></a></th>' in table
    assert "<td>target; chain 1, 2</td>" in table
    assert "+12 more referrers</td>" in table


def test_svg_badges_on_cut_nodes(chain_graph, large_graph):
    for graph in (chain_graph, large_graph):
        page = render_html(graph, renderer="svg")
        cut = sum(1 for node in graph.nodes if node.kind == "object" and node.cut_referrers + node.cut_referents)

        assert page.count('<g class="badge">') == cut
    assert ">+7 more</text>" in page


def test_canvas_badges_in_data(chain_graph):
    data = json.loads(data_block(render_html(chain_graph, renderer="canvas")))
    badges = {data["nodes"][index]["id"]: node["badge"] for index, node in enumerate(data["page"]["nodes"])}

    assert {key: badge for key, badge in badges.items() if badge} == {"d2": "+12 more"}


@pytest.mark.parametrize("renderer", RENDERERS)
def test_script_controls_hidden_without_script(chain_graph, renderer):
    page = render_html(chain_graph, renderer=renderer)

    assert '<div class="toolbar" data-needs-script hidden>' in page
    assert '<div class="chain-picker" data-needs-script hidden>' in page
    assert "[hidden] { display: none !important; }" in page


@pytest.mark.parametrize(("renderer", "advice"), [("canvas", 'renderer="svg"'), ("svg", 'renderer="canvas"')])
def test_page_explains_renderer_choice(chain_graph, renderer, advice):
    note = section(render_html(chain_graph, renderer=renderer), '<p class="renderer-note">', "</p>")

    assert f"<strong>{renderer}</strong> renderer" in note
    assert "about 50 nodes" in note
    assert advice in html.unescape(note)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_pre_keeps_leading_newline(chain_graph, renderer):
    nodes = [dataclasses.replace(chain_graph.nodes[0], repr="\nafter a newline")] + chain_graph.nodes[1:]
    page = render_html(dataclasses.replace(chain_graph, nodes=nodes), renderer=renderer)

    # The HTML parser drops the first newline after <pre>, so the template writes one of its own.
    assert '<pre class="repr">\n\nafter a newline</pre>' in page
    assert '<pre class="target-repr">\n\nafter a newline</pre>' in page


# ---------------------------------------------------------------- canvas layout


def test_radial_layout_places_every_node(large_graph):
    page = build_page(large_graph, redact=False)

    positions = radial_layout(page.nodes, page.drawn_edges, page.target.key)

    assert set(positions) == {view.key for view in page.nodes}
    assert positions[page.target.key] == (0.0, 0.0)
    assert len(set(positions.values())) == len(positions)
    assert positions == radial_layout(page.nodes, page.drawn_edges, page.target.key)


def test_canvas_nodes_start_on_radial_layout(chain_graph):
    data = json.loads(data_block(render_html(chain_graph, renderer="canvas")))

    assert all(isinstance(node["x"], float) and isinstance(node["y"], float) for node in data["nodes"])
    assert data["options"]["layout"]["improvedLayout"] is False


def test_canvas_iterations_drop_for_large_graphs():
    small = vis_options(50)["physics"]["stabilization"]["iterations"]
    large = vis_options(1000)["physics"]["stabilization"]["iterations"]

    assert (small, large) == (SMALL_GRAPH_ITERATIONS, LARGE_GRAPH_ITERATIONS)
    assert large < small


# ---------------------------------------------------------------- summary for repr


def test_summary_names_target_holders_and_chain(chain_graph):
    lines = summary_text(chain_graph).splitlines()

    assert lines == [
        "<RefGraph referrers of __main__.Session <Session id=7>: 7 nodes, 6 edges, 12 cut by the limits",
        "  cut by the limits: referrers=12",
        "  held by: ['current'] in dict; <weakref> in ReferenceType (weak)",
        "  why alive (+1 more in .chains): thread 'MainThread' handle() line 12.f_locals['cache']['current'] -> <Session id=7>",
        "  .to_text() prints the tree, .show() opens the HTML page in a browser>",
    ]
    assert repr(chain_graph) == summary_text(chain_graph)


def test_summary_of_referents_walk():
    nodes = [
        Node("t", 1, "Config", "app", "app", "<Config>", 56, "target", 0),
        Node("d", 2, "dict", "builtins", "builtins", "dict of 2 items", 232, "referent", 1),
    ]
    graph = RefGraph(nodes=nodes, edges=[Edge("t", "d", ".__dict__", "attr")], target_key="t", direction="referents")

    lines = summary_text(graph).splitlines()

    assert lines[0] == "<RefGraph referents of app.Config <Config>: 2 nodes, 1 edges"
    assert lines[1:3] == ["  cut by the limits: nothing", "  holds: .__dict__ -> dict"]
    assert not any("why alive" in line for line in lines)


def test_summary_is_short_and_safe(hostile_graph):
    text = summary_text(hostile_graph)

    assert len(text.splitlines()) <= 6
    assert max(len(line) for line in text.splitlines()) < 300
    assert "\x00" not in text
    assert "\u202e" not in text
    text.encode("utf-8")


def test_summary_of_broken_graph_does_not_raise(chain_graph):
    missing_target = dataclasses.replace(chain_graph, target_key="zz")
    bad_chain = dataclasses.replace(chain_graph, chains=[{"keys": ["zz", "a0"], "labels": [".x"]}])

    assert summary_text(missing_target) == "<RefGraph referrers of a missing target 'zz': 7 nodes, 6 edges>"
    assert "  chains: not shown, invalid graph: chain 1 names node key 'zz'" in summary_text(bad_chain)
