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


def test_event_log_lists_both_topics():
    result = explain("scheduler_event_log")
    found = [chain["labels"] for chain in result["chains"]]

    assert result["expected"]["labels"] in found
    assert result["expected"]["alternatives"][0] in found


def test_same_object_every_edge_labelled():
    result = explain("same_object_two_keys")

    assert result["edges_into_target"] == result["expected"]["edges_into_target"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="instances keep inline attributes only from Python 3.11")
def test_inline_attributes_dict_not_created():
    result = explain("slots_and_inline_attributes")

    assert result["dict_created"] is False
