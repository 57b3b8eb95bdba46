"""Reference graphs built directly from Node and Edge, shared by the renderer and browser tests."""

from __future__ import annotations

import pytest

from refgraph.model import Edge, Node, RefGraph

#: A repr that runs script if any renderer lets it become markup: it sets
#: window.__pwned and opens an alert dialog.
SCRIPT_PAYLOAD = (
    "</script><script>window.__pwned=1</script>"
    "<img src=x onerror=\"window.__pwned=2;alert(1)\">"
)

#: One repr for each kind of hostile text the renderers must show literally.
HOSTILE_REPRS = {
    "script": SCRIPT_PAYLOAD,
    "template": "{{ 7*7 }} {% raw %}",
    "javascript_url": "javascript:alert(1)",
    "rtl_override": "user\u202egnp.exe",
    "nul": "before\x00after",
    "lone_surrogate": "bad \ud800 text",
    "megabyte": "A" * 1_000_000 + "END-OF-HUGE-REPR",
}


def _node(key: str, type_name: str, module: str, repr_text: str, role: str, depth: int, **extra) -> Node:
    library = module.split(".", 1)[0] if module else "unknown"
    return Node(
        key=key,
        id=int(key, 16) if all(c in "0123456789abcdef" for c in key) else None,
        type_name=type_name,
        module=module,
        library=extra.pop("library", library),
        repr=repr_text,
        size=extra.pop("size", 64),
        role=role,
        depth=depth,
        **extra,
    )


#: The why-alive chains of `chain_graph`, as the walk records them: the
#: thread's frame is one hop nearer to the Session than the module.
CHAIN_GRAPH_CHAINS = [
    {
        "keys": ["e2", "b1", "a0"],
        "labels": [".f_locals['cache']", "['current']"],
        "root_kind": "thread",
        "text": "thread 'MainThread' handle() line 12.f_locals['cache']['current'] -> <Session id=7>",
    },
    {
        "keys": ["f3", "d2", "b1", "a0"],
        "labels": [".worker", ".sessions", "['current']"],
        "root_kind": "module",
        "text": "module __main__.worker<Worker>.sessions['current'] -> <Session id=7>",
    },
]


@pytest.fixture
def chain_graph() -> RefGraph:
    """A referrers walk over a Session, with a weak referrer, two roots, two chains and 12 cut referrers.

    A dict and a weakref hold the Session. A Worker and a running thread's
    frame hold the dict, and a module holds the Worker. The chains run from
    each root to the Session.
    """
    nodes = [
        _node("a0", "Session", "__main__", "<Session id=7>", "target", 0, in_degree=2, refcount=3),
        _node("b1", "dict", "builtins", "dict of 3 items", "referrer", 1, in_degree=2, size=232),
        _node("c1", "ReferenceType", "builtins", "<weakref to Session>", "referrer", 1, in_degree=0),
        _node("d2", "Worker", "distributed.worker", "<Worker 'tcp://127.0.0.1:8786'>", "referrer", 2,
              in_degree=1, cut_referrers=12),
        _node("e2", "frame", "builtins", "<frame handle at app.py:12>", "referrer", 2,
              root_kind="thread", root_label="thread 'MainThread' handle() line 12"),
        _node("f3", "module", "builtins", "<module __main__>", "referrer", 3,
              root_kind="module", root_label="module __main__"),
        Node(key="more-referrers-d2", id=None, type_name="more", module="refgraph", library="refgraph",
             repr="+12 more referrers", size=0, role="referrer", depth=3, kind="more"),
    ]
    edges = [
        Edge("b1", "a0", "['current']", "item"),
        Edge("c1", "a0", "<weakref>", "weakref", weak=True),
        Edge("d2", "b1", ".sessions", "attr"),
        Edge("e2", "b1", ".f_locals['cache']", "local"),
        Edge("f3", "d2", ".worker", "attr"),
        Edge("more-referrers-d2", "d2", "+12", "more"),
    ]
    return RefGraph(
        nodes=nodes,
        edges=edges,
        target_key="a0",
        direction="referrers",
        options={"max_nodes": 6, "max_depth": None, "include_weak": True},
        cut={"referrers": 12, "referents": 0},
        python_version="3.11.7",
        pid=4242,
        hostname="build-host",
        created="2026-01-02T03:04:05+0000",
        duration_seconds=0.0421,
        chains=[dict(chain) for chain in CHAIN_GRAPH_CHAINS],
    )


