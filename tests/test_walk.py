"""The breadth-first walk: labels, folding, caps, directions and leaving no trace."""

from __future__ import annotations

import collections
import functools
import gc
import sys
import threading
import types
import weakref

import networkx
import pytest

import refgraph
from refgraph.edges import reference_labels
from refgraph.model import RefGraph

# Module globals are roots, so objects reachable from here have a known chain.
HOLDERS: dict = {}


class Plain:
    def __init__(self, payload=None):
        self.payload = payload


class Slotted:
    __slots__ = ("first", "second", "__weakref__")


def labels_between(graph: RefGraph, source_repr_part: str | None, target_key: str) -> set[str]:
    """Return the labels of the edges into `target_key` from nodes whose repr contains the text."""
    by_key = {node.key: node for node in graph.nodes}
    return {
        edge.label
        for edge in graph.edges
        if edge.target == target_key and (source_repr_part is None or source_repr_part in by_key[edge.source].repr)
    }


@pytest.fixture(autouse=True)
def clear_holders():
    HOLDERS.clear()
    yield
    HOLDERS.clear()


# ---------------------------------------------------------------- labels


def test_labels_dict_value_and_key():
    target = Plain()
    mapping = {"primary": target, "fallback": target, target: 1}

    found = reference_labels(mapping, target)

    assert ("['primary']", "item") in found
    assert ("['fallback']", "item") in found
    assert ("key", "key") in found


def test_labels_list_and_tuple_indices():
    target = Plain()

    assert [r.label for r in reference_labels([target, 1, target], target)] == ["[0]", "[2]"]
    assert [r.label for r in reference_labels((1, target), target)] == ["[1]"]


def test_labels_deque_and_set_member():
    target = Plain()

    assert [r.label for r in reference_labels(collections.deque([0, target]), target)] == ["[1]"]
    assert [r.label for r in reference_labels({target}, target)] == ["set member"]


def test_labels_namedtuple_field_name():
    Pair = collections.namedtuple("Pair", "concrete weak")
    target = Plain()

    assert [r.label for r in reference_labels(Pair(target, None), target)] == [".concrete"]


def test_labels_instance_attribute_and_slots():
    target = Plain()
    holder = Plain(target)
    slotted = Slotted()
    slotted.second = target

    assert [r.label for r in reference_labels(holder, target)] == [".payload"]
    assert [r.label for r in reference_labels(slotted, target)] == [".second"]


def test_labels_bound_method_self_and_func():
    target = Plain()
    method = types.MethodType(Plain.__init__, target)

    assert [r.label for r in reference_labels(method, target)] == [".__self__"]
    assert ".__func__" in [r.label for r in reference_labels(method, Plain.__init__)]


def test_labels_closure_variable_and_cell():
    target = Plain()

    def make():
        captured = target

        def inner():
            return captured

        return inner

    inner = make()

    assert [r.label for r in reference_labels(inner, target)] == ["closure variable 'captured'"]
    assert [r.label for r in reference_labels(inner.__closure__[0], target)] == [".cell_contents"]


def test_labels_traceback_and_frame():
    def fail():
        local_value = Plain()
        HOLDERS["value"] = local_value
        raise KeyError("boom")

    try:
        fail()
    except KeyError as error:
        caught = error

    traceback = caught.__traceback__
    frame = traceback.tb_next.tb_frame

    assert [r.label for r in reference_labels(caught, traceback)] == [".__traceback__"]
    assert ".tb_next" in [r.label for r in reference_labels(traceback, traceback.tb_next)]
    assert ".tb_frame" in [r.label for r in reference_labels(traceback.tb_next, frame)]
    assert ".f_locals['local_value']" in [r.label for r in reference_labels(frame, HOLDERS["value"])]


def test_labels_frame_back():
    frame = sys._getframe()
    caller = frame.f_back

    assert ".f_back" in [r.label for r in reference_labels(frame, caller)]


def test_labels_unknown_reference_is_internal():
    target = Plain()
    cached = functools.lru_cache(maxsize=4)(lambda value: value)
    cached(target)

    labels = [r.label for r in reference_labels(cached, target)]

    assert labels and labels[0].startswith("<lru_cache")


# ---------------------------------------------------------------- graph


