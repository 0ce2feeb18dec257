"""The desk's search: full-text over articles (FTS5, bm25, bounded ranking) and entities by any name."""
from __future__ import annotations

import json
from typing import Any

from .db import Store, fts_query
from .shared import HL_END, HL_START, doc_filters, has_global_entities


# Ranking budget of one full-text query: bm25 costs about 2 µs per matching article, so a word
# found in most of a 100,000-article store would cost 150+ ms to rank whole. Beyond this many
# matches, the newest ``RANK_WINDOW`` matching articles (highest row id = most recently stored)
# are ranked, the response says so, and the exact match count is still given.
RANK_WINDOW = 10_000


FILTER_BATCH = 500  # ranked candidates checked against the filters per query


COUNT_CAP = 1000  # filtered totals are counted up to this many


def _window_floor(store: Store, match: str, window: int) -> int | None:
    """Row id of the ``window``-th newest article matching ``match``; None if fewer match."""
    row = store.conn.execute(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (match, window - 1)).fetchone()
    return row[0] if row else None


def _ranked(store: Store, match: str, floor: int | None, limit: int = -1) -> list[tuple[int, float]]:
    """(article id, score) of articles matching ``match`` (row id >= ``floor``), best first.

    bm25 with titles weighing 5×; the score is positive, higher is better."""
    return [(r[0], -r[1]) for r in store.conn.execute(
        "SELECT rowid, bm25(documents_fts, 5.0, 1.0) AS score FROM documents_fts"
        " WHERE documents_fts MATCH ? AND rowid >= ? ORDER BY score, rowid DESC LIMIT ?",
        (match, floor or 0, limit))]


def _filtered_older(store: Store, match: str, floor: int, where: str, args: list) -> list[tuple[int, float]]:
    """(article id, score) of every article matching ``match`` below row id ``floor`` that passes the filters."""
    return [(r[0], -r[1]) for r in store.conn.execute(
        "SELECT documents_fts.rowid, bm25(documents_fts, 5.0, 1.0) FROM documents_fts"
        " JOIN documents d ON d.id = documents_fts.rowid"
        f" WHERE documents_fts MATCH ? AND documents_fts.rowid < ? AND {where}", [match, floor, *args])]


def _passing(store: Store, ranked: list[tuple[int, float]], where: str, args: list,
             wanted: int) -> list[tuple[int, float]]:
    """The first ``wanted`` of ``ranked`` (in their order) whose article passes the filters."""
    out: list[tuple[int, float]] = []
    for i in range(0, len(ranked), FILTER_BATCH):
        batch = ranked[i:i + FILTER_BATCH]
        marks = ",".join("?" * len(batch))
        ok = {r[0] for r in store.conn.execute(
            f"SELECT d.id FROM documents d WHERE d.id IN ({marks}) AND {where}", [*(b[0] for b in batch), *args])}
        out += [item for item in batch if item[0] in ok]
        if len(out) >= wanted:
            break
    return out[:wanted]


