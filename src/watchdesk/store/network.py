"""The entity graph: the desk's network view (readable by default) and the full graph for exports."""
from __future__ import annotations

import bisect

from .db import Store
from .shared import chunks, doc_filters


def graph(store: Store, *, label: str | None = None, min_weight: int | None = None, date_from: str | None = None,
          date_to: str | None = None, center: str | None = None, max_nodes: int = 150,
          max_edges: int | None = None) -> dict:
    """Entities as nodes; co-mentions (weight = stories naming both) and relations as edges.

    Without ``center``: the entities (of ``label``, named in articles of the date range) that are
    the most strongly linked, drawn from the candidates (the 600 most mentioned ones, ``pool``): nodes
    ranked by the summed weight of their links of at least ``min_weight`` (a link carrying a
    relation too: its weight is the stories naming both), at most ``max_nodes`` of them. With ``center``: that entity and its
    neighbours named with it in at least ``min_weight`` stories.

    ``min_weight=None`` chooses for readability: the lowest minimum weight leaving at most
    ``max_edges`` (default 3 × ``max_nodes``) links among the candidates (lower while that would
    leave fewer than 20 entities), and then no more nodes than that many links allow (around a ``center``: the weakest links among neighbours go).
    Entities without a link drawn are left out unless ``min_weight`` is 1. The answer says what
    it chose and how much it left out: ``min_weight``, ``auto``, ``total`` (entities matching the
    filters; links among the candidates) and ``shown``.
    """
    conn = store.conn
    auto = min_weight is None
    budget = max_edges or 3 * max_nodes
    where, args = doc_filters(date_from, date_to, None, None)
    doc_where = f" AND {where}" if where else ""
    label_sql, label_args = (" AND g.label = ?", [label]) if label else ("", [])
    pool_size = max(600, max_nodes)
    if center:
        hood_sql = ("SELECT o.global_id AS id, count(DISTINCT d.story_id) AS w FROM entities c"
                    " JOIN entities o ON o.doc_id = c.doc_id JOIN documents d ON d.id = c.doc_id"
                    " JOIN global_entities g ON g.id = o.global_id"
                    f" WHERE c.global_id = ? AND o.global_id != ?{doc_where}{label_sql} GROUP BY o.global_id")
        hood_args = [center, center, *args, *label_args]
        total_nodes = 1 + conn.execute(f"SELECT count(*) FROM ({hood_sql})", hood_args).fetchone()[0]
        pool = [center, *(r[0] for r in conn.execute(
            f"SELECT h.id FROM ({hood_sql}) h JOIN global_entities g ON g.id = h.id WHERE h.w >= ?"
            " ORDER BY h.w DESC, g.mentions DESC, g.id LIMIT ?", [*hood_args, min_weight or 1, max_nodes - 1]))]
    elif where:
        total_nodes = conn.execute(
            "SELECT count(DISTINCT e.global_id) FROM entities e JOIN documents d ON d.id = e.doc_id"
            f" JOIN global_entities g ON g.id = e.global_id WHERE 1{doc_where}{label_sql}",
            [*args, *label_args]).fetchone()[0]
        pool = [r[0] for r in conn.execute(
            "SELECT e.global_id FROM entities e JOIN documents d ON d.id = e.doc_id"
            " JOIN global_entities g ON g.id = e.global_id"
            f" WHERE 1{doc_where}{label_sql} GROUP BY e.global_id ORDER BY sum(e.mention_count) DESC, e.global_id"
            " LIMIT ?", [*args, *label_args, pool_size])]
    else:
        total_nodes = conn.execute(f"SELECT count(*) FROM global_entities g WHERE 1{label_sql}",
                                   label_args).fetchone()[0]
        pool = [r[0] for r in conn.execute(
            f"SELECT g.id FROM global_entities g WHERE 1{label_sql} ORDER BY g.mentions DESC, g.id LIMIT ?",
            [*label_args, pool_size])]
    empty = {"nodes": [], "edges": [], "min_weight": min_weight or 1, "auto": auto,
             "total": {"nodes": total_nodes, "edges": 0}, "shown": {"nodes": 0, "edges": 0}, "pool": len(pool)}
    if not pool:
        return empty
    nodes = {}
    for chunk in chunks(pool):
        for r in conn.execute(f"SELECT * FROM global_entities WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            nodes[r["id"]] = {"id": r["id"], "name": r["name"], "label": r["label"], "mentions": r["mentions"],
                              "documents": r["documents"]}
    edges = _pool_edges(conn, list(nodes), doc_where, args)
    weights = sorted(e["weight"] for e in edges.values())
    if not auto:
        w = min_weight
    elif center:
        w = 1
    else:  # the lowest weight that leaves at most `budget` links, but not so high that a few nodes remain
        levels = sorted(set(weights)) or [1]
        i = next((k for k, x in enumerate(levels) if len(weights) - bisect.bisect_left(weights, x) <= budget),
                 len(levels) - 1)
        enough = min(20, max_nodes)
        while i > 0 and len({x for e in edges.values() if e["weight"] >= levels[i]
                             for x in (e["source"], e["target"])}) < enough:
            i -= 1  # too few entities left: a lower weight, and fewer nodes below (the budget still holds)
        w = levels[i]
    kept = {k: e for k, e in edges.items() if e["weight"] >= w}
    if center:
        chosen = [n for n in pool if n in nodes]
        if auto and len(kept) > budget:  # links to the centre stay; the weakest among neighbours go
            ranked = sorted(kept.items(), key=lambda kv: (center not in kv[0], -kv[1]["weight"],
                                                         not kv[1]["relations"], kv[0]))
            kept = dict(ranked[:max(budget, sum(1 for k in kept if center in k))])
    else:
        score: dict[str, int] = {}
        adjacent: dict[str, set[str]] = {}
        for (s, t), e in kept.items():
            for a, b in ((s, t), (t, s)):
                score[a] = score.get(a, 0) + e["weight"] + len(e["relations"])
                adjacent.setdefault(a, set()).add(b)
        candidates = [n for n in nodes if n in score or w == 1]
        candidates.sort(key=lambda n: (-score.get(n, 0), -nodes[n]["mentions"], n))
        chosen, picked, drawn = [], set(), 0
        for n in candidates:
            if len(chosen) >= max_nodes:
                break
            new = len(adjacent.get(n, set()) & picked)
            if auto and chosen and drawn + new > budget:
                continue
            chosen.append(n)
            picked.add(n)
            drawn += new
    picked = set(chosen)
    shown_edges = [e for (s, t), e in kept.items() if s in picked and t in picked]
    if w > 1 or (auto and not center):  # an entity with nothing drawn to it tells nothing here
        linked = {x for e in shown_edges for x in (e["source"], e["target"])}
        picked = {n for n in picked if n in linked or n == center}
    shown_nodes = [nodes[n] for n in chosen if n in picked]
    return {"nodes": sorted(shown_nodes, key=lambda n: -n["mentions"]),
            "edges": sorted(shown_edges, key=lambda e: (-e["weight"], e["source"], e["target"])),
            "min_weight": w, "auto": auto, "total": {"nodes": total_nodes, "edges": len(edges)},
            "shown": {"nodes": len(shown_nodes), "edges": len(shown_edges)}, "pool": len(pool)}


