"""Tests of refgraph.show, the notebook output of RefGraph._repr_html_ and the repr of a real walk.

`webbrowser.open` is replaced in every test that could reach it, so no test
opens a browser on the machine that runs the suite.
"""

from __future__ import annotations

import dataclasses
import html
import re
import webbrowser
from pathlib import Path

import markupsafe
import pytest

import refgraph
from refgraph import display
from refgraph.model import Node, RefGraph
from refgraph.render import render_html

IFRAME = re.compile(r'<iframe sandbox="([^"]*)" srcdoc="([^"]*)"')


class Holder:
    """An object for `show` to walk, held by the module-level dict below."""


HOLDERS: dict[str, object] = {}


@pytest.fixture
def opened(monkeypatch):
    """Replace webbrowser.open, returning True, and record every URL it was asked to open."""
    urls: list[str] = []

    def fake_open(url: str, new: int = 0) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    return urls


@pytest.fixture
def desktop(monkeypatch):
    """Pretend to run on a Linux desktop: DISPLAY is set and BROWSER is not."""
    monkeypatch.setattr(display.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("BROWSER", raising=False)


@pytest.fixture
def headless(monkeypatch):
    """Pretend to run on a Linux machine without a display."""
    monkeypatch.setattr(display.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("BROWSER", raising=False)


# ---------------------------------------------------------------- show


def test_show_opens_page_on_desktop(chain_graph, tmp_path, desktop, opened, capsys):
    path = refgraph.show(chain_graph, path=tmp_path / "page.html")

    assert path == tmp_path / "page.html"
    assert path.read_text(encoding="utf-8") == render_html(chain_graph)
    assert opened == [path.resolve().as_uri()]
    assert capsys.readouterr().out == ""


def test_show_prints_path_when_headless(chain_graph, headless, opened, capsys):
    path = refgraph.show(chain_graph, renderer="svg")

    try:
        assert opened == []
        assert path.name.startswith("refgraph-")
        assert path.suffix == ".html"
        assert path.read_text(encoding="utf-8") == render_html(chain_graph, renderer="svg")
        output = capsys.readouterr().out
        assert f"refgraph: wrote {path}, but no display is available" in output
        assert "neither DISPLAY nor WAYLAND_DISPLAY is set" in output
    finally:
        path.unlink()


def test_show_tries_browser_named_in_browser_variable(chain_graph, tmp_path, headless, opened, monkeypatch):
    monkeypatch.setenv("BROWSER", "firefox")

    path = refgraph.show(chain_graph, path=tmp_path / "page.html")

    assert opened == [path.resolve().as_uri()]


def test_show_reports_browser_not_found(chain_graph, tmp_path, desktop, monkeypatch, capsys):
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: False)

    path = refgraph.show(chain_graph, path=tmp_path / "page.html")

    assert path.is_file()
    assert "webbrowser module found no browser" in capsys.readouterr().out


def test_show_reports_browser_error(chain_graph, tmp_path, desktop, monkeypatch, capsys):
    def broken_open(url: str, new: int = 0) -> bool:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "open", broken_open)

    refgraph.show(chain_graph, path=tmp_path / "page.html")

    assert "opening a web browser failed (could not locate runnable browser)" in capsys.readouterr().out


def test_show_without_opening(chain_graph, tmp_path, desktop, opened, capsys):
    path = refgraph.show(chain_graph, path=tmp_path / "page.html", open_browser=False)

    assert opened == []
    assert capsys.readouterr().out == f"refgraph: wrote {path}\n"


def test_show_walks_live_object(tmp_path, headless, opened):
    target = Holder()
    HOLDERS["shown"] = target

    path = refgraph.show(target, path=tmp_path / "live.html", max_nodes=5, redact=False)

    page = path.read_text(encoding="utf-8")
    assert "tests.test_display.Holder" in page
    assert "[&#39;shown&#39;]" in page
    # show() walks from its own frame, which the walk leaves out.
    assert "display.py" not in page
    del HOLDERS["shown"]


def test_show_rejects_options_with_graph(chain_graph, tmp_path, opened):
    with pytest.raises(TypeError, match=r"graph options \(max_depth, max_nodes\) with a RefGraph"):
        refgraph.show(chain_graph, path=tmp_path / "page.html", max_nodes=5, max_depth=2)

    assert not (tmp_path / "page.html").exists()


def test_show_rejects_unknown_renderer(chain_graph, tmp_path, opened):
    with pytest.raises(ValueError, match="invalid renderer 'png'"):
        refgraph.show(chain_graph, path=tmp_path / "page.html", renderer="png")

    assert not (tmp_path / "page.html").exists()
    assert opened == []


