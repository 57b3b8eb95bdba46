"""What `redact=True` hides in a rendered graph, for reports that are shared outside.

Redaction replaces every repr with its type name. Dict keys are data, like
reprs, so an edge label that quotes a key (``['session-token']``) becomes
``[…]``. The host name is hidden too. Type names, module names, attribute
names, variable names, sequence indexes, integer keys and root labels stay,
because they come from the code rather than its data and a reader needs them
to follow a chain.
"""

from __future__ import annotations

#: Text shown in place of a dict key in a redacted edge label.
REDACTED_KEY = "[\u2026]"

#: Text shown in place of an edge label that quotes data in another form.
REDACTED_LABEL = "<redacted>"

#: Text shown in place of the host name.
REDACTED_HOST = "(redacted)"

# Edge kinds whose quoted text is a variable name from the code, such as
# ``.f_locals['cache']`` or ``closure variable 'handler'``.
_NAME_KINDS = frozenset({"local", "closure"})


def redact_label(label: str, kind: str) -> str:
    """Return `label` with any quoted dict key hidden.

    A subscript such as ``['token']`` or ``[('a', 1)]`` becomes ``[…]``, and
    an integer subscript such as ``[3]`` stays. Any other label that contains
    a quote becomes ``<redacted>``, unless its kind says the quote holds a
    variable name.
    """
    if kind in _NAME_KINDS:
        return label

    if label.startswith("[") and label.endswith("]"):
        inner = label[1:-1]
        if inner.isascii() and inner.isdigit():
            return label
        return REDACTED_KEY

    if "'" in label or '"' in label:
        return REDACTED_LABEL
    return label


def shown_label(label: str, kind: str, redact: bool) -> str:
    """Return the edge label to show: as recorded, or redacted."""
    if redact:
        return redact_label(label, kind)
    return label
