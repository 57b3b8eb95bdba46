"""Adversarial checks of the promises of `why_alive` and `graph`.

Each test either pins a promise that is kept today or reproduces a broken
one. A test of a broken promise is marked ``xfail(strict=True)`` with the bug
in its reason. The suite stays green while the bug is visible, and a fix turns
the test into an unexpected pass.

Targets are built in helper functions that return a weak reference, so that
no local variable of the test refers to them and the chains under test are
the only ones.
"""

from __future__ import annotations

import ast
import asyncio
import collections
import functools
import gc
import os
import re
import signal
import sys
import threading
import time
import types
import weakref

import pytest

import refgraph
import refgraph.describe
from refgraph.model import RefGraph

# Module globals are roots, so tests park holders here and clear them afterwards.
PARKED: list = []


class Item:
    def __init__(self, name: str = "item") -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<Item {self.name}>"


@pytest.fixture(autouse=True)
def clear_parked():
    PARKED.clear()
    yield
    PARKED.clear()


def parked_item() -> weakref.ref:
    """Park a new Item as `PARKED[0]` and return a weak reference to it."""
    target = Item("parked")
    PARKED.append(target)
    return weakref.ref(target)


def follow(holder: object, label: str) -> object:
    """Apply one chain label to `holder` as Python access syntax, raising SyntaxError for any other label."""
    closure = re.fullmatch(r"closure variable '(\w+)'", label)
    if closure:
        names = holder.__code__.co_freevars  # type: ignore[attr-defined]
        return holder.__closure__[names.index(closure.group(1))].cell_contents  # type: ignore[attr-defined]
    return evaluate_access(ast.parse("holder" + label, mode="eval").body, holder)


def evaluate_access(node: ast.expr, holder: object) -> object:
    """Evaluate an expression made only of `holder`, attribute access and literal subscripts."""
    if isinstance(node, ast.Name) and node.id == "holder":
        return holder
    if isinstance(node, ast.Attribute):
        return getattr(evaluate_access(node.value, holder), node.attr)
    if isinstance(node, ast.Subscript):
        return evaluate_access(node.value, holder)[ast.literal_eval(node.slice)]  # type: ignore[index]
    raise SyntaxError(f"{ast.unparse(node)!r} is not attribute or subscript access")


def broken_hops(chain, root: object) -> list[str]:
    """Follow `chain` from `root` and return the labels that fail or lead to another object."""
    broken = []
    current = root
    for label, node in zip(chain.labels, chain.nodes[1:]):
        try:
            current = follow(current, label)
        except Exception as error:
            broken.append(f"{label} raised {type(error).__name__}")
            break
        if id(current) != node.id:
            broken.append(f"{label} gave a {type(current).__name__}, not the chain's {node.type_name}")
            break
    return broken


# ---------------------------------------------------------------- hostile classes


class RaisingEqMeta(type):
    def __eq__(cls, other):
        raise RuntimeError("metaclass __eq__ raises on purpose")

    __hash__ = type.__hash__


class EqHostile(metaclass=RaisingEqMeta):
    def __init__(self, payload):
        self.payload = payload


class RaisingHashMeta(type):
    def __hash__(cls):
        raise RuntimeError("metaclass __hash__ raises on purpose")


class HashHostile(metaclass=RaisingHashMeta):
    def __init__(self, payload):
        self.payload = payload


class RaisingAttributeMeta(type):
    def __getattribute__(cls, name):
        if name == "default_factory":
            raise RuntimeError(f"metaclass raises on purpose for {name!r}")
        return super().__getattribute__(name)


class RaisingMetaclassDict(dict, metaclass=RaisingAttributeMeta):
    pass


class CollidingKey:
    """A class-namespace key with the hash of "__repr__" whose comparison raises."""

    def __hash__(self):
        return hash("__repr__")

    def __eq__(self, other):
        raise RuntimeError("key comparison raises on purpose")