def test_graph_show_method_redacts(chain_graph, tmp_path, desktop, opened):
    path = chain_graph.show(renderer="svg", redact=True, path=str(tmp_path / "page.html"))

    assert Path(path).read_text(encoding="utf-8") == render_html(chain_graph, renderer="svg", redact=True)
    assert opened == [Path(path).resolve().as_uri()]


@pytest.mark.parametrize(
    ("platform", "variables", "expected"),
    [
        ("linux", {}, "no display is available"),
        ("linux", {"DISPLAY": ":0"}, ""),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, ""),
        ("linux", {"BROWSER": "w3m"}, ""),
        ("freebsd14", {}, "no display is available"),
        ("darwin", {}, ""),
        ("win32", {}, ""),
    ],
)
def test_display_problem_by_platform(monkeypatch, platform, variables, expected):
    monkeypatch.setattr(display.sys, "platform", platform)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    assert display.display_problem().startswith(expected)
    assert bool(display.display_problem()) == bool(expected)


# ---------------------------------------------------------------- notebook output


def frame_of(output: str) -> tuple[str, str]:
    """Return the sandbox attribute and the unescaped srcdoc of the one iframe in a notebook output."""
    frames = IFRAME.findall(output)
    assert len(frames) == 1
    sandbox, srcdoc = frames[0]
    return sandbox, html.unescape(srcdoc)


def test_repr_html_embeds_page_in_sandboxed_frame(chain_graph):
    output = chain_graph._repr_html_()
    sandbox, page = frame_of(output)

    assert sandbox == "allow-scripts"
    assert page == render_html(chain_graph, renderer="svg")
    assert output == display.notebook_html(chain_graph)


def test_notebook_output_has_no_markup_outside_frame(hostile_graph, hostile_reprs):
    output = display.notebook_html(hostile_graph, renderer="canvas")
    _, page = frame_of(output)

    # Every script of the page is inside the srcdoc attribute, escaped.
    assert "<script" not in output
    assert "<img" not in output
    assert output.count("<iframe") == 1
    assert page == render_html(hostile_graph, renderer="canvas")
    assert str(markupsafe.escape(hostile_reprs["script"])) in page


def test_notebook_renderer_follows_graph_size(chain_graph, large_graph):
    assert 'name="generator" content="refgraph (svg renderer)"' in frame_of(display.notebook_html(chain_graph))[1]
    assert 'name="generator" content="refgraph (canvas renderer)"' in frame_of(display.notebook_html(large_graph))[1]
    redacted = frame_of(display.notebook_html(chain_graph, renderer="canvas", redact=True))[1]
    assert redacted == render_html(chain_graph, renderer="canvas", redact=True)


def test_notebook_static_summary(chain_graph, large_graph):
    output = display.notebook_html(chain_graph)
    static = output[output.index('<div class="refgraph-static">') :]

    assert "<style>.refgraph-output iframe + .refgraph-static { display: none; }</style>" in output
    assert re.search(r"</iframe>\s*<div class=\"refgraph-static\">", output)
    assert "Scripts do not run in this output" in static
    assert "module __main__.worker&lt;Worker&gt;.sessions" in static
    assert static.count("<tr>") == len(chain_graph.nodes) + 1

    large = display.notebook_html(large_graph)
    large_static = large[large.index('<div class="refgraph-static">') :]
    assert large_static.count("<tr>") == display.NOTEBOOK_TABLE_MAX_ROWS + 1
    assert "200 more objects are listed on the full page." in large_static


def test_notebook_output_is_deterministic(chain_graph):
    assert display.notebook_html(chain_graph) == display.notebook_html(chain_graph)


# ---------------------------------------------------------------- repr of a real walk


def test_repr_of_walk_names_holder_and_chain():
    target = Holder()
    HOLDERS["repr"] = target

    lines = repr(refgraph.graph(target, max_nodes=20)).splitlines()

    assert re.fullmatch(r"<RefGraph referrers of tests.test_display.Holder <Holder at 0x[0-9a-f]+>: \d+ nodes, \d+ edges",
                        lines[0])
    assert "  held by: ['repr'] in dict" in lines
    why = [line for line in lines if line.startswith("  why alive")]
    assert len(why) == 1
    assert why[0].startswith("  why alive: module tests.test_display.HOLDERS['repr'] -> <Holder at 0x")
    assert lines[-1].endswith(">")
    del HOLDERS["repr"]


def test_repr_clips_huge_target_repr(chain_graph):
    nodes = [dataclasses.replace(chain_graph.nodes[0], repr="x" * 100_000)] + chain_graph.nodes[1:]
    graph = dataclasses.replace(chain_graph, nodes=nodes)

    text = repr(graph)

    assert len(text) < 2_000
    assert isinstance(graph.nodes[0], Node) and isinstance(graph, RefGraph)
