"""Command line: ``refgraph demo`` and ``refgraph render``.

`main(argv)` returns the exit code: 0 on success, 1 when the work failed,
2 for invalid usage (argparse's convention).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from refgraph import __version__

_RENDERERS = ("canvas", "svg")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refgraph",
        description="Show who holds a Python object, and through what.",
    )
    parser.add_argument("--version", action="version", version=f"refgraph {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="reproduce a real dask.distributed leak and write an HTML report of it",
        description=(
            "Start an in-process dask.distributed cluster, retire a worker whose work was "
            "stolen, print why its WorkerState is still alive, and write an HTML report."
        ),
    )
    demo.add_argument("--renderer", choices=_RENDERERS, default="canvas",
                      help="HTML renderer: canvas for large graphs, svg for arrows and labels (default: canvas)")
    demo.add_argument("-o", "--output", metavar="FILE", default="refgraph-demo.html",
                      help="path of the HTML report to write (default: refgraph-demo.html)")
    demo.add_argument("--open", action="store_true", dest="open_browser",
                      help="open the report in a web browser afterwards")
    demo.add_argument("--redact", action="store_true",
                      help="in the HTML report, replace every object repr with its type name and hide dict keys "
                           "in edge labels and the host name; the terminal output is not redacted")

    render = commands.add_parser(
        "render",
        help="render a graph saved with RefGraph.to_json() as HTML or text",
        description="Render a graph saved as JSON, for example by a worker process, as HTML or text.",
    )
    render.add_argument("input", metavar="GRAPH.json", help="path of a JSON file written by RefGraph.to_json()")
    render.add_argument("-o", "--output", metavar="FILE",
                        help="path to write; the format follows the extension (.html or .txt); default: print text")
    render.add_argument("--renderer", choices=_RENDERERS, default="canvas",
                        help="HTML renderer when writing .html (default: canvas)")
    render.add_argument("--redact", action="store_true",
                        help="replace every object repr with its type name and hide dict keys in edge labels "
                             "and the host name, for reports shared outside (HTML and text)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = _build_parser()
    arguments = parser.parse_args(argv)

    try:
        if arguments.command == "demo":
            return _run_demo(arguments)
        if arguments.command == "render":
            return _run_render(arguments)
    except BrokenPipeError:
        # The reader closed the pipe early, as `refgraph render g.json | head` does.
        # Point stdout at devnull so that flushing it at exit raises nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    parser.print_help()
    return 2


def _run_demo(arguments: argparse.Namespace) -> int:
    from refgraph.examples import dask_worker_leak

    return dask_worker_leak.run(
        renderer=arguments.renderer,
        output=arguments.output,
        open_browser=arguments.open_browser,
        redact=arguments.redact,
    )


def _run_render(arguments: argparse.Namespace) -> int:
    from refgraph.model import RefGraph

    try:
        with open(arguments.input, encoding="utf-8") as handle:
            graph = RefGraph.from_json(handle.read())
    except FileNotFoundError:
        print(f"refgraph: input file not found: {arguments.input}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"refgraph: cannot read {arguments.input}: {error.strerror or error}", file=sys.stderr)
        return 1
    except (ValueError, UnicodeDecodeError) as error:
        print(f"refgraph: {arguments.input} is not a refgraph JSON file: {error}", file=sys.stderr)
        return 1

    if arguments.output is None:
        print(graph.to_text(redact=arguments.redact))
        return 0

    extension = os.path.splitext(arguments.output)[1].lower()
    if extension not in (".html", ".htm", ".txt"):
        print(f"refgraph: unsupported output extension {extension!r} in {arguments.output}: use .html or .txt",
              file=sys.stderr)
        return 2
    try:
        if extension == ".txt":
            with open(arguments.output, "w", encoding="utf-8") as handle:
                handle.write(graph.to_text(redact=arguments.redact) + "\n")
        else:
            graph.to_html(arguments.output, renderer=arguments.renderer, redact=arguments.redact)
    except OSError as error:
        print(f"refgraph: cannot write {arguments.output}: {error.strerror or error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"refgraph: {arguments.input} is not a refgraph JSON file: {error}", file=sys.stderr)
        return 1
    print(arguments.output)
    return 0
