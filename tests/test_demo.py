"""The dask.distributed demo, run against a real in-process cluster.

The subprocess tests run the demo the way a user does and read its output
and HTML report. The in-process tests check the leak itself with plain `gc`
calls, so they fail, with a message saying so, if distributed stops leaking
the retired worker's WorkerState.
"""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from refgraph.examples import dask_worker_leak

ROOT = Path(__file__).resolve().parents[1]

#: Seconds one demo subprocess may take. One run took about 2 s when this was
#: written, and the margin is for loaded CI machines.
DEMO_TIMEOUT = 120

#: Edge labels through which the work-stealing extension holds its dicts.
STEALING_DICTS = (".in_flight_tasks", ".in_flight_occupancy")

#: Python code that makes `import distributed` raise ImportError, as it does
#: when the package is not installed.
BLOCK_DISTRIBUTED = "import sys; sys.modules['distributed'] = None; "


def run_python(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python ARGUMENTS` in `cwd` with this checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT,
    )


def chain_lines(stdout: str) -> list[str]:
    """Return the numbered chain lines of the demo's output."""
    return [line for line in stdout.splitlines() if re.match(r"\s+\d+\. ", line)]


# ------------------------------------------------------------ report parsing


@dataclass
class Holder:
    """One incoming edge of a report entry: which object holds it, and how."""

    anchor: str = ""
    type_name: str = ""
    label: str = ""


@dataclass
class Entry:
    """One object of a report's details section."""

    anchor: str
    is_target: bool
    type_name: str = ""
    holders: list[Holder] = field(default_factory=list)


class ReportEntries(HTMLParser):
    """Collect each object entry of a report page with its type and incoming edges.

    Both renderers list every node as ``<li class="entry">`` with its type in
    the first ``<code>`` of its ``<h3>``. Under the heading "Referrers" each
    holder is an item ``<a href="#anchor"><code>type</code></a> ...
    <code class="edge-label">label</code>``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, Entry] = {}
        self._entry: Entry | None = None
        self._tag_stack: list[str] = []
        self._section = ""
        self._holder: Holder | None = None
        self._capture: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "li" and "entry" in classes:
            anchor = attributes.get("id") or ""
            self._entry = Entry(anchor=anchor, is_target="target" in classes)
            self.entries[anchor] = self._entry
            self._section = ""
            return
        if self._entry is None:
            return

        self._tag_stack.append(tag)
        if tag == "h4":
            self._capture, self._text = "heading", ""
        elif tag == "code" and "h3" in self._tag_stack and not self._entry.type_name:
            self._capture, self._text = "type", ""
        elif tag == "li" and self._section == "referrers":
            self._holder = Holder()
            self._entry.holders.append(self._holder)
        elif self._holder is not None and tag == "a":
            self._holder.anchor = (attributes.get("href") or "").lstrip("#")
        elif self._holder is not None and tag == "code":
            self._capture, self._text = ("label" if "edge-label" in classes else "holder_type"), ""

    def handle_endtag(self, tag: str) -> None:
        if self._entry is None:
            return
        if tag == "li" and not self._tag_stack:
            self._entry = None
            return
        if self._tag_stack:
            self._tag_stack.pop()

        if self._capture == "heading" and tag == "h4":
            self._section = "referrers" if self._text.startswith("Referrers") else "referents"
        elif self._capture == "type" and tag == "code":
            self._entry.type_name = self._text
        elif self._capture == "holder_type" and tag == "code" and self._holder is not None:
            self._holder.type_name = self._text
        elif self._capture == "label" and tag == "code" and self._holder is not None:
            self._holder.label = self._text
        elif tag == "li":
            self._holder = None
        if tag in ("h4", "code"):
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._text += data


def read_report(path: Path) -> dict[str, Entry]:
    parser = ReportEntries()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.entries


def stealing_edges_to_target(entries: dict[str, Entry]) -> list[str]:
    """Return the labels by which a WorkStealing object holds a direct holder of the target."""
    target = next(entry for entry in entries.values() if entry.is_target)
    labels = []
    for holder in target.holders:
        direct = entries.get(holder.anchor)
        if direct is None:
            continue
        for outer in direct.holders:
            if outer.type_name == "distributed.stealing.WorkStealing":
                labels.append(outer.label)
    return labels


# ------------------------------------------------------------ subprocess runs


@pytest.mark.parametrize("renderer", ["canvas", "svg"])
def test_cli_demo_writes_report(renderer, tmp_path):
    report = tmp_path / f"report-{renderer}.html"

    completed = run_python(["-m", "refgraph", "demo", "--renderer", renderer, "-o", str(report)], tmp_path)

    assert completed.returncode == 0, f"refgraph demo exited {completed.returncode}; stderr:\n{completed.stderr}"
    chains = chain_lines(completed.stdout)
    assert chains, f"no numbered chain lines in the output:\n{completed.stdout}"
    assert any(name.lstrip(".") in line for line in chains for name in STEALING_DICTS), (
        f"no chain names in_flight_tasks or in_flight_occupancy:\n{completed.stdout}"
    )
    assert f"HTML report: {report}" in completed.stdout
    assert report.is_file(), f"the demo printed success but wrote no report at {report}"

    entries = read_report(report)
    target = next((entry for entry in entries.values() if entry.is_target), None)
    assert target is not None, f"the report at {report} marks no entry as the target"
    assert target.type_name == "distributed.scheduler.WorkerState"
    labels = stealing_edges_to_target(entries)
    assert set(labels) & set(STEALING_DICTS), (
        f"the report does not show WorkStealing holding the WorkerState's holder through "
        f"{' or '.join(STEALING_DICTS)}; WorkStealing edges found: {labels}"
    )


def test_module_demo_default_output(tmp_path):
    completed = run_python(["-m", "refgraph.examples.dask_worker_leak"], tmp_path)

    assert completed.returncode == 0, f"the demo module exited {completed.returncode}; stderr:\n{completed.stderr}"
    default_report = tmp_path / dask_worker_leak.DEFAULT_OUTPUT
    assert default_report.is_file(), f"no report at the default path {default_report}"
    assert f"HTML report: {dask_worker_leak.DEFAULT_OUTPUT}" in completed.stdout
    assert "Starting a LocalCluster" in completed.stderr, "progress lines belong on stderr"
    assert "Starting a LocalCluster" not in completed.stdout


@pytest.mark.parametrize(
    "code",
    [
        "from refgraph.examples.dask_worker_leak import run; sys.exit(run())",
        "from refgraph.cli import main; sys.exit(main(['demo']))",
    ],
    ids=["run", "cli"],
)
def test_demo_without_distributed_prints_install_hint(code, tmp_path):
    completed = run_python(["-c", BLOCK_DISTRIBUTED + code], tmp_path)

    assert completed.returncode == 1, f"expected exit code 1, got {completed.returncode}; stderr:\n{completed.stderr}"
    assert dask_worker_leak.INSTALL_HINT in completed.stderr
    assert "dask.distributed" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""
    assert not (tmp_path / dask_worker_leak.DEFAULT_OUTPUT).exists()


def test_run_rejects_unknown_renderer():
    with pytest.raises(ValueError, match="invalid renderer 'png'"):
        dask_worker_leak.run(renderer="png")


# ------------------------------------------------------------ in-process leak


@pytest.fixture(scope="module")
def retired_address() -> str:
    """Reproduce the leak in this process once and return the retired worker's address.

    The leaked Scheduler and WorkerState stay in the test process afterwards,
    because nothing in distributed releases them.
    """
    return dask_worker_leak.reproduce_leak()


def test_reproduce_leak_keeps_worker_state(retired_address):
    import distributed
    from distributed.stealing import WorkStealing

    gc.collect()
    worker_state = dask_worker_leak.find_worker_state(retired_address)
    assert worker_state is not None, (
        f"gc.collect() freed the WorkerState of retired worker {retired_address}: distributed "
        f"{distributed.__version__} no longer leaks it, so the demo has nothing to show"
    )
    assert worker_state.status.name == "closed"

    holders = gc.get_referrers(worker_state)
    extensions = [candidate for candidate in gc.get_objects() if type(candidate) is WorkStealing]
    held_by = [
        (extension, name)
        for extension in extensions
        for name in ("in_flight_tasks", "in_flight_occupancy")
        if any(holder is getattr(extension, name) for holder in holders)
    ]
    assert held_by, (
        f"the retired WorkerState is alive but not held by WorkStealing.in_flight_tasks or "
        f"in_flight_occupancy in distributed {distributed.__version__}: its holders are "
        f"{sorted(type(holder).__qualname__ for holder in holders)}"
    )

    extension, _ = held_by[0]
    assert retired_address not in extension.scheduler.workers


def test_reproduce_leak_keeps_closed_scheduler(retired_address):
    import distributed
    from distributed.core import _expects_comm
    from distributed.scheduler import Scheduler

    gc.collect()
    schedulers = [candidate for candidate in gc.get_objects() if type(candidate) is Scheduler]
    assert schedulers, (
        f"no Scheduler is alive after the cluster closed: distributed {distributed.__version__} "
        "no longer keeps it, and the demo's chains will start elsewhere"
    )
    assert all(scheduler.status.name == "closed" for scheduler in schedulers)

    # functools.cache keeps its entries in a dict that only gc can reach.
    # Each key is a tuple of the call's arguments, here one bound method.
    caches = [referent for referent in gc.get_referents(_expects_comm) if type(referent) is dict]
    cached_owners = {
        id(getattr(key[0], "__self__", None))
        for cache in caches
        for key in cache
        if type(key) is tuple and key
    }
    cached_schedulers = [scheduler for scheduler in schedulers if id(scheduler) in cached_owners]
    assert cached_schedulers, (
        f"no Scheduler is the __self__ of a cached _expects_comm argument in distributed "
        f"{distributed.__version__}: {len(caches)} cache dict(s) with {sum(map(len, caches))} keys"
    )
