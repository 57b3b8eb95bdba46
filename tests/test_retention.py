"""`why_alive` explains each retention pattern in tests/retention with the right root and labels.

Each pattern runs in its own process, because several change interpreter
state (an event loop, a logging handler) that other tests would see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PATTERNS = [
    "scheduler_event_log",
    "delayed_callback_closure",
    "lru_cache_method",
    "close_callback_bound_method",
    "same_object_two_keys",
    "pending_results_namedtuple",
    "job_error_traceback",
    "log_record_args",
    "hostile_holders",
    "slots_and_inline_attributes",
    "repl_history",
    "deep_linked_chain",
]


def explain(pattern: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.retention.runner", pattern],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_why_alive_explains_pattern(pattern):
    result = explain(pattern)
    expected = result["expected"]
    first = result["chains"][0]

    assert first["root_kind"] == expected["root_kind"], first["text"]
    assert first["root_label"] == expected["root_label"], first["text"]
    assert first["labels"] == expected["labels"], first["text"]
    assert str(first["text"]).endswith(">"), first["text"]
    assert expected.get("text_contains", "") in first["text"]


def test_generator_set_member_and_result():
    result = explain("as_completed_generator")
    expected = result["expected"]
    first = result["chains"][0]

    assert first["root_kind"] == expected["root_kind"]
    # Before 3.11 the generator refers to a frame object, which holds the locals.
    frame_hops = [".gi_frame"] if expected["locals_label"] == ".f_locals" else []
    local = f"{expected['locals_label']}['future']"
    assert first["labels"] == [".PENDING", *frame_hops, local, "._result"], first["text"]
    # The longer path through the set of finished futures is in the graph, with a member label.
    assert "set member" in result["all_edge_labels"]
    assert f"{expected['locals_label']}['finished']" in result["all_edge_labels"]
