"""Compare refgraph with objgraph and raw `gc` calls on the same heap, in one run.

Usage::

    python benchmarks/bench_walk.py [--repeat 5] [--objects 200000] [--no-dask]

The heap is made realistic by importing dask.distributed (when installed)
and adding `--objects` unrelated small containers. Each scenario builds one
retention pattern and times, on that same heap:

- ``gc.get_referrers(target)``: one raw heap scan, the unit every tool pays;
- objgraph's equivalent (`find_backref_chain`, or `show_backrefs` writing
  a .dot file, which needs no Graphviz), where it finishes in minutes;
- refgraph's `why_alive` or `graph`.

Times are the median of `--repeat` runs on a shared machine, so compare the
ratios in the last column rather than the absolute seconds. The last table
measures where one `gc.get_referrers(*batch)` call costs as much as one pass
over `gc.get_objects()`, which sets `refgraph.walk.SWEEP_THRESHOLD`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import platform
import statistics
import sys
import tempfile
import time
import weakref
from typing import Any, Callable

import objgraph

import refgraph

# Module globals are the roots that every tool stops at.
ROOTS: dict[str, Any] = {}

# The measured target lives only at the end of its chain. Measurements fetch it
# anew on each call, so that no local variable of this script refers to it: a
# local of an executing frame is a root too, and would be the shortest chain.
TARGETS: dict[str, Any] = {}


def fetch(name: str) -> Any:
    return TARGETS[name]()


class Node:
    __slots__ = ("next", "__weakref__")

    def __init__(self) -> None:
        self.next = None


class Holder:
    def __init__(self, value: Any) -> None:
        self.value = value


def median_seconds(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ---------------------------------------------------------------- scenarios


def build_nested_chain() -> None:
    """Build a target seven hops below the module, through dicts, lists and attributes."""
    ROOTS["nested"] = {"jobs": [Holder({"state": [Holder(None)]})]}
    TARGETS["nested"] = lambda: ROOTS["nested"]["jobs"][0].value["state"][0]


def build_deep_chain(length: int) -> None:
    """Build a target at the end of a linked chain of `length` hops of `__slots__` objects."""
    head = node = Node()
    for _ in range(length - 1):
        node.next = Node()
        node = node.next
    ROOTS["deep"] = head
    TARGETS["deep"] = weakref.ref(node)


def build_fan_in(count: int) -> None:
    """Build a target referred to by `count` small lists, all in one module-level list."""
    target = Holder(None)
    ROOTS["fan"] = [[target] for _ in range(count)]
    TARGETS["fan"] = lambda: ROOTS["fan"][0][0]


def release_deep_chain() -> None:
    # Unlink iteratively, so that freeing a long chain does not recurse.
    node = ROOTS.pop("deep", None)
    while node is not None:
        node.next, node = None, node.next


# ---------------------------------------------------------------- measurements


def compare(name: str, rows: list[tuple[str, float]]) -> None:
    baseline = rows[0][1]
    print(f"\n{name}", flush=True)
    for label, seconds in rows:
        ratio = seconds / baseline if baseline else float("nan")
        print(f"  {label:<48} {seconds:9.4f} s  {ratio:8.1f} x", flush=True)


def measure_why_alive(name: str, key: str, repeat: int, objgraph_repeat: int, max_depth: int = 20) -> None:
    """Time both tools' chain search on TARGETS[key] and print how many hops each chain has."""
    found: dict[str, int] = {}

    def objgraph_chain() -> None:
        # objgraph returns [target] alone when no chain is found within max_depth.
        chain = objgraph.find_backref_chain(fetch(key), objgraph.is_proper_module, max_depth=max_depth)
        found["objgraph"] = len(chain) - 1

    def refgraph_chain(max_chains: int) -> None:
        result = refgraph.why_alive(fetch(key), max_chains=max_chains)
        found["refgraph"] = len(result[0]) if result else 0

    rows = [
        ("gc.get_referrers(target), one scan", median_seconds(lambda: gc.get_referrers(fetch(key)), repeat)),
        (f"objgraph.find_backref_chain(max_depth={max_depth})", median_seconds(objgraph_chain, objgraph_repeat)),
        ("refgraph.why_alive(max_chains=1)", median_seconds(lambda: refgraph_chain(1), repeat)),
        ("refgraph.why_alive(max_chains=3)", median_seconds(lambda: refgraph_chain(3), repeat)),
    ]
    compare(name, rows)
    print(f"  hops in the chain found: objgraph {found['objgraph']}, refgraph {found['refgraph']}", flush=True)


