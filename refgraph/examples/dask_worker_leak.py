"""Reproduce a leak in dask.distributed and show what keeps the leaked object alive.

Run it as ``refgraph demo`` or ``python -m refgraph.examples.dask_worker_leak``.
It needs dask.distributed (``pip install 'refgraph[dask]'``) and takes a few
seconds. With distributed 2026.8.0 the steps are:

1. Start an in-process LocalCluster: a scheduler and two single-threaded
   workers that listen on 127.0.0.1 only, with no dashboard.
2. Submit tasks restricted, loosely, to one worker (the victim). The tasks
   block until the demo releases them, so the victim stays saturated while
   the other worker is idle, and the scheduler's work-stealing extension
   moves queued tasks to the idle worker.
3. Release the tasks, wait for them and retire the victim. The scheduler
   drops the victim's `WorkerState` from `Scheduler.workers`, but the
   work-stealing extension keeps it as a key of its `in_flight_tasks`
   defaultdict, and sometimes of `in_flight_occupancy` too.
4. Close the cluster and run `gc.collect()`. The `WorkerState` is still
   alive, and so is the closed `Scheduler`: `distributed.core._expects_comm`
   is wrapped in `functools.cache`, and the scheduler calls it with its bound
   handler methods, so the cache keys hold the Scheduler through `__self__`.
5. Ask refgraph why the `WorkerState` is alive, print the chains and write an
   HTML report of its referrers.

The walk runs after the cluster is closed because then the chain starts at a
module global inside distributed and passes through both holders. While the
cluster runs, the shortest chain starts at the caller's own cluster variable.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import refgraph

if TYPE_CHECKING:
    from distributed import Client

    from refgraph.chains import Chain
    from refgraph.model import RefGraph

#: Report path used when `run` gets no `output`, relative to the current directory.
DEFAULT_OUTPUT = "refgraph-demo.html"

#: Install hint printed when dask.distributed cannot be imported.
INSTALL_HINT = "pip install 'refgraph[dask]'"

#: Node cap of the report's walk for each renderer. The canvas renderer can
#: show the whole graph back to the module global in distributed.core (about
#: 200 objects with distributed 2026.8.0). The SVG renderer stays readable up to
#: about 50 nodes, so there the walk stops near the WorkerState and counts
#: the rest as "+N more" nodes. The printed chains are complete either way.
REPORT_MAX_NODES = {"canvas": 300, "svg": 50}

#: Maximum number of chains `why_alive` returns.
MAX_CHAINS = 3

#: Tasks submitted to the victim. One runs and the others wait in its queue,
#: which is what the work-stealing extension takes from.
TASK_COUNT = 20

#: Seconds to wait for the first confirmed steal. The extension balances once
#: per `distributed.scheduler.work-stealing-interval` (1 s by default in
#: distributed 2026.8.0), so a steal normally comes within about a second.
STEAL_TIMEOUT = 30.0

#: Seconds a task waits for the release before it returns anyway, so that a
#: failed run cannot leave worker threads blocked.
TASK_TIMEOUT = STEAL_TIMEOUT + 30.0

#: Set by the demo to let its blocked tasks finish. The workers run in this
#: process (processes=False), so the tasks see this same object. A
#: distributed.Event would also work, but each worker would create a Client
#: for it, and those clients would crowd the report.
release_tasks = threading.Event()

#: Holders that a chain may name, each with what it means for this leak in
#: distributed 2026.8.0. The summary under the chains prints the matching ones.
#: NOTE: the texts were checked against the source of distributed 2026.8.0 only.
#: A later version may keep these names and hold the WorkerState for another reason.
HOLDER_EXPLANATIONS = (
    (
        ("in_flight_tasks", "in_flight_occupancy"),
        "The work-stealing extension, Scheduler.extensions['stealing'], counts steals per worker "
        "in the defaultdicts in_flight_tasks and in_flight_occupancy, keyed by WorkerState. "
        "Retiring a worker deletes neither key, so the retired WorkerState stays in them.",
    ),
    (
        ("_expects_comm",),
        "The closed Scheduler stays alive because distributed.core._expects_comm is wrapped in "
        "functools.cache. The scheduler's comm loop calls it with bound handler methods, "
        "and each cache key holds the Scheduler through __self__.",
    ),
)


class LeakNotReproducedError(RuntimeError):
    """Failure to bring the cluster into the state that shows the leak, such as no steal in time."""


def progress(message: str) -> None:
    """Print one progress line on stderr, so that stdout contains only the findings."""
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------ reproduction


def wait_for_release(index: int) -> int:
    """Block until the demo sets `release_tasks`, then return `index`.

    This runs as a task on the workers. A blocked task keeps its worker busy
    for as long as the demo needs, so the steal does not depend on timing.
    """
    release_tasks.wait(timeout=TASK_TIMEOUT)
    return index


def reproduce_leak() -> str:
    """Retire a worker whose tasks were stolen, close the cluster and return the worker's address.

    Raises LeakNotReproducedError when no task was stolen in time or the
    scheduler did not retire the worker.
    """
    from distributed import Client, LocalCluster

    progress("Starting a LocalCluster: 2 in-process workers on 127.0.0.1, no dashboard ...")
    # With processes=False the protocol defaults to inproc://, which rejects a
    # host, so tcp is named to listen on 127.0.0.1. Without a dashboard the
    # scheduler still serves health and metrics routes over HTTP, by default on
    # port 8787, so its address is set to a free port on 127.0.0.1 instead.
    cluster_options = dict(
        processes=False,
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    with LocalCluster(**cluster_options) as cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        victim, thief = sorted(client.scheduler_info()["workers"])

        progress(f"Keeping worker {victim} busy until work stealing moves tasks to {thief} ...")
        moved = steal_from(client, victim)
        progress(f"Work stealing moved {moved} task(s) from {victim} to {thief}.")

        progress(f"Retiring worker {victim} ...")
        retired = client.retire_workers([victim])
        if victim not in retired:
            raise LeakNotReproducedError(
                f"the scheduler did not retire worker {victim}: retire_workers returned {sorted(retired)}"
            )

        progress("Closing the client and the cluster ...")
    return victim


def steal_from(client: Client, victim: str) -> int:
    """Saturate `victim` with blocked tasks until a steal is confirmed, and return the number of tasks moved.

    The tasks are released and finished before this returns, so retiring
    the victim afterwards moves no data.
    """
    from distributed import wait

    release_tasks.clear()
    futures = client.map(wait_for_release, range(TASK_COUNT), workers=[victim], allow_other_workers=True)
    try:
        moved = wait_for_steals(client, victim)
    finally:
        release_tasks.set()

    wait(futures)
    return moved


def wait_for_steals(client: Client, victim: str) -> int:
    """Poll the scheduler's "stealing" event log until a task moved away from `victim`.

    Returns the number of confirmed moves, or raises LeakNotReproducedError
    after `STEAL_TIMEOUT` seconds.
    """
    deadline = time.monotonic() + STEAL_TIMEOUT
    while True:
        # A confirmed move is logged as ("confirm", key, state, victim, thief, stimulus_id).
        moves = [
            message
            for _, message in client.get_events("stealing")
            if message[0] == "confirm" and message[3] == victim
        ]
        if moves:
            return len(moves)
        if time.monotonic() > deadline:
            raise LeakNotReproducedError(
                f"work stealing moved no task away from worker {victim} within {STEAL_TIMEOUT:.0f} s. "
                "Check that the dask config distributed.scheduler.work-stealing is true, or run "
                "the demo again on a less loaded machine."
            )
        time.sleep(0.05)


# ------------------------------------------------------------ walk


def find_worker_state(address: str) -> Any | None:
    """Return the live WorkerState of the worker at `address`, or None if it was freed.

    WorkerState has __slots__ and no __weakref__, so the demo cannot keep a
    weak reference to it, and a strong one would show up as a holder. It
    finds the object again by scanning `gc.get_objects()` instead.
    """
    from distributed.scheduler import WorkerState

    for candidate in gc.get_objects():
        if type(candidate) is WorkerState and candidate.address == address:
            return candidate
    return None


def explain_leak(address: str, *, max_nodes: int) -> tuple[list[Chain], RefGraph] | None:
    """Return why the WorkerState of `address` is alive and a graph of its referrers.

    Returns None when a full collection frees the WorkerState, which means
    this distributed version does not have the leak.
    """
    gc.collect()
    worker_state = find_worker_state(address)
    if worker_state is None:
        return None

    # refgraph leaves the caller's frame out of its results, so this local
    # variable is not reported as a holder. Nothing else here refers to it.
    chains = refgraph.why_alive(worker_state, max_chains=MAX_CHAINS)
    report = refgraph.graph(worker_state, max_nodes=max_nodes)
    del worker_state
    return chains, report


# ------------------------------------------------------------ output


def print_findings(address: str, chains: list[Chain], distributed_version: str) -> None:
    """Print the chains that keep the retired WorkerState alive, and what they mean."""
    print(
        f"distributed {distributed_version}: worker {address} was retired and the cluster closed, "
        "but its WorkerState is still alive after gc.collect()."
    )
    print()

    # Chains through different objects of one kind, such as two cache keys, read the same.
    lines = list(dict.fromkeys(str(chain) for chain in chains))
    print("Why it is alive: the shortest reference chains, from a root to the WorkerState.")
    print("Each step names a reference (.name: attribute, ['name']: item, key: dict key) and, in <>,")
    print("the type of the object it leads to.")
    for number, line in enumerate(lines, start=1):
        print(f"  {number}. {line}")
    print()

    text = "\n".join(lines)
    explanations = [
        explanation for markers, explanation in HOLDER_EXPLANATIONS if any(marker in text for marker in markers)
    ]
    if not any(marker in text for marker in HOLDER_EXPLANATIONS[0][0]):
        explanations.append(
            "No chain passes through the work-stealing extension, so this distributed version keeps "
            "the WorkerState some other way: follow the chains above and the HTML report."
        )
    print("What the chains show:")
    for explanation in explanations:
        print(f"  - {explanation}")
    print()


def describe_report(path: Path, report: RefGraph, renderer: str) -> str:
    """Return the text that names the report's path and describes what it shows."""
    object_count = sum(1 for node in report.nodes if node.kind == "object")
    cut = sum(report.cut.values())
    lines = [
        f"HTML report: {path}",
        f"  It shows the WorkerState and {object_count - 1} objects that refer to it, directly or through "
        f"others, drawn by the {renderer} renderer.",
    ]
    if cut:
        lines.append(
            f"  The walk stopped at {report.options.get('max_nodes')} objects and counts {cut} more "
            "referrers as \"+N more\" nodes. Use --renderer canvas for the whole graph."
        )
    return "\n".join(lines)