def test_holder_with_raising_metaclass_eq():
    target = Item("eq")
    PARKED.append(EqHostile(target))

    result = refgraph.why_alive(target)
    graph = refgraph.graph(target)

    assert result[0].labels == (".PARKED", "[0]", ".payload")
    assert len(graph.nodes) >= 3


def test_holder_with_raising_metaclass_hash():
    target = Item("hash")
    PARKED.append(HashHostile(target))

    result = refgraph.why_alive(target)

    assert result[0].labels == (".PARKED", "[0]", ".payload")


def test_dict_subclass_with_raising_metaclass():
    target = Item("metaclass dict")
    holder = RaisingMetaclassDict()
    holder["entry"] = target
    PARKED.append(holder)
    del holder

    result = refgraph.why_alive(target)

    assert result[0].labels == (".PARKED", "[0]", "['entry']")


@pytest.mark.filterwarnings("ignore:non-string key:RuntimeWarning")
def test_class_namespace_key_raising_eq():
    keyed = type("Keyed", (), {CollidingKey(): 1, "payload": None})
    holder = keyed()
    holder.payload = Item("keyed")
    PARKED.append(holder)

    graph = refgraph.graph(holder)

    assert graph.target.type_name == "Keyed"


# ---------------------------------------------------------------- callers refgraph cannot read


class MappingNamespace(collections.UserDict):
    """A mapping that is not a dict, as `exec` and a metaclass's __prepare__ accept."""


def test_exec_globals_with_unhashable_name():
    target = parked_item()()
    namespace = {"__name__": ["not", "hashable"], "refgraph": refgraph, "target": target}
    del target

    exec("result = refgraph.why_alive(target, max_chains=5)", namespace)

    assert "module" in [chain.root_kind for chain in namespace["result"]]


def test_exec_with_mapping_locals():
    namespace = MappingNamespace(target=parked_item()(), refgraph=refgraph)

    exec("result = refgraph.why_alive(target, max_chains=5)", {}, namespace)

    assert "module" in [chain.root_kind for chain in namespace["result"]]


def test_thread_in_exec_mapping_locals():
    entered = threading.Event()
    release = threading.Event()
    code = "entered.set()\nrelease.wait(10)"
    worker = threading.Thread(
        target=exec, args=(code, {"entered": entered, "release": release}, MappingNamespace()), name="exec-mapping"
    )
    worker.start()
    try:
        assert entered.wait(10)
        result = refgraph.why_alive(parked_item()())
    finally:
        release.set()
        worker.join()

    assert result[0].labels == (".PARKED", "[0]")


def test_code_beside_package_dir_is_not_own():
    source = (
        "def producer(value):\n"
        "    yield\n"
        "    yield value\n"
    )
    namespace: dict = {}
    exec(compile(source, os.path.dirname(refgraph.__file__) + "_plugin.py", "exec"), namespace)
    value = Item("plugin")
    generator = namespace["producer"](value)
    next(generator)
    PARKED.append(generator)
    reference = weakref.ref(value)
    del generator, namespace, value

    result = refgraph.why_alive(reference())

    assert result[0].root_kind == "module"


class BlockingRepr:
    """A holder whose __repr__ blocks in one named thread until the test releases it."""

    entered = threading.Event()
    release = threading.Event()

    def __init__(self, payload):
        self.payload = payload

    def __repr__(self):
        if threading.current_thread().name == "blocked-walk":
            BlockingRepr.entered.set()
            BlockingRepr.release.wait(10)
        return "<BlockingRepr>"


@pytest.mark.xfail(strict=True, reason=(
    "scan.Scope.ignores knows only its own walk's containers, so a walk that another thread runs at the "
    "same time shows up as Scope, GraphWalk and dict holders and as references the collector cannot see"))
