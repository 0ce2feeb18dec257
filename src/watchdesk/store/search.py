"""The desk's search: full-text over articles (FTS5, bm25, bounded ranking) and entities by any name
(in either script: through the entities' normalised name keys)."""
from __future__ import annotations

import json
from typing import Any

from ..resolve.names import name_key
from . import stems
from .db import Store, fts_query
from .shared import HL_END, HL_START, doc_filters, has_global_entities


# Ranking budget of one full-text query: bm25 costs about 2 µs per matching article, so a word
# found in most of a 100,000-article store would cost 150+ ms to rank whole. Beyond this many
# matches, the newest ``RANK_WINDOW`` matching articles (highest row id = most recently stored)
# are ranked, the response says so, and the exact match count is still given.
RANK_WINDOW = 10_000


FILTER_BATCH = 500  # ranked candidates checked against the filters per query


COUNT_CAP = 1000  # filtered totals are counted up to this many


SNIPPET_TOKENS = 24  # words in a snippet (FTS5's snippet() and stems.snippet alike)


# The two full-text indexes: words as written (every document), and search keys (stems.py;
# documents with Cyrillic words). A query with a Cyrillic word is answered by the keys, so
# "Пакистан" finds "Пакистане"; any other query by the words, exactly as before.
WORDS_INDEX, KEYS_INDEX = "documents_fts", "documents_stems"


def _match(query: str) -> tuple[str, str]:
    """The index to search and the FTS5 query for it ("" when the query has no words)."""
    keyed = stems.stems_query(query)
    return (KEYS_INDEX, keyed) if keyed else (WORDS_INDEX, fts_query(query))


def _window_floor(store: Store, fts: str, match: str, window: int) -> int | None:
    """Row id of the ``window``-th newest article matching ``match`` in index ``fts``; None if fewer match."""
    row = store.conn.execute(
        f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (match, window - 1)).fetchone()
    return row[0] if row else None


def _ranked(store: Store, fts: str, match: str, floor: int | None, limit: int = -1) -> list[tuple[int, float]]:
    """(article id, score) of articles matching ``match`` (row id >= ``floor``), best first.

    bm25 with titles weighing 5×; the score is positive, higher is better."""
    return [(r[0], -r[1]) for r in store.conn.execute(
        f"SELECT rowid, bm25({fts}, 5.0, 1.0) AS score FROM {fts}"
        f" WHERE {fts} MATCH ? AND rowid >= ? ORDER BY score, rowid DESC LIMIT ?",
        (match, floor or 0, limit))]


def _filtered_older(store: Store, fts: str, match: str, floor: int, where: str,
                    args: list) -> list[tuple[int, float]]:
    """(article id, score) of every article matching ``match`` below row id ``floor`` that passes the filters."""
    return [(r[0], -r[1]) for r in store.conn.execute(
        f"SELECT {fts}.rowid, bm25({fts}, 5.0, 1.0) FROM {fts} JOIN documents d ON d.id = {fts}.rowid"
        f" WHERE {fts} MATCH ? AND {fts}.rowid < ? AND {where}", [match, floor, *args])]


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
    fts, match = _match(query)
    if not match:
        return {"total": 0, "total_exact": True, "matches": 0, "ranked_among": None, "hits": []}
    where, args = doc_filters(date_from, date_to, source, label)
    matches = store.conn.execute(
        f"SELECT count(*) FROM {fts} WHERE {fts} MATCH ?", (match,)).fetchone()[0]
    floor = _window_floor(store, fts, match, RANK_WINDOW) if matches > RANK_WINDOW else None
    if not where:
        page, total = _ranked(store, fts, match, floor, offset + limit), matches
    else:
        # Rank the window, then check the filters in rank order until the page is full (cheap
        # when most articles pass). When the window runs out, the filters are selective: the
        # older matches are filtered first and only those passing are ranked, so every match has
        # been seen and the count is exact.
        page = _passing(store, _ranked(store, fts, match, floor), where, args, offset + limit)
        if len(page) < offset + limit and floor is not None:
            page += _filtered_older(store, fts, match, floor, where, args)
            page.sort(key=lambda item: (-item[1], -item[0]))
            floor = None
        if floor is None and len(page) < offset + limit:
            total = len(page)
        else:
            total = store.conn.execute(
                f"SELECT count(*) FROM (SELECT d.id FROM {fts} JOIN documents d ON d.id = {fts}.rowid"
                f" WHERE {fts} MATCH ? AND {where} LIMIT {COUNT_CAP})", [match, *args]).fetchone()[0]
    return {"total": total, "total_exact": total < COUNT_CAP or not where, "matches": matches,
            "ranked_among": RANK_WINDOW if floor is not None else None,
            "hits": [h for doc_id, score in page[offset:] if (h := _hit(store, fts, match, query, doc_id, score))]}


