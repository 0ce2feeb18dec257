"""Russian full-text search: inflected forms match (search keys, schema V9), snippets show the
article's own words, the desk and the CLI find them, older stores gain the keys, English is unchanged."""
from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from watchdesk.cli import main
from watchdesk.store import search, stems
from watchdesk.store.db import Store
from watchdesk.store.migrations import MIGRATIONS, _statements
from watchdesk.store.shared import HL_END, HL_START
from watchdesk.store.stem_index import backfill, index_pending
from watchdesk.types import ExtractedDocument

# Written for this test: every name and noun appears only in inflected forms, never as queried.
RU_TITLE = "Суд в Пакистане отменил приговор"
RU_TEXT = ("Верховный суд Пакистана в среду отменил приговор Асии Биби, сообщает агентство Reuters.\n\n"
           "У здания суда полиция задержала несколько боевиков. По словам адвоката, Асию Биби "
           "перевезут в безопасное место, а её семья покинет страну.")
EN_TEXT = "Maria Lopez met the Red Cross in Geneva.\n\nLopez said the talks in Geneva went well."


def document(doc_id: str, text: str, title: str | None, language: str | None) -> ExtractedDocument:
    return ExtractedDocument(id=doc_id, source=f"{doc_id}.txt", text=text, title=title, raw=text,
                             language=language)


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "ru.db"
    with Store(path) as store:
        store.add_document(document("ru1", RU_TEXT, RU_TITLE, "ru"))
        store.add_document(document("en1", EN_TEXT, "Talks in Geneva", "en"))
    return path


def test_inflected_forms_share_a_key_and_unrelated_words_do_not():
    for forms in (["Асия", "Асии", "Асию", "Асией"], ["Пакистан", "Пакистане", "Пакистана", "Пакистаном"],
                  ["боевик", "боевиков", "боевики", "боевиками"], ["Гелаев", "Гелаева", "Гелаеву", "Гелаевым"],
                  ["Сергей", "Сергея", "Сергеем"], ["российский", "российского", "российской"]):
        assert len({stems.word_key(f) for f in forms}) == 1, forms
    assert stems.word_key("Путин") != stems.word_key("путь")
    assert stems.word_key("Geneva") == "geneva" and stems.word_key("Café") == "cafe"  # as unicode61 folds
    assert stems.stems_query("foreign fighters") is None  # no Cyrillic: the word index answers


def test_inflected_query_finds_the_article_and_marks_its_own_words(db):
    with Store(db) as store:
        exact = store.conn.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'пакистан'")
        assert exact.fetchone()[0] == 0  # the word index alone would miss it
        for query, shown in (("Пакистан", "Пакистана"), ("Асия", "Асии"), ("боевик", "боевиков")):
            [hit] = store.search(query)
            assert hit.title == RU_TITLE and f"[{shown}]" in hit.snippet, (query, hit.snippet)
        assert "[Асии Биби]" in store.search('"Асия Биби"')[0].snippet  # a phrase, declined
        assert store.search('"Биби Асия"') == []  # word order still counts in a phrase
        assert len(store.search("Пакистан Reuters")) == 1  # mixed scripts: Latin words as written
        assert store.search("Пакистан Geneva") == []
        assert store.search("Женева") == []


def test_snippet_keeps_the_text_and_marks_whole_phrases():
    text = "Начало. " + "слово " * 40 + "Суд отменил приговор Асии Биби в Пакистане. " + "конец " * 40
    snip = stems.snippet(text, stems.query_phrases('"Асия Биби" Пакистан'), "[", "]", 24)
    assert snip.startswith(stems.ELLIPSIS) and snip.endswith(stems.ELLIPSIS)
    assert "приговор [Асии Биби] в [Пакистане]." in snip
    assert len(stems.WORD.findall(snip)) <= 24
    assert stems.snippet("Короткий текст.", [["нет"]], "[", "]", 24) == "Короткий текст."


def test_english_search_is_unchanged_and_english_articles_get_no_keys(db):
    with Store(db) as store:
        found = search.search_articles(store, "talks geneva")
        assert [h["title"] for h in found["hits"]] == ["Talks in Geneva"]
        assert f"{HL_START}Geneva{HL_END}" in found["hits"][0]["snippet"]
        keyed = [r[0] for r in store.conn.execute("SELECT rowid FROM documents_stems_docsize")]
        ru_id = store.conn.execute("SELECT id FROM documents WHERE doc_key = 'ru1'").fetchone()[0]
        assert keyed == [ru_id]
        assert store.conn.execute("SELECT count(*) FROM stems_pending").fetchone()[0] == 0


