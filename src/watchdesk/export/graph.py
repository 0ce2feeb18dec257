"""The entity graph as GraphML or GEXF (networkx writes both; Gephi and networkx read them back).

Nodes: global entities (name, type, mentions, documents). Edges: co-mentions weighted by the
number of stories naming both (copies of one story count once), with the relations read between
the two (``relations``: "subject relation object; ..."), as ``network.full_graph`` computes them.
"""
from __future__ import annotations

from pathlib import Path

from ..store import network
from ..store.db import Store


def entity_graph(store: Store, *, min_weight: int = 1, label: str | None = None):
    import networkx as nx

    data = network.full_graph(store, label=label, min_weight=min_weight)
    g = nx.Graph(name="watchdesk entity graph")
    for n in data["nodes"]:
        g.add_node(n["id"], label=n["name"], type=n["label"], mentions=n["mentions"], documents=n["documents"])
    for e in data["edges"]:
        g.add_edge(e["source"], e["target"], weight=e["weight"], co_mentions=e["co_mentions"],
                   relations="; ".join(f"{r['subject']} {r['relation']} {r['object']}" for r in e["relations"]))
    return g


def export_graph(store: Store, target: str | Path, fmt: str, **kwargs) -> tuple[int, int]:
    """Write the graph as ``fmt`` ("graphml" or "gexf"); return (nodes, edges)."""
    import networkx as nx

    g = entity_graph(store, **kwargs)
    if fmt == "graphml":
        nx.write_graphml(g, str(target), encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(g, str(target), encoding="utf-8")
    else:
        raise ValueError(f"unknown graph format {fmt!r}")
    return g.number_of_nodes(), g.number_of_edges()