def test_graph_referrers_module_root_and_labels():
    target = Plain()
    HOLDERS["a"] = target
    HOLDERS["b"] = target

    result = refgraph.graph(target)
    module_nodes = [node for node in result.nodes if node.root_kind == "module"]

    assert labels_between(result, None, result.target_key) >= {"['a']", "['b']"}
    assert any(node.root_label == f"module {__name__}" for node in module_nodes)
    assert result.target.role == "target"
    assert result.target.id == id(target)


def test_graph_folds_instance_dict_into_owner():
    target = Plain()
    HOLDERS["owner"] = Plain(target)

    result = refgraph.graph(target)
    owner = next(node for node in result.nodes if node.type_name == "Plain" and node.role == "referrer")

    assert labels_between(result, owner.repr, result.target_key) == {".payload"}
    assert not any(node.type_name == "dict" and node.depth == 1 for node in result.nodes)


def test_graph_folds_closure_cells_into_function():
    target = Plain()

    def make():
        captured = target
        return lambda: captured

    HOLDERS["callback"] = make()
    result = refgraph.graph(target)
    types_seen = {node.type_name for node in result.nodes}

    assert "closure variable 'captured'" in labels_between(result, None, result.target_key)
    assert "cell" not in types_seen


def test_graph_omits_self_edges():
    target = Plain()
    target.payload = target
    HOLDERS["self"] = target

    result = refgraph.graph(target)

    assert all(edge.source != edge.target for edge in result.edges)


def test_graph_cap_counts_what_was_cut():
    target = Plain()
    # A loop, not a comprehension: before 3.12 a comprehension would capture
    # `target` in a closure cell, which is one more referrer.
    HOLDERS["many"] = []
    for _ in range(30):
        HOLDERS["many"].append([target])

    result = refgraph.graph(target, max_nodes=10, chains=0)
    objects = [node for node in result.nodes if node.kind == "object"]
    placeholders = [node for node in result.nodes if node.kind == "more"]

    assert len(objects) == 10
    assert result.cut["referrers"] >= 21
    assert result.target.cut_referrers == 21
    assert any(node.repr == "+21 more referrers" for node in placeholders)
    assert all(node.id is None for node in placeholders)


def test_graph_keeps_chain_under_cap():
    target = Plain()
    # Many nearer holders would fill a breadth-first cap before the chain reaches its root.
    HOLDERS["noise"] = []
    for _ in range(40):
        HOLDERS["noise"].append([target])
    HOLDERS["deep"] = Plain(Plain(Plain(target)))

    result = refgraph.graph(target, max_nodes=12)
    chain = result.chains[0]
    keys = {node.key for node in result.nodes}

    assert chain["root_kind"] == "module"
    assert chain["labels"][0] == ".HOLDERS"
    assert all(key in keys for key in chain["keys"])
    assert chain["keys"][-1] == result.target_key
    assert chain["text"].startswith(f"module {__name__}.HOLDERS[")


def test_graph_max_depth_stops_and_counts():
    target = Plain()
    HOLDERS["deep"] = [[[target]]]

    result = refgraph.graph(target, max_depth=1)
    depths = {node.depth for node in result.nodes if node.kind == "object"}

    assert depths == {0, 1}
    assert sum(node.cut_referrers for node in result.nodes) >= 1


def test_graph_referents_direction():
    payload = Plain()
    holder = Plain(payload)

    result = refgraph.graph(holder, direction="referents")

    assert ".payload" in {edge.label for edge in result.edges if edge.source == result.target_key}
    assert any(node.id == id(payload) and node.role == "referent" for node in result.nodes)


def test_graph_both_hides_target_edges_and_marks_roles():
    target = Plain(Plain())
    HOLDERS["both"] = target

    result = refgraph.graph(target, direction="both")
    roles = {node.role for node in result.nodes}
    touching = [edge for edge in result.edges if result.target_key in (edge.source, edge.target)]

    assert {"target", "referrer", "referent"} <= roles
    assert touching and all(edge.hidden for edge in touching)


def test_graph_weak_reference_is_weak_edge():
    target = Plain()
    HOLDERS["strong"] = target
    weak = weakref.ref(target)

    result = refgraph.graph(target)
    weak_edges = [edge for edge in result.edges if edge.weak]

    assert len(weak_edges) == 1
    assert weak_edges[0].label == "weakref"
    assert weak() is target