def test_concurrent_walk_stays_invisible():
    BlockingRepr.entered.clear()
    BlockingRepr.release.clear()
    target = Item("watched twice")
    PARKED.append(BlockingRepr(target))
    reference = weakref.ref(target)
    del target
    blocked = threading.Thread(target=lambda: refgraph.why_alive(reference()), name="blocked-walk")
    blocked.start()
    try:
        assert BlockingRepr.entered.wait(10)
        graph = refgraph.graph(reference(), max_nodes=200)
        result = refgraph.why_alive(reference())
    finally:
        BlockingRepr.release.set()
        blocked.join()

    assert [node.type_name for node in graph.nodes if node.module.startswith("refgraph")] == []
    assert result.hidden_references == 0


class LocalKeepingRepr:
    """A holder whose __repr__ reads a local variable after it records that it assigned it."""

    assigned = False

    def __init__(self, payload):
        self.payload = payload

    def __repr__(self):
        marker = "kept"
        type(self).assigned = True
        return f"<{marker}>"


@pytest.mark.filterwarnings("ignore:assigning None to unbound local:RuntimeWarning")
def test_concurrent_walk_keeps_repr_locals(monkeypatch):
    real_monotonic = time.monotonic
    inside_trace = threading.Event()
    resume = threading.Event()
    paused = [0.0]

    def monotonic():
        # Hold the traced walk inside guarded_repr's trace function at the repr's last line.
        # Two threads that call refgraph.graph in a loop hit this moment by chance: on 3.12
        # they print "assigning None to unbound local" warnings. The pause is not counted
        # against the repr's time limit, which a large heap would otherwise exceed.
        now = real_monotonic()
        in_trace_function = sys._getframe(1).f_code.co_name == "stop_when_late"
        if threading.current_thread().name == "traced-walk" and in_trace_function and LocalKeepingRepr.assigned:
            if not inside_trace.is_set():
                inside_trace.set()
                resume.wait(10)
                paused[0] = real_monotonic() - now
        return now - paused[0]

    monkeypatch.setattr(refgraph.describe, "time", types.SimpleNamespace(monotonic=monotonic))
    LocalKeepingRepr.assigned = False
    target = Item("traced")
    PARKED.append(LocalKeepingRepr(target))
    reference = weakref.ref(target)
    del target
    results = []
    walker = threading.Thread(target=lambda: results.append(refgraph.why_alive(reference())), name="traced-walk")
    walker.start()
    try:
        assert inside_trace.wait(10)
        refgraph.why_alive(parked_item()())
    finally:
        resume.set()
        walker.join()
    reprs = [node.repr for node in results[0][0].nodes if node.type_name == "LocalKeepingRepr"]

    assert reprs == ["<kept>"]


# ---------------------------------------------------------------- trace and profile functions


class CallableTracer:
    """A trace function that is an object with __call__, as some debuggers install."""

    def __init__(self, code: types.CodeType, line: int, target: object) -> None:
        self.code = code
        self.line = line
        self.target = target
        self.called = False

    def __call__(self, frame, event, arg):
        if event == "line" and frame.f_code is self.code and frame.f_lineno == self.line and not self.called:
            self.called = True
            refgraph.why_alive(self.target)
        return self


def add_after_trace_point() -> int:
    assigned_first = 41
    traced = 1  # The tracer calls why_alive on this line (first line + 2).
    return assigned_first + traced


def add_around_builtin_call() -> int:
    assigned_first = 41
    traced = len("x")  # The profile function calls why_alive on the c_call event of len().
    return assigned_first + traced


def test_callable_tracer_keeps_traced_locals():
    tracer = CallableTracer(add_after_trace_point.__code__, add_after_trace_point.__code__.co_firstlineno + 2,
                            parked_item()())
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        total = add_after_trace_point()
    finally:
        sys.settrace(previous)

    assert tracer.called
    assert total == 42


def test_profile_function_keeps_profiled_locals():
    target = parked_item()()
    calls = []

    def profile(frame, event, arg):
        if event == "c_call" and frame.f_code is add_around_builtin_call.__code__ and not calls:
            calls.append(event)
            refgraph.why_alive(target)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        total = add_around_builtin_call()
    finally:
        sys.setprofile(previous)

    assert calls == ["c_call"]
    assert total == 42


