"""A request handler pinned through a stream's close callback, a bound method.

The loop's handler table keeps the stream's bound `_handle_events`, whose
`__self__` is the stream, whose `_close_callback` is a bound method of the
handler. The handler is also on a collectable cycle through its request;
the root is the handler table that was never cleaned up.
"""

LOOP = None


class PollLoop:
    def __init__(self):
        self._handlers = {}

    def add_handler(self, fd, handler):
        self._handlers[fd] = (fd, handler)


class IOStream:
    def __init__(self, loop, fd):
        self._close_callback = None
        loop.add_handler(fd, self._handle_events)

    def _handle_events(self, fd, events):
        pass


class RequestHandler:
    def __init__(self, stream, uri):
        self.stream = stream
        self.uri = uri
        stream._close_callback = self.on_connection_close

    def on_connection_close(self):
        pass

    def __repr__(self):
        return f"<RequestHandler {self.uri}>"


def build():
    global LOOP
    LOOP = PollLoop()
    handler = RequestHandler(IOStream(LOOP, 7), "/report")
    expected = {
        "root_kind": "module",
        "root_label": f"module {__name__}",
        "labels": [".LOOP", "._handlers", "[7]", "[1]", ".__self__", "._close_callback", ".__self__"],
    }
    return handler, expected
