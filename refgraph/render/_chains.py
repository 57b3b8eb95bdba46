"""The why-alive chains of a graph, ready to list on a page and to mark in its drawing and text.

`RefGraph.chains` records each shortest root-to-target chain as node keys
from the root to the target and one edge label per hop. These helpers check
those records against the graph and turn them into display-ready values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from refgraph.model import Node, RefGraph
from refgraph.render import _display
from refgraph.render._redact import shown_label

#: Hops listed one by one in a chain at the top of a page. A longer chain
#: shows its first and last hops around a "… N more hops …" marker.
MAX_LISTED_HOPS = 12

# Hops kept at each end of a chain longer than MAX_LISTED_HOPS.
_HEAD_HOPS = 4
_TAIL_HOPS = 6

_SPACE_RUN = re.compile(" {2,}")


@dataclass(frozen=True)
class ChainRecord:
    """One checked entry of `RefGraph.chains`: node keys from root to target and the label of each hop."""

    keys: tuple[str, ...]
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    root_kind: str
    text: str


@dataclass(frozen=True)
class ChainHop:
    """One step of a listed chain: the reference followed and the object it leads to."""

    label: str
    anchor: str
    type_name: str
    is_target: bool


@dataclass(frozen=True)
class ChainView:
    """One why-alive chain as the page lists it.

    `same_as` is the number of an earlier chain that reads the same, hop for
    hop, through other objects of the same types (such as two keys of one
    cache), or 0.
    """

    number: int
    root_kind: str
    root_anchor: str
    root_text: str
    hops: tuple[ChainHop, ...]
    skipped_hops: int
    skipped_after: int
    text: str
    keys: tuple[str, ...]
    same_as: int


def chain_records(graph: RefGraph) -> tuple[ChainRecord, ...]:
    """Check `graph.chains` and return one record per chain, in the graph's order.

    Raises ValueError, naming the chain and the value, for a chain with
    fewer than two keys or not one label per hop. It also raises for a chain
    that names a node key missing from the graph or takes a hop that no edge
    of the graph makes.
    """
    keys_in_graph = {node.key for node in graph.nodes}
    pairs = {(edge.source, edge.target) for edge in graph.edges}
    kinds = {(edge.source, edge.target, edge.label): edge.kind for edge in graph.edges}

    records = []
    for number, chain in enumerate(graph.chains, start=1):
        keys = tuple(str(key) for key in _field(chain, "keys", number))
        labels = tuple(str(label) for label in _field(chain, "labels", number))
        if len(keys) < 2:
            raise ValueError(
                f"invalid graph: chain {number} has keys {list(keys)!r}; a chain needs a root and a target"
            )
        if len(labels) != len(keys) - 1:
            raise ValueError(
                f"invalid graph: chain {number} has {len(keys)} keys and {len(labels)} labels; "
                f"it needs one label per hop, {len(keys) - 1}"
            )
        for key in keys:
            if key not in keys_in_graph:
                raise ValueError(
                    f"invalid graph: chain {number} names node key {key!r}, which is not in graph.nodes"
                )
        for holder, held in zip(keys, keys[1:]):
            if (holder, held) not in pairs:
                raise ValueError(
                    f"invalid graph: chain {number} takes the hop {holder!r} -> {held!r}, "
                    f"which no edge in graph.edges makes"
                )

        hop_kinds = tuple(
            kinds.get((holder, held, label), "other") for holder, held, label in zip(keys, keys[1:], labels)
        )
        records.append(
            ChainRecord(
                keys=keys,
                labels=labels,
                kinds=hop_kinds,
                root_kind=str(chain.get("root_kind") or ""),
                text=str(chain.get("text") or ""),
            )
        )
    return tuple(records)


def _field(chain: Any, name: str, number: int) -> list[Any]:
    if not isinstance(chain, dict) or not isinstance(chain.get(name), (list, tuple)):
        raise ValueError(f"invalid graph: chain {number} has no {name!r} list; each chain is a dict with keys and labels")
    return list(chain[name])


def shown_repr(node: Node, redact: bool) -> str:
    """Return the repr to show for `node`: its own, or its type name when redacting."""
    if redact and node.kind == "object":
        return node.type_name
    return node.repr


def root_text(node: Node, redact: bool) -> str:
    """Return how a chain names its first node: the root label, such as "module app", or else its repr."""
    return node.root_label or shown_repr(node, redact)


def chain_text(record: ChainRecord, by_key: dict[str, Node], target_key: str, redact: bool) -> str:
    """Return the one-line text of a chain, as ``print(chain)`` writes it.

    Without redaction this is the text the walk recorded. With redaction, or
    when the record has no text, the line is rebuilt from type names and
    redacted labels in the same form: the root, then each hop's label with
    the ``<Type>`` it leads to, then ``-> `` and the target.
    """
    if record.text and not redact:
        return record.text

    parts = [root_text(by_key[record.keys[0]], redact)]
    for key, label, kind in zip(record.keys[1:], record.labels, record.kinds):
        node = by_key[key]
        label = shown_label(label, kind, redact)
        # Labels that are not access syntax ("key", "set member") stand apart with spaces.
        hop = label if label.startswith((".", "[")) else f" {label} "
        if node.kind == "object" and node.library != "builtins" and key != target_key:
            hop += f"<{node.type_name}>"
        parts.append(hop)
    text = _SPACE_RUN.sub(" ", "".join(parts)).rstrip()
    return f"{text} -> {shown_repr(by_key[target_key], redact)}"


def _listed_hops(hops: list[ChainHop]) -> tuple[tuple[ChainHop, ...], int, int]:
    """Return the hops to list, how many are left out and after which listed hop."""
    if len(hops) <= MAX_LISTED_HOPS:
        return tuple(hops), 0, 0
    skipped = len(hops) - _HEAD_HOPS - _TAIL_HOPS
    return tuple(hops[:_HEAD_HOPS] + hops[-_TAIL_HOPS:]), skipped, _HEAD_HOPS


def chain_views(
    graph: RefGraph, records: tuple[ChainRecord, ...], anchors: dict[str, str], redact: bool
) -> tuple[ChainView, ...]:
    """Return the display-ready chains of a page, numbered from 1."""
    by_key = {node.key: node for node in graph.nodes}
    views = []
    first_with_text: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    for number, record in enumerate(records, start=1):
        hops = [
            ChainHop(
                label=_display.label_text(shown_label(label, kind, redact), _display.MAX_EDGE_LABEL_CHARS),
                anchor=anchors[key],
                type_name=_display.label_text(by_key[key].type_name, _display.MAX_EDGE_LABEL_CHARS),
                is_target=key == graph.target_key,
            )
            for key, label, kind in zip(record.keys[1:], record.labels, record.kinds)
        ]
        listed, skipped, skipped_after = _listed_hops(hops)
        root = by_key[record.keys[0]]
        # Anchors differ between chains through different objects, so they are left out of the comparison.
        reading = (root_text(root, redact), tuple((hop.label, hop.type_name) for hop in hops))
        same_as = first_with_text.setdefault(reading, number)
        views.append(
            ChainView(
                number=number,
                root_kind=_display.label_text(record.root_kind or root.root_kind or "no root"),
                root_anchor=anchors[root.key],
                root_text=_display.label_text(root_text(root, redact), 60),
                hops=listed,
                skipped_hops=skipped,
                skipped_after=skipped_after,
                text=_display.detail_text(chain_text(record, by_key, graph.target_key, redact)),
                keys=record.keys,
                same_as=0 if same_as == number else same_as,
            )
        )
    return tuple(views)


def chain_numbers(records: tuple[ChainRecord, ...]) -> tuple[dict[str, tuple[int, ...]], dict[tuple[str, str], tuple[int, ...]]]:
    """Map each node key and each (holder, held) hop to the numbers of the chains through it."""
    nodes: dict[str, list[int]] = {}
    hops: dict[tuple[str, str], list[int]] = {}
    for number, record in enumerate(records, start=1):
        for key in record.keys:
            if number not in nodes.setdefault(key, []):
                nodes[key].append(number)
        for hop in zip(record.keys, record.keys[1:]):
            if number not in hops.setdefault(hop, []):
                hops[hop].append(number)
    return (
        {key: tuple(numbers) for key, numbers in nodes.items()},
        {hop: tuple(numbers) for hop, numbers in hops.items()},
    )