def search_articles(store: Store, query: str, *, date_from: str | None = None, date_to: str | None = None,
                    source: str | None = None, label: str | None = None, limit: int = 20,
                    offset: int = 0) -> dict[str, Any]:
    """Ranked full-text search (FTS5, bm25, title weighted) with filters and marked snippets.

    Snippets mark the matched terms with ``HL_START``/``HL_END``. ``matches``: how many articles
    match the words (exact); ``total``: how many also pass the filters (exact without filters,
    counted up to ``COUNT_CAP`` with them). ``ranked_among``: when more than ``RANK_WINDOW``
    articles match, only the newest ``ranked_among`` of them were ranked (else None); with
    filters, older matches are searched too when the newest ones do not fill the page.
    """
    match = fts_query(query)
    if not match:
        return {"total": 0, "total_exact": True, "matches": 0, "ranked_among": None, "hits": []}
    where, args = doc_filters(date_from, date_to, source, label)
    matches = store.conn.execute(
        "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", (match,)).fetchone()[0]
    floor = _window_floor(store, match, RANK_WINDOW) if matches > RANK_WINDOW else None
    if not where:
        page, total = _ranked(store, match, floor, offset + limit), matches
    else:
        # Rank the window, then check the filters in rank order until the page is full (cheap
        # when most articles pass). When the window runs out, the filters are selective: the
        # older matches are filtered first and only those passing are ranked, so every match has
        # been seen and the count is exact.
        page = _passing(store, _ranked(store, match, floor), where, args, offset + limit)
        if len(page) < offset + limit and floor is not None:
            page += _filtered_older(store, match, floor, where, args)
            page.sort(key=lambda item: (-item[1], -item[0]))
            floor = None
        if floor is None and len(page) < offset + limit:
            total = len(page)
        else:
            total = store.conn.execute(
                "SELECT count(*) FROM (SELECT d.id FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
                f" WHERE documents_fts MATCH ? AND {where} LIMIT {COUNT_CAP})", [match, *args]).fetchone()[0]
    page = page[offset:]
    hits = []
    for doc_id, score in page:  # snippets for the page only (no bm25 here: it would count the matches again)
        r = store.conn.execute(
            "SELECT d.id, d.title, d.source, d.site, d.url, d.published, d.story_id,"
            f" snippet(documents_fts, 1, '{HL_START}', '{HL_END}', ' … ', 24) AS snip"
            " FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
            " WHERE documents_fts MATCH ? AND documents_fts.rowid = ?", (match, doc_id)).fetchone()
        hits.append({"id": r["id"], "title": r["title"], "source": r["source"], "site": r["site"],
                     "url": r["url"], "published": r["published"], "story": r["story_id"],
                     "snippet": " ".join(r["snip"].split()), "score": round(score, 4)})
    return {"total": total, "total_exact": total < COUNT_CAP or not where, "matches": matches,
            "ranked_among": RANK_WINDOW if floor is not None else None,
            "hits": hits}


def search_entities(store: Store, query: str, *, label: str | None = None, limit: int = 20) -> list[dict]:
    """Entities having a name or alias equal to, or starting with, ``query`` (any case).

    Global entities once resolved ("Gelaev" finds Khamzat Gelayev through the alias of one of its
    document entities); document entities where resolution has not run.
    """
    q = " ".join(query.split())
    if not q:
        return []
    label_sql, label_args = (" AND g.label = ?", [label]) if label else ("", [])
    rows = store.conn.execute(
        "SELECT g.id, g.name, g.label, g.aliases, g.documents, g.mentions,"
        " min(CASE WHEN g.name = ? COLLATE NOCASE THEN 0 WHEN hit.exact THEN 1 ELSE 2 END) AS rank,"
        " group_concat(DISTINCT hit.alias) AS matched FROM ("
        "  SELECT e.global_id AS gid, a.alias AS alias, a.alias = ? COLLATE NOCASE AS exact FROM aliases a"
        "  JOIN entities e ON e.id = a.entity_id"
        "  WHERE a.alias >= ? COLLATE NOCASE AND a.alias < ? COLLATE NOCASE AND e.global_id IS NOT NULL"
        "  UNION ALL SELECT id, name, name = ? COLLATE NOCASE FROM global_entities"
        "  WHERE name >= ? COLLATE NOCASE AND name < ? COLLATE NOCASE"
        " ) hit JOIN global_entities g ON g.id = hit.gid"
        f" WHERE 1{label_sql} GROUP BY g.id ORDER BY rank, g.mentions DESC, g.name LIMIT ?",
        [q, q, q, q + "\uffff", q, q, q + "\uffff", *label_args, limit]).fetchall()
    out = [{"id": r["id"], "name": r["name"], "label": r["label"], "aliases": json.loads(r["aliases"]),
            "documents": r["documents"], "mentions": r["mentions"],
            "matched": sorted(set((r["matched"] or "").split(",")) - {""})} for r in rows]
    if out or has_global_entities(store):
        return out
    label_sql = " AND e.label = ?" if label else ""
    rows = store.conn.execute(
        "SELECT e.doc_id, e.local_id, e.name, e.label, e.mention_count FROM aliases a"
        " JOIN entities e ON e.id = a.entity_id WHERE a.alias >= ? COLLATE NOCASE AND a.alias < ? COLLATE NOCASE"
        + label_sql + " GROUP BY e.id ORDER BY e.mention_count DESC LIMIT ?",
        [q, q + "\uffff", *label_args, limit]).fetchall()
    return [{"id": f"{r['doc_id']}#{r['local_id']}", "name": r["name"], "label": r["label"], "aliases": [r["name"]],
             "documents": 1, "mentions": r["mention_count"], "matched": []} for r in rows]
