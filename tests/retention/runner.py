"""Build one retention pattern, explain it with refgraph, and print the result as JSON.

Usage: ``python -m tests.retention.runner MODULE``, where MODULE is a module
name inside this package. The output has the expected data and what
`why_alive` and `graph` returned, so the test compares them in its own
process.
"""

import importlib
import json
import sys

import refgraph


def explain(module_name: str) -> dict:
    module = importlib.import_module(f"tests.retention.{module_name}")
    target, expected = module.build()
    probe = getattr(module, "dict_was_created", None)
    dict_before = probe() if probe else None

    chains = refgraph.why_alive(target, max_chains=5)
    result = refgraph.graph(target, max_nodes=200)
    edges_into_target = sorted(edge.label for edge in result.edges if edge.target == result.target_key)
    all_edge_labels = sorted({edge.label for edge in result.edges})
    del target
    dict_after = probe() if probe else None

    cleanup = getattr(module, "cleanup", None)
    if cleanup is not None:
        cleanup()
    return {
        "expected": expected,
        "chains": [
            {"root_kind": chain.root_kind, "root_label": chain.root.root_label, "labels": list(chain.labels),
             "text": str(chain)[:2000]}
            for chain in chains
        ],
        "edges_into_target": edges_into_target,
        "all_edge_labels": all_edge_labels,
        "dict_created": dict_after and not dict_before,
    }


if __name__ == "__main__":
    print(json.dumps(explain(sys.argv[1])))
