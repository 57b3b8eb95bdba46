"""Colours for nodes, one per library, stable across graphs and runs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

#: Fixed colours for libraries found in nearly every graph, so they look the same everywhere.
FIXED_LIBRARY_COLOURS = {
    "builtins": "#9fb3c8",
    "__main__": "#f28e2b",
    "unknown": "#c9c9c9",
}

#: Colours for every other library. None of them repeats a fixed colour or the target's red.
PALETTE = (
    "#4c78a8",
    "#54a24b",
    "#b279a2",
    "#eeca3b",
    "#9d755d",
    "#ff9da6",
    "#7f63b8",
    "#2ca8c2",
    "#a0a83a",
    "#2b4c7e",
    "#9fd67c",
    "#d4a373",
)

#: Border colour and width that mark the target of the walk.
TARGET_BORDER = "#c8102e"
TARGET_BORDER_WIDTH = 4

#: Fill and border of the synthetic "+N more" placeholder nodes.
PLACEHOLDER_FILL = "#ffffff"
PLACEHOLDER_BORDER = "#777777"

#: Border of ordinary nodes.
NODE_BORDER = "#4d4d4d"

#: Colour of the edges and node halos of the why-alive chains. No library
#: colour, nor the target's red, is this orange.
CHAIN_COLOUR = "#e8590c"

#: Halo drawn around a node on a why-alive chain: the chain colour, half transparent.
CHAIN_HALO = "rgba(232, 89, 12, 0.45)"

#: Width of a chain edge, against 1.2 px for other edges.
CHAIN_EDGE_WIDTH = 3.5

#: Fill, border and text of the "+N more" badge on a node whose neighbours the walk cut.
BADGE_FILL = "#fff4d6"
BADGE_BORDER = "#e3b341"
BADGE_TEXT = "#8a4b00"


def _palette_index(library: str) -> int:
    digest = hashlib.sha256(library.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big") % len(PALETTE)


def library_colours(libraries: Iterable[str]) -> dict[str, str]:
    """Assign a colour to each library.

    A library's colour starts from a hash of its name, so it is the same in
    every graph. When two libraries of one graph hash to the same colour, the
    one later in sorted order takes the next free colour, as long as any is
    free. With more than len(PALETTE) such libraries, colours repeat, but the
    legend still lists each library.
    """
    colours: dict[str, str] = {}
    used: set[str] = set()

    for library in sorted(set(libraries)):
        if library in FIXED_LIBRARY_COLOURS:
            colours[library] = FIXED_LIBRARY_COLOURS[library]
            continue

        start = _palette_index(library)
        colour = PALETTE[start]
        for offset in range(len(PALETTE)):
            candidate = PALETTE[(start + offset) % len(PALETTE)]
            if candidate not in used:
                colour = candidate
                break

        colours[library] = colour
        used.add(colour)

    return colours


def node_radius(in_degree: int) -> int:
    """Return a node's drawn radius in pixels, growing with its number of referrers.

    The radius is 9 px plus 3 px per doubling of `in_degree`, at most 30 px,
    so a dict held by a thousand objects stays readable next to one held once.
    """
    return min(9 + 3 * max(in_degree, 0).bit_length(), 30)
