"""A stored job-error event keeps the failed job's locals alive through its traceback.

The executor catches the job's exception and stores it in an event that a
listener keeps. The exception's `__traceback__` keeps every frame of the
failed job, including a large local of a finished coroutine.
"""

import asyncio
import sys
import weakref

ERROR_EVENTS = []
_PROBE = []


class ReportRows:
    def __init__(self, count):
        self.rows = [bytearray(10) for _ in range(count)]

    def __repr__(self):
        return f"<ReportRows {len(self.rows)}>"


class JobEvent:
    def __init__(self, job_id, exception):
        self.job_id = job_id
        self.exception = exception


async def nightly_report():
    rows = ReportRows(200)
    _PROBE.append(weakref.ref(rows))
    await asyncio.sleep(0)
    raise ConnectionError(f"warehouse unreachable after {len(rows.rows)} rows")


async def run_job():
    try:
        await nightly_report()
    except ConnectionError:
        return JobEvent("nightly", sys.exc_info()[1])


def build():
    ERROR_EVENTS.append(asyncio.run(run_job()))
    target = _PROBE.pop()()
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".ERROR_EVENTS", "[0]", ".exception", ".__traceback__", ".tb_next", ".tb_frame",
                   ".f_locals['rows']"],
    }
    return target, expected
