"""The reference graph as plain data: nodes, edges and the metadata of one walk.

A `RefGraph` holds no reference to any inspected object. It contains ids, type
names, short reprs, sizes and labelled edges, so it can be saved as JSON,
loaded in another process, converted to `networkx` and rendered without
touching the heap it came from.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pathlib import Path

    import networkx

Direction = Literal["referrers", "referents", "both"]
Renderer = Literal["canvas", "svg"]

#: Version of the JSON layout written by `RefGraph.to_json`.
FORMAT_VERSION = 1

#: Node roles relative to the target of the walk.
ROLES = ("target", "referrer", "referent", "both")

#: Node kinds: a live object, or a synthetic node standing for what the cap cut.
NODE_KINDS = ("object", "more")


@dataclass(frozen=True)
class Node:
    """One object of the walked heap, or a synthetic "+N more" placeholder.

    `key` is unique within one graph and is what edges refer to. `id` is the
    `id()` the object had during the walk, or None for a synthetic node.
    `refcount` is the object's reference count when the walk described it,
    without the walk's own references, or None for a synthetic node.
    """

    key: str
    id: int | None
    type_name: str
    module: str
    library: str
    repr: str
    size: int
    role: str
    depth: int
    kind: str = "object"
    root_kind: str | None = None
    root_label: str | None = None
    in_degree: int = 0
    cut_referrers: int = 0
    cut_referents: int = 0
    expanded: bool = True
    refcount: int | None = None

    @property
    def is_root(self) -> bool:
        return self.root_kind is not None

    @property
    def qualified_type(self) -> str:
        """Type name with its module, such as ``distributed.scheduler.WorkerState``."""
        if self.module in ("", "builtins"):
            return self.type_name
        return f"{self.module}.{self.type_name}"


@dataclass(frozen=True)
class Edge:
    """A reference from `source` (the holder) to `target` (the held object).

    `label` says how the holder refers to the object in Python access syntax
    (``.attr``, ``['key']``, ``[3]``, ``.__self__``). `kind` classifies the
    label. A weak edge never keeps its target alive. A hidden edge is kept in
    the data but not drawn by default, such as the edges that touch the target
    in a depth-1 neighbourhood view.
    """

    source: str
    target: str
    label: str
    kind: str = "other"
    weak: bool = False
    hidden: bool = False


@dataclass
class RefGraph:
    """A snapshot of part of the reference graph around one target object.

    `chains` lists the shortest root-to-target chains found by the walk, each
    a dict with the node ``keys`` from root to target, one ``labels`` entry
    per hop, the ``root_kind`` and the one-line ``text``.
    """

    nodes: list[Node]
    edges: list[Edge]
    target_key: str
    direction: str
    options: dict[str, Any] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    python_version: str = ""
    pid: int = 0
    hostname: str = ""
    created: str = ""
    duration_seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    chains: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------------ lookups

    def node(self, key: str) -> Node:
        """Return the node with `key`, raising KeyError naming the key if absent."""
        for candidate in self.nodes:
            if candidate.key == key:
                return candidate
        raise KeyError(f"no node with key {key!r} in this graph")

    @property
    def target(self) -> Node:
        return self.node(self.target_key)

    def referrers_of(self, key: str) -> list[tuple[Node, Edge]]:
        """Return the nodes with an edge pointing at `key`, with those edges."""
        by_key = {n.key: n for n in self.nodes}
        return [(by_key[e.source], e) for e in self.edges if e.target == key]

    def referents_of(self, key: str) -> list[tuple[Node, Edge]]:
        """Return the nodes that `key` points at, with those edges."""
        by_key = {n.key: n for n in self.nodes}
        return [(by_key[e.target], e) for e in self.edges if e.source == key]

    def libraries(self) -> list[str]:
        """Return the sorted libraries of the object nodes, for legends."""
        return sorted({n.library for n in self.nodes if n.kind == "object"})

    # ------------------------------------------------------------------ output

    def to_dict(self) -> dict[str, Any]:
        """Return the graph as JSON-ready builtin types."""
        data = dataclasses.asdict(self)
        data["format_version"] = FORMAT_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RefGraph:
        """Rebuild a graph from `to_dict` output, raising ValueError that names what is wrong."""
        if type(data) is not dict:
            raise ValueError(f"invalid refgraph JSON: expected an object at the top level, found {type(data).__name__}")
        if "format_version" not in data:
            raise ValueError("invalid refgraph JSON: missing format_version; write the file with RefGraph.to_json()")
        version = data["format_version"]
        if version != FORMAT_VERSION:
            raise ValueError(
                f"unsupported refgraph JSON format_version {version!r}; "
                f"this refgraph reads version {FORMAT_VERSION}"
            )
        missing = [name for name in ("nodes", "edges", "target_key", "direction") if name not in data]
        if missing:
            raise ValueError(f"invalid refgraph JSON: missing field {', '.join(missing)}")

        fields = {f.name for f in dataclasses.fields(cls)}
        values = {name: data[name] for name in fields if name in data}
        try:
            values["nodes"] = [Node(**node) for node in data["nodes"]]
            values["edges"] = [Edge(**edge) for edge in data["edges"]]
        except TypeError as error:
            raise ValueError(f"invalid refgraph JSON: a node or edge has the wrong fields ({error})") from None
        return cls(**values)

    def to_json(self, *, indent: int | None = None) -> str:
        """Return the graph as a JSON string that `from_json` reads back exactly."""
        # ASCII escapes keep reprs with lone surrogates writable as UTF-8.
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str) -> RefGraph:
        """Load a graph written by `to_json`, raising ValueError for any other text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"invalid refgraph JSON: not JSON ({error})") from None
        return cls.from_dict(data)

    def to_networkx(self) -> networkx.MultiDiGraph:
        """Return a `networkx.MultiDiGraph` with the same nodes, edges and attributes.

        Nodes are keyed by `Node.key` and carry every node field as attributes.
        Each edge carries its fields (`label`, `kind`, `weak`, `hidden`) and uses
        its position in `edges` as the multigraph key, so parallel edges with
        different labels stay apart. Graph-level metadata is in `graph.graph`.
        """
        import networkx

        result = networkx.MultiDiGraph()
        result.graph.update(
            {
                "target_key": self.target_key,
                "direction": self.direction,
                "options": dict(self.options),
                "cut": dict(self.cut),
                "python_version": self.python_version,
                "pid": self.pid,
                "hostname": self.hostname,
                "created": self.created,
                "duration_seconds": self.duration_seconds,
                "stats": dict(self.stats),
                "chains": [dict(chain) for chain in self.chains],
            }
        )
        for node in self.nodes:
            result.add_node(node.key, **dataclasses.asdict(node))
        for index, edge in enumerate(self.edges):
            attributes = dataclasses.asdict(edge)
            del attributes["source"], attributes["target"]
            result.add_edge(edge.source, edge.target, key=index, **attributes)
        return result

    @classmethod
    def from_networkx(cls, graph: networkx.MultiDiGraph) -> RefGraph:
        """Rebuild a graph from `to_networkx` output."""
        metadata = dict(graph.graph)
        nodes = [Node(**attributes) for _, attributes in graph.nodes(data=True)]
        ordered = sorted(graph.edges(keys=True, data=True), key=lambda item: item[2])
        edges = [
            Edge(source=source, target=target, **attributes)
            for source, target, _, attributes in ordered
        ]
        return cls(nodes=nodes, edges=edges, **metadata)

    def to_html(self, path: str | None = None, *, renderer: Renderer = "canvas", redact: bool = False) -> str:
        """Render the graph as one self-contained HTML page and return its text.

        `renderer` is ``"canvas"`` (vis-network, suits hundreds of nodes) or
        ``"svg"`` (arrows, edge labels and links, best up to about 50 nodes).
        When `path` is given, the page is also written there as UTF-8.
        """
        from refgraph.render import render_html

        html = render_html(self, renderer=renderer, redact=redact)
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(html)
        return html

    def to_text(self, *, max_lines: int = 60, redact: bool = False) -> str:
        """Render the why-alive chains and an indented tree for terminals and logs.

        With `redact`, reprs are replaced by type names and dict keys in edge
        labels by ``[…]``, as in `to_html`.
        """
        from refgraph.render.text import render_text

        return render_text(self, max_lines=max_lines, redact=redact)

    def show(self, *, renderer: Renderer = "canvas", redact: bool = False, path: str | None = None) -> Path:
        """Write the HTML page to a file, open it in a web browser and return the file's path.

        See `refgraph.show`, which this calls: on a machine without a display
        it prints the path instead of opening a browser.
        """
        from refgraph.display import show

        return show(self, renderer=renderer, redact=redact, path=path)

    def _repr_html_(self) -> str:
        """Return the page as a sandboxed iframe for Jupyter, with a static table for untrusted notebooks."""
        from refgraph.display import notebook_html

        return notebook_html(self)

    def __repr__(self) -> str:
        from refgraph.render.text import summary_text

        return summary_text(self)