def open_in_browser(path: Path) -> None:
    """Open the report in the default web browser, with a note on stderr when none is found."""
    if not webbrowser.open(path.resolve().as_uri()):
        progress(f"No web browser found to open {path}: open the file yourself.")


# ------------------------------------------------------------ entry point


def run(renderer: str = "canvas", output: str | None = None, open_browser: bool = False, redact: bool = False) -> int:
    """Reproduce the leak, print why the retired WorkerState is alive and write the HTML report.

    With `redact`, the report replaces reprs with type names and hides dict
    keys and the host name. The lines printed here still show them.

    Returns the exit code: 0 when the report was written, 1 when
    dask.distributed is missing, the leak did not reproduce or the report
    could not be written. Raises ValueError for an unknown `renderer`.
    """
    if renderer not in REPORT_MAX_NODES:
        allowed = ", ".join(repr(name) for name in REPORT_MAX_NODES)
        raise ValueError(f"invalid renderer {renderer!r}: use one of {allowed}")

    try:
        import distributed
    except ImportError as error:
        print(f"refgraph demo needs dask.distributed, which failed to import ({error}): {INSTALL_HINT}",
              file=sys.stderr)
        return 1

    path = Path(output if output is not None else DEFAULT_OUTPUT)
    started = time.perf_counter()
    try:
        address = reproduce_leak()
    except LeakNotReproducedError as error:
        print(f"refgraph demo: {error}", file=sys.stderr)
        return 1

    progress(f"Walking the referrers of the WorkerState of retired worker {address} ...")
    findings = explain_leak(address, max_nodes=REPORT_MAX_NODES[renderer])
    if findings is None:
        print(
            f"refgraph demo: gc.collect() freed the WorkerState of retired worker {address}, so "
            f"distributed {distributed.__version__} does not have the leak this demo shows",
            file=sys.stderr,
        )
        return 1
    chains, report = findings
    print_findings(address, chains, distributed.__version__)

    try:
        report.to_html(str(path), renderer=renderer, redact=redact)
    except OSError as error:
        print(f"refgraph demo: cannot write the HTML report to {path}: {error.strerror or error}. "
              "Pass another path with -o.", file=sys.stderr)
        return 1
    print(describe_report(path, report, renderer))
    progress(f"Done in {time.perf_counter() - started:.1f} s.")

    if open_browser:
        open_in_browser(path)
    return 0


if __name__ == "__main__":
    # Import the module by name so that the task function is pickled by
    # reference, as it is under ``refgraph demo``, and not by value from __main__.
    from refgraph.examples.dask_worker_leak import run as run_demo

    sys.exit(run_demo())
