"""Result objects stuck in a backend's pending table, behind a namedtuple field.

A result registers itself in `backend._pending_results.concrete` and relies
on a promise to remove it. The promise keeps only a weak reference to a
bound method, which dies at once, so the removal never runs. The weak
table beside it must not be reported as a holder.
"""

import weakref
from collections import namedtuple

PendingResults = namedtuple("PendingResults", ("concrete", "weak"))

APP = None


class Backend:
    def __init__(self):
        self._pending_results = PendingResults({}, weakref.WeakValueDictionary())


class TaskResult:
    def __init__(self, task_id, backend):
        self.id = task_id
        self.backend = backend
        # A weak reference to a bound method is dead on arrival.
        self.on_ready = weakref.ref(self._on_fulfilled)
        backend._pending_results.concrete[task_id] = self
        backend._pending_results.weak[task_id] = self

    def _on_fulfilled(self, value):
        self.backend._pending_results.concrete.pop(self.id, None)

    def __repr__(self):
        return f"<TaskResult {self.id}>"


class App:
    def __init__(self):
        self.backend = Backend()


def build():
    global APP
    APP = App()
    result = TaskResult("task-7", APP.backend)
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".APP", ".backend", "._pending_results", ".concrete", "['task-7']"],
    }
    return result, expected
