"""Layered layout for the SVG renderer, computed in Python with networkx.

The target sits in column 0. Every other node sits in the column of its
distance from the target: referrers to the left (negative columns), referents
to the right, so every arrow from holder to held points rightwards along a
reference chain. Within a column, nodes are ordered by the mean row of their
neighbours one column closer to the target, which keeps chains straight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx

from refgraph.render._page import DrawnEdge, NodeView

#: Horizontal distance between the centres of two columns, in pixels.
COLUMN_WIDTH = 240

#: Vertical distance between the centres of two nodes in one column, in pixels.
ROW_HEIGHT = 96

#: Space around the drawing. The horizontal margin leaves room for half a label.
MARGIN_X = 120
MARGIN_Y = 50


@dataclass(frozen=True)
class Layout:
    """Node centres in pixels, each node's column and the size of the drawing."""

    positions: dict[str, tuple[float, float]]
    columns: dict[str, int]
    width: int
    height: int


def _distance_graph(nodes: Sequence[NodeView], edges: Sequence[DrawnEdge]) -> networkx.DiGraph:
    # Hidden edges count too: in a neighbourhood view they are the only link
    # between the target and its neighbours.
    graph = networkx.DiGraph()
    graph.add_nodes_from(view.key for view in nodes)
    graph.add_edges_from((edge.source, edge.target) for edge in edges)
    return graph


def _fallback_column(view: NodeView, direction: str) -> int:
    # A node that no edge path connects to the target goes to the column of its walk depth.
    depth = max(view.depth, 1)
    if direction == "referents" or view.role == "referent":
        return depth
    return -depth


def _column_from_distances(referrer_distance: int | None, referent_distance: int | None, direction: str) -> int | None:
    """Return a node's column from its two distances to the target, or None if it has neither."""
    prefer_referent = direction == "referents" or (
        direction == "both"
        and referrer_distance is not None
        and referent_distance is not None
        and referent_distance < referrer_distance
    )
    if referent_distance is not None and (prefer_referent or referrer_distance is None):
        return referent_distance
    if referrer_distance is not None:
        return -referrer_distance
    return None


def assign_columns(
    nodes: Sequence[NodeView], edges: Sequence[DrawnEdge], target_key: str, direction: str
) -> dict[str, int]:
    """Return each node's column: minus its distance to the target for referrers, plus it for referents.

    A node reachable both ways goes to the side of the walk's direction. In a
    "both" walk it goes to the nearer side, and to the referrer side on a tie.
    """
    graph = _distance_graph(nodes, edges)
    referrer_distances = networkx.single_source_shortest_path_length(graph.reverse(copy=False), target_key)
    referent_distances = networkx.single_source_shortest_path_length(graph, target_key)

    columns = {}
    for view in nodes:
        column = _column_from_distances(
            referrer_distances.get(view.key), referent_distances.get(view.key), direction
        )
        if column is None:
            column = _fallback_column(view, direction)
        columns[view.key] = column
    return columns