def test_function_tracer_keeps_traced_locals():
    target = parked_item()()
    line = add_after_trace_point.__code__.co_firstlineno + 2
    calls = []

    def trace(frame, event, arg):
        if event == "line" and frame.f_code is add_after_trace_point.__code__ and frame.f_lineno == line and not calls:
            calls.append(event)
            refgraph.why_alive(target)
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        total = add_after_trace_point()
    finally:
        sys.settrace(previous)

    assert calls == ["line"]
    assert total == 42


def test_c_profiler_keeps_thread_roots():
    import cProfile

    holder = [Item("profiled")]
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        result = refgraph.why_alive(holder[0])
    finally:
        profiler.disable()

    assert result[0].root_kind == "thread"
    assert result[0].labels == (".f_locals['holder']", "[0]")


# ---------------------------------------------------------------- no side effects


class LazyTotal:
    computed: list = []

    def __init__(self, payload):
        self.payload = payload

    def report(self):
        # Mentions the name, as a class's own code does, so refgraph tries it as an inline attribute.
        return self.total

    @functools.cached_property
    def total(self):
        LazyTotal.computed.append(self)
        return 99


def test_cached_property_not_computed():
    LazyTotal.computed.clear()
    target = Item("lazy")
    PARKED.append(LazyTotal(target))
    referrers_before = [type(referrer).__name__ for referrer in gc.get_referrers(target)]

    refgraph.why_alive(target)

    assert LazyTotal.computed == []
    assert [type(referrer).__name__ for referrer in gc.get_referrers(target)] == referrers_before


class VarsRepr:
    """A holder whose __repr__ reads vars(self), as argparse.Namespace.__repr__ reads self.__dict__."""

    def __init__(self, payload):
        self.payload = payload

    def __repr__(self):
        return f"VarsRepr({vars(self)})"


@pytest.mark.xfail((3, 11) <= sys.version_info < (3, 13), strict=True, reason=(
    "describe.short_repr calls the holder's own __repr__, and a __repr__ that reads vars(self) "
    "creates the instance dict on 3.11 and 3.12, which then holds the target instead of the instance"))
def test_holder_repr_does_not_create_dict():
    target = Item("vars")
    PARKED.append(VarsRepr(target))
    referrers_before = [type(referrer).__name__ for referrer in gc.get_referrers(target)]

    refgraph.why_alive(target)

    assert [type(referrer).__name__ for referrer in gc.get_referrers(target)] == referrers_before


def explain_in_helper(explain) -> weakref.ref:
    target = Item("helper")
    explain(target)
    return weakref.ref(target)


@pytest.mark.parametrize("explain", [refgraph.why_alive, refgraph.graph], ids=["why_alive", "graph"])
def test_helper_frame_freed_after_call(explain):
    gc.collect()
    gc.disable()
    try:
        reference = explain_in_helper(explain)
        freed = reference() is None
    finally:
        gc.enable()
        gc.collect()

    assert freed


# ---------------------------------------------------------------- shortest and true chains


def park_instance_dict() -> weakref.ref:
    """Park an instance's __dict__ while the instance itself is kept only by a cycle through that dict."""

    class Owner:
        pass

    target = Item("in-dict")
    owner = Owner()
    owner.payload = target
    owner.me = owner
    PARKED.append(owner.__dict__)
    return weakref.ref(target)


@pytest.mark.xfail(strict=True, reason=(
    "scan._fold_pairs replaces an instance __dict__ by its owner and drops the dict's other holders, "
    "so a module global that holds the dict is never reached and the answer says cycle"))
def test_instance_dict_held_by_module_global():
    result = refgraph.why_alive(park_instance_dict()())

    assert result[0].root_kind == "module"
    assert result[0].labels == (".PARKED", "[0]", "['payload']")


def closures_sharing_cell(value):
    def first():
        return value

    def second():
        return value

    return first, second


