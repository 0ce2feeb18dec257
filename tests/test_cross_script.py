"""Names across scripts: Russian (Cyrillic) and English (Latin) documents resolved into one set of
global entities in a real SQLite store (resolve_pending), searched and exported in either script."""
from __future__ import annotations

import json
import re

import pytest

from watchdesk.resolve.run import judge, rebuild, resolve_pending
from watchdesk.store.db import Store
from watchdesk.types import DocEntity, ExtractedDocument, Mention, Sentence


def make_doc(key: str, language: str, text: str, entities: list[tuple]) -> ExtractedDocument:
    """A document whose entities are ``(local id, name, label, [(surface, lemma or None), ...])``;
    each surface form is found in the text in order (mentions carry their lemma)."""
    mentions, ents, pos = [], [], {}
    for local, name, label, forms in entities:
        for surface, lemma in forms:
            start = text.index(surface, pos.get(surface, 0))
            pos[surface] = start + len(surface)
            mentions.append(Mention(start, start + len(surface), surface, label, local, lemma))
        aliases = [name] + [s for s, _ in forms if s != name]
        ents.append(DocEntity(local, name, label, list(dict.fromkeys(aliases)), len(forms)))
    mentions.sort(key=lambda m: m.start)
    sentences = [Sentence(m.start(), m.end()) for m in re.finditer(r"[^.]+\.?", text)]
    return ExtractedDocument(id=key, source=f"{key}.txt", text=text, language=language, raw=text,
                             sentences=sentences, mentions=mentions, entities=ents)


RU_1 = make_doc("ru1", "ru", "Шамиль Цунэока прилетел в Москву. Гелаев встретился с Цунэокой.", [
    ("e1", "Шамиль Цунэока", "PERSON", [("Шамиль Цунэока", "Шамиль Цунэока"), ("Цунэокой", "Цунэока")]),
    ("e2", "Москва", "GPE", [("Москву", "Москва")]),
    ("e3", "Гелаев", "PERSON", [("Гелаев", "Гелаев")]),
])
EN_1 = make_doc("en1", "en", "Shamil Tsuneoka arrived in Moscow. Gelayev met Tsuneoka there.", [
    ("e1", "Shamil Tsuneoka", "PERSON", [("Shamil Tsuneoka", None), ("Tsuneoka", None)]),
    ("e2", "Moscow", "GPE", [("Moscow", None)]),
    ("e3", "Gelayev", "PERSON", [("Gelayev", None)]),
])
RU_2 = make_doc("ru2", "ru", "Дональд Трамп говорил с Иваном Петровым. Трампа поддержал Петров.", [
    ("e1", "Дональд Трамп", "PERSON", [("Дональд Трамп", "Дональд Трамп"), ("Трампа", "Трамп")]),
    ("e2", "Иван Петров", "PERSON", [("Иваном Петровым", "Иван Петров"), ("Петров", "Петров")]),
])
EN_2 = make_doc("en2", "en", "Donald Trump spoke with Ivan Sidorov. Sidorov agreed.", [
    ("e1", "Donald Trump", "PERSON", [("Donald Trump", None)]),
    ("e2", "Ivan Sidorov", "PERSON", [("Ivan Sidorov", None), ("Sidorov", None)]),
])
# Inflected forms without lemmas, and the surname alone: still the one nominative entity.
RU_3 = make_doc("ru3", "ru", "Шамиля Цунэоки не было. Гелаева искали. Цунэоки нет.", [
    ("e1", "Шамиль Цунэока", "PERSON", [("Шамиля Цунэоки", None), ("Цунэоки", None)]),
    ("e2", "Гелаев", "PERSON", [("Гелаева", None)]),
])
EN_3 = make_doc("en3", "en", "Gelaev was seen with Shamil Tsuneoka.", [
    ("e1", "Gelaev", "PERSON", [("Gelaev", None)]),
    ("e2", "Shamil Tsuneoka", "PERSON", [("Shamil Tsuneoka", None)]),
])


def gid(store: Store, key: str, local: str) -> str | None:
    row = store.conn.execute("SELECT e.global_id FROM entities e JOIN documents d ON d.id = e.doc_id"
                             " WHERE d.doc_key = ? AND e.local_id = ?", (key, local)).fetchone()
    return row[0]


def member(store: Store, key: str, local: str) -> str:
    doc_id = store.conn.execute("SELECT id FROM documents WHERE doc_key = ?", (key,)).fetchone()[0]
    return f"{doc_id}#{local}"


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "x.db") as s:
        for d in (RU_1, EN_1, RU_2, EN_2, RU_3, EN_3):
            assert s.add_document(d) is not None
        resolve_pending(s)
        yield s


def test_one_entity_across_scripts(store):
    assert gid(store, "ru1", "e1") == gid(store, "en1", "e1") == gid(store, "ru3", "e1") == gid(store, "en3", "e2")
    assert gid(store, "ru1", "e3") == gid(store, "en1", "e3") == gid(store, "ru3", "e2") == gid(store, "en3", "e1")
    assert gid(store, "ru2", "e1") == gid(store, "en2", "e1")
    assert gid(store, "ru1", "e1") != gid(store, "ru1", "e3")


def test_different_people_stay_apart(store):
    assert gid(store, "ru2", "e2") != gid(store, "en2", "e2")  # Иван Петров is not Ivan Sidorov
    assert gid(store, "ru2", "e2") is not None and gid(store, "en2", "e2") is not None


def test_inflected_forms_become_the_nominative_name(store):
    g = gid(store, "ru1", "e1")
    aliases = json.loads(store.conn.execute("SELECT aliases FROM global_entities WHERE id = ?", (g,)).fetchone()[0])
    assert "Цунэока" in aliases  # from the lemma (ru1) and from the inflected alias (ru3)
    assert not {"Цунэокой", "Цунэоки", "Шамиля Цунэоки"} & set(aliases)


