"""Read-only queries for the analyst's desk (web UI, HTTP API, exports).

Everything here only reads; the writes (documents, resolution, judgements) stay in ``db.py``.
Each function takes a :class:`~watchdesk.store.db.Store` and returns plain dicts and lists, so
the web layer, the JSON API and the exporters share one set of queries.

Entity identity: a mention belongs to the global entity of its document entity, unless an
override (an alias split off) sends it elsewhere; a document entity that was never resolved has
the id ``"<document id>#<local id>"`` (as in ``Store.export_records``).
"""
from __future__ import annotations

import bisect
import json
import re
from typing import Any

from .db import Store, fts_query

# Private-use characters mark the highlighted terms of a snippet; the web layer escapes the
# snippet first and only then turns these into <mark> elements, so article text never becomes markup.
HL_START, HL_END = "\ue000", "\ue001"
_MEMBER = re.compile(r"^(\d+)#(.+)$")


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _doc_filters(date_from: str | None, date_to: str | None, source: str | None,
                 label: str | None) -> tuple[str, list]:
    where, args = [], []
    if date_from:
        where.append("d.published >= ?")
        args.append(date_from)
    if date_to:
        where.append("d.published <= ?")
        args.append(date_to + "\uffff")  # "2014-05" includes every day of May
    if source:
        pattern = f"%{_like(source)}%"
        where.append("(d.site LIKE ? ESCAPE '\\' OR d.url LIKE ? ESCAPE '\\' OR d.source LIKE ? ESCAPE '\\')")
        args += [pattern] * 3
    if label:
        where.append("EXISTS (SELECT 1 FROM entities le WHERE le.doc_id = d.id AND le.label = ?)")
        args.append(label)
    return (" AND ".join(where), args)


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
    where, args = _doc_filters(date_from, date_to, source, label)
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