@pytest.mark.xfail(strict=True, reason=(
    "scan._fold_owner folds a closure cell into the first closure tuple found, "
    "so a second function that shares the cell is never reached and the chain is not the shortest"))
def test_shared_closure_cell_shortest_chain():
    expected = (".PARKED", "[1]", "closure variable 'value'")
    found = []
    for deep_index in (0, 1):
        PARKED.clear()
        functions = closures_sharing_cell(Item("shared"))
        nested: list = [functions[deep_index]]
        for _ in range(8):
            nested = [nested]
        PARKED.append(nested)
        PARKED.append(functions[1 - deep_index])
        target = functions[0].__closure__[0].cell_contents
        del functions, nested

        found.append(refgraph.why_alive(target)[0].labels)
        del target

    assert found == [expected, expected]


def instance_of_local_class() -> object:
    class Local:
        pass

    return Local()


@pytest.mark.xfail(strict=True, reason=(
    "chains.search_paths accepts the target itself as a root, so a class target yields chains from "
    "the class back to itself (.__mro__[0]) and never the holder that keeps it alive"))
def test_class_target_chain_from_real_holder():
    PARKED.append(instance_of_local_class())

    result = refgraph.why_alive(type(PARKED[0]))

    assert all(chain.root.id != id(type(PARKED[0])) for chain in result)
    assert "module" in [chain.root_kind for chain in result]


def class_attribute_of_unreachable_class() -> weakref.ref:
    class Unreachable:
        entry = Item("class attribute")

    return weakref.ref(Unreachable.entry)


@pytest.mark.xfail(strict=True, reason=(
    "walk.root_of makes every class a root by its type, so an unreachable local class that only "
    "the collector still has to free is reported as what keeps the target alive"))
def test_unreachable_class_is_no_root():
    gc.collect()
    gc.disable()
    try:
        reference = class_attribute_of_unreachable_class()
        result = refgraph.why_alive(reference())
    finally:
        gc.enable()

    assert "class" not in [chain.root_kind for chain in result]


# ---------------------------------------------------------------- labels in access syntax


class FieldsClaim(tuple):
    """A tuple subclass whose _fields names attributes that it does not have."""

    _fields = ("first", "second")


@pytest.mark.xfail(strict=True, reason=(
    "edges._SequenceRule trusts a tuple subclass's _fields and labels the item .second, "
    "an attribute that the tuple does not have"))
def test_tuple_fields_claim_label():
    target = Item("fields")
    PARKED.append(FieldsClaim((1, target)))

    chain = refgraph.why_alive(target)[0]

    assert broken_hops(chain, sys.modules[__name__]) == []


class Repository:
    @staticmethod
    @functools.lru_cache(maxsize=None)
    def load(key):
        return Item(key)


@pytest.mark.xfail(strict=True, reason=(
    "edges._TypeRule labels a class namespace entry .name without descriptor semantics, so a chain "
    "through a staticmethod reads .load.__func__ although Repository.load is already the function"))
def test_staticmethod_chain_labels_follow():
    Repository.load.cache_clear()
    target = Repository.load("a")

    chain = refgraph.why_alive(target)[0]
    # The hops up to <lru_cache storage>, a reference inside C code, are access syntax.
    readable = chain_prefix(chain, chain.labels.index("<lru_cache storage>"))

    assert chain.root_kind == "class"
    assert broken_hops(readable, Repository) == []
    Repository.load.cache_clear()


def chain_prefix(chain, length: int) -> types.SimpleNamespace:
    """Return the first `length` hops of `chain`, with the `labels` and `nodes` that `broken_hops` reads."""
    return types.SimpleNamespace(labels=chain.labels[:length], nodes=chain.nodes[: length + 1])


class PropertyMeta(type):
    @property
    def registry(cls):
        return "from the metaclass"


@pytest.mark.xfail(strict=True, reason=(
    "edges._TypeRule labels a class attribute .registry although a metaclass property of that name "
    "wins attribute access, so the label leads to another object"))