def test_latin_forms_stored_and_exported(store):
    g = gid(store, "ru2", "e1")
    latin = json.loads(store.conn.execute("SELECT latin FROM global_entities WHERE id = ?", (g,)).fetchone()[0])
    assert latin[0] == "Donald Trump" and "Donald Tramp" in latin
    records = {r["id"]: r for r in store.export_records()}
    ru_entity = next(e for e in records["ru1"]["entities"] if e["local_id"] == "e3")
    assert "Gelayev" in ru_entity["latin"] and "Gelaev" in ru_entity["latin"]
    assert all(isinstance(e["latin"], list) for r in records.values() for e in r["entities"])


def test_found_by_name_in_either_script(store):
    from watchdesk.store.search import search_entities

    g = gid(store, "ru1", "e1")
    for query in ("Цунэока", "цунэока", "Tsuneoka", "Шамиль Цунэока", "Shamil Tsuneoka"):
        assert [p.id for p in store.entity_profiles(query)][:1] == [g], query
    assert g in [h["id"] for h in search_entities(store, "Цунэ")]
    assert g in [h["id"] for h in search_entities(store, "Tsuneoka")]
    from watchdesk.store.entity_page import resolve_entity_id

    assert resolve_entity_id(store, "Цунэока") == resolve_entity_id(store, "Shamil Tsuneoka") == g
    trump = gid(store, "ru2", "e1")
    assert trump in [h["id"] for h in search_entities(store, "Трамп")]


def test_entity_page_lists_names_by_script(store):
    from watchdesk.store.entity_page import entity

    page = entity(store, gid(store, "ru1", "e1"))
    scripts = {s["script"]: s for s in page["names_by_script"]}
    assert list(scripts) == ["Latin", "Cyrillic"]
    latin = {n["name"]: n["count"] for n in scripts["Latin"]["names"]}
    cyrillic = {n["name"]: n["count"] for n in scripts["Cyrillic"]["names"]}
    assert latin == {"Shamil Tsuneoka": 2, "Tsuneoka": 1}
    assert cyrillic == {"Шамиль Цунэока": 1, "Цунэокой": 1, "Шамиля Цунэоки": 1, "Цунэоки": 1}
    assert scripts["Cyrillic"]["count"] == 4
    assert "Shamil Tsuneoka" in page["latin"]


def test_separate_judgement_holds_after_re_resolution(store, tmp_path):
    ru, en = member(store, "ru1", "e1"), member(store, "en1", "e1")
    judge(store, "separate", ru, en)
    assert gid(store, "ru1", "e1") != gid(store, "en1", "e1")
    more = make_doc("ru4", "ru", "Шамиль Цунэока и Shamil Tsuneoka.", [
        ("e1", "Шамиль Цунэока", "PERSON", [("Шамиль Цунэока", "Шамиль Цунэока")]),
    ])
    store.add_document(more)
    resolve_pending(store)
    assert gid(store, "ru1", "e1") != gid(store, "en1", "e1")
    rebuild(store)
    assert gid(store, "ru1", "e1") != gid(store, "en1", "e1")
    assert gid(store, "ru2", "e1") == gid(store, "en2", "e1")  # other merges untouched


# ------------------------------------------------------------------ names across scripts (pure)
def test_name_keys_and_comparisons_across_scripts():
    from watchdesk.resolve.names import base_form, blocking_keys, compare, is_short_form, name_key

    assert name_key("Дмитрий Песков") == "dmitry peskov"  # news spelling, not unidecode's "dmitrii"
    assert compare("Гелаев", "Gelaev").kind == "exact" and compare("Гелаев", "Gelayev").kind == "exact"
    assert compare("Дональд Трамп", "Donald Trump").kind == "exact"
    assert blocking_keys("Дональд Трамп") & blocking_keys("Donald Trump")
    assert compare("Иван Петров", "Ivan Sidorov", person=True).kind == "none"
    assert base_form("Шамиля Цунэоки", "Шамиль Цунэока") == "Шамиль Цунэока"
    assert base_form("Цунэокой", "Шамиль Цунэока") == "Цунэока"
    assert base_form("Москве", "Шамиль Цунэока") == "Москве"  # not a form of the name: as it is
    assert is_short_form("ЕС", "Европейский союз") and is_short_form("Евросоюз", "Европейский союз")
    assert not is_short_form("Евросоюз", "Европейский совет") and not is_short_form("Европа", "Европейский союз")
    assert compare("ЕС", "Европейский союз").kind == "acronym"


def test_v10_migration_gives_older_entities_their_latin_names(tmp_path):
    import sqlite3

    from watchdesk.store.migrations import MIGRATIONS, _statements

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for version, script in enumerate(MIGRATIONS[:9], 1):
        for statement in _statements(script):
            old.execute(statement)
        old.execute(f"PRAGMA user_version = {version}")
    old.execute("INSERT INTO global_entities (id, name, label, aliases, documents, mentions) VALUES"
                " ('G1', 'Anna Kowalczyk', 'PERSON', '[\"Anna Kowalczyk\", \"Анна\", \"Kowalczyk\"]', 2, 3)")
    old.commit()
    old.close()
    with Store(path) as store:
        latin = store.conn.execute("SELECT latin FROM global_entities WHERE id = 'G1'").fetchone()[0]
        assert json.loads(latin) == ["Anna Kowalczyk", "Kowalczyk"]
        assert store.conn.execute("SELECT count(*) FROM entity_keys").fetchone()[0] == 0
