"""The SQLite store: migrations, idempotent re-ingest, rollback, FTS search, WAL readers."""
from __future__ import annotations

import sqlite3

import pytest

from watchdesk.store.db import Store, fts_query
from watchdesk.store.migrations import SCHEMA_VERSION
from watchdesk.types import (Attribution, DocEntity, Event, ExtractedDocument, Mention, Quantity, Relation,
                             Sentence, Span)

TEXT = "Maria Lopez met the Red Cross in Geneva.\n\nLopez said the talks in Geneva went well."


def make_document(raw: str = TEXT, doc_id: str = "d1") -> ExtractedDocument:
    """A small, fully specified document (as the extract stage would produce it)."""
    def m(text, label, ent, occurrence=0):
        start = -1
        for _ in range(occurrence + 1):
            start = TEXT.index(text, start + 1)
        return Mention(start, start + len(text), text, label, ent)

    return ExtractedDocument(
        id=doc_id, source=f"{doc_id}.txt", text=TEXT, title="Talks in Geneva", raw=raw,
        sentences=[Sentence(0, 40), Sentence(42, len(TEXT))],
        mentions=[m("Maria Lopez", "PERSON", "e1"), m("Red Cross", "ORG", "e2"), m("Geneva", "GPE", "e3"),
                  m("Lopez", "PERSON", "e1", 1), m("Geneva", "GPE", "e3", 1)],
        entities=[DocEntity("e1", "Maria Lopez", "PERSON", ["Maria Lopez", "Lopez"], 2),
                  DocEntity("e2", "Red Cross", "ORG", ["Red Cross"], 1),
                  DocEntity("e3", "Geneva", "GPE", ["Geneva"], 2)],
    )