def test_class_attribute_shadowed_by_metaclass_property():
    target = Item("registered")

    class Registry(metaclass=PropertyMeta):
        registry = [target]

    PARKED.append(Registry)
    del Registry

    chains = [chain for chain in refgraph.why_alive(target, max_chains=5) if chain.root_kind == "class"]

    assert broken_hops(chains[0], PARKED[0]) == []


@pytest.mark.xfail(strict=True, reason=(
    "edges._ModuleRule and instance labels write .name for a name that is no identifier, "
    "which is not Python access syntax"))
def test_non_identifier_attribute_label():
    module = types.ModuleType("adversarial_names")
    target = Item("dashed")
    setattr(module, "not-an-identifier", target)
    PARKED.append(module)
    del module

    chains = [chain for chain in refgraph.why_alive(target, max_chains=5) if chain.root_kind == "module"]

    assert all(broken_hops(chain, chain_root(chain)) == [] for chain in chains)


def chain_root(chain) -> object:
    for module in list(sys.modules.values()) + PARKED:
        if id(module) == chain.root.id:
            return module
    raise LookupError(f"root {chain.root.repr} of {chain} not found")


@pytest.mark.xfail(strict=True, reason=(
    "edges._FunctionRule labels a held cell .__closure__ cell 'name', which is not access syntax"))
def test_cell_target_label():
    function = closures_sharing_cell(Item("in cell"))[0]
    PARKED.append(function)
    del function

    chain = refgraph.why_alive(PARKED[0].__closure__[0])[0]

    assert broken_hops(chain, sys.modules[__name__]) == []


@pytest.mark.xfail(strict=True, reason=(
    "edges.key_repr cuts a key's repr to 60 characters, so the label of a value under a longer "
    "str key ends in an ellipsis and is no subscript"))
def test_long_string_key_label():
    target = Item("long key")
    PARKED.append({"https://example.invalid/api/v1/objects/" + "segment/" * 6 + "index.json": target})

    chain = refgraph.why_alive(target)[0]

    assert broken_hops(chain, sys.modules[__name__]) == []


class Plain:
    def __init__(self):
        self.value = 1


def test_instance_to_class_edge_label():
    instance = Plain()

    graph = refgraph.graph(instance, direction="referents", max_depth=1)
    class_key = f"{id(Plain):x}"

    assert [edge.label for edge in graph.edges if edge.target == class_key] == [".__class__"]


def test_labels_of_suspended_code_follow():
    async def coroutine(value):
        return value

    async def async_generator(value):
        yield value

    def generator(value):
        yield value

    started = generator(Item("generator"))
    holders = {
        "coroutine": coroutine(Item("coroutine")),
        "async generator": async_generator(Item("async generator")),
        "generator": started,
        "partial of bound method": functools.partial(Item("partial").__repr__),
    }
    targets = {
        "coroutine": holders["coroutine"].cr_frame.f_locals["value"],
        "async generator": holders["async generator"].ag_frame.f_locals["value"],
        "generator": started.gi_frame.f_locals["value"],
        "partial of bound method": holders["partial of bound method"].func.__self__,
    }
    PARKED.append(holders)
    del started
    try:
        for name, target in targets.items():
            chains = [chain for chain in refgraph.why_alive(target, max_chains=5) if chain.root_kind == "module"]

            assert chains[0].labels[:3] == (".PARKED", "[0]", f"[{name!r}]"), name
            assert broken_hops(chains[0], sys.modules[__name__]) == [], name
    finally:
        holders["coroutine"].close()


# ---------------------------------------------------------------- reprs and names


class SwallowingRepr:
    """A repr that catches the time limit's exception and then runs on."""

    def __repr__(self):
        deadline = time.monotonic() + 0.2
        try:
            while time.monotonic() < deadline:
                pass
        except BaseException:
            pass
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            pass
        return "<SwallowingRepr>"


