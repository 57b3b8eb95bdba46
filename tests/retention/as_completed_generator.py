"""A half-consumed generator keeps the results it already yielded.

Like an early `concurrent.futures.as_completed`, the generator keeps the set
of finished futures in a local while it is suspended, so every future it
yielded, and that future's result, stays alive until the generator is
exhausted or dropped. The last container is a set, which has no index or key.
"""

from concurrent.futures import Future

PENDING = None


class Chunk:
    def __init__(self, size):
        self.data = bytearray(size)

    def __repr__(self):
        return f"<Chunk {len(self.data)} bytes>"


def leaky_as_completed(futures):
    finished = {future for future in futures if future.done()}
    for future in list(finished):
        yield future.result()
    yield None


def build():
    global PENDING
    futures = []
    for _ in range(3):
        future = Future()
        future.set_result(Chunk(1_000))
        futures.append(future)
    PENDING = leaky_as_completed(futures)
    first = next(PENDING)
    locals_label = ".gi_frame.f_locals" if __import__("sys").version_info >= (3, 11) else ".f_locals"
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels_start": [".PENDING"],
        "labels_end": ["._result"],
        "locals_label": locals_label,
    }
    return first, expected
