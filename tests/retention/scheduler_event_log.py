"""A scheduler's event log keeps forgotten task records alive through dict keys.

When a worker goes away, the scheduler logs an event whose payload copies
the worker's `processing` mapping. Its keys are task records, so tasks that
were already forgotten stay reachable from `SCHEDULER.events[address]`.
The last hop is a dict key, not a value.
"""

from collections import defaultdict, deque

SCHEDULER = None
ADDRESS = "tcp://127.0.0.1:4001"


class TaskRecord:
    def __init__(self, key):
        self.key = key
        self.state = "processing"

    def __repr__(self):
        return f"<TaskRecord {self.key!r} {self.state}>"


class Scheduler:
    def __init__(self):
        self.tasks = {}
        self.processing = {}
        self.events = defaultdict(lambda: deque(maxlen=100))

    def remove_worker(self, address):
        payload = {"action": "remove-worker", "processing-tasks": dict(self.processing)}
        for topic in (address, "all"):
            self.events[topic].append((1.0, payload))
        for task in self.processing:
            task.state = "forgotten"
            del self.tasks[task.key]
        self.processing.clear()


def build():
    global SCHEDULER
    SCHEDULER = Scheduler()
    for index in range(3):
        task = TaskRecord(f"x-{index}")
        SCHEDULER.tasks[task.key] = task
        SCHEDULER.processing[task] = 1.0
    SCHEDULER.remove_worker(ADDRESS)

    payload = SCHEDULER.events[ADDRESS][0][1]
    target = next(task for task in payload["processing-tasks"] if task.key == "x-1")
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".SCHEDULER", ".events", f"['{ADDRESS}']", "[0]", "[1]", "['processing-tasks']", "key"],
        "alternatives": [[".SCHEDULER", ".events", "['all']", "[0]", "[1]", "['processing-tasks']", "key"]],
    }
    return target, expected
