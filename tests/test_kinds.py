"""`why_alive` on each kind of root and holder: threads, generators, asyncio, REPL history,
tracebacks, caller variables, hidden holders, cycles, weak references and hostile objects."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import gc
import io
import signal
import sys
import threading
import types
import weakref

import pytest

import refgraph

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


def chain_texts(result) -> list[str]:
    return [str(chain) for chain in result]


# ---------------------------------------------------------------- roots


def test_module_global_root():
    target = Item("global")
    PARKED.append(target)

    result = refgraph.why_alive(target)

    assert result[0].root_kind == "module"
    assert result[0].labels == (".PARKED", "[0]")
    assert result[0].root.root_label == f"module {__name__}"


def test_class_attribute_root():
    class Registry:
        entries: list = []

    target = Item("class")
    Registry.entries.append(target)
    PARKED.append(Registry)

    result = refgraph.why_alive(target)
    class_chains = [chain for chain in result if chain.root_kind == "class"]

    assert class_chains, chain_texts(result)
    assert class_chains[0].labels == (".entries", "[0]")


def test_thread_frame_root_names_thread_function_line():
    ready = threading.Event()
    release = threading.Event()
    handoff: list = []

    def hold_in_local():
        local_target = Item("thread")
        handoff.append(local_target)
        ready.set()
        release.wait(10)

    worker = threading.Thread(target=hold_in_local, name="holder-thread")
    worker.start()
    ready.wait(10)
    target = handoff.pop()
    try:
        result = refgraph.why_alive(target)
    finally:
        release.set()
        worker.join()

    assert result[0].root_kind == "thread"
    assert result[0].labels == (".f_locals['local_target']",)
    assert "thread 'holder-thread' hold_in_local() line" in result[0].root.root_label


def test_suspended_generator_local():
    def producer():
        pending = Item("generator")
        yield 1
        yield pending

    generator = producer()
    next(generator)
    PARKED.append(generator)
    target = generator.gi_frame.f_locals["pending"] if sys.version_info >= (3, 13) else _generator_local(generator)

    result = refgraph.why_alive(target)

    assert result[0].root_kind == "module"
    assert result[0].labels[-1] in (".gi_frame.f_locals['pending']", ".f_locals['pending']")


def _generator_local(generator):
    # Reading f_locals here would leave a snapshot on 3.10 to 3.12, so the
    # value is found through the collector instead.
    return next(obj for obj in gc.get_referents(generator.gi_frame if sys.version_info < (3, 11) else generator)
                if type(obj) is Item)


def test_asyncio_task_and_future_callback():
    loop = asyncio.new_event_loop()
    PARKED.append(loop)
    try:
        future = loop.create_future()
        target = Item("callback")

        def on_done(done_future, kept=target):
            return kept

        future.add_done_callback(on_done)
        PARKED.append(future)
        del on_done

        result = refgraph.why_alive(target)
    finally:
        loop.close()

    assert result[0].root_kind == "module"
    assert result[0].labels == (".PARKED", "[1]", "._callbacks[0][0]", ".__defaults__", "[0]")


def test_running_asyncio_task_local():
    found: dict = {}

    async def job():
        payload = Item("task")
        found["result"] = refgraph.why_alive(payload)

    asyncio.run(job())
    result = found["result"]

    assert result.caller_variables == ["payload"]


def test_repl_underscore_is_repl_root():
    target = Item("repl")
    previous = getattr(builtins, "_", None)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            sys.displayhook(target)
        result = refgraph.why_alive(target)
    finally:
        builtins._ = previous

    assert result[0].root_kind == "repl"
    assert result[0].labels == ("._",)


def test_ipython_out_history_is_repl_root():
    main = sys.modules["__main__"]
    target = Item("out")
    had_out = hasattr(main, "Out")
    main.Out = {4: target}
    try:
        result = refgraph.why_alive(target)
    finally:
        if not had_out:
            del main.Out

    assert result[0].root_kind == "repl"
    assert result[0].labels == (".Out", "[4]")


def test_last_traceback_root():
    def fail():
        doomed = Item("traceback")
        PARKED.append(weakref.ref(doomed))
        raise RuntimeError("boom")

    saved = {name: getattr(sys, name, None) for name in ("last_type", "last_value", "last_traceback")}
    try:
        try:
            fail()
        except RuntimeError as error:
            sys.last_type, sys.last_value, sys.last_traceback = type(error), error, error.__traceback__
            del error
        target = PARKED[0]()
        result = refgraph.why_alive(target, max_chains=5)
    finally:
        for name, value in saved.items():
            setattr(sys, name, value)

    kinds = {chain.root_kind for chain in result}
    assert "traceback" in kinds, chain_texts(result)
    traceback_chain = next(chain for chain in result if chain.root_kind == "traceback")
    assert traceback_chain.labels[-1] == ".f_locals['doomed']"
    assert ".tb_frame" in traceback_chain.labels


def test_exception_traceback_frames_in_chain():
    events: list = []
    PARKED.append(events)

    def job():
        rows = Item("rows")
        PARKED.append(weakref.ref(rows))
        raise ConnectionError("unreachable")

    def runner():
        try:
            job()
        except ConnectionError as error:
            events.append(error)

    runner()
    target = PARKED[1]()
    result = refgraph.why_alive(target)

    assert result[0].labels == (".PARKED", "[0]", "[0]", ".__traceback__", ".tb_next", ".tb_frame",
                                ".f_locals['rows']")


# ---------------------------------------------------------------- caller, hidden, cycles


def test_caller_variable_is_a_note_not_a_chain():
    target = Item("caller")

    result = refgraph.why_alive(target)

    assert list(result) == []
    assert result.caller_variables == ["target"]
    assert "Also held by your variable `target`." in str(result)


def test_nothing_holds_temporary():
    result = refgraph.why_alive(Item("temporary"))

    assert list(result) == []
    assert result.caller_variables == []
    assert "freed once this call returns" in str(result)


def test_signal_handler_is_hidden_holder():
    target = Item("signal")

    def handler(signum, frame, kept=target):
        return kept

    previous = signal.signal(signal.SIGUSR1, handler)
    del handler
    try:
        result = refgraph.why_alive(target)
    finally:
        signal.signal(signal.SIGUSR1, previous)

    assert result[0].root_kind == "hidden"
    assert result[0].labels == (".__defaults__", "[0]")
    assert "1 reference that the collector cannot see" in str(result[0])
    assert result.caller_variables == ["target"]


def test_hidden_references_reported_beside_chains():
    ctypes = pytest.importorskip("ctypes")
    target = Item("c-held")
    PARKED.append(target)
    # Py_IncRef adds a reference that no visible holder explains, as C code would.
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(target))
    try:
        result = refgraph.why_alive(target)
    finally:
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(target))

    assert result[0].root_kind == "module"
    assert result.hidden_references == 1
    assert "Also 1 reference that the collector cannot see" in str(result)


def _make_cycle() -> weakref.ref:
    first = Item("first")
    second = Item("second")
    first.partner, second.partner = second, first
    return weakref.ref(second)


def test_unreachable_cycle_is_cycle():
    probe = _make_cycle()

    result = refgraph.why_alive(probe())

    assert [chain.root_kind for chain in result] == ["cycle"]
    assert "it is enabled" in result[0].note


def test_cycle_says_when_collector_disabled():
    first = Item("first")
    first.me = first
    probe = weakref.ref(first)
    del first
    gc.disable()
    try:
        result = refgraph.why_alive(probe())
    finally:
        gc.enable()

    assert result[0].root_kind == "cycle"
    assert "DISABLED" in result[0].note
    assert gc.isenabled()


# ---------------------------------------------------------------- weak references


def test_weak_containers_never_hold():
    target = Item("weak")
    strong = {"kept": target}
    PARKED.append(strong)
    weak_values = weakref.WeakValueDictionary({"w": target})
    weak_keys = weakref.WeakKeyDictionary({target: 1})
    weak_set = weakref.WeakSet([target])
    proxy = weakref.proxy(target)
    PARKED.extend([weak_values, weak_keys, weak_set, proxy])

    result = refgraph.why_alive(target, max_chains=5)
    graph = refgraph.graph(target)
    weak_edges = [edge for edge in graph.edges if edge.weak and edge.target == graph.target_key]
    # The test's own local `strong` is a thread root too, listed after the module root.
    module_chains = [chain.labels for chain in result if chain.root_kind == "module"]
    thread_chains = [chain.labels for chain in result if chain.root_kind == "thread"]

    assert module_chains == [(".PARKED", "[0]", "['kept']")]
    assert thread_chains == [(".f_locals['strong']", "['kept']")]
    assert result[-1].root_kind == "thread"
    assert len(weak_edges) == 4
    assert {edge.label for edge in weak_edges} == {"weakref", "weakref.proxy"}


def test_dead_weak_proxy_as_holder_and_target():
    victim = Item("victim")
    proxy = weakref.proxy(victim)
    del victim
    holder = [proxy]
    PARKED.append(holder)

    result = refgraph.why_alive(proxy)
    graph = refgraph.graph(proxy)

    assert result[0].labels == (".PARKED", "[0]", "[0]")
    assert "dead" in graph.target.repr or "weakproxy" in graph.target.repr


# ---------------------------------------------------------------- hostile objects


class Lying:
    """Every dunder a tool might call raises, and __class__ claims to be a module."""

    __hash__ = None

    def __init__(self, payload):
        object.__setattr__(self, "payload", payload)

    @property
    def __class__(self):
        return types.ModuleType

    def __getattribute__(self, name):
        raise RuntimeError(f"__getattribute__ refused {name!r}")

    def __repr__(self):
        raise RuntimeError("repr exploded")

    def __eq__(self, other):
        raise TypeError("no comparison")

    def __len__(self):
        raise ValueError("no length")

    def __bool__(self):
        raise ValueError("no truth")


class NameHidingMeta(type):
    def __getattribute__(cls, name):
        if name in ("__name__", "__qualname__", "__module__", "__mro__", "__flags__", "__dict__"):
            raise AttributeError(name)
        return super().__getattribute__(name)


class SlowRepr(metaclass=NameHidingMeta):
    __slots__ = ("payload",)

    def __repr__(self):
        while True:
            pass


def test_hostile_holders_on_path():
    target = Item("hostile")
    slow = SlowRepr()
    slow.payload = Lying(target)
    PARKED.append(slow)

    result = refgraph.why_alive(target)
    graph = refgraph.graph(target)
    reprs = {node.type_name: node.repr for node in graph.nodes}

    assert result[0].labels == (".PARKED", "[0]", ".payload", ".payload")
    assert reprs["Lying"].endswith("repr raised RuntimeError>")
    assert reprs["SlowRepr"].endswith("repr timed out>")


def test_object_without_weakref_slot():
    class NoWeak:
        __slots__ = ("value",)

    holder = NoWeak()
    holder.value = Item("slots")
    PARKED.append(holder)

    result = refgraph.why_alive(holder.value)
    graph = refgraph.graph(holder)

    assert result[0].labels == (".PARKED", "[0]", ".value")
    assert not [edge for edge in graph.edges if edge.weak]


# ---------------------------------------------------------------- no side effects


def test_no_locals_snapshot_left_on_running_frame():
    target = Item("snapshot")
    PARKED.append(target)
    frame = sys._getframe()
    dicts_before = [r for r in gc.get_referrers(target) if type(r) is dict]

    refgraph.why_alive(target)
    refgraph.graph(target)

    assert [r for r in gc.get_referrers(target) if type(r) is dict] == dicts_before
    del frame


def test_no_locals_snapshot_left_on_suspended_generator():
    def producer():
        value = Item("suspended")
        PARKED.append(weakref.ref(value))
        yield
        yield value

    generator = producer()
    next(generator)
    PARKED.append(generator)
    target = PARKED[0]()
    referrers_before = sorted(id(r) for r in gc.get_referrers(target))

    result = refgraph.why_alive(target)

    assert sorted(id(r) for r in gc.get_referrers(target)) == referrers_before
    assert "f_locals['value']" in result[0].labels[-1]


def test_collector_state_kept():
    gc.disable()
    try:
        refgraph.why_alive(Item())
        assert not gc.isenabled()
    finally:
        gc.enable()
    refgraph.why_alive(Item())
    assert gc.isenabled()


# ---------------------------------------------------------------- deep and wide


def test_deep_chain_fast_and_compacted():
    class Link:
        __slots__ = ("next", "__weakref__")

        def __init__(self):
            self.next = None

    head = node = Link()
    for _ in range(49_999):
        node.next = Link()
        node = node.next
    PARKED.append(head)
    target = node
    del node, head

    result = refgraph.why_alive(target)
    text = str(result[0])

    assert len(result[0].labels) == 50_001
    assert ".next x 49,999" in text
    assert len(text) < 300

    # Unlink iteratively so that freeing the chain does not recurse.
    node = PARKED.pop()
    while node is not None:
        node.next, node = None, node.next


def test_huge_fan_in():
    target = Item("popular")
    holders = []
    for _ in range(200_000):
        holders.append([target])
    PARKED.append(holders)

    result = refgraph.why_alive(target)
    graph = refgraph.graph(target)

    assert result[0].labels[:1] == (".PARKED",)
    assert len(result[0].labels) == 4
    assert graph.cut["referrers"] >= 199_950


def test_threads_mutating_lists_during_search():
    target = Item("busy")
    shared: dict = {"target": target}
    PARKED.append(shared)
    stop = threading.Event()

    def churn():
        index = 0
        while not stop.is_set():
            shared[index % 300] = [target, {"again": target}]
            shared.pop((index + 150) % 300, None)
            index += 1

    workers = [threading.Thread(target=churn, name=f"churn-{n}") for n in range(2)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(3):
            result = refgraph.why_alive(target, max_chains=5)
            # The churn threads' frames hold the target too, so they are roots as well.
            assert {chain.root_kind for chain in result} <= {"module", "thread"}
            assert all(chain.target.id == id(target) for chain in result)
    finally:
        stop.set()
        for worker in workers:
            worker.join()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="instances keep inline attributes only from Python 3.11")
def test_inline_attribute_with_unknown_name():
    class Bare:
        pass

    holder = Bare()
    # A name that no method of Bare mentions: it cannot be read without creating __dict__.
    setattr(holder, "dynamic_" + "name", Item("inline"))
    PARKED.append(holder)
    dicts_before = [r for r in gc.get_referrers(holder.dynamic_name) if type(r) is dict]

    result = refgraph.why_alive(holder.dynamic_name)

    assert result[0].labels == (".PARKED", "[0]", ".<attribute>")
    assert [r for r in gc.get_referrers(holder.dynamic_name) if type(r) is dict] == dicts_before


def test_module_level_variable_is_not_a_cycle(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import refgraph\n"
        "class P:\n"
        "    pass\n"
        "x = P()\n"
        "result = refgraph.why_alive(x)\n"
        "print([chain.root_kind for chain in result], result.caller_variables)\n"
        "print(result)\n",
        encoding="utf-8",
    )
    import subprocess

    completed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                               cwd=str(tmp_path), env={**__import__("os").environ, "PYTHONPATH": _repository_root()})

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[0] == "[] ['x']"
    assert "Nothing else refers to it." in completed.stdout


def _repository_root() -> str:
    import os

    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_why_alive_rejects_invalid_limits():
    with pytest.raises(ValueError, match="invalid max_depth 0"):
        refgraph.why_alive(Item(), max_depth=0)
    with pytest.raises(ValueError, match="invalid max_visited 0"):
        refgraph.why_alive(Item(), max_visited=0)


def test_referents_walk_has_no_phantom_attribute():
    holder = Item("holder")
    holder.payload = [1]

    result = refgraph.graph(holder, direction="referents")
    class_key = next(node.key for node in result.nodes if node.root_kind == "class")
    labels = [edge.label for edge in result.edges if edge.source == result.target_key and edge.target == class_key]

    assert labels == [".__class__"]


def test_walk_after_awaiting_future_finishes():
    # CPython 3.12.0 to 3.12.5 loop forever in the next collection if gc.get_referents
    # of the _asyncio module was called after a future was awaited. The hang cannot be
    # interrupted, so the walk runs in a child process with a time limit.
    import subprocess

    code = (
        "import asyncio, gc, refgraph\n"
        "async def main():\n"
        "    await asyncio.sleep(0)\n"
        "    future = asyncio.get_running_loop().create_future()\n"
        "    future.set_result(1)\n"
        "    await future\n"
        "asyncio.run(main())\n"
        "HOLDER = [[object()]]\n"
        "refgraph.why_alive(HOLDER[0][0], max_depth=20)\n"
        "refgraph.scan.SWEEP_THRESHOLD = 0\n"
        "refgraph.graph(HOLDER[0][0])\n"
        "gc.collect()\n"
        "print('finished')\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                               cwd=_repository_root())

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "finished"