def has_global_entities(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM global_entities LIMIT 1").fetchone() is not None


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


def labels(store: Store) -> list[str]:
    """Entity types present, most common first."""
    table = "global_entities" if has_global_entities(store) else "entities"
    return [r[0] for r in store.conn.execute(f"SELECT label FROM {table} GROUP BY label ORDER BY count(*) DESC")]


def list_articles(store: Store, *, limit: int = 50, offset: int = 0, date_from: str | None = None,
                  date_to: str | None = None, source: str | None = None, label: str | None = None) -> dict:
    where, args = _doc_filters(date_from, date_to, source, label)
    sql_where = f" WHERE {where}" if where else ""
    total = store.conn.execute(f"SELECT count(*) FROM documents d{sql_where}", args).fetchone()[0]
    rows = store.conn.execute(
        "SELECT d.id, d.title, d.source, d.site, d.url, d.published, d.story_id, d.byline FROM documents d"
        f"{sql_where} ORDER BY d.id LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
    return {"total": total, "items": [
        {"id": r["id"], "title": r["title"], "source": r["source"], "site": r["site"], "url": r["url"],
         "published": r["published"], "story": r["story_id"], "byline": json.loads(r["byline"])} for r in rows]}


def list_entities(store: Store, *, label: str | None = None, limit: int = 50, offset: int = 0) -> dict:
    where, args = (" WHERE label = ?", [label]) if label else ("", [])
    total = store.conn.execute(f"SELECT count(*) FROM global_entities{where}", args).fetchone()[0]
    rows = store.conn.execute(
        f"SELECT * FROM global_entities{where} ORDER BY mentions DESC, name, id LIMIT ? OFFSET ?",
        [*args, limit, offset]).fetchall()
    return {"total": total, "items": [
        {"id": r["id"], "name": r["name"], "label": r["label"], "aliases": json.loads(r["aliases"]),
         "documents": r["documents"], "mentions": r["mentions"]} for r in rows]}


# ---- one article -----------------------------------------------------------------------------
def sentence_anchor(starts: list[int], offset: int) -> int:
    """The start of the sentence containing ``offset`` (for /article/ID#s-START links)."""
    i = bisect.bisect_right(starts, offset) - 1
    return starts[i] if i >= 0 else offset


def _global_names(store: Store, ids: set[str]) -> dict[str, dict]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    out = {}
    ids_list = sorted(ids)
    for i in range(0, len(ids_list), 500):
        chunk = ids_list[i:i + 500]
        for r in store.conn.execute(
                f"SELECT id, name, label FROM global_entities WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r["id"]] = {"name": r["name"], "label": r["label"]}
    return out


def article(store: Store, doc_id: int) -> dict | None:
    """One article with everything the article page shows: text, mentions (with global ids),
    quotes and claims with speakers, sentences, removed lines, raw input, story copies."""
    conn = store.conn
    d = conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if d is None:
        return None
    entities = {r["id"]: dict(r) for r in conn.execute(
        "SELECT id, local_id, name, label, global_id, mention_count FROM entities WHERE doc_id = ?", (doc_id,))}
    mentions = []
    for m in conn.execute(
            'SELECT m.id, m.start, m."end", m.text, m.label, m.entity_id, o.mention_id AS overridden,'
            " o.global_id AS override FROM mentions m LEFT JOIN mention_overrides o ON o.mention_id = m.id"
            " WHERE m.doc_id = ? ORDER BY m.start", (doc_id,)):
        ent = entities.get(m["entity_id"])
        if m["overridden"] is not None:
            gid = m["override"]
        elif ent is not None:
            gid = ent["global_id"] or f"{doc_id}#{ent['local_id']}"
        else:
            gid = None
        mentions.append({"start": m["start"], "end": m["end"], "text": m["text"], "label": m["label"],
                         "entity": gid, "local_id": ent["local_id"] if ent else None})
    by_local = {e["local_id"]: e for e in entities.values()}
    attributions = []
    for a in conn.execute("SELECT kind, data FROM attributions WHERE doc_id = ? ORDER BY content_start", (doc_id,)):
        data = json.loads(a["data"])
        ent = by_local.get(data.get("entity")) if data.get("entity") else None
        attributions.append({
            "kind": a["kind"], "id": data["id"], "content": data["content"], "cue": data.get("cue"),
            "speaker": data.get("speaker"),
            "entity": (ent["global_id"] or f"{doc_id}#{ent['local_id']}") if ent else None})
    gnames = _global_names(store, {m["entity"] for m in mentions} | {a["entity"] for a in attributions})
    for a in attributions:
        g = gnames.get(a["entity"])
        a["holder"] = g["name"] if g else (a["speaker"] or {}).get("text")
    sentences = [(r[0], r[1]) for r in conn.execute(
        'SELECT start, "end" FROM sentences WHERE doc_id = ? ORDER BY idx', (doc_id,))]
    copies = [dict(r) for r in conn.execute(
        "SELECT id, title, source, url, site, published FROM documents WHERE story_id = ? AND id != ? ORDER BY id",
        (d["story_id"], doc_id))]
    doc_entities = []
    for e in sorted(entities.values(), key=lambda e: (-e["mention_count"], e["name"])):
        gid = e["global_id"] or f"{doc_id}#{e['local_id']}"
        first = next((m for m in mentions if m["local_id"] == e["local_id"]), None)
        doc_entities.append({"entity": gid, "local_id": e["local_id"], "name": e["name"], "label": e["label"],
                             "mentions": e["mention_count"],
                             "global_name": gnames.get(gid, {}).get("name", e["name"]),
                             "first": [first["start"], first["end"]] if first else None})
    return {
        "id": d["id"], "doc_key": d["doc_key"], "source": d["source"], "format": d["format"], "url": d["url"],
        "site": d["site"], "title": d["title"], "byline": json.loads(d["byline"]), "published": d["published"],
        "language": d["language"], "ingested_at": d["ingested_at"], "cleaned": bool(d["cleaned"]),
        "story": d["story_id"], "copies": copies, "text": d["text"], "raw": d["raw"],
        "removed": json.loads(d["removed"]), "sentences": sentences, "mentions": mentions,
        "attributions": attributions, "entities": doc_entities, "entity_names": gnames,
    }


# ---- one entity ------------------------------------------------------------------------------
def resolve_entity_id(store: Store, ident: str) -> str | None:
    """A global id for what a URL or form names: a global id, a member id, a name or an alias."""
    ident = ident.strip()
    if store.conn.execute("SELECT 1 FROM global_entities WHERE id = ?", (ident,)).fetchone():
        return ident
    m = _MEMBER.match(ident)
    if m:
        row = store.conn.execute("SELECT global_id FROM entities WHERE doc_id = ? AND local_id = ?",
                                 (int(m[1]), m[2])).fetchone()
        if row is None:
            return None
        return row[0] or ident
    found = store.global_ids_for(ident)
    return found[0] if found else None


def _members(store: Store, gid: str) -> list[dict]:
    m = _MEMBER.match(gid)
    if m and not store.conn.execute("SELECT 1 FROM global_entities WHERE id = ?", (gid,)).fetchone():
        rows = store.conn.execute("SELECT * FROM entities WHERE doc_id = ? AND local_id = ?",
                                  (int(m[1]), m[2])).fetchall()
    else:
        rows = store.conn.execute("SELECT * FROM entities WHERE global_id = ? ORDER BY id", (gid,)).fetchall()
    return [dict(r) for r in rows]


def _copy_order(doc: dict) -> tuple:
    """Copies of a story in the order an analyst reads them: the earliest published first (the
    original), undated ones after, ties (and undated copies) in ingest order."""
    return (doc.get("published") is None, doc.get("published") or "", doc["id"])


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


COPIES_SHOWN = 5  # other copies listed per item of the entity page; ``copies_total`` counts them all


def _once_per_story(items: list[dict], key, docs: dict[int, dict]) -> list[dict]:
    """Items found in several copies of one story, listed once.

    Two items are the same when they come from copies of one story and ``key`` (their text) is
    equal; the n-th occurrence in one copy pairs with the n-th in another. The item shown is the
    one from the first copy in ``_copy_order``; the next ``COPIES_SHOWN`` go to its ``copies`` (doc
    id, title, date, evidence anchor), so their evidence is one click away, and ``copies_total``
    counts every other copy holding the item (the page says "and N more"). Order: the original
    list's order of the items shown.
    """
    seen: dict[tuple, int] = {}
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    for pos, item in enumerate(items):
        doc = docs.get(item["doc_id"]) or {"id": item["doc_id"]}
        k = key(item)
        n = seen[(item["doc_id"], k)] = seen.get((item["doc_id"], k), -1) + 1
        groups.setdefault((doc.get("story_id") or item["doc_id"], k, n), []).append((pos, item))
    shown = []
    for group in groups.values():
        group.sort(key=lambda pi: _copy_order(docs.get(pi[1]["doc_id"]) or {"id": pi[1]["doc_id"]}))
        pos, first = group[0]
        copies = []
        for _, other in group[1:COPIES_SHOWN + 1]:
            d = docs.get(other["doc_id"], {})
            copies.append({"doc_id": other["doc_id"], "anchor": other.get("anchor"), "title": d.get("title"),
                           "published": d.get("published"), "site": d.get("site")})
        shown.append((pos, {**first, "copies": copies, "copies_total": len(group) - 1}))
    return [item for _, item in sorted(shown, key=lambda pi: pi[0])]


def _member_filter(store: Store, gid: str) -> tuple[str, list]:
    """SQL selecting the ids of the entity's members (as ``_members``), and its arguments."""
    m = _MEMBER.match(gid)
    if m and not store.conn.execute("SELECT 1 FROM global_entities WHERE id = ?", (gid,)).fetchone():
        return "SELECT id FROM entities WHERE doc_id = ? AND local_id = ?", [int(m[1]), m[2]]
    return "SELECT id FROM entities WHERE global_id = ?", [gid]


def _entity_ctes(store: Store, gid: str) -> tuple[str, list]:
    """``WITH`` clauses shared by the entity page's queries: ``mem`` (member ids), ``em`` (mentions
    of the entity: members' mentions not overridden away, plus mentions overridden to it) and
    ``ed`` (its documents: those of its members and of its mentions)."""
    mem_sql, mem_args = _member_filter(store, gid)
    cols = 'm.id, m.doc_id, m.start, m."end", m.text, m.sentence_idx'
    return (f"WITH mem AS ({mem_sql}),"
            f" em AS (SELECT {cols} FROM mentions m LEFT JOIN mention_overrides o ON o.mention_id = m.id"
            " WHERE m.entity_id IN (SELECT id FROM mem) AND (o.mention_id IS NULL OR o.global_id = ?)"
            f" UNION ALL SELECT {cols} FROM mention_overrides o JOIN mentions m ON m.id = o.mention_id"
            " WHERE o.global_id = ? AND (m.entity_id IS NULL OR m.entity_id NOT IN (SELECT id FROM mem))),"
            " ed AS (SELECT doc_id FROM entities WHERE id IN (SELECT id FROM mem) UNION SELECT doc_id FROM em)",
            [*mem_args, gid, gid])


# The start of the sentence containing offset ``{1}`` of document ``{0}`` (``sentence_anchor`` in SQL).
_ANCHOR_SQL = ("coalesce((SELECT max(s.start) FROM sentences s WHERE s.doc_id = {0} AND s.start <= {1}), {1})")
# The same for a mention at ``{1}`` in sentence ``{2}`` (its sentence_idx): one look-up when the
# sentence holds the offset, as it does unless the offset lies between sentences.
_MENTION_ANCHOR_SQL = ('coalesce((SELECT s.start FROM sentences s WHERE s.doc_id = {0} AND s.idx = {2}'
                       ' AND s.start <= {1} AND {1} < s."end"), ' + _ANCHOR_SQL[len("coalesce("):])
_DOC_COLS = "id, title, source, published, story_id, site"
_COPY_ORDER_SQL = "{0}published IS NULL, coalesce({0}published, ''), {0}id"  # _copy_order in SQL


def _load_docs(conn, docs: dict[int, dict], ids) -> None:
    """Add the listing columns of documents ``ids`` to ``docs`` (one query per 500)."""
    missing = sorted({i for i in ids if i not in docs})
    for chunk in _chunks(missing):
        for r in conn.execute(f"SELECT {_DOC_COLS} FROM documents WHERE id IN ({','.join('?' * len(chunk))})",
                              chunk):
            docs[r["id"]] = dict(r)


def _first_groups(conn, ctes: str, args: list, items: str, order: str, fetch: str, build, key, limit: int,
                  docs: dict[int, dict]) -> tuple[list[dict], int]:
    """The first ``limit`` items of a section listed once per story (``_once_per_story``), and the total.

    ``items`` selects every item of the section in every copy: columns ``item`` (a unique id),
    ``doc_id``, ``story`` and whatever ``order`` (the list's order) needs. Only whole stories are
    read (an item's copies are all in its story), in the order of their first item, until the
    first ``limit`` items are known: the items of later stories can only come after them. ``fetch``
    reads the chosen stories' items (``... FROM ranked r JOIN ...``; ``r.rn`` is the position),
    ``build`` makes an item of a row. The total is exact for the stories read; each other story
    counts as its copy with the most items (the copies of a story usually carry the same items;
    where they differ, the total is a lower bound).
    """
    base = (f"{ctes}, items AS ({items}),"
            f" ranked AS (SELECT item, doc_id, story, row_number() OVER (ORDER BY {order}) AS rn FROM items)")
    stories_sql = (f"{base}, per_doc AS (SELECT story, count(*) AS n, min(rn) AS first FROM ranked GROUP BY doc_id),"
                   " per_story AS (SELECT story, max(n) AS most, min(first) AS first FROM per_doc GROUP BY story)"
                   " SELECT story, first, most, sum(most) OVER () AS total FROM per_story ORDER BY first"
                   " LIMIT ? OFFSET ?")
    found: list[dict] = []
    reps: list[dict] = []
    offset, size, read_most, total_most, peek = 0, limit + 1, 0, 0, None
    while True:
        batch = conn.execute(stories_sql, [*args, size + 1, offset]).fetchall()
        if not batch:
            break
        total_most = batch[0]["total"]
        peek = batch[size] if len(batch) > size else None
        batch = batch[:size]
        offset += len(batch)
        read_most += sum(r["most"] for r in batch)
        stories = [r["story"] for r in batch]
        rows = []
        for chunk in _chunks(stories):
            rows += conn.execute(f"{base} SELECT r.rn AS _rn, r.doc_id AS _doc, {fetch}"
                                 f" WHERE r.story IN ({','.join('?' * len(chunk))})", [*args, *chunk]).fetchall()
        _load_docs(conn, docs, (r["_doc"] for r in rows))
        found += [{**build(r), "_rn": r["_rn"]} for r in rows]
        found.sort(key=lambda x: x["_rn"])
        reps = _once_per_story(found, key, docs)
        if peek is None or sum(1 for x in reps if x["_rn"] < peek["first"]) >= limit:
            break
        size *= 2
    total = len(reps) + (total_most - read_most if peek is not None else 0)
    shown = reps[:limit]
    for x in shown:
        del x["_rn"]
    return shown, total


def entity(store: Store, gid: str, *, limit: int = 200) -> dict | None:
    """The entity page: names with counts and where seen, articles, quotes by and about, claims by,
    relations, dated events, co-mentioned entities, each with its evidence.

    Copies of one story (``documents.story_id``) count once: a story's mentions are those of the
    copy naming the entity most (per name: the most any copy has), articles are listed once per
    story, and an item (event, relation, quote, claim, evidence sentence) found in several copies
    is listed once, from the earliest published copy, with the next ``COPIES_SHOWN`` copies (copy
    order: earliest published first) in its ``copies`` and every other copy holding it counted in
    its ``copies_total`` (so does an article: its other copies naming the entity; so does a name's
    ``seen``). A widely syndicated story thus costs a few lines, not one per copy, and says how many
    copies there are. ``mentions_with_copies`` and ``documents`` count every copy.

    The cost follows ``limit``, not the entity's mentions: counts are SQL aggregates, and each list
    (members, names and where each is first seen, a name's documents, articles, evidence, quotes,
    claims, relations, events) holds at most ``limit`` entries, read with their sentences only for
    those; ``<list>_total`` (a name's ``documents_total``, ``stories``) gives the full count. For a
    list of items once per story, the total counts the stories not read as their copy with the most
    items (see ``_first_groups``).
    """
    conn = store.conn
    mem_sql, mem_args = _member_filter(store, gid)
    members = [dict(r) for r in conn.execute(f"SELECT * FROM entities WHERE id IN ({mem_sql}) ORDER BY id LIMIT ?",
                                             [*mem_args, limit])]
    if not members:
        return None
    g = conn.execute("SELECT * FROM global_entities WHERE id = ?", (gid,)).fetchone()
    ctes, args = _entity_ctes(store, gid)
    docs: dict[int, dict] = {}

    # counts: every copy (mentions_with_copies, documents) and once per story (mentions, stories)
    counts = conn.execute(
        f"{ctes}, dm AS (SELECT doc_id, count(*) AS n FROM em GROUP BY doc_id),"
        " dd AS (SELECT coalesce(d.story_id, d.id) AS story, coalesce(dm.n, 0) AS n FROM ed"
        " JOIN documents d ON d.id = ed.doc_id LEFT JOIN dm ON dm.doc_id = ed.doc_id),"
        " st AS (SELECT max(n) AS most FROM dd GROUP BY story)"
        " SELECT (SELECT count(*) FROM mem) AS members, (SELECT count(*) FROM em) AS mentions_with_copies,"
        " (SELECT count(*) FROM dd) AS documents, (SELECT count(*) FROM st) AS stories,"
        " (SELECT coalesce(sum(most), 0) FROM st) AS mentions", args).fetchone()

    # articles: one a story (its first copy, with the others), the first `limit` by date
    articles: list[dict] = []
    by_story: dict[int, dict] = {}
    for r in conn.execute(
            f"{ctes}, dm AS (SELECT doc_id, count(*) AS n FROM em GROUP BY doc_id),"
            f" dd AS (SELECT {', '.join('d.' + c for c in _DOC_COLS.split(', '))}, coalesce(d.story_id, d.id) AS story,"
            " coalesce(dm.n, 0) AS mentions FROM ed JOIN documents d ON d.id = ed.doc_id"
            " LEFT JOIN dm ON dm.doc_id = ed.doc_id),"
            " dk AS (SELECT dd.*, row_number() OVER w AS k, first_value(coalesce(published, '')) OVER w AS hp,"
            " first_value(id) OVER w AS hid FROM dd"
            f" WINDOW w AS (PARTITION BY story ORDER BY {_COPY_ORDER_SQL.format('')})),"
            " dr AS (SELECT dk.*, dense_rank() OVER (ORDER BY hp, hid) AS hr,"  # stories by first copy
            " count(*) OVER (PARTITION BY story) AS n, max(mentions) OVER (PARTITION BY story) AS most FROM dk)"
            f" SELECT {_DOC_COLS}, mentions, story, n, most FROM dr"
            " WHERE hr <= ? AND k <= ? ORDER BY hr, k", [*args, limit, COPIES_SHOWN + 1]):
        row = dict(r)
        st, n, most = row.pop("story"), row.pop("n"), row.pop("most")
        docs[row["id"]] = {k: row[k] for k in _DOC_COLS.split(", ")}
        if st not in by_story:
            by_story[st] = {**row, "story_mentions": most, "copies": [], "copies_total": n - 1}
            articles.append(by_story[st])
        else:
            by_story[st]["copies"].append(row)

    # names: counts per name (a story counts as its copy naming it most) and where each is first seen
    per_name = (f"{ctes}, per AS (SELECT em.text AS alias, em.doc_id, count(*) AS n, min(em.start) AS first,"
                " em.sentence_idx AS first_idx"  # (of the row with min(start))
                " FROM em GROUP BY em.text, em.doc_id),"
                " pd AS (SELECT per.*, coalesce(d.story_id, d.id) AS story, d.published IS NULL AS pn,"
                " coalesce(d.published, '') AS p FROM per JOIN documents d ON d.id = per.doc_id)")
    aliases: dict[str, dict] = {}
    aliases_total = 0
    for r in conn.execute(
            f"{per_name}, st AS (SELECT alias, max(n) AS most, count(*) AS copies FROM pd GROUP BY alias, story)"
            " SELECT alias, sum(most) AS count, count(*) AS stories, sum(copies) AS documents,"
            " count(*) OVER () AS total FROM st GROUP BY alias ORDER BY count DESC, alias LIMIT ?", [*args, limit]):
        aliases[r["alias"]] = {"alias": r["alias"], "count": r["count"], "documents": [], "stories": r["stories"],
                               "seen": [], "documents_total": r["documents"]}
        aliases_total = r["total"]
    if aliases:
        names = list(aliases)
        # per name: its first `limit` documents, and its first `limit` stories (by their first copy) with
        # every copy naming it, each with the sentence where the name is first seen
        for r in conn.execute(
                f"{per_name}, pk AS (SELECT pd.*, row_number() OVER (PARTITION BY alias ORDER BY doc_id) AS dr,"
                " row_number() OVER w AS k, count(*) OVER w2 AS copies, first_value(pn) OVER w AS hpn, first_value(p) OVER w AS hp,"
                f" first_value(doc_id) OVER w AS hd FROM pd WHERE alias IN ({','.join('?' * len(names))})"
                " WINDOW w AS (PARTITION BY alias, story ORDER BY pn, p, doc_id), w2 AS (PARTITION BY alias, story)),"
                " pr AS (SELECT pk.*, dense_rank() OVER (PARTITION BY alias ORDER BY hpn, hp, hd) AS sr FROM pk)"
                " SELECT alias, doc_id, dr, sr, k, copies, CASE WHEN sr <= ? AND k <= ? THEN"
                f" {_MENTION_ANCHOR_SQL.format('pr.doc_id', 'pr.first', 'pr.first_idx')}"
                " END AS anchor FROM pr WHERE dr <= ? OR (sr <= ? AND k <= ?) ORDER BY alias, sr, k",
                [*args, *names, limit, COPIES_SHOWN + 1, limit, limit, COPIES_SHOWN + 1]):
            a = aliases[r["alias"]]
            if r["dr"] <= limit:
                a["documents"].append(r["doc_id"])
            if r["sr"] <= limit and r["k"] <= COPIES_SHOWN + 1:
                if r["k"] == 1:
                    a["seen"].append({"doc_id": r["doc_id"], "anchor": r["anchor"], "copies": [],
                                      "copies_total": r["copies"] - 1})
                else:
                    a["seen"][-1]["copies"].append({"doc_id": r["doc_id"], "anchor": r["anchor"]})
        for a in aliases.values():
            a["documents"].sort()

    def section(items: str, order: str, fetch: str, build, key, extra: list | None = None):
        return _first_groups(conn, ctes, [*args, *(extra or [])], items, order, fetch, build, key, limit, docs)

    story_of = "coalesce(d.story_id, d.id) AS story"
    alias_evidence, alias_evidence_total = section(
        f"SELECT a.id AS item, a.doc_id, {story_of} FROM alias_links a JOIN documents d ON d.id = a.doc_id"
        " WHERE a.entity_id IN (SELECT id FROM mem)", "item",
        f"a.name, a.alias, a.kind, a.doc_id, {_ANCHOR_SQL.format('a.doc_id', 'a.evidence_start')} AS anchor,"
        " substr(d.text, a.evidence_start + 1, a.evidence_end - a.evidence_start) AS sentence"
        " FROM ranked r JOIN alias_links a ON a.id = r.item JOIN documents d ON d.id = a.doc_id",
        lambda r: {"name": r["name"], "alias": r["alias"], "kind": r["kind"], "doc_id": r["doc_id"],
                   "anchor": r["anchor"], "sentence": r["sentence"]},
        lambda x: (x["name"], x["alias"], x["kind"], _norm(x["sentence"])))

    def attribution_item(r) -> dict:
        data = json.loads(r["data"])
        return {"kind": r["kind"], "doc_id": r["doc_id"], "title": docs[r["doc_id"]]["title"],
                "content": data["content"]["text"], "speaker": (data.get("speaker") or {}).get("text"),
                "holder": r["holder"], "holder_id": r["holder_id"], "anchor": r["anchor"],
                "published": r["published"]}

    def statement_key(s: dict) -> tuple:
        return (s["kind"], _norm(s["content"]), s["holder"])

    attr_fetch = ("a.kind, a.doc_id, a.data, d.published, e.global_id AS holder_id,"
                  f" coalesce(g.name, e.name, a.speaker) AS holder, {_ANCHOR_SQL.format('a.doc_id', 'a.content_start')}"
                  " AS anchor FROM ranked r JOIN attributions a ON a.id = r.item JOIN documents d ON d.id = a.doc_id"
                  " LEFT JOIN entities e ON e.id = a.entity_id LEFT JOIN global_entities g ON g.id = e.global_id")
    statements = {}
    for kind in ("quote", "claim"):
        statements[kind] = section(
            f"SELECT a.id AS item, a.doc_id, {story_of}, d.published AS o1, a.content_start AS o2"
            " FROM attributions a JOIN documents d ON d.id = a.doc_id"
            " WHERE a.entity_id IN (SELECT id FROM mem) AND a.kind = ?", "o1, doc_id, o2, item",
            attr_fetch, attribution_item, statement_key, [kind])
    # said about it: a quote or claim by someone else whose content holds a mention of it
    about, about_total = section(
        f"SELECT a.id AS item, a.doc_id, {story_of}, d.published IS NULL AS o0, coalesce(d.published, '') AS o1,"
        " a.content_start AS o2 FROM attributions a JOIN documents d ON d.id = a.doc_id WHERE a.id IN"
        " (SELECT x.id FROM em JOIN attributions x ON x.doc_id = em.doc_id AND x.content_start <= em.start"
        ' AND em."end" <= x.content_end WHERE x.entity_id IS NULL OR x.entity_id NOT IN (SELECT id FROM mem))',
        "o0, o1, doc_id, o2, item", attr_fetch, attribution_item, statement_key)

    def ref(prefix: str) -> str:
        return (f"coalesce({prefix}.global_id, {prefix}.doc_id || '#' || {prefix}.local_id) AS {prefix}_id,"
                f" coalesce({prefix}g.name, {prefix}.name) AS {prefix}_name")

    def relation_item(r) -> dict:
        data = json.loads(r["data"])
        return {
            "doc_id": r["doc_id"], "relation": r["relation"], "predicate": data["predicate"]["text"],
            "subject": data["subject"]["text"], "object": data["object"]["text"],
            "subject_entity": {"id": r["se_id"], "name": r["se_name"]} if r["se_id"] is not None else None,
            "object_entity": {"id": r["oe_id"], "name": r["oe_name"]} if r["oe_id"] is not None else None,
            "sentence": data["evidence"]["text"], "anchor": r["anchor"], "published": r["published"]}

    relations, relations_total = section(
        f"SELECT x.id AS item, x.doc_id, {story_of}, d.published AS o1 FROM relations x"
        " JOIN documents d ON d.id = x.doc_id WHERE x.id IN (SELECT id FROM relations WHERE subject_entity_id IN"
        " (SELECT id FROM mem) UNION SELECT id FROM relations WHERE object_entity_id IN (SELECT id FROM mem))",
        "o1, doc_id, item",
        f"x.doc_id, x.relation, x.data, d.published, {ref('se')}, {ref('oe')},"
        f" {_ANCHOR_SQL.format('x.doc_id', 'json_extract(x.data, ' + chr(39) + '$.evidence.start' + chr(39) + ')')}"
        " AS anchor FROM ranked r JOIN relations x ON x.id = r.item JOIN documents d ON d.id = x.doc_id"
        " LEFT JOIN entities se ON se.id = x.subject_entity_id LEFT JOIN global_entities seg ON seg.id = se.global_id"
        " LEFT JOIN entities oe ON oe.id = x.object_entity_id LEFT JOIN global_entities oeg ON oeg.id = oe.global_id",
        relation_item, lambda x: (x["relation"], x["predicate"], x["subject"], x["object"], _norm(x["sentence"])))

    def event_item(r) -> dict:
        data = json.loads(r["data"])
        ev = data.get("evidence") or data["time"]
        return {
            "doc_id": r["doc_id"], "date": r["date"], "date_end": r["date_end"], "uncertain": bool(r["uncertain"]),
            "precision": data.get("precision"), "time": data["time"]["text"],
            "trigger": (data.get("trigger") or {}).get("text"), "sentence": ev["text"],
            "anchor": r["anchor"], "published": r["published"]}

    ev_start = ("coalesce(json_extract(x.data, '$.evidence.start'), json_extract(x.data, '$.time.start'))")
    events, events_total = section(
        f"SELECT x.id AS item, x.doc_id, {story_of}, x.date IS NULL AS o0, x.date AS o1 FROM events x"
        " JOIN documents d ON d.id = x.doc_id WHERE x.id IN"
        " (SELECT event_id FROM event_entities WHERE entity_id IN (SELECT id FROM mem))",
        "o0, o1, doc_id, item",
        f"x.doc_id, x.date, x.date_end, x.uncertain, x.data, d.published, {_ANCHOR_SQL.format('x.doc_id', ev_start)}"
        " AS anchor FROM ranked r JOIN events x ON x.id = r.item JOIN documents d ON d.id = x.doc_id",
        event_item, lambda x: (x["date"], x["date_end"], x["time"], x["trigger"], _norm(x["sentence"])))

    # where it is named: each sentence naming it (its first mention there), sentence text in SQL
    span = ('coalesce(s.start, m.start)', 'coalesce(s."end", m."end")')
    evidence, evidence_total = section(
        f"SELECT e.id AS item, e.doc_id, {story_of}, e.start AS o1 FROM (SELECT em.id, em.doc_id, em.start,"
        " row_number() OVER (PARTITION BY em.doc_id, em.sentence_idx ORDER BY em.start, em.id) AS k FROM em) e"
        " JOIN documents d ON d.id = e.doc_id WHERE e.k = 1", "doc_id, o1, item",
        f'm.doc_id, m.start, m."end", m.text, {span[0]} AS anchor,'
        f" substr(d.text, {span[0]} + 1, {span[1]} - {span[0]}) AS sentence FROM ranked r"
        " JOIN mentions m ON m.id = r.item JOIN documents d ON d.id = m.doc_id"
        " LEFT JOIN sentences s ON s.doc_id = m.doc_id AND s.idx = m.sentence_idx",
        lambda r: {"doc_id": r["doc_id"], "start": r["start"], "end": r["end"], "mention": r["text"],
                   "sentence": r["sentence"].strip(), "anchor": r["anchor"]},
        lambda x: (_norm(x["sentence"]),))

    co, co_total = _co_mentions(store, gid, mem_sql, mem_args, 40)
    name = g["name"] if g else members[0]["name"]
    label = g["label"] if g else members[0]["label"]
    return {
        "id": gid, "name": name, "label": label, "resolved": g is not None,
        "members": [f"{m['doc_id']}#{m['local_id']}" for m in members], "members_total": counts["members"],
        "aliases": sorted(aliases.values(), key=lambda a: (-a["count"], a["alias"])), "aliases_total": aliases_total,
        "alias_evidence": alias_evidence, "alias_evidence_total": alias_evidence_total,
        "mentions": counts["mentions"], "mentions_with_copies": counts["mentions_with_copies"],
        "stories": counts["stories"], "documents": counts["documents"],
        "articles": articles, "articles_total": counts["stories"],
        "evidence": evidence, "evidence_total": evidence_total,
        "quotes_by": statements["quote"][0], "quotes_by_total": statements["quote"][1],
        "claims_by": statements["claim"][0], "claims_by_total": statements["claim"][1],
        "about": about, "about_total": about_total,
        "relations": relations, "relations_total": relations_total, "events": events, "events_total": events_total,
        "co_mentions": co, "co_mentions_total": co_total,
    }


def _co_mentions(store: Store, gid: str, mem_sql: str, mem_args: list, limit: int) -> tuple[list[dict], int]:
    """The first ``limit`` co-mentioned entities (see ``co_mentions``) and how many there are."""
    rows = store.conn.execute(
        f"WITH mem AS ({mem_sql}), md AS MATERIALIZED (SELECT id, story_id FROM documents"
        " WHERE id IN (SELECT doc_id FROM entities WHERE id IN (SELECT id FROM mem))),"
        " co AS (SELECT o.global_id AS id, count(DISTINCT md.story_id) AS stories, count(DISTINCT md.id) AS documents"
        " FROM md JOIN entities o ON o.doc_id = md.id WHERE o.global_id != ? GROUP BY o.global_id)"
        " SELECT co.id, g.name, g.label, co.stories, co.documents, count(*) OVER () AS total FROM co"
        " JOIN global_entities g ON g.id = co.id ORDER BY co.stories DESC, g.mentions DESC, g.name LIMIT ?",
        [*mem_args, gid, limit]).fetchall()
    return [{k: r[k] for k in ("id", "name", "label", "stories", "documents")} for r in rows], \
        (rows[0]["total"] if rows else 0)


def co_mentions(store: Store, gid: str, *, member_ids: list[int] | None = None, limit: int = 40) -> list[dict]:
    """Entities named in the same articles, counted once per story (copies of a story count once)."""
    if member_ids is None:
        mem_sql, mem_args = _member_filter(store, gid)
    elif not member_ids:
        return []
    else:
        mem_sql, mem_args = "SELECT value AS id FROM json_each(?)", [json.dumps(member_ids)]
    return _co_mentions(store, gid, mem_sql, mem_args, limit)[0]


# ---- the graph -------------------------------------------------------------------------------
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
    where, args = _doc_filters(date_from, date_to, None, None)
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
    for chunk in _chunks(pool):
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


# ---- claims, stories, judgements -------------------------------------------------------------
def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _figure_evidence(store: Store, figures: list[dict]) -> None:
    """Give each ledger figure its evidence: ``start``/``end`` of the figure in its article,
    ``anchor`` (the start of the sentence holding it, for /article/ID#s-ANCHOR) and ``copies``:
    the same figure in the same statement in other copies of the story, each with its anchor."""
    conn = store.conn
    stories = sorted({f["story"] if f["story"] is not None else f["doc_id"] for f in figures})
    docs: dict[int, dict] = {}
    for chunk in _chunks(stories):
        for r in conn.execute("SELECT id, story_id, title, published, site FROM documents"
                              f" WHERE story_id IN ({','.join('?' * len(chunk))})", chunk):
            docs[r["id"]] = dict(r)
    for f in figures:
        docs.setdefault(f["doc_id"], {"id": f["doc_id"], "story_id": f["story"], "title": f["title"],
                                      "published": f["published"], "site": None})
    doc_ids = sorted(docs)
    found: dict[tuple, list[tuple[int, int, int]]] = {}  # (story, value, unit, kind, statement) -> places
    starts: dict[int, list[int]] = {}
    for chunk in _chunks(doc_ids):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
                'SELECT q.doc_id, q.value, q.unit, q.start, q."end", a.kind, a.data FROM quantities q'
                f" JOIN attributions a ON a.id = q.attribution_id WHERE q.doc_id IN ({marks}) AND q.unit IS NOT NULL"
                " ORDER BY q.doc_id, q.start", chunk):
            content = json.loads(r["data"])["content"]["text"]
            story = docs[r["doc_id"]]["story_id"] or r["doc_id"]
            key = (story, r["value"], r["unit"].lower(), r["kind"], _norm(content))
            found.setdefault(key, []).append((r["doc_id"], r["start"], r["end"]))
        for r in conn.execute(f"SELECT doc_id, start FROM sentences WHERE doc_id IN ({marks}) ORDER BY doc_id, idx",
                              chunk):
            starts.setdefault(r[0], []).append(r[1])
    for f in figures:
        story = f["story"] if f["story"] is not None else f["doc_id"]
        places = found.get((story, f["value"], f["unit"].lower(), f["kind"], _norm(f["statement"])), [])
        own = next((p for p in places if p[0] == f["doc_id"]), None)
        f["start"], f["end"] = (own[1], own[2]) if own else (None, None)
        f["anchor"] = sentence_anchor(starts.get(f["doc_id"], []), own[1]) if own else None
        copies, seen = [], {f["doc_id"]}
        for doc_id, start, _ in sorted(places, key=lambda p: _copy_order(docs[p[0]])):
            if doc_id in seen:
                continue
            seen.add(doc_id)
            d = docs[doc_id]
            copies.append({"doc_id": doc_id, "anchor": sentence_anchor(starts.get(doc_id, []), start),
                           "title": d["title"], "published": d["published"], "site": d.get("site")})
        f["copies"] = copies


def claims_ledger(store: Store, *, about: str | None = None, by: str | None = None) -> list[dict]:
    """``Store.claim_figures`` grouped by what is counted (``unit_key``), groups with differing
    figures first; each figure with its holder's global id where the holder resolved, its
    evidence sentence (``anchor``) and the other copies of its story stating it (``copies``)."""
    from ..extract.units import unit_key

    groups: dict[str, list[dict]] = {}
    figures = store.claim_figures(about=about, by=by)
    _figure_evidence(store, figures)
    for figure in figures:
        groups.setdefault(unit_key(figure["unit"]), []).append(figure)
    ordered = sorted(groups.items(), key=lambda kv: (-len({f["value"] for f in kv[1]}), -len(kv[1]), kv[0]))
    holders = {f["holder"] for _, rows in ordered for f in rows if f["holder"]}
    ids: dict[str, str] = {}
    for h in holders:
        row = store.conn.execute("SELECT id FROM global_entities WHERE name = ? ORDER BY mentions DESC LIMIT 1",
                                 (h,)).fetchone()
        if row:
            ids[h] = row[0]
    return [{"counts": key, "conflicting": len({f["value"] for f in rows}) > 1,
             "figures": [{**f, "holder_id": ids.get(f["holder"] or "")} for f in rows]} for key, rows in ordered]


def story_count(store: Store, min_copies: int = 2) -> int:
    return store.conn.execute("SELECT count(*) FROM (SELECT story_id FROM documents GROUP BY story_id"
                              " HAVING count(*) >= ?)", (min_copies,)).fetchone()[0]


def judgements(store: Store) -> list[dict]:
    """Every judgement (undone ones too), newest first, with the names its member ids stand for."""
    out = []
    for j in reversed(store.judgements(include_undone=True)):
        names = {}
        for key in ("a", "b"):
            value = j[key]
            m = _MEMBER.match(value) if value else None
            if m:  # the member's current global entity, else the document entity's own name
                row = store.conn.execute(
                    "SELECT coalesce(g.name, e.name) FROM entities e LEFT JOIN global_entities g ON g.id = e.global_id"
                    " WHERE e.doc_id = ? AND e.local_id = ?", (int(m[1]), m[2])).fetchone()
                names[key] = row[0] if row else value
            else:
                names[key] = value
        out.append({**j, "a_name": names["a"], "b_name": names["b"]})
    return out


def sources(store: Store, limit: int = 50) -> list[str]:
    """Sites named on documents (for the source filter's suggestions)."""
    return [r[0] for r in store.conn.execute(
        "SELECT site FROM documents WHERE site IS NOT NULL GROUP BY site ORDER BY count(*) DESC LIMIT ?", (limit,))]


def stories(store: Store, *, min_copies: int = 2, limit: int = 50, offset: int = 0) -> dict:
    """Stories with at least ``min_copies`` copies, largest first, each copy with source and date."""
    total = story_count(store, min_copies)
    items = []
    for story in store.conn.execute(
            "SELECT story_id, count(*) AS n FROM documents GROUP BY story_id HAVING n >= ?"
            " ORDER BY n DESC, story_id LIMIT ? OFFSET ?", (min_copies, limit, offset)).fetchall():
        copies = [dict(r) for r in store.conn.execute(
            "SELECT id, title, source, url, site, published, ingested_at FROM documents"
            " WHERE story_id = ? ORDER BY id", (story["story_id"],))]
        items.append({"story": story["story_id"], "copies": copies})
    return {"total": total, "items": items}


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
