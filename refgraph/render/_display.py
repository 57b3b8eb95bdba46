"""Turn untrusted text from a graph into text that is safe and readable on screen.

Reprs, labels and even type names come from the inspected program and may
contain anything: control characters, bidirectional overrides that reorder
what the reader sees, lone surrogates that cannot be encoded as UTF-8, or a
megabyte of data. These helpers only change how text looks. Escaping for HTML
is left to Jinja2's autoescape and to `_embed.html_safe_json`.
"""

from __future__ import annotations

import re

#: Maximum characters of a repr shown in the details list and the header.
MAX_DETAIL_CHARS = 2000

#: Maximum characters of a repr shown in a hover title.
MAX_TITLE_CHARS = 500

#: Maximum characters of a repr or type name drawn inside the graph itself.
MAX_LABEL_CHARS = 30

#: Maximum characters of an edge label drawn inside the graph itself.
MAX_EDGE_LABEL_CHARS = 40

# Characters shown as escapes instead of being written out: C0 and C1 controls
# except tab and newline, bidirectional marks and overrides, zero-width
# characters, line and paragraph separators, the byte order mark and lone
# surrogates (which have no UTF-8 encoding).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)

_WHITESPACE_RUN = re.compile(r"\s+")


def _escape_character(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def displayable(text: str) -> str:
    """Replace invisible and unencodable characters with Python-style escapes.

    The result always encodes as UTF-8 and shows every character it contains,
    so ``'\\u202e'`` appears as the six characters ``\\u202e`` instead of
    reversing the rest of the line.
    """
    return _INVISIBLE.sub(_escape_character, text)


def shorten(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """Cut `text` to `limit` characters and append the length of the original."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\u2026 [truncated for display: {len(text):,} characters in total]"


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "\u2026"


def detail_text(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """Prepare a repr or other long value for the details list, the header and hover titles."""
    return displayable(shorten(text, limit))


def label_text(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Prepare text drawn in the graph: one line, at most `limit` characters."""
    # Clip before escaping so that a megabyte of text is not scanned, but clip
    # again afterwards because escapes are longer than the characters they replace.
    one_line = _WHITESPACE_RUN.sub(" ", text[: limit * 4]).strip()
    return clip(displayable(clip(one_line, limit)), limit)
