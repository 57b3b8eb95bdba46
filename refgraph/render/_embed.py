"""Put data, scripts and styles into one HTML page without opening it to injection.

Data goes into a ``<script type="application/json">`` block as JSON in which
every character that could end the block or start markup is a ``\\uXXXX``
escape. Scripts and styles are inlined, and the Content-Security-Policy lists
the SHA-256 hash of each one, so the browser runs those and nothing else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
import json
import re
from typing import Any

import jinja2
from markupsafe import Markup

#: Version of vis-network whose files are inlined from the installed pyvis package.
#: NOTE: only this version was checked to show string titles as text. A pyvis
#: release that ships another version makes the canvas renderer raise
#: FileNotFoundError until that version is checked and this constant updated.
VIS_NETWORK_VERSION = "9.1.2"

# Characters that must not appear raw in a JSON data block inside HTML: "<"
# and ">" could form "</script>" or "<!--", "&" could start an entity in
# older parsers, and U+2028 and U+2029 end lines in JavaScript before ES2019.
_JSON_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def html_safe_json(data: Any) -> Markup:
    """Serialize `data` as JSON that can sit inside a ``<script type="application/json">`` block.

    Keys are sorted, so equal data always gives the same text. A lone
    surrogate, which has no UTF-8 encoding, is written as a ``\\udXXX`` escape
    that JSON.parse reads back as the same code unit.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for character, escape in _JSON_ESCAPES:
        text = text.replace(character, escape)
    text = _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return Markup(text)


def normalize_newlines(text: str) -> str:
    """Convert CR LF and lone CR to LF, as the HTML parser does before a browser hashes an inline block."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def inline_block(text: str, tag: str) -> Markup:
    """Return trusted script or style source ready to sit between ``<tag>`` and ``</tag>``.

    Raises ValueError if the source contains ``</tag`` or ``<!--``, because
    either one would change where the HTML parser ends the block.
    """
    lowered = text.lower()
    for marker in (f"</{tag}", "<!--"):
        if marker in lowered:
            raise ValueError(
                f"inline {tag} source contains {marker!r}, which would end the {tag} element early; "
                f"escape it in the source before inlining"
            )
    return Markup(normalize_newlines(text))


def source_hash(text: str) -> str:
    """Return the CSP source expression (``'sha256-…'``) that allows one inline block."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: list[str], styles: list[str]) -> str:
    """Build a policy that allows exactly the given inline scripts and styles.

    Everything else is blocked by ``default-src 'none'``: remote scripts,
    styles, fonts, frames and connections. Images are limited to ``data:``
    URLs, which the favicon placeholder and vis-network's stylesheet use.
    """
    directives = ["default-src 'none'"]
    if scripts:
        directives.append("script-src " + " ".join(source_hash(text) for text in scripts))
    if styles:
        directives.append("style-src " + " ".join(source_hash(text) for text in styles))
    directives += ["img-src data:", "base-uri 'none'", "form-action 'none'"]
    return "; ".join(directives)


@functools.lru_cache(maxsize=None)
def read_asset(name: str) -> str:
    """Return the text of a file in refgraph/render/templates with normalized newlines."""
    path = importlib.resources.files("refgraph.render") / "templates" / name
    return normalize_newlines(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def vis_network_assets() -> tuple[str, str]:
    """Return the vis-network script and stylesheet shipped inside the installed pyvis.

    Raises FileNotFoundError naming the missing file when the installed pyvis
    does not ship vis-network VIS_NETWORK_VERSION (pyvis 0.3.2 does).
    """
    folder = importlib.resources.files("pyvis") / "lib" / f"vis-{VIS_NETWORK_VERSION}"
    script = folder / "vis-network.min.js"
    style = folder / "vis-network.css"
    for path in (script, style):
        if not path.is_file():
            raise FileNotFoundError(
                f"vis-network {VIS_NETWORK_VERSION} not found at {path}; install pyvis 0.3.2 "
                f"(pip install 'pyvis==0.3.2') or render with renderer='svg'"
            )

    return (
        normalize_newlines(script.read_text(encoding="utf-8")),
        normalize_newlines(style.read_text(encoding="utf-8")),
    )


@functools.lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    """Return the Jinja2 environment for the page templates, with autoescape always on."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("refgraph.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
