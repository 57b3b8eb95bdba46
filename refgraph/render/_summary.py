"""The page header and the legend: facts about the walk and one entry per library."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from refgraph.model import Edge, Node, RefGraph
from refgraph.render import _display
from refgraph.render._palette import library_colours
from refgraph.render._redact import REDACTED_HOST


@dataclass(frozen=True)
class LegendEntry:
    """One library in the legend, with its colour and number of nodes."""

    library: str
    colour: str
    count: int


def format_value(value: Any) -> str:
    """Format an option or statistic for the header, sorting sets and the keys of dicts."""
    if isinstance(value, (set, frozenset)):
        value = sorted(str(item) for item in value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return str(value)


def _format_mapping(mapping: dict[str, Any]) -> str:
    return ", ".join(f"{key}={format_value(mapping[key])}" for key in sorted(mapping, key=str))


def header_facts(
    graph: RefGraph, nodes: list[Node], edges: list[Edge], *, redact: bool = False
) -> tuple[tuple[str, str], ...]:
    """Return the (term, value) pairs of the page header, in display order.

    With `redact`, the host name is replaced by a marker, because internal
    host names are among the details that should not leave with a report.
    """
    objects = sum(1 for node in nodes if node.kind == "object")
    placeholders = len(nodes) - objects
    weak = sum(1 for edge in edges if edge.weak)
    hidden = sum(1 for edge in edges if edge.hidden)
    cut = {side: count for side, count in graph.cut.items() if count}

    facts = [
        ("Direction", graph.direction),
        ("Nodes", f"{objects} objects, {placeholders} \u201c+N more\u201d placeholders"),
        ("Edges", f"{len(edges)} edges ({weak} weak, {hidden} hidden)"),
        ("Cut by the limits", _format_mapping(cut) if cut else "nothing"),
    ]
    if graph.options:
        facts.append(("Options", _format_mapping(graph.options)))
    facts += [
        ("Python", graph.python_version or "unknown"),
        ("Process", f"pid {graph.pid} on {_host_name(graph, redact)}"),
        ("Created", graph.created or "unknown"),
        ("Walk took", f"{graph.duration_seconds:.3f} s"),
    ]
    if graph.stats:
        facts.append(("Stats", _format_mapping(graph.stats)))

    return tuple((term, _display.detail_text(value)) for term, value in facts)


def _host_name(graph: RefGraph, redact: bool) -> str:
    if redact:
        return f"host {REDACTED_HOST}"
    return graph.hostname or "unknown host"


def legend_entries(nodes: list[Node]) -> tuple[LegendEntry, ...]:
    """Return one legend entry per library of the object nodes, sorted by library name."""
    libraries = [node.library for node in nodes if node.kind == "object"]
    colours = library_colours(libraries)
    return tuple(
        LegendEntry(library=_display.detail_text(library), colour=colours[library], count=libraries.count(library))
        for library in sorted(colours)
    )