@pytest.mark.xfail(strict=True, reason=(
    "describe.guarded_repr stops a repr by raising from its trace function, which CPython then unsets, "
    "so a repr that catches the first ReprTimeout runs on without a time limit"))
def test_repr_swallowing_timeout_stays_bounded():
    PARKED.append(SwallowingRepr())
    target = PARKED[0]

    started = time.perf_counter()
    refgraph.why_alive(target)
    elapsed = time.perf_counter() - started

    assert elapsed < 0.6


class JobWithResult:
    def __init__(self, future, payload):
        self.future = future
        self.payload = payload

    def __repr__(self):
        return f"<Job result={self.future.result()!r}>"


def park_job_with_cancelled_future() -> weakref.ref:
    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()
        future.cancel()
    finally:
        loop.close()
    target = Item("job payload")
    PARKED.append(JobWithResult(future, target))
    return weakref.ref(target)


def test_repr_raising_cancelled_error():
    result = refgraph.why_alive(park_job_with_cancelled_future()())

    assert result[0].labels == (".PARKED", "[0]", ".payload")


class SlowlyNamedCallable:
    def __call__(self):
        return None

    @property
    def __name__(self):
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            pass
        return "slow"


def test_method_of_callable_repr_bounded():
    target = Item("self of method")
    PARKED.append(types.MethodType(SlowlyNamedCallable(), target))

    started = time.perf_counter()
    result = refgraph.why_alive(target)
    elapsed = time.perf_counter() - started

    assert result[0].labels == (".PARKED", "[0]", ".__self__")
    assert elapsed < 0.6


class RaisingIdentThread(threading.Thread):
    @property
    def ident(self):
        raise RuntimeError("ident raises on purpose")


def test_thread_with_raising_ident():
    ready = threading.Event()
    release = threading.Event()
    holder = Item("thread local")

    def hold(value):
        ready.set()
        release.wait(10)

    worker = RaisingIdentThread(target=hold, args=(holder,), name="raising-ident")
    worker.start()
    try:
        assert ready.wait(10)
        reference = weakref.ref(holder)
        del holder
        result = refgraph.why_alive(reference())
    finally:
        release.set()
        worker.join()

    assert [chain.root_kind for chain in result][:1] == ["thread"]


# ---------------------------------------------------------------- plain data


class SurrogateNamed:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<File {self.name}>"


def test_to_json_encodable_with_surrogate_repr():
    name = b"report-\xff.txt".decode("utf-8", "surrogateescape")
    PARKED.append(SurrogateNamed(name))

    text = refgraph.graph(PARKED[0]).to_json()

    assert text.encode("utf-8")


def test_json_round_trip_with_odd_reprs():
    PARKED.append({"\x00nul": SurrogateNamed("a\x00b"), 2**64: SurrogateNamed("x" * 100_000)})
    target = PARKED[0][2**64]

    graph = refgraph.graph(target, direction="both", max_depth=3)

    assert RefGraph.from_json(graph.to_json()) == graph


def test_graph_edges_bounded_for_repeated_item():
    target = Item("repeated")
    PARKED.append([target] * 100_000)

    graph = refgraph.graph(target)

    assert len(graph.edges) <= 500


@pytest.mark.parametrize("direction,max_depth,max_nodes", [("both", 3, 50), ("referrers", None, 1), ("both", 3, 1)])
def test_graph_edges_join_listed_nodes(direction, max_depth, max_nodes):
    PARKED.append({"self": PARKED, "item": Item("edges")})

    graph = refgraph.graph(PARKED[0]["item"], direction=direction, max_depth=max_depth, max_nodes=max_nodes)
    keys = {node.key for node in graph.nodes}

    assert len([node for node in graph.nodes if node.kind == "object"]) <= max_nodes
    assert all(edge.source in keys and edge.target in keys for edge in graph.edges)


# ---------------------------------------------------------------- promises that are kept


