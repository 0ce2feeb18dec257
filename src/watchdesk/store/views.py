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


def _entity_mentions(store: Store, gid: str, member_ids: list[int]) -> list:
    """Mentions of the entity: members' mentions not overridden away, plus mentions overridden to it."""
    if not member_ids:
        return []
    marks = ",".join("?" * len(member_ids))
    return store.conn.execute(
        'SELECT m.id, m.doc_id, m.start, m."end", m.text, m.sentence_idx FROM mentions m'
        " LEFT JOIN mention_overrides o ON o.mention_id = m.id"
        f" WHERE (m.entity_id IN ({marks}) AND (o.mention_id IS NULL OR o.global_id = ?))"
        " UNION SELECT m.id, m.doc_id, m.start, m.\"end\", m.text, m.sentence_idx FROM mention_overrides o"
        " JOIN mentions m ON m.id = o.mention_id WHERE o.global_id = ? ORDER BY 2, 3",
        [*member_ids, gid, gid]).fetchall()


def _copy_order(doc: dict) -> tuple:
    """Copies of a story in the order an analyst reads them: the earliest published first (the
    original), undated ones after, ties (and undated copies) in ingest order."""
    return (doc.get("published") is None, doc.get("published") or "", doc["id"])


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _once_per_story(items: list[dict], key, docs: dict[int, dict]) -> list[dict]:
    """Items found in several copies of one story, listed once.

    Two items are the same when they come from copies of one story and ``key`` (their text) is
    equal; the n-th occurrence in one copy pairs with the n-th in another. The item shown is the
    one from the first copy in ``_copy_order``; the others go to its ``copies`` (doc id, title,
    date, evidence anchor), so every copy's evidence stays one click away. Order: the original
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
        for _, other in group[1:]:
            d = docs.get(other["doc_id"], {})
            copies.append({"doc_id": other["doc_id"], "anchor": other.get("anchor"), "title": d.get("title"),
                           "published": d.get("published"), "site": d.get("site")})
        shown.append((pos, {**first, "copies": copies}))
    return [item for _, item in sorted(shown, key=lambda pi: pi[0])]


def entity(store: Store, gid: str, *, limit: int = 200) -> dict | None:
    """The entity page: names with counts and where seen, articles, quotes by and about, claims by,
    relations, dated events, co-mentioned entities, each with its evidence.

    Copies of one story (``documents.story_id``) count once: a story's mentions are those of the
    copy naming the entity most (per name: the most any copy has), articles are listed once per
    story, and an item (event, relation, quote, claim, evidence sentence) found in several copies
    is listed once, from the earliest published copy, with the other copies in its ``copies``.
    ``mentions_with_copies`` and ``documents`` count every copy.
    """
    conn = store.conn
    members = _members(store, gid)
    if not members:
        return None
    g = conn.execute("SELECT * FROM global_entities WHERE id = ?", (gid,)).fetchone()
    member_ids = [m["id"] for m in members]
    marks = ",".join("?" * len(member_ids))
    doc_sql = "SELECT id, title, source, published, story_id, site FROM documents"
    docs = {r["id"]: dict(r) for r in conn.execute(
        f"{doc_sql} WHERE id IN (SELECT doc_id FROM entities WHERE id IN ({marks}))", member_ids)}
    sentence_starts: dict[int, list[int]] = {}

    def anchor(doc_id: int, offset: int) -> int:
        if doc_id not in sentence_starts:
            sentence_starts[doc_id] = [r[0] for r in conn.execute(
                "SELECT start FROM sentences WHERE doc_id = ? ORDER BY idx", (doc_id,))]
        return sentence_anchor(sentence_starts[doc_id], offset)

    texts: dict[int, str] = {}

    def text_of(doc_id: int) -> str:
        if doc_id not in texts:
            texts[doc_id] = conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        return texts[doc_id]

    mention_rows = _entity_mentions(store, gid, member_ids)
    for doc_id in {m["doc_id"] for m in mention_rows} - set(docs):
        docs[doc_id] = dict(conn.execute(f"{doc_sql} WHERE id = ?", (doc_id,)).fetchone())

    def story(doc_id: int) -> int:
        return docs[doc_id]["story_id"] or doc_id

    # per copy: mentions of each name, and the sentence where each name is first seen
    per_doc_alias: dict[tuple[str, int], int] = {}
    first_seen: dict[tuple[str, int], int] = {}
    evidence = []
    mention_spans: dict[int, list[tuple[int, int]]] = {}
    seen_sentences = set()
    for m in mention_rows:
        per_doc_alias[(m["text"], m["doc_id"])] = per_doc_alias.get((m["text"], m["doc_id"]), 0) + 1
        mention_spans.setdefault(m["doc_id"], []).append((m["start"], m["end"]))
        key = (m["doc_id"], m["sentence_idx"])
        s = None
        if key not in seen_sentences:
            seen_sentences.add(key)
            s = conn.execute('SELECT start, "end" FROM sentences WHERE doc_id = ? AND idx = ?',
                             (m["doc_id"], m["sentence_idx"])).fetchone()
            ss, se = (s[0], s[1]) if s else (m["start"], m["end"])
            evidence.append({"doc_id": m["doc_id"], "start": m["start"], "end": m["end"], "mention": m["text"],
                             "sentence": text_of(m["doc_id"])[ss:se].strip(), "anchor": ss})
        first_seen.setdefault((m["text"], m["doc_id"]), anchor(m["doc_id"], m["start"]))
    order = sorted(docs.values(), key=_copy_order)
    rank = {d["id"]: i for i, d in enumerate(order)}

    aliases: dict[str, dict] = {}
    for (text, doc_id), n in sorted(per_doc_alias.items(), key=lambda kv: rank[kv[0][1]]):
        a = aliases.setdefault(text, {"alias": text, "count": 0, "documents": [], "stories": 0, "seen": [],
                                      "_best": {}})
        a["documents"].append(doc_id)
        st = story(doc_id)
        if st not in a["_best"]:
            a["_best"][st] = n
            a["seen"].append({"doc_id": doc_id, "anchor": first_seen[(text, doc_id)], "copies": []})
        else:
            a["_best"][st] = max(a["_best"][st], n)
            seen_entry = next(x for x in a["seen"] if story(x["doc_id"]) == st)
            seen_entry["copies"].append({"doc_id": doc_id, "anchor": first_seen[(text, doc_id)]})
    for a in aliases.values():
        best = a.pop("_best")
        a["count"], a["stories"] = sum(best.values()), len(best)
        a["documents"].sort()

    mention_count = {d: len(v) for d, v in mention_spans.items()}
    by_story: dict[int, dict] = {}
    for d in order:
        st = story(d["id"])
        row = {**d, "mentions": mention_count.get(d["id"], 0)}
        if st not in by_story:
            by_story[st] = {**row, "copies": []}
        else:
            by_story[st]["copies"].append(row)
    articles = sorted(by_story.values(), key=lambda d: (d["published"] or "", d["id"]))
    for a in articles:
        a["story_mentions"] = max([a["mentions"], *(c["mentions"] for c in a["copies"])])
    story_mentions = sum(a["story_mentions"] for a in articles)

    alias_evidence = _once_per_story([
        {"name": r["name"], "alias": r["alias"], "kind": r["kind"], "doc_id": r["doc_id"],
         "anchor": anchor(r["doc_id"], r["evidence_start"]),
         "sentence": text_of(r["doc_id"])[r["evidence_start"]:r["evidence_end"]]}
        for r in conn.execute(f"SELECT * FROM alias_links WHERE entity_id IN ({marks}) ORDER BY id", member_ids)],
        lambda x: (x["name"], x["alias"], x["kind"], _norm(x["sentence"])), docs)

    def attribution_item(r) -> dict:
        data = json.loads(r["data"])
        if r["doc_id"] not in docs:
            docs[r["doc_id"]] = dict(conn.execute(f"{doc_sql} WHERE id = ?", (r["doc_id"],)).fetchone())
        return {"kind": r["kind"], "doc_id": r["doc_id"], "title": docs[r["doc_id"]]["title"],
                "content": data["content"]["text"], "speaker": (data.get("speaker") or {}).get("text"),
                "holder": r["holder"], "holder_id": r["holder_id"], "anchor": anchor(r["doc_id"], r["content_start"]),
                "published": r["published"]}

    def statement_key(s: dict) -> tuple:
        return (s["kind"], _norm(s["content"]), s["holder"])

    attr_sql = ("SELECT a.*, d.published, e.global_id AS holder_id, coalesce(g.name, e.name, a.speaker) AS holder"
                " FROM attributions a JOIN documents d ON d.id = a.doc_id"
                " LEFT JOIN entities e ON e.id = a.entity_id LEFT JOIN global_entities g ON g.id = e.global_id")
    by_rows = conn.execute(f"{attr_sql} WHERE a.entity_id IN ({marks}) ORDER BY d.published, a.doc_id,"
                           " a.content_start LIMIT ?", [*member_ids, limit]).fetchall()
    quotes_by = _once_per_story([attribution_item(r) for r in by_rows if r["kind"] == "quote"], statement_key, docs)
    claims_by = _once_per_story([attribution_item(r) for r in by_rows if r["kind"] == "claim"], statement_key, docs)
    about = []
    for doc_id in sorted(mention_spans, key=lambda d: rank[d]):
        spans = mention_spans[doc_id]
        for r in conn.execute(f"{attr_sql} WHERE a.doc_id = ? AND (a.entity_id IS NULL OR a.entity_id NOT IN"
                              f" ({marks})) ORDER BY a.content_start", [doc_id, *member_ids]):
            if any(r["content_start"] <= s and e <= r["content_end"] for s, e in spans):
                about.append(attribution_item(r))
        if len(about) >= limit:
            break
    about = _once_per_story(about, statement_key, docs)

    def ent_ref(entity_id: int | None) -> dict | None:
        if entity_id is None:
            return None
        r = conn.execute("SELECT e.doc_id, e.local_id, e.name, e.global_id, g.name AS gname FROM entities e"
                         " LEFT JOIN global_entities g ON g.id = e.global_id WHERE e.id = ?", (entity_id,)).fetchone()
        return {"id": r["global_id"] or f"{r['doc_id']}#{r['local_id']}", "name": r["gname"] or r["name"]}

    relations = []
    for r in conn.execute(
            "SELECT r.*, d.published FROM relations r JOIN documents d ON d.id = r.doc_id"
            f" WHERE r.subject_entity_id IN ({marks}) OR r.object_entity_id IN ({marks})"
            " ORDER BY d.published, r.doc_id, r.id LIMIT ?", [*member_ids, *member_ids, limit]):
        data = json.loads(r["data"])
        relations.append({
            "doc_id": r["doc_id"], "relation": r["relation"], "predicate": data["predicate"]["text"],
            "subject": data["subject"]["text"], "object": data["object"]["text"],
            "subject_entity": ent_ref(r["subject_entity_id"]), "object_entity": ent_ref(r["object_entity_id"]),
            "sentence": data["evidence"]["text"], "anchor": anchor(r["doc_id"], data["evidence"]["start"]),
            "published": r["published"]})
    relations = _once_per_story(
        relations, lambda x: (x["relation"], x["predicate"], x["subject"], x["object"], _norm(x["sentence"])), docs)
    events = []
    for r in conn.execute(
            "SELECT DISTINCT ev.*, d.published FROM events ev JOIN event_entities ee ON ee.event_id = ev.id"
            f" JOIN documents d ON d.id = ev.doc_id WHERE ee.entity_id IN ({marks})"
            " ORDER BY ev.date IS NULL, ev.date, ev.doc_id LIMIT ?", [*member_ids, limit]):
        data = json.loads(r["data"])
        ev = data.get("evidence") or data["time"]
        events.append({
            "doc_id": r["doc_id"], "date": r["date"], "date_end": r["date_end"], "uncertain": bool(r["uncertain"]),
            "precision": data.get("precision"), "time": data["time"]["text"],
            "trigger": (data.get("trigger") or {}).get("text"), "sentence": ev["text"],
            "anchor": anchor(r["doc_id"], ev["start"]), "published": r["published"]})
    events = _once_per_story(
        events, lambda x: (x["date"], x["date_end"], x["time"], x["trigger"], _norm(x["sentence"])), docs)
    evidence = _once_per_story(evidence, lambda x: (_norm(x["sentence"]),), docs)[:limit]
    name = g["name"] if g else members[0]["name"]
    label = g["label"] if g else members[0]["label"]
    return {
        "id": gid, "name": name, "label": label, "resolved": g is not None,
        "members": [f"{m['doc_id']}#{m['local_id']}" for m in members],
        "aliases": sorted(aliases.values(), key=lambda a: (-a["count"], a["alias"])),
        "alias_evidence": alias_evidence, "mentions": story_mentions, "mentions_with_copies": len(mention_rows),
        "stories": len(articles), "documents": len(docs), "articles": articles,
        "evidence": evidence, "quotes_by": quotes_by, "claims_by": claims_by, "about": about[:limit],
        "relations": relations, "events": events, "co_mentions": co_mentions(store, gid, member_ids=member_ids),
    }


def co_mentions(store: Store, gid: str, *, member_ids: list[int] | None = None, limit: int = 40) -> list[dict]:
    """Entities named in the same articles, counted once per story (copies of a story count once)."""
    if member_ids is None:
        member_ids = [m["id"] for m in _members(store, gid)]
    if not member_ids:
        return []
    marks = ",".join("?" * len(member_ids))
    rows = store.conn.execute(
        "SELECT o.global_id AS id, g.name, g.label, count(DISTINCT d.story_id) AS stories,"
        " count(DISTINCT d.id) AS documents FROM entities o JOIN documents d ON d.id = o.doc_id"
        " JOIN global_entities g ON g.id = o.global_id"
        f" WHERE o.doc_id IN (SELECT doc_id FROM entities WHERE id IN ({marks})) AND o.global_id != ?"
        " GROUP BY o.global_id ORDER BY stories DESC, g.mentions DESC, g.name LIMIT ?",
        [*member_ids, gid, limit]).fetchall()
    return [dict(r) for r in rows]


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
