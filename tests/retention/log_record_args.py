"""A buffering log handler keeps every object passed as a log argument.

`logger.debug("... %r", obj)` stores `obj` in `record.args`, and a
`MemoryHandler` that never flushes keeps every record. The root is the
logging module's own registry of loggers.
"""

import logging
import logging.handlers

LOGGER_NAME = "refgraph.tests.retention.jobs"


class ClusterSnapshot:
    def __init__(self):
        self.workers = {f"tcp://127.0.0.1:{port}": bytearray(10) for port in range(4000, 4010)}

    def __repr__(self):
        return f"<ClusterSnapshot {len(self.workers)} workers>"


def build():
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(logging.handlers.MemoryHandler(capacity=10_000, flushLevel=logging.CRITICAL + 10))
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    snapshot = ClusterSnapshot()
    logger.debug("took snapshot %r", snapshot)
    expected = {
        "root_kind": "class",
        "root_label": "class logging.Logger",
        "labels": [".manager", ".loggerDict", f"['{LOGGER_NAME}']", ".handlers", "[0]", ".buffer", "[0]", ".args",
                   "[0]"],
    }
    return snapshot, expected
