"""The SQLite store: the only module that writes SQL. One file, WAL mode, FTS5 over clean text."""
from __future__ import annotations

import bisect
from contextlib import contextmanager
import hashlib
import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..resolve.names import name_keys_of
from ..resolve.stories import Signature, band_keys, is_copy, jaccard
from ..resolve.translit import latin_names
from ..types import (AliasLink, Attribution, DocEntity, Event, ExtractedDocument, Mention, Quantity, Relation,
                     RemovedLine, Sentence, Span)
from .migrations import migrate
from .stem_index import backfill as backfill_stems, index_pending as index_stems

DEFAULT_DB = "watchdesk.db"


class StoreError(RuntimeError):
    """The database itself cannot be used (cannot open, read-only, disk full, locked, corrupt).

    Unlike a problem with one document, this stops a run: every later write would fail too.
    """


def _store_problem(path: str, exc: sqlite3.Error) -> StoreError:
    import os

    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path) and not os.access(path, os.W_OK):
        hint = " (the database file is read-only)"
    elif not os.access(folder, os.W_OK):
        hint = f" (the folder {folder} is not writable)"
    else:
        hint = ""
    return StoreError(f"database {path}: {exc}{hint}")


def content_hash(raw: str) -> str:
    """The identity of an input: sha256 of its decoded text."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass
class SearchHit:
    doc_id: int
    title: str | None
    source: str
    snippet: str
    score: float


@dataclass
class Evidence:
    doc_id: int
    source: str
    title: str | None
    mention: str
    start: int
    end: int
    sentence: str
    sentence_start: int


@dataclass
class EntityProfile:
    """Everything the store knows about one name across documents (grouped by name + label)."""

    name: str
    label: str
    aliases: dict[str, int] = field(default_factory=dict)  # surface form -> mention count
    documents: list[tuple[int, str, str | None]] = field(default_factory=list)  # id, source, title
    mentions: int = 0
    evidence: list[Evidence] = field(default_factory=list)
    id: str | None = None  # global entity id when resolved across documents
    alias_evidence: list[dict] = field(default_factory=list)  # "X, known as Y" with its sentence


@dataclass
class StoreStats:
    documents: int
    entities: int
    mentions: int
    schema_version: int


def _span(data: dict | None) -> Span | None:
    return Span(**data) if data else None


def _attribution(data: dict) -> Attribution:
    return Attribution(**{**data, **{k: _span(data[k]) for k in ("content", "cue", "speaker")}})


def _relation(data: dict) -> Relation:
    return Relation(**{**data, **{k: _span(data[k]) for k in ("subject", "predicate", "object", "evidence")}})


def _event(data: dict) -> Event:
    return Event(**{**data, **{k: _span(data[k]) for k in ("time", "evidence", "trigger")}})


def fts_query(text: str) -> str:
    """Turn what a user types into a safe FTS5 query: words are ANDed, "quoted phrases" kept."""
    parts = re.findall(r'"([^"]+)"|(\S+)', text)
    terms = []
    for phrase, word in parts:
        value = (phrase or word).replace('"', "")
        value = re.sub(r"[^\w\s'-]", " ", value).strip()
        if value:
            terms.append('"' + value + '"')
    return " ".join(terms)


READ_CACHE_MB = 64  # page cache of each desk connection (mmap: 4x that)


class Store:
    """A Watchdesk database. Use as a context manager or call ``close()``."""

    def __init__(self, path: str | Path = DEFAULT_DB):
        self.path = str(path)
        self.conn = None
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout = 10000")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.schema_version = migrate(self.conn)
            backfill_stems(self.conn)  # search keys of documents stored before schema V9 (once)
        except sqlite3.Error as exc:
            if self.conn is not None:
                self.conn.close()
            raise _store_problem(self.path, exc) from exc

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def use_read_cache(self, megabytes: int = READ_CACHE_MB) -> None:
        """A larger page cache and memory-mapped reads for a long-lived reader (the desk): entity
        pages and searches on a big store read many pages; SQLite's default cache is 2 MB."""
        self.conn.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
        self.conn.execute(f"PRAGMA mmap_size = {4 * 2**20 * int(megabytes)}")

    def close(self) -> None:
        self.conn.close()

    # ---- writing -------------------------------------------------------------------------
    def has_content(self, digest: str) -> bool:
        """True when a document with this content hash is already stored."""
        row = self.conn.execute("SELECT 1 FROM documents WHERE content_hash = ?", (digest,)).fetchone()
        return row is not None

    def add_document(self, doc: ExtractedDocument, *, model: str | None = None,
                     signature: Signature | None = None) -> int | None:
        """Store one document with its sentences, entities and mentions in one transaction.

        With a ``signature`` (MinHash of the clean text) the document joins the story of its
        closest stored copy, or starts a story of its own.
        Returns the new row id, or None when the same content is already stored (a no-op).
        On any error the transaction is rolled back: no half-written document remains.
        """
        digest = content_hash(doc.raw)
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")  # waits busy_timeout for another writer, then fails
        except sqlite3.OperationalError as exc:
            raise _store_problem(self.path, exc) from exc
        try:
            if self.has_content(digest):
                conn.execute("ROLLBACK")
                return None
            cur = conn.execute(
                "INSERT INTO documents (doc_key, source, format, url, site, title, byline, published,"
                " language, encoding, raw, text, removed, content_hash, cleaned, model, analysed, note)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc.id, doc.source, doc.format, doc.url, doc.site, doc.title, json.dumps(doc.byline),
                 doc.published, doc.language, doc.encoding, doc.raw, doc.text,
                 json.dumps([r.__dict__ for r in doc.removed]), digest, int(doc.cleaned), model,
                 int(doc.analysed), doc.note),
            )
            doc_id = cur.lastrowid
            story_id = self._attach_story(doc_id, signature) if signature is not None else doc_id
            conn.execute("UPDATE documents SET story_id = ? WHERE id = ?", (story_id, doc_id))
            conn.executemany(
                'INSERT INTO sentences (doc_id, idx, start, "end") VALUES (?,?,?,?)',
                [(doc_id, i, s.start, s.end) for i, s in enumerate(doc.sentences)],
            )
            entity_rows: dict[str, int] = {}
            for ent in doc.entities:
                cur = conn.execute(
                    "INSERT INTO entities (doc_id, local_id, name, label, mention_count) VALUES (?,?,?,?,?)",
                    (doc_id, ent.id, ent.name, ent.label, ent.mentions),
                )
                entity_rows[ent.id] = cur.lastrowid
                conn.executemany(
                    "INSERT OR IGNORE INTO aliases (entity_id, alias) VALUES (?,?)",
                    [(cur.lastrowid, alias) for alias in (ent.aliases or [ent.name])],
                )
            starts = [s.start for s in doc.sentences]
            conn.executemany(
                'INSERT INTO mentions (doc_id, entity_id, start, "end", text, label, sentence_idx, lemma)'
                " VALUES (?,?,?,?,?,?,?,?)",
                [(doc_id, entity_rows.get(m.entity) if m.entity else None, m.start, m.end, m.text, m.label,
                  (bisect.bisect_right(starts, m.start) - 1) if starts else None, m.lemma)
                 for m in doc.mentions],
            )
            self._add_extractions(doc_id, doc, entity_rows)
            index_stems(conn, [doc_id])  # search keys, when the document has Cyrillic words (V9)
            conn.execute("COMMIT")
            return doc_id
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):  # disk full, read-only, locked, I/O: not this document
                raise _store_problem(self.path, exc) from exc
            raise

    def _add_extractions(self, doc_id: int, doc: ExtractedDocument, entity_rows: dict[str, int]) -> None:
        """Quotes, claims, quantities, relations and events of one document (inside its transaction)."""
        conn = self.conn
        conn.executemany(
            'INSERT INTO alias_links (doc_id, entity_id, name, alias, kind, start, "end", evidence_start,'
            " evidence_end) VALUES (?,?,?,?,?,?,?,?,?)",
            [(doc_id, entity_rows.get(a.entity), a.name, a.alias, a.kind, a.start, a.end, a.evidence_start,
              a.evidence_end) for a in doc.aliases])
        attribution_rows: dict[str, int] = {}
        for kind, items in (("quote", doc.quotes), ("claim", doc.claims)):
            for a in items:
                cur = conn.execute(
                    "INSERT INTO attributions (doc_id, local_id, kind, speaker, entity_id, content_start,"
                    " content_end, data) VALUES (?,?,?,?,?,?,?,?)",
                    (doc_id, a.id, kind, a.speaker.text if a.speaker else None, entity_rows.get(a.entity),
                     a.content.start, a.content.end, json.dumps(asdict(a), ensure_ascii=False)))
                attribution_rows[a.id] = cur.lastrowid
        conn.executemany(
            'INSERT INTO quantities (doc_id, attribution_id, value, low, high, unit, start, "end", data)'
            " VALUES (?,?,?,?,?,?,?,?,?)",
            [(doc_id, attribution_rows.get(q.claim), q.value, q.low, q.high, q.unit, q.start, q.end,
              json.dumps(asdict(q), ensure_ascii=False)) for q in doc.quantities])
        conn.executemany(
            "INSERT INTO relations (doc_id, local_id, relation, subject_entity_id, object_entity_id, data)"
            " VALUES (?,?,?,?,?,?)",
            [(doc_id, r.id, r.relation, entity_rows.get(r.subject_entity), entity_rows.get(r.object_entity),
              json.dumps(asdict(r), ensure_ascii=False)) for r in doc.relations])
        for e in doc.events:
            cur = conn.execute(
                "INSERT INTO events (doc_id, local_id, date, date_end, uncertain, data) VALUES (?,?,?,?,?,?)",
                (doc_id, e.id, e.date, e.date_end, int(e.uncertain), json.dumps(asdict(e), ensure_ascii=False)))
            conn.executemany("INSERT OR IGNORE INTO event_entities (event_id, entity_id) VALUES (?,?)",
                             [(cur.lastrowid, entity_rows[x]) for x in e.entities if x in entity_rows])

    def _attach_story(self, doc_id: int, signature: Signature) -> int:
        """Record the signature and return the story id: the closest copy's story, else the story
        of the best anchor match (a translation, another wording), else doc_id."""
        keys = band_keys(signature)
        candidates = self.conn.execute(
            "SELECT DISTINCT b.doc_id, s.signature, d.story_id FROM doc_bands b"
            " JOIN doc_signatures s ON s.doc_id = b.doc_id JOIN documents d ON d.id = b.doc_id"
            f" WHERE b.band_key IN ({','.join('?' * len(keys))}) ORDER BY b.doc_id", keys).fetchall()
        best, best_score, link = doc_id, -1.0, None
        for row in candidates:
            other = Signature.from_bytes(row["signature"])
            if is_copy(signature, other):
                score = jaccard(signature, other)
                if score > best_score:
                    best, best_score, link = row["story_id"], score, (row["doc_id"], "copy")
        if link is None and signature.anchors is not None:
            found = self._anchor_story(signature)
            if found is not None:
                best, best_score, link = found[1], found[2], (found[0], "anchors")
        self.conn.execute("INSERT INTO doc_signatures (doc_id, signature) VALUES (?, ?)",
                          (doc_id, signature.to_bytes()))
        self.conn.executemany("INSERT INTO doc_bands (band_key, doc_id) VALUES (?, ?)",
                              [(key, doc_id) for key in set(keys)])
        if signature.anchors is not None:
            self._add_anchors(doc_id, best, signature)
        if link is not None:
            self._add_story_link(doc_id, link[0], link[1], best_score)
        return best

    def _anchor_df(self, keys: Iterable[int]) -> dict[int, int]:
        keys = list(keys)
        out: dict[int, int] = {}
        for start in range(0, len(keys), 900):
            chunk = keys[start:start + 900]
            out.update(self.conn.execute("SELECT anchor_key, stories FROM anchor_df WHERE anchor_key IN"
                                         f" ({','.join('?' * len(chunk))})", chunk).fetchall())
        return out

    def _anchor_story(self, signature: Signature) -> tuple[int, int, float] | None:
        """(document, its story, score) of the stored text best matching by anchors, or None."""
        from ..resolve import anchors as A

        documents = self.conn.execute("SELECT count(*) FROM doc_anchors").fetchone()[0]
        keys = A.index_keys(signature.anchors)
        df = self._anchor_df(keys)
        limit = max(A.INDEX_DF_MIN, A.INDEX_DF_SHARE * documents)
        rare = [k for k in keys if df.get(k, 0) <= limit][:900]
        if not rare:
            return None
        rows = self.conn.execute(
            "SELECT i.doc_id, count(*) AS n, a.length, a.anchors, d.story_id FROM anchor_index i"
            " JOIN doc_anchors a ON a.doc_id = i.doc_id JOIN documents d ON d.id = i.doc_id"
            f" WHERE i.anchor_key IN ({','.join('?' * len(rare))}) GROUP BY i.doc_id HAVING n >= ?"
            " ORDER BY n DESC, i.doc_id LIMIT ?", (*rare, A.MIN_SHARED, A.MAX_CANDIDATES)).fetchall()
        best = None
        for row in rows:
            other = A.unpack(row["anchors"])
            df.update(self._anchor_df({x.key for x in other} - df.keys()))
            match = A.same_story(signature.anchors, other, signature.length, row["length"], df, documents)
            if match.same and (best is None or match.score > best[2]):
                best = (row["doc_id"], row["story_id"], match.score)
        return best

    def _add_anchors(self, doc_id: int, story_id: int, signature: Signature) -> None:
        """Store a document's anchors, index them, and count those new to its story in anchor_df."""
        from ..resolve.anchors import index_keys, pack

        self.conn.execute("INSERT INTO doc_anchors (doc_id, length, anchors) VALUES (?,?,?)",
                          (doc_id, signature.length, pack(signature.anchors)))
        keys = {x.key for x in signature.anchors}
        if story_id != doc_id:  # an anchor already counted for this story is not counted again
            keys -= {r[0] for r in self.conn.execute(
                "SELECT i.anchor_key FROM anchor_index i JOIN documents d ON d.id = i.doc_id"
                " WHERE d.story_id = ?", (story_id,))}
        self.conn.executemany("INSERT INTO anchor_df (anchor_key, stories) VALUES (?, 1) ON CONFLICT"
                              " (anchor_key) DO UPDATE SET stories = stories + 1", [(k,) for k in keys])
        self.conn.executemany("INSERT INTO anchor_index (anchor_key, doc_id) VALUES (?, ?)",
                              [(k, doc_id) for k in index_keys(signature.anchors)])

    def _add_story_link(self, doc_id: int, other_id: int, kind: str, score: float) -> None:
        """Record why a document joined a story: 'copy', 'translation' or 'rewording' (same language)."""
        if kind == "anchors":
            langs = self.conn.execute("SELECT id, language FROM documents WHERE id IN (?, ?)",
                                      (doc_id, other_id)).fetchall()
            values = {r[1] for r in langs}
            kind = "translation" if len(values) == 2 and None not in values else "rewording"
        self.conn.execute("INSERT OR REPLACE INTO story_links (doc_id, other_id, kind, score) VALUES (?,?,?,?)",
                          (doc_id, other_id, kind, round(score, 4)))

    # ---- reading -------------------------------------------------------------------------
    def stories(self, min_copies: int = 2, limit: int = 100) -> list[dict]:
        """Stories with at least ``min_copies`` copies, largest first; each copy with source and date."""
        out = []
        for story in self.conn.execute(
                "SELECT story_id, count(*) AS n FROM documents GROUP BY story_id HAVING n >= ?"
                " ORDER BY n DESC, story_id LIMIT ?", (min_copies, limit)).fetchall():
            copies = [dict(r) for r in self.conn.execute(
                "SELECT id, title, source, url, site, published, ingested_at, language FROM documents"
                " WHERE story_id = ? ORDER BY id", (story["story_id"],))]
            out.append({"story": story["story_id"], "copies": copies})
        return out

    def translation_pairs(self, doc_id: int) -> list[int]:
        """Documents of the same story in another language than ``doc_id`` (its original or its
        translations), those linked to it directly first; [] when its language is unknown."""
        row = self.conn.execute("SELECT story_id, language FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None or row["language"] is None:
            return []
        linked = {r[0] for r in self.conn.execute(
            "SELECT other_id FROM story_links WHERE doc_id = ? UNION SELECT doc_id FROM story_links"
            " WHERE other_id = ?", (doc_id, doc_id))}
        others = [r[0] for r in self.conn.execute(
            "SELECT id FROM documents WHERE story_id = ? AND language IS NOT NULL AND language != ?"
            " ORDER BY id", (row["story_id"], row["language"]))]
        return sorted(others, key=lambda d: d not in linked)

    def story_links(self, doc_id: int) -> list[dict]:
        """How a document is tied to the rest of its story: links from and to it, each with the
        other document, its language, the kind ('copy', 'translation', 'rewording') and score."""
        return [dict(r) for r in self.conn.execute(
            "SELECT l.other_id AS other, d.language, l.kind, l.score FROM story_links l"
            " JOIN documents d ON d.id = l.other_id WHERE l.doc_id = ?"
            " UNION ALL SELECT l.doc_id AS other, d.language, l.kind, l.score FROM story_links l"
            " JOIN documents d ON d.id = l.doc_id WHERE l.other_id = ? ORDER BY other", (doc_id, doc_id))]

    # ---- entity alignment across translations (resolve/align.py) -------------------------
    ALIGNED_KINDS = ("translation", "rewording")

    def wording_links(self, doc_ids: Iterable[int] | None = None) -> list[tuple[int, int]]:
        """(document, other document) of the story links between two wordings of one article (kind
        'translation' or 'rewording') from or to one of ``doc_ids`` (every such link when None)."""
        kinds = ",".join(f"'{k}'" for k in self.ALIGNED_KINDS)
        if doc_ids is None:
            return [tuple(r) for r in self.conn.execute(
                f"SELECT doc_id, other_id FROM story_links WHERE kind IN ({kinds}) ORDER BY doc_id, other_id")]
        ids, out = sorted(set(doc_ids)), set()
        for chunk in (ids[i:i + 400] for i in range(0, len(ids), 400)):
            marks = ",".join("?" * len(chunk))
            out.update(tuple(r) for r in self.conn.execute(
                f"SELECT doc_id, other_id FROM story_links WHERE kind IN ({kinds})"
                f" AND (doc_id IN ({marks}) OR other_id IN ({marks}))", chunk + chunk))
        return sorted(out)

    def alignment_view(self, doc_id: int) -> dict | None:
        """What entity alignment reads of a document: ``text``, ``sentences`` [(start, end)],
        ``mentions`` [(start, end, text, local entity id, lemma)] of its entities, in text order,
        ``entities`` {local id: (name, label, [aliases])} and its packed ``anchors`` (or None);
        None when it is not stored."""
        row = self.conn.execute("SELECT d.text, a.anchors FROM documents d LEFT JOIN doc_anchors a"
                                " ON a.doc_id = d.id WHERE d.id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        sentences = [tuple(r) for r in self.conn.execute(
            'SELECT start, "end" FROM sentences WHERE doc_id = ? ORDER BY idx', (doc_id,))]
        mentions = [tuple(r) for r in self.conn.execute(
            'SELECT m.start, m."end", m.text, e.local_id, m.lemma FROM mentions m JOIN entities e'
            " ON e.id = m.entity_id WHERE m.doc_id = ? ORDER BY m.start, m.id", (doc_id,))]
        entities: dict[str, tuple[str, str, list[str]]] = {}
        for r in self.conn.execute("SELECT e.local_id, e.name, e.label, a.alias FROM entities e LEFT JOIN"
                                   " aliases a ON a.entity_id = e.id WHERE e.doc_id = ? ORDER BY e.id, a.alias",
                                   (doc_id,)):
            entry = entities.setdefault(r[0], (r[1], r[2], []))
            if r[3] is not None:
                entry[2].append(r[3])
        return {"text": row[0], "sentences": sentences, "mentions": mentions, "entities": entities,
                "anchors": row[1]}

    def save_alignments(self, rows: Iterable[tuple[int, str, int, str, float, dict]], *,
                        replace_all: bool = False) -> None:
        """Record entity alignments (document, local id, other document, other local id, score,
        evidence); ``replace_all``: they are all of them (a rebuild)."""
        if replace_all:
            self.conn.execute("DELETE FROM entity_alignments")
        self.conn.executemany(
            "INSERT OR REPLACE INTO entity_alignments (doc_id, local_id, other_doc_id, other_local_id, score,"
            " evidence) VALUES (?,?,?,?,?,?)",
            [(d, loc, o, oloc, score, json.dumps(ev, ensure_ascii=False)) for d, loc, o, oloc, score, ev in rows])

    def alignments_of(self, doc_id: int) -> dict[str, list[dict]]:
        """Per local entity of a document, the entities of other wordings it was aligned with:
        other document, its local id, score and evidence (why, mentions, name similarity ...)."""
        out: dict[str, list[dict]] = {}
        for r in self.conn.execute(
                "SELECT local_id, other_doc_id, other_local_id, score, evidence FROM entity_alignments"
                " WHERE doc_id = ? UNION ALL SELECT other_local_id, doc_id, local_id, score, evidence"
                " FROM entity_alignments WHERE other_doc_id = ? ORDER BY 1, 2, 3", (doc_id, doc_id)):
            out.setdefault(r[0], []).append({"document": r[1], "local_id": r[2], "score": r[3],
                                             **json.loads(r[4])})
        return out


    def stats(self) -> StoreStats:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return StoreStats(
            documents=one("SELECT count(*) FROM documents"),
            entities=one("SELECT count(*) FROM entities"),
            mentions=one("SELECT count(*) FROM mentions"),
            schema_version=self.schema_version,
        )

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Ranked full-text search over titles and clean text, snippets marked with [ ].

        The desk's search (``search.search_articles``): bm25, higher scores are better."""
        from .search import search_articles
        from .shared import HL_END, HL_START

        return [SearchHit(h["id"], h["title"], h["source"], h["snippet"].replace(HL_START, "[").replace(HL_END, "]"),
                          h["score"]) for h in search_articles(self, query, limit=limit)["hits"]]

    def entity_profiles(self, name: str, evidence_limit: int = 50) -> list[EntityProfile]:
        """Entities having ``name`` as name, alias or global id (any case), or a name with the same
        normalised key in either script (``resolve.names.name_keys_of``), resolved across documents.

        Document entities that share a global entity form one profile; unresolved ones stand alone.
        """
        # Four indexed lookups (an OR across the join would scan every entity); the last by the
        # name's normalised keys, so a name in either script finds the entity ("Цунэока", "Tsuneoka").
        keys = name_keys_of(name)
        rows = self.conn.execute(
            "SELECT e.id, e.name, e.label, e.global_id FROM entities e WHERE e.id IN ("
            " SELECT id FROM entities WHERE global_id = ?"
            " UNION SELECT id FROM entities WHERE name = ? COLLATE NOCASE"
            " UNION SELECT entity_id FROM aliases WHERE alias = ? COLLATE NOCASE"
            " UNION SELECT id FROM entities WHERE global_id IN (SELECT global_id FROM entity_keys"
            f" WHERE key IN ({','.join('?' * len(keys)) or 'NULL'}))) ORDER BY e.id",
            (name.strip(), name.strip(), name.strip(), *keys),
        ).fetchall()
        profiles: dict[str, EntityProfile] = {}
        for row in rows:
            gid = row["global_id"]
            key = gid or f"doc-entity:{row['id']}"
            if key in profiles:
                continue
            if gid:
                g = self.conn.execute("SELECT name, label FROM global_entities WHERE id = ?", (gid,)).fetchone()
                profile = EntityProfile(g["name"] if g else row["name"], g["label"] if g else row["label"], id=gid)
                members = [r[0] for r in self.conn.execute(
                    "SELECT id FROM entities WHERE global_id = ? ORDER BY id", (gid,))]
            else:
                profile, members = EntityProfile(row["name"], row["label"]), [row["id"]]
            profiles[key] = profile
            for entity_id in members:
                self._fill_profile(profile, entity_id, evidence_limit)
        return sorted(profiles.values(), key=lambda p: -p.mentions)

    def _fill_profile(self, profile: EntityProfile, entity_id: int, evidence_limit: int) -> None:
        doc = self.conn.execute(
            "SELECT d.id, d.source, d.title, d.text FROM entities e JOIN documents d ON d.id = e.doc_id"
            " WHERE e.id = ?", (entity_id,)).fetchone()
        if (doc["id"], doc["source"], doc["title"]) not in profile.documents:
            profile.documents.append((doc["id"], doc["source"], doc["title"]))
        for link in self.conn.execute(
                'SELECT name, alias, kind, evidence_start, evidence_end FROM alias_links WHERE entity_id = ?',
                (entity_id,)):
            profile.alias_evidence.append({
                "name": link["name"], "alias": link["alias"], "kind": link["kind"], "doc_id": doc["id"],
                "start": link["evidence_start"], "end": link["evidence_end"],
                "sentence": doc["text"][link["evidence_start"]:link["evidence_end"]]})
        seen_sentences: set[int] = set()
        for m in self.conn.execute(
            'SELECT m.start, m."end", m.text, m.sentence_idx, s.start AS ss, s."end" AS se FROM mentions m'
            " LEFT JOIN sentences s ON s.doc_id = m.doc_id AND s.idx = m.sentence_idx"
            " LEFT JOIN mention_overrides o ON o.mention_id = m.id"
            " WHERE m.entity_id = ? AND o.mention_id IS NULL ORDER BY m.start", (entity_id,)):
            profile.mentions += 1
            profile.aliases[m["text"]] = profile.aliases.get(m["text"], 0) + 1
            if m["sentence_idx"] in seen_sentences or len(profile.evidence) >= evidence_limit:
                continue
            seen_sentences.add(m["sentence_idx"])
            ss, se = (m["ss"], m["se"]) if m["ss"] is not None else (m["start"], m["end"])
            profile.evidence.append(Evidence(doc["id"], doc["source"], doc["title"], m["text"], m["start"],
                                             m["end"], doc["text"][ss:se].strip(), ss))

    def iter_documents(self) -> Iterator[ExtractedDocument]:
        """Every stored document with its mentions and entities, in ingest order."""
        for d in self.conn.execute("SELECT * FROM documents ORDER BY id").fetchall():
            yield self._load_document(d)

    def _load_document(self, d: sqlite3.Row) -> ExtractedDocument:
        ents = self.conn.execute(
            "SELECT id, local_id, name, label, mention_count FROM entities WHERE doc_id = ? ORDER BY id",
            (d["id"],)).fetchall()
        local = {e["id"]: e["local_id"] for e in ents}
        aliases: dict[int, list[str]] = {}
        for a in self.conn.execute(
                "SELECT a.entity_id, a.alias FROM aliases a JOIN entities e ON e.id = a.entity_id"
                " WHERE e.doc_id = ?", (d["id"],)):
            aliases.setdefault(a["entity_id"], []).append(a["alias"])
        mentions = [Mention(m["start"], m["end"], m["text"], m["label"], local.get(m["entity_id"]), m["lemma"])
                    for m in self.conn.execute(
                        'SELECT start, "end", text, label, entity_id, lemma FROM mentions WHERE doc_id = ?'
                        ' ORDER BY start',
                        (d["id"],))]
        def items(sql: str) -> list[dict]:
            return [json.loads(r[0]) for r in self.conn.execute(sql, (d["id"],))]

        attributions = [_attribution(a) for a in items(
            "SELECT data FROM attributions WHERE doc_id = ? ORDER BY id")]
        text = d["text"]
        alias_links = [AliasLink(local.get(a["entity_id"], ""), a["name"], a["alias"], a["kind"], a["start"],
                                 a["end"], a["evidence_start"], a["evidence_end"],
                                 text[a["evidence_start"]:a["evidence_end"]])
                       for a in self.conn.execute("SELECT * FROM alias_links WHERE doc_id = ? ORDER BY id",
                                                  (d["id"],))]
        return ExtractedDocument(
            aliases=alias_links,
            quotes=[a for a in attributions if a.direct], claims=[a for a in attributions if not a.direct],
            quantities=[Quantity(**q) for q in items("SELECT data FROM quantities WHERE doc_id = ? ORDER BY id")],
            relations=[_relation(r) for r in items("SELECT data FROM relations WHERE doc_id = ? ORDER BY id")],
            events=[_event(e) for e in items("SELECT data FROM events WHERE doc_id = ? ORDER BY id")],
            id=d["doc_key"], source=d["source"], text=d["text"], title=d["title"],
            byline=json.loads(d["byline"]), published=d["published"], language=d["language"],
            analysed=bool(d["analysed"]), note=d["note"],
            url=d["url"], site=d["site"], raw=d["raw"], format=d["format"], encoding=d["encoding"],
            cleaned=bool(d["cleaned"]),
            removed=[RemovedLine(**r) for r in json.loads(d["removed"])],
            sentences=[Sentence(s["start"], s["end"]) for s in self.conn.execute(
                'SELECT start, "end" FROM sentences WHERE doc_id = ? ORDER BY idx', (d["id"],))],
            mentions=mentions,
            entities=[DocEntity(e["local_id"], e["name"], e["label"],
                                sorted(aliases.get(e["id"], []), key=lambda a: (a != e["name"], a)),
                                e["mention_count"]) for e in ents],
        )

    def top_entities(self, per_label: int = 10) -> dict[str, list[tuple[str, int]]]:
        """The most mentioned entities per label: global entities once resolved, else by name."""
        sql = ("SELECT label, name, mentions AS n FROM global_entities" if self.conn.execute(
            "SELECT 1 FROM global_entities LIMIT 1").fetchone() else
            "SELECT label, name, sum(mention_count) AS n FROM entities GROUP BY label, name")
        out: dict[str, list[tuple[str, int]]] = {}
        for row in self.conn.execute(f"SELECT * FROM ({sql}) ORDER BY label, n DESC, name"):
            rows = out.setdefault(row["label"], [])
            if len(rows) < per_label:
                rows.append((row["name"], row["n"]))
        return dict(sorted(out.items(), key=lambda kv: -sum(n for _, n in kv[1])))

    def counts(self) -> dict[str, int]:
        """How many of each extracted item the store holds."""
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents"),
            "stories": one("SELECT count(DISTINCT story_id) FROM documents"),
            "global entities": one("SELECT count(*) FROM global_entities"),
            "mentions": one("SELECT count(*) FROM mentions"),
            "quotes": one("SELECT count(*) FROM attributions WHERE kind = 'quote'"),
            "claims": one("SELECT count(*) FROM attributions WHERE kind = 'claim'"),
            "quantities": one("SELECT count(*) FROM quantities"),
            "relations": one("SELECT count(*) FROM relations"),
            "events": one("SELECT count(*) FROM events"),
        }

    def languages(self) -> list[dict]:
        """Documents per language (None: could not be told), with how many were not analysed."""
        return [{"language": r[0], "documents": r[1], "not_analysed": r[2]} for r in self.conn.execute(
            "SELECT language, count(*), sum(analysed = 0) FROM documents GROUP BY language"
            " ORDER BY count(*) DESC, language")]

    def claim_figures(self, about: str | None = None, by: str | None = None) -> list[dict]:
        """Figures stated in quotes and claims, with holder, article, date and story.

        ``about`` filters on the counted thing or the statement's text; ``by`` on the holder's
        name or any alias of the holder's entity. Copies of one story count once.
        """
        sql = (
            "SELECT q.value, q.low, q.high, q.unit, q.data AS qdata, a.kind, a.speaker, a.data AS adata,"
            " e.name AS holder_entity, d.id AS doc_id, d.title, d.source, d.published, d.story_id, d.text"
            " FROM quantities q JOIN attributions a ON a.id = q.attribution_id"
            " JOIN documents d ON d.id = q.doc_id LEFT JOIN entities e ON e.id = a.entity_id"
            " WHERE q.unit IS NOT NULL")
        args: list = []
        if by:
            sql += (" AND (a.speaker LIKE ? OR e.name LIKE ? OR EXISTS (SELECT 1 FROM aliases al"
                    " WHERE al.entity_id = a.entity_id AND al.alias LIKE ?))")
            args += [f"%{by}%"] * 3
        rows = self.conn.execute(sql + " ORDER BY d.published, d.id, q.start", args).fetchall()
        out, seen = [], set()
        for r in rows:
            adata = json.loads(r["adata"])
            content = adata["content"]["text"]
            if about and about.lower() not in (r["unit"] + " " + content).lower():
                continue
            qdata = json.loads(r["qdata"])
            holder = r["holder_entity"] or r["speaker"]
            key = (r["story_id"], holder, r["value"], r["unit"].lower())
            if key in seen:
                continue
            seen.add(key)
            out.append({"unit": r["unit"], "value": r["value"], "low": r["low"], "high": r["high"],
                        "text": qdata["text"], "approximate": qdata["approximate"],
                        "qualifier": qdata["qualifier"], "holder": holder, "speaker": r["speaker"],
                        "kind": r["kind"], "statement": content, "doc_id": r["doc_id"], "title": r["title"],
                        "source": r["source"], "published": r["published"], "story": r["story_id"]})
        return out

    # ---- resolution across documents -----------------------------------------------------
    def resolver_state(self) -> dict | None:
        """The saved resolver state (JSON data), or None before the first resolution."""
        row = self.conn.execute("SELECT data FROM resolver_state WHERE key = 'resolver'").fetchone()
        return json.loads(row[0]) if row else None

    def documents_to_resolve(self, pending_only: bool = True, *, after: int | None = None,
                             limit: int | None = None) -> Iterator[tuple[int, int | None, list[DocEntity]]]:
        """(document id, story id, document entities with aliases) in ingest order, streamed.

        ``after`` / ``limit``: only documents with an id above ``after``, at most ``limit`` of
        them (a caller reads in batches). Consume the iterator before writing to the store.
        """
        def doc_entity(row, aliases: list[str]) -> DocEntity:
            aliases.sort(key=lambda a: a != row[3])  # the name first, then the others in order
            return DocEntity(row[2], row[3], row[4], aliases, row[5])

        where = ["resolved = 0"] if pending_only else []
        args: list = []
        if after is not None:
            where.append("id > ?")
            args.append(after)
        docs_sql = ("SELECT id, story_id FROM documents" + (" WHERE " + " AND ".join(where) if where else "")
                    + " ORDER BY id" + (" LIMIT ?" if limit is not None else ""))
        if limit is not None:
            args.append(limit)
        docs = self.conn.execute(docs_sql, args).fetchall()
        for start in range(0, len(docs), 200):
            chunk = docs[start:start + 200]
            marks = ",".join("?" * len(chunk))
            rows: dict[int, list] = {d["id"]: [] for d in chunk}
            for r in self.conn.execute(
                    "SELECT e.doc_id, e.id, e.local_id, e.name, e.label, e.mention_count, a.alias FROM entities e"
                    f" LEFT JOIN aliases a ON a.entity_id = e.id WHERE e.doc_id IN ({marks})"
                    " ORDER BY e.doc_id, e.id, a.alias", [d["id"] for d in chunk]):
                rows[r[0]].append(r)
            for d in chunk:
                entities = []
                current, aliases = None, []
                for r in rows.pop(d["id"]):
                    if current is None or r[1] != current[1]:
                        if current is not None:
                            entities.append(doc_entity(current, aliases))
                        current, aliases = r, []
                    if r[6] is not None:
                        aliases.append(r[6])
                if current is not None:
                    entities.append(doc_entity(current, aliases))
                yield d["id"], d["story_id"], entities

    def mention_lemmas(self, doc_ids: Iterable[int]) -> dict[tuple[int, str], dict[str, str]]:
        """Per document entity (document id, local id): each mention text with its normal form,
        where the extraction gave one (inflecting languages: "Цунэокой" -> "Цунэока")."""
        out: dict[tuple[int, str], dict[str, str]] = {}
        ids = sorted(set(doc_ids))
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for r in self.conn.execute(
                    "SELECT m.doc_id, e.local_id, m.text, m.lemma FROM mentions m JOIN entities e ON e.id = m.entity_id"
                    f" WHERE m.lemma IS NOT NULL AND m.doc_id IN ({','.join('?' * len(chunk))})", chunk):
                out.setdefault((r[0], r[1]), {}).setdefault(r[2], r[3])
        return out

    def save_resolution(self, state: dict, assignments: dict[tuple[int, str], str | None],
                        global_entities: list[dict], resolved_docs: Iterable[int],
                        overrides: dict[int, str | None] | None = None, *,
                        deleted_globals: Iterable[str] = (), replace_all: bool = True) -> None:
        """Write the resolver state, document entities' global ids and the global entities, atomically.

        ``replace_all`` (default): ``assignments`` and ``global_entities`` are everything (the
        table of global entities is replaced). Otherwise they are what changed: those rows are
        upserted and ``deleted_globals`` deleted; other rows stay as they are.
        Inside ``write_transaction()`` it joins that transaction (read, resolve and save as one).
        """
        with self.write_transaction():
            conn = self.conn
            conn.execute("INSERT OR REPLACE INTO resolver_state (key, data) VALUES ('resolver', ?)",
                         (json.dumps(state, ensure_ascii=False),))
            conn.executemany("UPDATE entities SET global_id = ? WHERE doc_id = ? AND local_id = ?",
                             [(gid, doc_id, local) for (doc_id, local), gid in assignments.items()])
            rows = [(g["id"], g["name"], g["label"], json.dumps(g["aliases"], ensure_ascii=False), g["documents"],
                     g["mentions"], json.dumps(g.get("latin", []), ensure_ascii=False)) for g in global_entities]
            keys = [(k, g["id"]) for g in global_entities for k in g.get("keys", ())]
            if replace_all:
                conn.execute("DELETE FROM global_entities")
                conn.execute("DELETE FROM entity_keys")
                conn.executemany(
                    "INSERT INTO global_entities (id, name, label, aliases, documents, mentions, latin)"
                    " VALUES (?,?,?,?,?,?,?)", rows)
            else:
                gone = [(g,) for g in deleted_globals] + [(g["id"],) for g in global_entities]
                conn.executemany("DELETE FROM global_entities WHERE id = ?", [(g,) for g in deleted_globals])
                conn.executemany("DELETE FROM entity_keys WHERE global_id = ?", gone)
                conn.executemany(
                    "INSERT INTO global_entities (id, name, label, aliases, documents, mentions, latin)"
                    " VALUES (?,?,?,?,?,?,?)"
                    " ON CONFLICT (id) DO UPDATE SET name = excluded.name, label = excluded.label,"
                    " aliases = excluded.aliases, documents = excluded.documents, mentions = excluded.mentions,"
                    " latin = excluded.latin", rows)
            conn.executemany("INSERT OR IGNORE INTO entity_keys (key, global_id) VALUES (?, ?)", keys)
            conn.executemany("UPDATE documents SET resolved = 1 WHERE id = ?", [(d,) for d in resolved_docs])
            conn.execute("DELETE FROM mention_overrides")
            conn.executemany("INSERT INTO mention_overrides (mention_id, global_id) VALUES (?, ?)",
                             list((overrides or {}).items()))

    @contextmanager
    def write_transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT, rolled back on error); nests as a no-op."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def mentions_of_global(self, global_id: str) -> list[tuple[int, int, str, str]]:
        """(mention id, document id, local entity id, text) of every mention of a global entity."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT m.id, m.doc_id, e.local_id, m.text FROM mentions m JOIN entities e ON e.id = m.entity_id"
            " WHERE e.global_id = ? ORDER BY m.id", (global_id,))]

    def mention_counts(self, doc_ids: Iterable[int] | None = None) -> dict[tuple[int, str], int]:
        """Mentions per document entity, keyed (document id, local id); with ``doc_ids`` only
        the entities of those documents."""
        if doc_ids is None:
            return {(r[0], r[1]): r[2] for r in self.conn.execute("SELECT doc_id, local_id, mention_count FROM entities")}
        ids = sorted(set(doc_ids))
        out: dict[tuple[int, str], int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for r in self.conn.execute("SELECT doc_id, local_id, mention_count FROM entities WHERE doc_id IN"
                                       f" ({','.join('?' * len(chunk))})", chunk):
                out[(r[0], r[1])] = r[2]
        return out

    def global_ids_for(self, name: str) -> list[str]:
        """Global entities having ``name`` as id, canonical name or alias of any member (any case)."""
        rows = self.conn.execute(
            "SELECT DISTINCT e.global_id FROM entities e LEFT JOIN aliases a ON a.entity_id = e.id"
            " WHERE e.global_id IS NOT NULL AND (e.global_id = ? OR e.name = ? COLLATE NOCASE"
            " OR a.alias = ? COLLATE NOCASE) ORDER BY e.global_id", (name, name, name)).fetchall()
        return sorted((r[0] for r in rows), key=lambda g: (len(g), g))

    def members_of(self, global_id: str) -> list[str]:
        """Member ids ("<document id>#<local id>") of a global entity, oldest first."""
        return [f"{r[0]}#{r[1]}" for r in self.conn.execute(
            "SELECT doc_id, local_id FROM entities WHERE global_id = ? ORDER BY id", (global_id,))]

    def member_at(self, doc_id: int, start: int, end: int) -> str | None:
        """The member id of the document entity whose mention covers [start, end) of a document."""
        row = self.conn.execute(
            'SELECT e.local_id FROM mentions m JOIN entities e ON e.id = m.entity_id'
            ' WHERE m.doc_id = ? AND m.start <= ? AND m."end" >= ? ORDER BY m."end" - m.start LIMIT 1',
            (doc_id, start, end)).fetchone()
        return f"{doc_id}#{row[0]}" if row else None

    def add_judgement(self, kind: str, a: str, b: str | None, note: str | None = None) -> int:
        cur = self.conn.execute("INSERT INTO judgements (kind, a, b, note) VALUES (?,?,?,?)", (kind, a, b, note))
        return cur.lastrowid

    def judgements(self, include_undone: bool = False) -> list[dict]:
        sql = "SELECT * FROM judgements" + ("" if include_undone else " WHERE undone_at IS NULL") + " ORDER BY id"
        return [dict(r) for r in self.conn.execute(sql)]

    def undo_judgement(self) -> dict | None:
        """Mark the latest active judgement undone and return it (None when there is none)."""
        row = self.conn.execute("SELECT * FROM judgements WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        self.conn.execute("UPDATE judgements SET undone_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                          (row["id"],))
        return dict(row)

    def entity_name(self, member_id: str) -> str:
        """The name of a document entity given its member id."""
        doc_id, local = member_id.split("#", 1)
        row = self.conn.execute("SELECT name FROM entities WHERE doc_id = ? AND local_id = ?",
                                (int(doc_id), local)).fetchone()
        return row[0] if row else ""

    def export_records(self) -> Iterator[dict]:
        """Every document in the public JSON schema, entity ids resolved to global ids.

        Each mention's ``entity`` (and every other entity reference) is the global entity id when
        the document entity was resolved, else the document-local id; each entity keeps its
        ``local_id``; an unresolved one gets "<document id>#<local id>", unique in the store.
        ``story`` is the id of the story the document is a copy of. Each entity carries ``latin``:
        its global entity's Latin-script forms (``resolve.translit.latin_names``), and ``aligned``
        where it was aligned with entities of another wording of the article (``alignments_of``).
        """
        for d in self.conn.execute("SELECT * FROM documents ORDER BY id").fetchall():
            document = self._load_document(d)
            gmap = {r[0]: r[1] for r in self.conn.execute(
                "SELECT local_id, global_id FROM entities WHERE doc_id = ? AND global_id IS NOT NULL", (d["id"],))}

            def g(local: str | None) -> str | None:
                return (gmap.get(local) or f"{d['id']}#{local}") if local else local

            overrides = {(r[0], r[1]): r[2] for r in self.conn.execute(
                'SELECT m.start, m."end", o.global_id FROM mention_overrides o JOIN mentions m ON m.id = o.mention_id'
                " WHERE m.doc_id = ?", (d["id"],))}
            record = document.to_json()
            record["story"] = d["story_id"]
            for m in record["mentions"]:
                key = (m["start"], m["end"])
                m["entity"] = overrides[key] if key in overrides else g(m["entity"])
            latin = {r[0]: json.loads(r[1]) for r in self.conn.execute(
                "SELECT e.local_id, g.latin FROM entities e JOIN global_entities g ON g.id = e.global_id"
                " WHERE e.doc_id = ?", (d["id"],))}
            aligned = self.alignments_of(d["id"])
            for e in record["entities"]:
                e["latin"] = latin[e["id"]] if e["id"] in latin else latin_names([e["name"], *e["aliases"]])
                if e["id"] in aligned:  # entities of another wording of this article found to be this one
                    e["aligned"] = aligned[e["id"]]
                e["local_id"], e["id"] = e["id"], g(e["id"])
            for a in record["quotes"] + record["claims"] + record["aliases"]:
                a["entity"] = g(a["entity"])
            for r in record["relations"]:
                r["subject_entity"], r["object_entity"] = g(r["subject_entity"]), g(r["object_entity"])
            for ev in record["events"]:
                ev["entities"] = [g(x) for x in ev["entities"]]
            yield record
