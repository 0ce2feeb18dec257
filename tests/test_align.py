"""Entity alignment across translations: a machine translation's garbled names join the original's
entities (resolve/align.py, applied by resolve_pending), through the real CLI and store."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from watchdesk.resolve.align import (NAME_WEAK, DocView, EntityView, MentionView, name_similarity,
                                     propose)
from watchdesk.store.db import Store

WATCHDESK = Path(sys.executable).parent / "watchdesk"
DATA = Path(__file__).parent / "data" / "xling"
RU, EN = DATA / "sample_ru.txt", DATA / "sample_en.txt"

# An unrelated article (another story) with an acronym where the Russian text has "ССА".
UNRELATED = (
    "Scandinavian airline cuts winter flights\n\n"
    "The Scandinavian airline SAS said on Monday it would cancel about 1,200 flights between November and "
    "February because of a shortage of pilots and rising fuel prices. The carrier expects most cancellations "
    "on routes from Oslo and Copenhagen to smaller Nordic airports.\n\n"
    "Passengers will be offered seats on other departures or a refund, the company said. Analysts at "
    "Nordea said the cuts would reduce costs by about 300 million crowns. SAS shares rose 2% in Stockholm "
    "after the announcement, and the pilots' union said talks on new contracts would resume in December."
)


def cli(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(WATCHDESK), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def export(db: Path) -> list[dict]:
    return [json.loads(line) for line in cli("export", "--db", str(db), "--format", "jsonl").stdout.splitlines()]


def ids_of(records: list[dict], *texts: str) -> set[str]:
    """The global entity ids of the mentions written as one of ``texts``."""
    return {m["entity"] for r in records for m in r["mentions"] if m["text"] in texts}


def mention_member(db: Path, doc_key: str, text: str) -> str:
    """DOC:START-END of the first mention written ``text`` in a document (as the CLI takes it)."""
    with Store(db) as store:
        row = store.conn.execute(
            'SELECT m.doc_id, m.start, m."end" FROM mentions m JOIN documents d ON d.id = m.doc_id'
            " WHERE d.doc_key = ? AND m.text = ? ORDER BY m.start LIMIT 1", (doc_key, text)).fetchone()
    return f"{row[0]}:{row[1]}-{row[2]}"


@pytest.mark.parametrize("clean", [True, False], ids=["clean", "no-clean"])
def test_translation_garbled_names_join_the_originals_entities(tmp_path, clean):
    db = tmp_path / "x.db"
    cli("ingest", str(RU), str(EN), "--db", str(db), "-q", *([] if clean else ["--no-clean"]))
    records = export(db)
    assert {r["language"] for r in records} == {"ru", "en"}
    assert len({r["story"] for r in records}) == 1  # one story across the two languages
    assert len(ids_of(records, "Tsuneoki", "Tsuneoka", "Цунэока", "Цунэоки")) == 1
    assert ids_of(records, "IDISH") == ids_of(records, "YIDISH") == ids_of(records, "ИГИШ")
    assert len(ids_of(records, "ИГИШ")) == 1
    assert ids_of(records, "SAS") == ids_of(records, "ССА") and len(ids_of(records, "SAS")) == 1
    # the alignment is recorded with its evidence on both sides
    aligned = [e for r in records for e in r["entities"] if e.get("aligned")]
    sas = [e for e in aligned if e["name"] == "SAS"]
    assert sas and sas[0]["aligned"][0]["why"] and sas[0]["aligned"][0]["mentions"] >= 1
    assert any(e["name"] == "ССА" for e in aligned)


def test_unrelated_story_is_not_aligned(tmp_path):
    other = tmp_path / "airline.txt"
    other.write_text(UNRELATED, encoding="utf-8")
    db = tmp_path / "x.db"
    cli("ingest", str(RU), str(other), "--db", str(db), "-q", "--no-clean")
    records = export(db)
    assert len({r["story"] for r in records}) == 2
    assert ids_of(records, "SAS") and ids_of(records, "SAS").isdisjoint(ids_of(records, "ССА"))
    assert not [e for r in records for e in r["entities"] if e.get("aligned")]


def test_separate_judgement_holds_against_an_alignment(tmp_path):
    db = tmp_path / "x.db"
    cli("ingest", str(RU), str(EN), "--db", str(db), "-q", "--no-clean")
    assert ids_of(export(db), "YIDISH") == ids_of(export(db), "ИГИШ")
    yidish, igish = mention_member(db, "sample_en", "YIDISH"), mention_member(db, "sample_ru", "ИГИШ")
    cli("separate", yidish, igish, "--db", str(db))

    def check() -> list[dict]:
        records = [r for r in export(db) if r["id"] in ("sample_ru", "sample_en")]
        assert ids_of(records, "YIDISH").isdisjoint(ids_of(records, "ИГИШ"))
        assert ids_of(records, "IDISH") == ids_of(records, "ИГИШ")  # the other alignments stand
        assert ids_of(records, "SAS") == ids_of(records, "ССА")
        return records

    check()
    other = tmp_path / "airline.txt"
    other.write_text(UNRELATED, encoding="utf-8")
    cli("ingest", str(other), "--db", str(db), "-q", "--no-clean")  # an incremental run
    check()
    from watchdesk.resolve.run import rebuild

    with Store(db) as store:
        rebuild(store)  # every document again, alignments recomputed, judgements replayed
    check()
    cli("undo", "--db", str(db))  # without the judgement the alignment applies again
    records = export(db)
    assert ids_of(records, "YIDISH") == ids_of(records, "ИГИШ")


# ---- the pure functions -------------------------------------------------------------------
def test_transliterated_acronyms_and_names_are_similar():
    assert name_similarity("ИГИШ", "IDISH") >= NAME_WEAK
    assert name_similarity("ИГИШ", "YIDISH") >= NAME_WEAK
    assert name_similarity("ССА", "SAS") >= NAME_WEAK  # the same letters in another order
    assert name_similarity("Цунэока", "Tsuneoki") >= NAME_WEAK
    assert name_similarity("ССА", "NATO") < NAME_WEAK


def view(key: str, text: str, names: list[tuple[str, str, str]]) -> DocView:
    """A document whose mentions are the given (text, entity id, label), found in the text."""
    mentions, entities, at = [], {}, 0
    for surface, ent, label in names:
        start = text.index(surface, at)
        at = start + len(surface)
        mentions.append(MentionView(start, at, surface, ent))
        entities.setdefault(ent, EntityView(ent, surface, label, (), f"G-{key}-{ent}"))
    return DocView(key, text, [(0, len(text))], mentions, entities)


def test_clearly_different_people_are_never_aligned_even_in_the_same_place():
    a = view("a", "Иван Петров приехал в Омск 12 мая. Петров сказал, что 400 человек ждут.",
             [("Иван Петров", "e1", "PERSON"), ("Омск", "e2", "GPE"), ("Петров", "e1", "PERSON")])
    b = view("b", "John Smith arrived in Omsk on 12 May. Smith said 400 people are waiting.",
             [("John Smith", "e1", "PERSON"), ("Omsk", "e2", "GPE"), ("Smith", "e1", "PERSON")])
    found = {(x.a, x.b) for x in propose(a, b)}
    assert ("e2", "e2") in found  # the city, in its place with a similar name
    assert ("e1", "e1") not in found  # two different people, whatever their places


def test_a_garbled_acronym_aligns_by_place_and_a_demonym_does_not():
    a = view("a", "По словам командира, бойцы ССА вошли в город 5 июня после трёх дней боёв. В штабе ССА "
                  "сообщили, что в боях ранены 30 сирийцев, а около 400 жителей покинули город.",
             [("ССА", "e1", "ORG"), ("ССА", "e1", "ORG")])
    b = view("b", "According to the commander, SAS fighters entered the town on June 5 after three days of "
                  "fighting. SAS headquarters said 30 Syrians had been wounded in the fighting and about 400 "
                  "residents had left the town.",
             [("SAS", "e1", "ORG"), ("SAS", "e1", "ORG"), ("Syrians", "e2", "NORP")])
    found = propose(a, b)
    assert [(x.a, x.b) for x in found] == [("e1", "e1")]
    assert found[0].evidence["mentions"] == 2