def test_filters_paging_and_deletion_on_the_key_index(db):
    with Store(db) as store:
        assert search.search_articles(store, "Пакистан", source="ru1")["total"] == 1
        assert search.search_articles(store, "Пакистан", source="en1")["total"] == 0
        assert search.search_articles(store, "Пакистан", offset=1)["hits"] == []
        store.conn.execute("UPDATE documents SET text = 'Новый текст о Женеве.' WHERE doc_key = 'ru1'")
        store.add_document(document("ru2", "Боевики ушли.", None, "ru"))  # a write takes the old keys out
        assert store.search("боевик")[0].title is None  # the old text's "боевиков" is gone
    with Store(db) as store:  # and the changed document is keyed again when a store is opened
        assert store.search("Женева")[0].title == RU_TITLE
        store.conn.execute("DELETE FROM documents WHERE doc_key = 'ru1'")
        assert store.search("Пакистан") == []  # the title's keys: the hit is dropped before the next write
        store.add_document(document("ru3", "Ещё текст.", None, "ru"))
        assert search.search_articles(store, "Пакистан")["matches"] == 0  # and then leave the index
        assert store.conn.execute("SELECT count(*) FROM stems_gone").fetchone()[0] == 0


def test_a_store_from_before_v9_gains_the_keys_when_opened(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:8]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 8")
    for i, (text, title) in enumerate([(RU_TEXT, RU_TITLE), (EN_TEXT, "Talks"), ("Короче.", "Боевики в Пакистане")]):
        conn.execute("INSERT INTO documents (doc_key, source, format, raw, text, title, content_hash)"
                     " VALUES (?, ?, 'text', ?, ?, ?, ?)", (f"d{i}", f"d{i}.txt", text, text, title, str(i)))
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] >= 9
        assert store.conn.execute("SELECT count(*) FROM stems_pending").fetchone()[0] == 0
        assert sorted(h.title for h in store.search("Пакистан")) == ["Боевики в Пакистане", RU_TITLE]
        assert store.search("боевик")[0].title == "Боевики в Пакистане"  # title weighs 5x


def test_new_keying_rules_rebuild_the_index(db, monkeypatch):
    from watchdesk.store import stem_index

    monkeypatch.setattr(stem_index, "KEYS_VERSION", 2)
    with Store(db) as store:
        assert store.conn.execute("SELECT version FROM stems_version").fetchone()[0] == 2
        assert len(store.search("Асия")) == 1
        assert store.conn.execute("SELECT count(*) FROM documents_stems_docsize").fetchone()[0] == 1


def test_backfill_is_resumable_in_batches(db):
    with Store(db) as store:
        conn = store.conn
        conn.execute("INSERT INTO documents_stems (documents_stems) VALUES ('delete-all')")
        conn.execute("INSERT INTO stems_pending (doc_id) SELECT id FROM documents")
        conn.execute("INSERT INTO stems_pending (doc_id) VALUES (999)")  # its document is gone
        conn.execute("BEGIN IMMEDIATE")
        assert index_pending(conn, limit=1) == 1  # one batch, then "killed"
        conn.execute("COMMIT")
        assert conn.execute("SELECT count(*) FROM stems_pending").fetchone()[0] == 2
        assert backfill(conn, batch=1) == 1
        assert conn.execute("SELECT count(*) FROM stems_pending").fetchone()[0] == 0
        assert len(store.search("Асия")) == 1


def test_desk_and_api_find_the_inflected_form(db):
    from fastapi.testclient import TestClient

    from watchdesk.serve.app import create_app

    client = TestClient(create_app(db))
    page = client.get("/search", params={"q": "Пакистан"})
    assert page.status_code == 200 and RU_TITLE in page.text and "<mark>Пакистана</mark>" in page.text
    api = client.get("/api/search", params={"q": "Асия Биби"}).json()
    assert [a["title"] for a in api["articles"]] == [RU_TITLE]
    assert "«Асии» «Биби»" in api["articles"][0]["snippet"]


def test_cli_search_finds_the_inflected_form(db):
    result = CliRunner().invoke(main, ["search", "боевик", "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0 and RU_TITLE in result.stdout and "[боевиков]" in result.stdout
