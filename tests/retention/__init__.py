"""Retention patterns from real leak reports, rebuilt in plain Python.

Each module's `build()` returns `(target, expected)`: the object whose
survival must be explained and what `why_alive` must say about it. Some
patterns change interpreter state (an event loop, `builtins._`, a logging
handler), so the tests run each module in its own process through `runner`.
"""