@pytest.mark.parametrize("kind", ["None", "int", "dict", "list", "frame", "module", "class", "cell", "weakref"])
def test_builtin_kinds_as_targets(kind):
    function = closures_sharing_cell(Item())[0]
    targets = {
        "None": None,
        "int": 5,
        "dict": {},
        "list": [],
        "frame": sys._getframe(),
        "module": sys.modules[__name__],
        "class": Item,
        "cell": function.__closure__[0],
        "weakref": weakref.ref(Item),
    }

    result = refgraph.why_alive(targets[kind])
    graph = refgraph.graph(targets[kind], direction="both", max_depth=2)

    assert isinstance(str(result), str)
    assert graph.target.id == id(targets[kind])


def test_why_alive_from_signal_handler():
    reference = parked_item()
    results = []

    def handler(signum, frame):
        results.append(refgraph.why_alive(reference()))

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        for step in range(1, 10):
            signal.setitimer(signal.ITIMER_REAL, 0.002 * step)
            outer = refgraph.why_alive(reference())
            signal.setitimer(signal.ITIMER_REAL, 0)
            assert outer[0].labels == (".PARKED", "[0]")
        # One more alarm while the test sleeps, so the handler runs at least once.
        signal.setitimer(signal.ITIMER_REAL, 0.001)
        time.sleep(0.2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    assert results
    assert all(result[0].labels == (".PARKED", "[0]") for result in results)


class CallsWhyAliveWhenFreed:
    results: list = []

    def __init__(self, value):
        self.value = value
        self.me = self

    def __del__(self):
        CallsWhyAliveWhenFreed.results.append(refgraph.why_alive(self.value))


def test_why_alive_from_finalizer_during_walk():
    CallsWhyAliveWhenFreed.results.clear()
    target = parked_item()()
    for _ in range(10):
        CallsWhyAliveWhenFreed(target)
    threshold = gc.get_threshold()
    gc.set_threshold(1)
    try:
        result = refgraph.why_alive(target)
    finally:
        gc.set_threshold(*threshold)
        gc.collect()

    assert result[0].labels == (".PARKED", "[0]")
    assert CallsWhyAliveWhenFreed.results
    assert all(".PARKED" in str(found) for found in CallsWhyAliveWhenFreed.results)


def test_threads_mutating_sets_deques_and_classes():
    target = Item("churned")

    class Mutable:
        pass

    shared = {"set": set(), "deque": collections.deque(), "class": Mutable, "target": target}
    PARKED.append(shared)
    stop = threading.Event()

    def churn():
        index = 0
        while not stop.is_set():
            index += 1
            shared["set"].add(Item())
            shared["deque"].append([target])
            setattr(Mutable, f"attribute_{index % 20}", [target])
            instance = Mutable()
            setattr(instance, f"inline_{index % 20}", target)
            shared["instance"] = instance
            if len(shared["deque"]) > 50:
                shared["deque"].popleft()
                shared["set"].clear()

    workers = [threading.Thread(target=churn, name=f"churn-{n}") for n in range(2)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(2):
            result = refgraph.why_alive(target, max_chains=5)
            graph = refgraph.graph(target, direction="both", max_depth=2)
            assert all(chain.target.id == id(target) for chain in result)
            assert graph.target.id == id(target)
    finally:
        stop.set()
        for worker in workers:
            worker.join()


def test_frozen_holders_reported_hidden():
    target = parked_item()()
    gc.freeze()
    try:
        result = refgraph.why_alive(target)
    finally:
        gc.unfreeze()

    assert [chain.root_kind for chain in result] == ["hidden"]


def test_slot_named_like_dict_method():
    class SlottedDict(dict):
        __slots__ = ("items", "keys")

    holder = SlottedDict(entry=1)
    holder.items = Item("slot")
    PARKED.append(holder)
    target = holder.items
    del holder

    chain = refgraph.why_alive(target)[0]

    assert chain.labels == (".PARKED", "[0]", ".items")
    assert broken_hops(chain, sys.modules[__name__]) == []