def span(text: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(text, start + 1)
    return Span(start, start + len(text), text)


def test_quotes_claims_quantities_relations_events_round_trip(tmp_path):
    doc = make_document()
    doc.quotes = [Attribution("q1", span("the talks in Geneva went well"), span("said"), span("Lopez", 1), "e1")]
    doc.claims = [Attribution("c1", span("met the Red Cross"), None, span("Maria Lopez"), "e1", direct=False)]
    doc.quantities = [Quantity(0, 5, "Maria", 2.0, 2.0, None, True, "about", "talks", "q1")]
    doc.relations = [Relation("r1", span("Maria Lopez"), span("met"), span("Red Cross"), "meet",
                              Span(0, 40, TEXT[:40]), "e1", "e2")]
    doc.events = [Event("t1", span("Geneva"), "2024-05", None, "month", True, Span(0, 40, TEXT[:40]),
                        span("met"), ["e1", "e3"])]
    with Store(tmp_path / "w.db") as store:
        store.add_document(doc)
        [back] = list(store.iter_documents())
        linked = store.conn.execute(
            "SELECT e.name FROM attributions a JOIN entities e ON e.id = a.entity_id ORDER BY a.id").fetchall()
        participants = store.conn.execute("SELECT count(*) FROM event_entities").fetchone()[0]
    assert back.to_json() == doc.to_json()
    assert [r[0] for r in linked] == ["Maria Lopez", "Maria Lopez"] and participants == 2


def test_new_database_is_migrated_to_current_version_in_wal_mode(tmp_path):
    with Store(tmp_path / "w.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_from_a_newer_watchdesk_is_refused(tmp_path):
    path = tmp_path / "future.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        Store(path)


def test_document_round_trips_with_offsets(tmp_path):
    doc = make_document()
    with Store(tmp_path / "w.db") as store:
        assert store.add_document(doc) is not None
        [back] = list(store.iter_documents())
    assert back.to_json() == doc.to_json()
    for mention in back.mentions:
        assert back.text[mention.start:mention.end] == mention.text


def test_reingesting_the_same_content_is_a_no_op(tmp_path):
    with Store(tmp_path / "w.db") as store:
        assert store.add_document(make_document()) is not None
        assert store.add_document(make_document(doc_id="again")) is None
        stats = store.stats()
    assert (stats.documents, stats.entities, stats.mentions) == (1, 3, 5)


def test_failure_mid_document_leaves_nothing_half_written(tmp_path):
    bad = make_document(raw="other raw")
    bad.mentions.append(Mention(0, 5, None, "PERSON", "e1"))  # NOT NULL text: fails after the inserts began
    with Store(tmp_path / "w.db") as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.add_document(bad)
        counts = [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("documents", "sentences", "entities", "aliases", "mentions")]
        assert counts == [0, 0, 0, 0, 0]
        assert store.search("Geneva") == []
        assert store.add_document(make_document()) is not None  # the store is still usable


def test_search_ranks_and_highlights(tmp_path):
    with Store(tmp_path / "w.db") as store:
        store.add_document(make_document())
        hits = store.search("talks geneva")
        assert len(hits) == 1 and "[Geneva]" in hits[0].snippet
        assert store.search("nothing-like-this") == []
        assert store.search('"went well"')[0].doc_id == hits[0].doc_id
        assert store.search('AND OR ( * "') == []  # FTS syntax in user input is not an error


def test_fts_query_quotes_terms():
    assert fts_query('foreign fighters') == '"foreign" "fighters"'
    assert fts_query('"foreign fighters" Syria') == '"foreign fighters" "Syria"'


def test_entity_profile_by_alias_has_evidence_sentences(tmp_path):
    with Store(tmp_path / "w.db") as store:
        store.add_document(make_document())
        [profile] = store.entity_profiles("lopez")
    assert (profile.name, profile.label, profile.mentions) == ("Maria Lopez", "PERSON", 2)
    assert profile.aliases == {"Maria Lopez": 1, "Lopez": 1}
    assert [e.sentence for e in profile.evidence] == [
        "Maria Lopez met the Red Cross in Geneva.", "Lopez said the talks in Geneva went well."]


def test_a_reader_sees_committed_data_while_a_writer_holds_a_transaction(tmp_path):
    path = tmp_path / "w.db"
    with Store(path) as writer, Store(path) as reader:
        writer.add_document(make_document())
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.conn.execute("DELETE FROM mentions")
        assert reader.stats().mentions == 5  # WAL: the reader is not blocked and sees committed state
        writer.conn.execute("ROLLBACK")


def test_a_version_1_database_is_migrated_with_its_data(tmp_path):
    from watchdesk.store.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute("INSERT INTO documents (doc_key, source, format, raw, text, content_hash)"
                 " VALUES ('old', 'old.txt', 'text', 'raw', 'Old text about Geneva.', 'h1')")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        row = store.conn.execute("SELECT id, story_id FROM documents").fetchone()
        assert row["story_id"] == row["id"]
        assert store.search("Geneva")[0].title is None


def test_search_ranks_the_newest_matches_when_too_many_match(tmp_path, monkeypatch):
    from watchdesk.store import search, shared

    monkeypatch.setattr(search, "RANK_WINDOW", 2)  # a 5-article store behaves as a huge one
    with Store(tmp_path / "w.db") as store:
        ids = [store.add_document(make_document(raw=f"{TEXT} {i}", doc_id=f"d{i}")) for i in range(5)]
        found = search.search_articles(store, "Geneva")
        assert (found["matches"], found["total"], found["ranked_among"]) == (5, 5, 2)
        assert sorted(h["id"] for h in found["hits"]) == sorted(ids[-2:])  # the two newest
        assert all(shared.HL_START + "Geneva" + shared.HL_END in h["snippet"] for h in found["hits"])
        # a filter that only the oldest article passes widens the window until it is found
        oldest = search.search_articles(store, "Geneva", source="d0.txt")
        assert [h["id"] for h in oldest["hits"]] == [ids[0]] and oldest["total"] == 1
        assert oldest["ranked_among"] is None  # every match had to be ranked to fill the page
        monkeypatch.setattr(search, "RANK_WINDOW", 5)  # as many matches as the window: all ranked
        assert search.search_articles(store, "Geneva")["ranked_among"] is None
        assert search.search_articles(store, "nothing-like-this") == {
            "total": 0, "total_exact": True, "matches": 0, "ranked_among": None, "hits": []}


def test_search_pages_through_ranked_matches(tmp_path):
    from watchdesk.store import search

    with Store(tmp_path / "w.db") as store:
        ids = [store.add_document(make_document(raw=f"{TEXT} {i}", doc_id=f"d{i}")) for i in range(5)]
        pages = [search.search_articles(store, "Geneva", limit=2, offset=o)["hits"] for o in (0, 2, 4)]
        assert [len(p) for p in pages] == [2, 2, 1]
        assert sorted(h["id"] for p in pages for h in p) == sorted(ids)
        assert search.search_articles(store, "Geneva", limit=2, offset=6)["hits"] == []


def test_v6_migration_adds_the_entity_page_indexes_to_a_v5_store(tmp_path):
    """A store written by a Watchdesk at schema 5 gains the entity page's indexes when opened."""
    from watchdesk.store.migrations import MIGRATIONS, _statements

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:5]:
        for statement in _statements(script):
            old.execute(statement)
    old.execute("PRAGMA user_version = 5")
    old.commit()
    wanted = {"event_entities": ("event_entities_entity", ["entity_id"]),
              "entities": ("entities_doc_global", ["doc_id", "global_id"]),
              "sentences": ("sentences_doc_start", ["doc_id", "start"])}
    for table, (index, _) in wanted.items():
        assert index not in {r[1] for r in old.execute(f"PRAGMA index_list({table})")}
    old.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 6
        for table, (index, columns) in wanted.items():
            assert index in {r[1] for r in store.conn.execute(f"PRAGMA index_list({table})")}, table
            assert [r[2] for r in store.conn.execute(f"PRAGMA index_info({index})")] == columns
        plan = " ".join(r[3] for r in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT event_id FROM event_entities WHERE entity_id = 1"))
        assert "event_entities_entity" in plan
