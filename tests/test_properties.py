"""Property tests: on random object graphs, `why_alive` finds a shortest chain and every hop is right."""

from __future__ import annotations

import ast
from collections import deque

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refgraph

# The module global that roots every generated graph.
GRAPH_ROOT = None


class Box:
    """An instance whose attributes are the generated edges."""

    def link(self, index: int, value: object) -> None:
        # The names are constants of this method, as attribute names usually are in
        # a class's code: refgraph reads inline attributes only by names it can find.
        names = ("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9")
        setattr(self, names[index], value)


KINDS = ("list", "dict", "box")


@st.composite
def object_graphs(draw):
    """Draw node kinds and edges such that the target (node 0) is reachable from the root (last node)."""
    size = draw(st.integers(min_value=2, max_value=10))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=size, max_size=size))
    # A guaranteed path from the root down to the target, through a random order of the others.
    middle = draw(st.permutations(list(range(1, size - 1))))
    path_length = draw(st.integers(min_value=0, max_value=len(middle)))
    path = [size - 1] + list(middle[:path_length]) + [0]
    edges = set(zip(path, path[1:]))
    extra = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=size * 2))
    edges.update((source, target) for source, target in extra if source != target)
    return kinds, sorted(edges)


def build(kinds: list[str], edges: list[tuple[int, int]]) -> list:
    objects = [[] if kind == "list" else {} if kind == "dict" else Box() for kind in kinds]
    for source, target in edges:
        holder = objects[source]
        if type(holder) is list:
            holder.append(objects[target])
        elif type(holder) is dict:
            holder[f"k{target}"] = objects[target]
        else:
            holder.link(target, objects[target])
    return objects


def shortest_distance(size: int, edges: list[tuple[int, int]]) -> int:
    """Return the number of edges on a shortest path from the root (last node) to node 0."""
    adjacency: dict[int, list[int]] = {}
    for source, target in edges:
        adjacency.setdefault(source, []).append(target)
    distance = {size - 1: 0}
    queue = deque([size - 1])
    while queue:
        node = queue.popleft()
        for following in adjacency.get(node, []):
            if following not in distance:
                distance[following] = distance[node] + 1
                queue.append(following)
    return distance[0]


def follow(obj: object, label: str) -> object:
    """Apply one chain label, written in Python access syntax, to `obj`."""
    if label.startswith("."):
        return object.__getattribute__(obj, label[1:])
    if label.startswith("[") and label.endswith("]"):
        return obj[ast.literal_eval(label[1:-1])]  # type: ignore[index]
    raise AssertionError(f"unexpected label {label!r}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(object_graphs())
def test_why_alive_finds_shortest_chain(graph):
    global GRAPH_ROOT
    kinds, edges = graph
    objects = build(kinds, edges)
    GRAPH_ROOT = objects[-1]
    try:
        result = refgraph.why_alive(objects[0], max_chains=1)
        chain = result[0]

        assert chain.root_kind == "module", str(result)
        assert chain.labels[0] == ".GRAPH_ROOT"
        assert len(chain.labels) == 1 + shortest_distance(len(kinds), edges), str(chain)

        current: object = GRAPH_ROOT
        for label, node in zip(chain.labels[1:], chain.nodes[2:]):
            current = follow(current, label)
            assert id(current) == node.id, f"{label} leads elsewhere in {chain}"
        assert current is objects[0]
    finally:
        GRAPH_ROOT = None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(object_graphs())
def test_graph_edges_match_heap(graph):
    global GRAPH_ROOT
    kinds, edges = graph
    objects = build(kinds, edges)
    GRAPH_ROOT = objects[-1]
    try:
        result = refgraph.graph(objects[0], max_nodes=60)
        by_id = {id(obj): obj for obj in objects}
        keys = {node.key: node.id for node in result.nodes}

        # Every edge between generated objects is a real reference with the right label.
        checked = 0
        for edge in result.edges:
            source, target = keys.get(edge.source), keys.get(edge.target)
            if source in by_id and target in by_id:
                assert follow(by_id[source], edge.label) is by_id[target], edge
                checked += 1
        assert checked >= 1
    finally:
        GRAPH_ROOT = None