@pytest.fixture
def hostile_reprs() -> dict[str, str]:
    return dict(HOSTILE_REPRS)


@pytest.fixture
def hostile_graph() -> RefGraph:
    """A neighbourhood walk whose reprs, names, labels and metadata are all hostile text."""
    nodes = [_node("10", "Payload", "evil", SCRIPT_PAYLOAD, "target", 0, in_degree=len(HOSTILE_REPRS))]
    edges = []
    for index, (name, text) in enumerate(sorted(HOSTILE_REPRS.items()), start=1):
        if name == "script":
            continue
        key = f"{0x20 + index:x}"
        nodes.append(_node(key, f"Holder_{name}", "evil", text, "referrer", 1))
        edges.append(Edge(key, "10", f"['{name}']", "item", hidden=True))

    # Hostile text outside reprs: a type name, a library, an edge label and a key.
    nodes.append(_node("k\"<'&>", "<b>Bold</b>", "x", "plain", "referent", 1, library="<i>lib</i>"))
    edges.append(Edge("10", "k\"<'&>", "['</script><b>']", "item", hidden=True))
    nodes.append(_node("40", "Listener", "evil", "<Listener>", "referrer", 1))
    edges.append(Edge("40", "10", "<weakref>", "weakref", weak=True, hidden=True))

    return RefGraph(
        nodes=nodes,
        edges=edges,
        target_key="10",
        direction="both",
        options={"max_nodes": 50, "max_depth": 1, "note": "</script><script>alert(2)</script>"},
        cut={},
        python_version="3.11.7",
        pid=1,
        hostname="<script>alert(3)</script>",
        created="2026-01-02T03:04:05+0000",
        duration_seconds=0.5,
    )


def tree_graph(count: int) -> RefGraph:
    """Return a referrers walk of `count` nodes: a ternary tree of holders over the target, in eight libraries.

    Nodes 150 and 299 have 7 cut referrers each, when the tree is that large.
    """
    libraries = ["builtins", "__main__", "distributed", "asyncio", "numpy", "pandas", "tornado", "zict"]
    nodes = []
    edges = []
    for index in range(count):
        depth = 0
        parent_index = index
        while parent_index > 0:
            parent_index = (parent_index - 1) // 3
            depth += 1
        library = libraries[index % len(libraries)]
        nodes.append(
            _node(
                f"{0x1000 + index:x}",
                f"Type{index % 23}",
                library,
                f"<Type{index % 23} #{index}>",
                "target" if index == 0 else "referrer",
                depth,
                in_degree=3 if index < count // 3 else 0,
                cut_referrers=7 if index in (150, 299) else 0,
            )
        )
        if index > 0:
            parent = (index - 1) // 3
            edges.append(Edge(f"{0x1000 + index:x}", f"{0x1000 + parent:x}", f".child{index % 3}", "attr",
                              weak=index % 50 == 0))

    return RefGraph(
        nodes=nodes,
        edges=edges,
        target_key=f"{0x1000:x}",
        direction="referrers",
        options={"max_nodes": count},
        cut={"referrers": 14 if count > 299 else 0},
        python_version="3.11.7",
        pid=7,
        hostname="big-host",
        created="2026-01-02T03:04:05+0000",
        duration_seconds=1.25,
    )


@pytest.fixture
def large_graph() -> RefGraph:
    """A referrers walk of 300 nodes: a ternary tree of holders over the target, in eight libraries."""
    return tree_graph(300)