def _neighbours(edges: Sequence[DrawnEdge]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for edge in edges:
        result.setdefault(edge.source, set()).add(edge.target)
        result.setdefault(edge.target, set()).add(edge.source)
    return result


def _inner_column(column: int) -> int:
    """Return the column one step closer to the target (column 0)."""
    if column > 0:
        return column - 1
    return column + 1


def _mean_inner_row(
    key: str,
    inner: int,
    neighbours: dict[str, set[str]],
    columns: dict[str, int],
    centre_row: dict[str, float],
) -> float:
    rows = [centre_row[other] for other in neighbours.get(key, ()) if columns[other] == inner and other in centre_row]
    if not rows:
        return math.inf
    return sum(rows) / len(rows)


def order_rows(nodes: Sequence[NodeView], edges: Sequence[DrawnEdge], columns: dict[str, int]) -> dict[int, list[str]]:
    """Return the keys of each column from top to bottom.

    Columns are ordered from the target outwards. A node's rank is the mean
    row of its neighbours in the column one step closer to the target, so
    nodes line up with what they hold. Nodes without such a neighbour go last.
    Ties keep the page order, which is sorted and therefore deterministic.
    """
    page_order = {view.key: index for index, view in enumerate(nodes)}
    neighbours = _neighbours(edges)
    by_column: dict[int, list[str]] = {}
    for view in nodes:
        by_column.setdefault(columns[view.key], []).append(view.key)

    tallest = max(len(keys) for keys in by_column.values())
    centre_row: dict[str, float] = {}
    ordered: dict[int, list[str]] = {}

    for column in sorted(by_column, key=lambda value: (abs(value), value)):
        keys = by_column[column]
        if column != 0:
            inner = _inner_column(column)
            keys = sorted(
                keys,
                key=lambda key: (_mean_inner_row(key, inner, neighbours, columns, centre_row), page_order[key]),
            )
        ordered[column] = keys

        # Rows are centred against the tallest column, so ranks compare across columns.
        offset = (tallest - len(keys)) / 2
        for row, key in enumerate(keys):
            centre_row[key] = offset + row

    return ordered


def layered_layout(nodes: Sequence[NodeView], edges: Sequence[DrawnEdge], target_key: str, direction: str) -> Layout:
    """Place every node of a page on a grid of columns by distance from the target."""
    columns = assign_columns(nodes, edges, target_key, direction)
    rows = order_rows(nodes, edges, columns)
    first = min(rows)
    tallest = max(len(keys) for keys in rows.values())

    positions = {}
    for column, keys in rows.items():
        offset = (tallest - len(keys)) / 2
        for row, key in enumerate(keys):
            x = MARGIN_X + (column - first) * COLUMN_WIDTH
            y = MARGIN_Y + (offset + row) * ROW_HEIGHT
            positions[key] = (float(x), float(y))

    width = 2 * MARGIN_X + (max(rows) - first) * COLUMN_WIDTH
    height = 2 * MARGIN_Y + (tallest - 1) * ROW_HEIGHT + 40
    return Layout(positions=positions, columns=columns, width=width, height=height)


#: Distance between the rings of the radial start layout, in vis-network units.
RING_SPACING = 80.0


def _spanning_tree(graph: networkx.Graph, target_key: str) -> tuple[list[str], dict[str, list[str]], dict[str, int]]:
    """Return the breadth-first order from the target, each node's children and each node's depth."""
    order = [target_key]
    children: dict[str, list[str]] = {key: [] for key in graph.nodes}
    depth = {target_key: 0}
    for parent, child in networkx.bfs_edges(graph, target_key):
        children[parent].append(child)
        order.append(child)
        depth[child] = depth[parent] + 1
    return order, children, depth


def radial_layout(nodes: Sequence[NodeView], edges: Sequence[DrawnEdge], target_key: str) -> dict[str, tuple[float, float]]:
    """Place the target at the centre and every other node on the ring of its distance from it.

    Each node gets a slice of its parent's angle, in proportion to the leaves
    below it in a breadth-first tree, so branches do not cross. This is only
    the start of the canvas renderer's force layout: from here it needs far
    fewer iterations than from random positions. Nodes that no edge connects
    to the target go on a ring outside all the others.
    """
    graph = networkx.Graph()
    graph.add_nodes_from(view.key for view in nodes)
    graph.add_edges_from((edge.source, edge.target) for edge in edges)
    order, children, depth = _spanning_tree(graph, target_key)

    leaves: dict[str, int] = {}
    for key in reversed(order):
        leaves[key] = max(1, sum(leaves[child] for child in children[key]))

    positions = {target_key: (0.0, 0.0)}
    spans = {target_key: (0.0, 2 * math.pi)}
    for key in order:
        start, end = spans[key]
        total = sum(leaves[child] for child in children[key])
        for child in children[key]:
            width = (end - start) * leaves[child] / total
            spans[child] = (start, start + width)
            start += width
            angle = sum(spans[child]) / 2
            radius = RING_SPACING * depth[child]
            positions[child] = (round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1))

    unconnected = [view.key for view in nodes if view.key not in positions]
    outer = RING_SPACING * (max(depth.values()) + 1)
    for index, key in enumerate(unconnected):
        angle = 2 * math.pi * index / len(unconnected)
        positions[key] = (round(outer * math.cos(angle), 1), round(outer * math.sin(angle), 1))
    return positions