def _pool_edges(conn, ids: list[str], doc_where: str, args: list) -> dict[tuple[str, str], dict]:
    """Co-mention (weight: stories naming both) and relation edges among ``ids``."""
    marks = ",".join("?" * len(ids))
    edges: dict[tuple[str, str], dict] = {}
    for r in conn.execute(
            "SELECT a.global_id AS s, b.global_id AS t, count(DISTINCT d.story_id) AS w FROM entities a"
            " JOIN entities b ON b.doc_id = a.doc_id AND b.global_id > a.global_id"
            " JOIN documents d ON d.id = a.doc_id"
            f" WHERE a.global_id IN ({marks}) AND b.global_id IN ({marks}){doc_where}"
            " GROUP BY a.global_id, b.global_id", [*ids, *ids, *args]):
        edges[(r["s"], r["t"])] = {"source": r["s"], "target": r["t"], "weight": r["w"], "co_mentions": r["w"],
                                   "relations": []}
    for r in conn.execute(
            "SELECT a.global_id AS s, b.global_id AS t, r.relation, count(DISTINCT d.story_id) AS w FROM relations r"
            " JOIN entities a ON a.id = r.subject_entity_id JOIN entities b ON b.id = r.object_entity_id"
            " JOIN documents d ON d.id = r.doc_id"
            f" WHERE a.global_id IN ({marks}) AND b.global_id IN ({marks}) AND a.global_id != b.global_id{doc_where}"
            " GROUP BY a.global_id, b.global_id, r.relation", [*ids, *ids, *args]):
        key = tuple(sorted((r["s"], r["t"])))
        edge = edges.setdefault(key, {"source": key[0], "target": key[1], "weight": 0, "co_mentions": 0,
                                      "relations": []})
        edge["relations"].append({"subject": r["s"], "object": r["t"], "relation": r["relation"], "count": r["w"]})
        edge["weight"] = max(edge["weight"], r["w"])
    return edges


def full_graph(store: Store, *, label: str | None = None, min_weight: int = 1) -> dict:
    """The whole entity graph (for exports): every global entity, every co-mention and relation."""
    conn = store.conn
    label_sql, label_args = (" WHERE label = ?", [label]) if label else ("", [])
    nodes = [{"id": r["id"], "name": r["name"], "label": r["label"], "mentions": r["mentions"],
              "documents": r["documents"]}
             for r in conn.execute(f"SELECT * FROM global_entities{label_sql} ORDER BY mentions DESC, id", label_args)]
    keep = {n["id"] for n in nodes}
    edges: dict[tuple[str, str], dict] = {}
    for r in conn.execute(
            "SELECT a.global_id AS s, b.global_id AS t, count(DISTINCT d.story_id) AS w FROM entities a"
            " JOIN entities b ON b.doc_id = a.doc_id AND b.global_id > a.global_id"
            " JOIN documents d ON d.id = a.doc_id GROUP BY a.global_id, b.global_id"):
        if r["s"] in keep and r["t"] in keep:
            edges[(r["s"], r["t"])] = {"source": r["s"], "target": r["t"], "weight": r["w"], "co_mentions": r["w"],
                                       "relations": []}
    for r in conn.execute(
            "SELECT a.global_id AS s, b.global_id AS t, r.relation, count(DISTINCT d.story_id) AS w FROM relations r"
            " JOIN entities a ON a.id = r.subject_entity_id JOIN entities b ON b.id = r.object_entity_id"
            " JOIN documents d ON d.id = r.doc_id WHERE a.global_id IS NOT NULL AND b.global_id IS NOT NULL"
            " AND a.global_id != b.global_id GROUP BY a.global_id, b.global_id, r.relation"):
        if r["s"] not in keep or r["t"] not in keep:
            continue
        key = tuple(sorted((r["s"], r["t"])))
        edge = edges.setdefault(key, {"source": key[0], "target": key[1], "weight": 0, "co_mentions": 0,
                                      "relations": []})
        edge["relations"].append({"subject": r["s"], "object": r["t"], "relation": r["relation"], "count": r["w"]})
    return {"nodes": nodes, "edges": [e for e in edges.values() if e["weight"] >= min_weight or e["relations"]]}