def test_graph_rejects_invalid_arguments():
    with pytest.raises(ValueError, match="invalid direction 'up'"):
        refgraph.graph(object(), direction="up")
    with pytest.raises(ValueError, match="invalid max_nodes 0"):
        refgraph.graph(object(), max_nodes=0)
    with pytest.raises(ValueError, match="invalid max_depth -1"):
        refgraph.graph(object(), max_depth=-1)


def test_graph_thread_mutating_heap():
    target = Plain()
    HOLDERS["shared"] = {"target": target}
    stop = threading.Event()

    def churn():
        index = 0
        while not stop.is_set():
            HOLDERS["shared"][index % 500] = [target]
            HOLDERS["shared"].pop((index - 250) % 500, None)
            index += 1

    worker = threading.Thread(target=churn, name="churn")
    worker.start()
    try:
        for _ in range(20):
            result = refgraph.graph(target, max_nodes=30)
            assert result.target.id == id(target)
    finally:
        stop.set()
        worker.join()


# ---------------------------------------------------------------- no trace


def _referrer_ids(obj: object) -> list[int]:
    return sorted(id(referrer) for referrer in gc.get_referrers(obj))


@pytest.mark.parametrize("direction", ["referrers", "referents", "both"])
def test_graph_leaves_no_trace(direction):
    target = Plain(Plain())
    HOLDERS["kept"] = [target, {"again": target}]
    before_referrers = _referrer_ids(target)
    before_count = sys.getrefcount(target)

    refgraph.graph(target, direction=direction)

    assert _referrer_ids(target) == before_referrers
    assert sys.getrefcount(target) == before_count


def test_why_alive_leaves_no_trace():
    target = Plain()
    HOLDERS["kept"] = Plain(target)
    before_referrers = _referrer_ids(target)
    before_count = sys.getrefcount(target)

    refgraph.why_alive(target)

    assert _referrer_ids(target) == before_referrers
    assert sys.getrefcount(target) == before_count


def test_graph_does_not_create_instance_dict():
    target = Plain()
    holder = Plain(target)
    HOLDERS["inline"] = holder
    dicts_before = [r for r in gc.get_referrers(target) if type(r) is dict]

    refgraph.graph(target)
    refgraph.why_alive(target)

    assert [r for r in gc.get_referrers(target) if type(r) is dict] == dicts_before


# ---------------------------------------------------------------- model


def test_json_round_trip_is_exact():
    target = Plain()
    HOLDERS["json"] = [target]
    result = refgraph.graph(target)

    loaded = RefGraph.from_json(result.to_json())

    assert loaded == result
    assert loaded.to_json() == result.to_json()


def test_from_json_rejects_other_format():
    with pytest.raises(ValueError, match="unsupported refgraph JSON format_version 99"):
        RefGraph.from_json('{"format_version": 99}')


def test_networkx_conversion_keeps_attributes():
    target = Plain()
    HOLDERS["nx"] = {"x": target, "y": target}
    result = refgraph.graph(target)

    converted = result.to_networkx()

    assert isinstance(converted, networkx.MultiDiGraph)
    assert converted.number_of_nodes() == len(result.nodes)
    assert converted.number_of_edges() == len(result.edges)
    assert converted.nodes[result.target_key]["role"] == "target"
    labels = {data["label"] for _, target_key, data in converted.edges(data=True) if target_key == result.target_key}
    assert {"['x']", "['y']"} <= labels
    assert RefGraph.from_networkx(converted) == result


def test_repr_summarises_graph():
    target = Plain()
    HOLDERS["repr"] = target

    text = repr(refgraph.graph(target))

    assert text.startswith("<RefGraph referrers of tests.test_walk.Plain") or "Plain" in text
    assert "nodes" in text
    assert "edges" in text


def test_graph_records_reference_counts():
    target = Plain()
    HOLDERS["first"] = target
    HOLDERS["second"] = [target]
    expected = sys.getrefcount(target) - 1

    result = refgraph.graph(target)

    assert result.target.refcount == expected
    assert all(node.refcount is None for node in result.nodes if node.kind == "more")


@pytest.mark.parametrize("call", ["graph", "why_alive"])
def test_target_freed_when_caller_returns(call):
    # No reference cycle may keep the caller's frame, and with it the target, alive.
    def inspect_and_drop() -> weakref.ref:
        target = Plain()
        getattr(refgraph, call)(target)
        return weakref.ref(target)

    enabled = gc.isenabled()
    gc.disable()
    try:
        probe = inspect_and_drop()
        assert probe() is None
    finally:
        if enabled:
            gc.enable()