def measure_graph(name: str, key: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        dot_path = os.path.join(folder, "backrefs.dot")

        def objgraph_backrefs() -> None:
            # objgraph prints the path it wrote; keep the table readable.
            with contextlib.redirect_stdout(io.StringIO()):
                objgraph.show_backrefs([fetch(key)], max_depth=4, too_many=50, filename=dot_path)

        rows = [
            ("gc.get_referrers(target), one scan", median_seconds(lambda: gc.get_referrers(fetch(key)), repeat)),
            ("objgraph.show_backrefs(max_depth=4) to .dot", median_seconds(objgraph_backrefs, repeat)),
            ("refgraph.graph(max_depth=4, max_nodes=50)",
             median_seconds(lambda: refgraph.graph(fetch(key), max_depth=4), repeat)),
            ("refgraph.graph(...).to_html(renderer='svg')",
             median_seconds(lambda: refgraph.graph(fetch(key), max_depth=4).to_html(renderer="svg"), repeat)),
        ]
    compare(name, rows)


def measure_sweep_threshold(repeat: int) -> None:
    """Print the cost of one batched gc.get_referrers call against one heap sweep."""
    pool = [[index] for index in range(2_000)]
    print("\ngc.get_referrers(*batch) against one pass over gc.get_objects()")
    for size in (1, 16, 64, 128, 256, 512):
        batch = tuple(pool[:size])
        wanted = {id(item) for item in batch}

        def sweep() -> None:
            for candidate in gc.get_objects():
                for referent in gc.get_referents(candidate):
                    if id(referent) in wanted:
                        break

        scan = median_seconds(lambda: gc.get_referrers(*batch), repeat)
        swept = median_seconds(sweep, repeat)
        print(f"  batch {size:4d}: get_referrers {scan:8.4f} s   sweep {swept:8.4f} s   ratio {scan / swept:5.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is shown (default: 5)")
    parser.add_argument("--objects", type=int, default=200_000,
                        help="unrelated small containers added to the heap (default: 200000)")
    parser.add_argument("--no-dask", action="store_true", help="do not import dask.distributed to grow the heap")
    arguments = parser.parse_args()

    if not arguments.no_dask:
        try:
            import distributed  # noqa: F401  (imported for its heap)
        except ImportError:
            print("dask.distributed is not installed; the heap is smaller", file=sys.stderr)
    ballast = [[index] for index in range(arguments.objects)]
    gc.collect()

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
          f"{len(gc.get_objects()):,} tracked objects; refgraph {refgraph.__version__}, objgraph {objgraph.__version__}")

    build_nested_chain()
    measure_why_alive("why alive: seven hops from a module global", "nested", arguments.repeat, arguments.repeat)
    measure_graph("graph: seven hops from a module global", "nested", arguments.repeat)

    # objgraph scans the heap once per object it visits, so its deep chain is kept short.
    build_deep_chain(2_000)
    measure_why_alive("why alive: 2,000-hop linked chain", "deep", arguments.repeat, 1, max_depth=2_100)
    release_deep_chain()

    build_deep_chain(50_000)
    rows = [
        ("gc.get_referrers(target), one scan", median_seconds(lambda: gc.get_referrers(fetch("deep")), arguments.repeat)),
        ("refgraph.why_alive(max_chains=1)", median_seconds(lambda: refgraph.why_alive(fetch("deep"), max_chains=1), 1)),
    ]
    compare("why alive: 50,000-hop linked chain (objgraph not run: one heap scan per hop)", rows)
    release_deep_chain()

    build_fan_in(100_000)
    rows = [
        ("gc.get_referrers(target), one scan", median_seconds(lambda: gc.get_referrers(fetch("fan")), arguments.repeat)),
        ("refgraph.why_alive(max_chains=1)", median_seconds(lambda: refgraph.why_alive(fetch("fan"), max_chains=1), 1)),
        ("refgraph.graph(max_nodes=50)", median_seconds(lambda: refgraph.graph(fetch("fan")), 1)),
    ]
    compare("fan-in: 100,000 referrers (objgraph not run: one heap scan per referrer)", rows)
    ROOTS.clear()

    measure_sweep_threshold(arguments.repeat)
    del ballast
    return 0


if __name__ == "__main__":
    sys.exit(main())
