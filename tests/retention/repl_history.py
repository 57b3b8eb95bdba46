"""Interactive history keeps a displayed value after the user deletes their variable.

`sys.displayhook` stores the last displayed value in `builtins._`, and
IPython also stores it in `Out[n]`. After `del frame`, the history still
holds it: a classic false positive in leak hunting.
"""

import builtins
import contextlib
import io
import sys


class DataFrame2D:
    def __init__(self, cells):
        self.cells = [0.0] * cells

    def __repr__(self):
        return f"<DataFrame2D {len(self.cells)} cells>"


def build():
    frame = DataFrame2D(1_000)
    with contextlib.redirect_stdout(io.StringIO()):
        sys.displayhook(frame)
    expected = {
        "root_kind": "repl",
        "root_label": "module builtins",
        "labels": ["._"],
    }
    return frame, expected


def cleanup():
    builtins._ = None