def _hit(store: Store, fts: str, match: str, query: str, doc_id: int, score: float) -> dict[str, Any] | None:
    """One article of the page with its snippet (computed for the page only; no bm25 here: it
    would count the matches again). The key index holds keys, not words: its snippets are cut
    from the article's own text around the words whose keys match (``stems.snippet``)."""
    columns = "d.id, d.title, d.source, d.site, d.url, d.published, d.story_id"
    if fts == WORDS_INDEX:
        r = store.conn.execute(
            f"SELECT {columns}, snippet(documents_fts, 1, '{HL_START}', '{HL_END}', ' … ', {SNIPPET_TOKENS}) AS snip"
            " FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
            " WHERE documents_fts MATCH ? AND documents_fts.rowid = ?", (match, doc_id)).fetchone()
        snip = r["snip"]
    else:
        r = store.conn.execute(f"SELECT {columns}, d.text FROM documents d WHERE d.id = ?", (doc_id,)).fetchone()
        if r is None:  # deleted by another connection; its keys leave the index at the next write
            return None
        snip = stems.snippet(r["text"], stems.query_phrases(query), HL_START, HL_END, SNIPPET_TOKENS)
    return {"id": r["id"], "title": r["title"], "source": r["source"], "site": r["site"],
            "url": r["url"], "published": r["published"], "story": r["story_id"],
            "snippet": " ".join(snip.split()), "score": round(score, 4)}


def search_entities(store: Store, query: str, *, label: str | None = None, limit: int = 20) -> list[dict]:
    """Entities having a name or alias equal to, or starting with, ``query`` (any case), or a
    name key (``resolve.names.name_key``, Latin script) starting with the query's key, so that
    "Цунэока" finds an entity named "Shamil Tsuneoka" and "Tsuneoka" one named "Шамиль Цунэока".

    Global entities once resolved ("Gelaev" finds Khamzat Gelayev through the alias of one of its
    document entities); document entities where resolution has not run.
    """
    q = " ".join(query.split())
    if not q:
        return []
    label_sql, label_args = (" AND g.label = ?", [label]) if label else ("", [])
    key = name_key(q)  # normalised, in Latin script: a name in either script finds the entity
    rows = store.conn.execute(
        "SELECT g.id, g.name, g.label, g.aliases, g.documents, g.mentions,"
        " min(CASE WHEN g.name = ? COLLATE NOCASE THEN 0 WHEN hit.exact THEN 1 ELSE 2 END) AS rank,"
        " group_concat(DISTINCT hit.alias) AS matched FROM ("
        "  SELECT e.global_id AS gid, a.alias AS alias, a.alias = ? COLLATE NOCASE AS exact FROM aliases a"
        "  JOIN entities e ON e.id = a.entity_id"
        "  WHERE a.alias >= ? COLLATE NOCASE AND a.alias < ? COLLATE NOCASE AND e.global_id IS NOT NULL"
        "  UNION ALL SELECT id, name, name = ? COLLATE NOCASE FROM global_entities"
        "  WHERE name >= ? COLLATE NOCASE AND name < ? COLLATE NOCASE"
        "  UNION ALL SELECT k.global_id, NULL, k.key = ? FROM entity_keys k WHERE k.key >= ? AND k.key < ?"
        " ) hit JOIN global_entities g ON g.id = hit.gid"
        f" WHERE 1{label_sql} GROUP BY g.id ORDER BY rank, g.mentions DESC, g.name LIMIT ?",
        [q, q, q, q + "\uffff", q, q, q + "\uffff", key, key or "\uffff", key + "\uffff",
         *label_args, limit]).fetchall()
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
