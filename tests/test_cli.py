"""The command line: `refgraph render`, its errors, and `python -m refgraph`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import refgraph
from refgraph.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOLDERS: list = []


@pytest.fixture
def saved_graph(tmp_path):
    target = object()
    HOLDERS.append([target])
    path = tmp_path / "graph.json"
    path.write_text(refgraph.graph(target).to_json(), encoding="utf-8")
    yield path
    HOLDERS.clear()


def test_render_prints_text_tree(saved_graph, capsys):
    assert main(["render", str(saved_graph)]) == 0

    output = capsys.readouterr().out
    assert output.startswith("referrers of object")
    assert ".HOLDERS" in output


@pytest.mark.parametrize("renderer", ["canvas", "svg"])
def test_render_writes_html(saved_graph, tmp_path, renderer, capsys):
    output = tmp_path / "page.html"

    assert main(["render", str(saved_graph), "-o", str(output), "--renderer", renderer]) == 0

    assert output.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert capsys.readouterr().out.strip() == str(output)


def test_render_missing_file(tmp_path, capsys):
    missing = tmp_path / "absent.json"

    assert main(["render", str(missing)]) == 1

    assert f"input file not found: {missing}" in capsys.readouterr().err


def test_render_rejects_non_graph_json(tmp_path, capsys):
    path = tmp_path / "other.json"
    path.write_text('{"format_version": 7}', encoding="utf-8")

    assert main(["render", str(path)]) == 1

    assert "is not a refgraph JSON file" in capsys.readouterr().err


def test_render_rejects_unknown_extension(saved_graph, tmp_path, capsys):
    assert main(["render", str(saved_graph), "-o", str(tmp_path / "page.pdf")]) == 2

    assert "unsupported output extension '.pdf'" in capsys.readouterr().err


def test_module_entry_point_piped_to_head(saved_graph):
    # `head -1` closes the pipe after one line; the command must not print a traceback.
    completed = subprocess.run(
        f"{sys.executable} -m refgraph render {saved_graph} | head -1",
        shell=True, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )

    assert completed.stdout.startswith("referrers of object")
    assert "Traceback" not in completed.stderr


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"refgraph {refgraph.__version__}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "expected an object at the top level, found list"),
        ('{"a": 1}', "missing format_version"),
        ('{"format_version": 1}', "missing field nodes, edges, target_key, direction"),
        ("", "not JSON"),
    ],
)
def test_render_explains_invalid_json(tmp_path, capsys, content, message):
    path = tmp_path / "graph.json"
    path.write_text(content, encoding="utf-8")

    assert main(["render", str(path)]) == 1

    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error


def test_render_input_is_directory(tmp_path, capsys):
    assert main(["render", str(tmp_path)]) == 1

    assert f"cannot read {tmp_path}" in capsys.readouterr().err


def test_render_output_folder_missing(saved_graph, tmp_path, capsys):
    output = tmp_path / "missing" / "page.html"

    assert main(["render", str(saved_graph), "-o", str(output)]) == 1

    assert f"cannot write {output}" in capsys.readouterr().err
