"""Read-only queries for the analyst's desk (web UI, HTTP API, exports): one article, lists of
articles and entities, the claims ledger, stories and judgements. The search, the entity page and
the network have modules of their own (``search``, ``entity_page``, ``network``), helpers in
``shared``.

Everything here only reads; the writes (documents, resolution, judgements) stay in ``db.py``.
Each function takes a :class:`~watchdesk.store.db.Store` and returns plain dicts and lists, so
the web layer, the JSON API and the exporters share one set of queries.

Entity identity: a mention belongs to the global entity of its document entity, unless an
override (an alias split off) sends it elsewhere; a document entity that was never resolved has
the id ``"<document id>#<local id>"`` (as in ``Store.export_records``).
"""
from __future__ import annotations

import json

from .db import Store
from .shared import MEMBER_ID, chunks, copy_order, doc_filters, has_global_entities, sentence_anchor, squash_spaces


def labels(store: Store) -> list[str]:
    """Entity types present, most common first."""
    table = "global_entities" if has_global_entities(store) else "entities"
    return [r[0] for r in store.conn.execute(f"SELECT label FROM {table} GROUP BY label ORDER BY count(*) DESC")]


def list_articles(store: Store, *, limit: int = 50, offset: int = 0, date_from: str | None = None,
                  date_to: str | None = None, source: str | None = None, label: str | None = None) -> dict:
    where, args = doc_filters(date_from, date_to, source, label)
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
        "SELECT id, title, source, url, site, published, language FROM documents WHERE story_id = ? AND id != ?"
        " ORDER BY id",
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
        "language": d["language"], "analysed": bool(d["analysed"]), "note": d["note"],
        "ingested_at": d["ingested_at"], "cleaned": bool(d["cleaned"]),
        "story": d["story_id"], "copies": copies, "text": d["text"], "raw": d["raw"],
        "removed": json.loads(d["removed"]), "sentences": sentences, "mentions": mentions,
        "attributions": attributions, "entities": doc_entities, "entity_names": gnames,
    }


def _figure_evidence(store: Store, figures: list[dict]) -> None:
    """Give each ledger figure its evidence: ``start``/``end`` of the figure in its article,
    ``anchor`` (the start of the sentence holding it, for /article/ID#s-ANCHOR) and ``copies``:
    the same figure in the same statement in other copies of the story, each with its anchor."""
    conn = store.conn
    stories = sorted({f["story"] if f["story"] is not None else f["doc_id"] for f in figures})
    docs: dict[int, dict] = {}
    for chunk in chunks(stories):
        for r in conn.execute("SELECT id, story_id, title, published, site FROM documents"
                              f" WHERE story_id IN ({','.join('?' * len(chunk))})", chunk):
            docs[r["id"]] = dict(r)
    for f in figures:
        docs.setdefault(f["doc_id"], {"id": f["doc_id"], "story_id": f["story"], "title": f["title"],
                                      "published": f["published"], "site": None})
    doc_ids = sorted(docs)
    found: dict[tuple, list[tuple[int, int, int]]] = {}  # (story, value, unit, kind, statement) -> places
    starts: dict[int, list[int]] = {}
    for chunk in chunks(doc_ids):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
                'SELECT q.doc_id, q.value, q.unit, q.start, q."end", a.kind, a.data FROM quantities q'
                f" JOIN attributions a ON a.id = q.attribution_id WHERE q.doc_id IN ({marks}) AND q.unit IS NOT NULL"
                " ORDER BY q.doc_id, q.start", chunk):
            content = json.loads(r["data"])["content"]["text"]
            story = docs[r["doc_id"]]["story_id"] or r["doc_id"]
            key = (story, r["value"], r["unit"].lower(), r["kind"], squash_spaces(content))
            found.setdefault(key, []).append((r["doc_id"], r["start"], r["end"]))
        for r in conn.execute(f"SELECT doc_id, start FROM sentences WHERE doc_id IN ({marks}) ORDER BY doc_id, idx",
                              chunk):
            starts.setdefault(r[0], []).append(r[1])
    for f in figures:
        story = f["story"] if f["story"] is not None else f["doc_id"]
        places = found.get((story, f["value"], f["unit"].lower(), f["kind"], squash_spaces(f["statement"])), [])
        own = next((p for p in places if p[0] == f["doc_id"]), None)
        f["start"], f["end"] = (own[1], own[2]) if own else (None, None)
        f["anchor"] = sentence_anchor(starts.get(f["doc_id"], []), own[1]) if own else None
        copies, seen = [], {f["doc_id"]}
        for doc_id, start, _ in sorted(places, key=lambda p: copy_order(docs[p[0]])):
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
            m = MEMBER_ID.match(value) if value else None
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
            "SELECT id, title, source, url, site, published, ingested_at, language FROM documents"
            " WHERE story_id = ? ORDER BY id", (story["story_id"],))]
        items.append({"story": story["story_id"], "copies": copies})
    return {"total": total, "items": items}
