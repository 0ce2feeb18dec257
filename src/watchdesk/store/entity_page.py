"""One entity as the desk shows it: names (also grouped by script, with its Latin-script forms), articles, quotes, claims, relations, events and
co-mentions, each with its evidence; copies of one story counted once."""
from __future__ import annotations

import json

from ..resolve.names import name_keys_of
from ..resolve.translit import latin_names, script_of
from .db import Store
from .shared import COPY_ORDER_SQL, MEMBER_ID, chunks, copy_order, squash_spaces


def resolve_entity_id(store: Store, ident: str) -> str | None:
    """A global id for what a URL or form names: a global id, a member id, a name or an alias
    (in either script: through the entities' name keys when no name matches as written)."""
    ident = ident.strip()
    if store.conn.execute("SELECT 1 FROM global_entities WHERE id = ?", (ident,)).fetchone():
        return ident
    m = MEMBER_ID.match(ident)
    if m:
        row = store.conn.execute("SELECT global_id FROM entities WHERE doc_id = ? AND local_id = ?",
                                 (int(m[1]), m[2])).fetchone()
        if row is None:
            return None
        return row[0] or ident
    found = store.global_ids_for(ident)
    if not found:  # a name in the other script ("Цунэока" for "Shamil Tsuneoka"), by its keys
        keys = name_keys_of(ident)
        found = [r[0] for r in store.conn.execute(
            "SELECT k.global_id FROM entity_keys k JOIN global_entities g ON g.id = k.global_id"
            f" WHERE k.key IN ({','.join('?' * len(keys))}) ORDER BY g.mentions DESC, g.id LIMIT 1", keys)] \
            if keys else []
    return found[0] if found else None


def _members(store: Store, gid: str) -> list[dict]:
    m = MEMBER_ID.match(gid)
    if m and not store.conn.execute("SELECT 1 FROM global_entities WHERE id = ?", (gid,)).fetchone():
        rows = store.conn.execute("SELECT * FROM entities WHERE doc_id = ? AND local_id = ?",
                                  (int(m[1]), m[2])).fetchall()
    else:
        rows = store.conn.execute("SELECT * FROM entities WHERE global_id = ? ORDER BY id", (gid,)).fetchall()
    return [dict(r) for r in rows]


COPIES_SHOWN = 5  # other copies listed per item of the entity page; ``copies_total`` counts them all


def _once_per_story(items: list[dict], key, docs: dict[int, dict]) -> list[dict]:
    """Items found in several copies of one story, listed once.

    Two items are the same when they come from copies of one story and ``key`` (their text) is
    equal; the n-th occurrence in one copy pairs with the n-th in another. The item shown is the
    one from the first copy in ``copy_order``; the next ``COPIES_SHOWN`` go to its ``copies`` (doc
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
        group.sort(key=lambda pi: copy_order(docs.get(pi[1]["doc_id"]) or {"id": pi[1]["doc_id"]}))
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
    m = MEMBER_ID.match(gid)
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


def _load_docs(conn, docs: dict[int, dict], ids) -> None:
    """Add the listing columns of documents ``ids`` to ``docs`` (one query per 500)."""
    missing = sorted({i for i in ids if i not in docs})
    for chunk in chunks(missing):
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
        for chunk in chunks(stories):
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
            f" WINDOW w AS (PARTITION BY story ORDER BY {COPY_ORDER_SQL.format('')})),"
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
        lambda x: (x["name"], x["alias"], x["kind"], squash_spaces(x["sentence"])))

    def attribution_item(r) -> dict:
        data = json.loads(r["data"])
        return {"kind": r["kind"], "doc_id": r["doc_id"], "title": docs[r["doc_id"]]["title"],
                "content": data["content"]["text"], "speaker": (data.get("speaker") or {}).get("text"),
                "holder": r["holder"], "holder_id": r["holder_id"], "anchor": r["anchor"],
                "published": r["published"]}

    def statement_key(s: dict) -> tuple:
        return (s["kind"], squash_spaces(s["content"]), s["holder"])

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
        relation_item, lambda x: (x["relation"], x["predicate"], x["subject"], x["object"], squash_spaces(x["sentence"])))

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
        event_item, lambda x: (x["date"], x["date_end"], x["time"], x["trigger"], squash_spaces(x["sentence"])))

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
        lambda x: (squash_spaces(x["sentence"]),))

    co, co_total = _co_mentions(store, gid, mem_sql, mem_args, 40)
    name = g["name"] if g else members[0]["name"]
    shown = sorted(aliases.values(), key=lambda a: (-a["count"], a["alias"]))
    latin = json.loads(g["latin"]) if g is not None and g["latin"] else latin_names([name, *aliases])
    label = g["label"] if g else members[0]["label"]
    return {
        "id": gid, "name": name, "label": label, "resolved": g is not None,
        "members": [f"{m['doc_id']}#{m['local_id']}" for m in members], "members_total": counts["members"],
        "aliases": shown, "aliases_total": aliases_total,
        "names_by_script": names_by_script(shown), "latin": latin,
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


SCRIPT_ORDER = ("Latin", "Cyrillic", "Mixed", "Other")


def names_by_script(aliases: list[dict]) -> list[dict]:
    """The entity's names (``{"alias", "count"}``, in their order) grouped by script: ``[{"script":
    "Latin", "count": mentions, "names": [{"name", "count"}, ...]}, ...]``, Latin first."""
    groups: dict[str, dict] = {}
    for a in aliases:
        script = script_of(a["alias"])
        grp = groups.setdefault(script, {"script": script, "count": 0, "names": []})
        grp["count"] += a["count"]
        grp["names"].append({"name": a["alias"], "count": a["count"]})
    return [groups[s] for s in SCRIPT_ORDER if s in groups]


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
