"""Aliases an article declares (watchdesk.extract.aliases) on the real spaCy model."""
from __future__ import annotations

from pathlib import Path

import pytest

from watchdesk.extract.aliases import find_aliases, schwartz_hearst
from watchdesk.extract.entities import find_entities
from watchdesk.extract.nlp import ModelNotInstalledError, load_nlp

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seeds" / "000_d34ae03e57f94ee3.txt"


@pytest.fixture(scope="module")
def nlp():
    try:
        return load_nlp()
    except ModelNotInstalledError as exc:
        pytest.skip(str(exc))


def run(nlp, text):
    doc = nlp(text)
    mentions, entities = find_entities(doc)
    return find_aliases(text, mentions, entities)


def entity_of(result, surface):
    for m in result.mentions:
        if m.text == surface:
            return m.entity
    raise AssertionError(f"no mention {surface!r}: {[m.text for m in result.mentions]}")


def check_offsets(text, result):
    for m in result.mentions:
        assert m.text == text[m.start:m.end]
    for ln in result.links:
        assert ln.evidence == text[ln.evidence_start:ln.evidence_end]
        assert ln.alias == text[ln.start:ln.end]
    ids = {e.id for e in result.entities}
    assert {m.entity for m in result.mentions} <= ids


def test_known_as_creates_missed_name(nlp):
    text = ("The unit was led by Georgian commander Davit Kavtaradze, known among fighters as "
            "Sheikh Abu Bakr al-Kurdi. Kavtaradze was later killed.")
    r = run(nlp, text)
    check_offsets(text, r)
    assert entity_of(r, "Davit Kavtaradze") == entity_of(r, "Sheikh Abu Bakr al-Kurdi")
    link = next(ln for ln in r.links if ln.kind == "known as")
    assert link.alias == "Sheikh Abu Bakr al-Kurdi"
    assert "known among fighters as" in link.evidence


@pytest.mark.parametrize("cue", ["also known as", "a.k.a.", "better known as", "nicknamed"])
def test_alias_cues(nlp, cue):
    text = f"Police arrested Michael Brandon Hale, {cue} Tommy Rivers, on Monday in Denver."
    r = run(nlp, text)
    check_offsets(text, r)
    assert entity_of(r, "Michael Brandon Hale") == entity_of(r, "Tommy Rivers")


def test_real_name(nlp):
    text = "The rapper Kid Vortex (real name Daniel Okafor) played in Leeds on Friday."
    r = run(nlp, text)
    check_offsets(text, r)
    assert entity_of(r, "Kid Vortex") == entity_of(r, "Daniel Okafor")


def test_no_alias_for_common_noun_after_cue(nlp):
    text = "Fred Larson, known as the bagman, delivered the payments. Larson died in Texas."
    r = run(nlp, text)
    check_offsets(text, r)
    assert not [ln for ln in r.links if ln.kind == "known as"]


def test_parenthesised_alternative_name(nlp):
    text = ("Soon Ibragim (Ruslan) Dudayev came to the camp. In 2001 Dudayev announced his "
            "campaign.")
    r = run(nlp, text)
    check_offsets(text, r)
    eid = entity_of(r, "Ibragim (Ruslan) Dudayev")
    ent = next(e for e in r.entities if e.id == eid)
    assert ent.name == "Ibragim Dudayev"
    assert "Ruslan" in ent.aliases
    assert entity_of(r, "Dudayev") == eid
    assert any(ln.kind == "parenthesised name" and ln.alias == "Ruslan" for ln in r.links)


def test_acronym_in_parentheses(nlp):
    text = ("Fighters of the National Liberation Front (NLF) attacked the town. The NLF said "
            "it had lost ten men.")
    r = run(nlp, text)
    check_offsets(text, r)
    nlf = [m.entity for m in r.mentions if m.text == "NLF"]
    assert nlf and set(nlf) == {entity_of(r, "National Liberation Front")}


def test_acronym_letters_skip_function_words(nlp):
    text = ("More than half of them are in the Islamic Army of Mesopotamia and Levant coalition.\n"
            "IAML declared its goal. The IAML is known for executions.")
    r = run(nlp, text)
    check_offsets(text, r)
    assert entity_of(r, "Islamic Army of Mesopotamia and Levant") == entity_of(r, "IAML")


def test_schwartz_hearst():
    long = "the Free Syrian Army"
    assert long[schwartz_hearst("FSA", long):] == "Free Syrian Army"
    assert schwartz_hearst("XYZ", long) is None


def test_inputs_not_modified(nlp):
    text = "Michael Brandon Hale, also known as Tommy Rivers, was arrested."
    doc = nlp(text)
    mentions, entities = find_entities(doc)
    before = [(m.start, m.end, m.entity) for m in mentions]
    find_aliases(text, mentions, entities)
    assert [(m.start, m.end, m.entity) for m in mentions] == before


@pytest.fixture(scope="module")
def sample(nlp):
    if not SEED.exists():
        pytest.skip("../shared (development data) is not present")
    from watchdesk.pipeline import annotate, prepare_document
    from watchdesk.read.readers import read_inputs

    raw = next(r for r in read_inputs([str(SEED)]))
    d = prepare_document(raw)
    annotate(d, nlp(d.text))
    return d, find_aliases(d.text, d.mentions, d.entities)


def test_sample_aliases(sample):
    d, r = sample
    check_offsets(d.text, r)
    assert entity_of(r, "Tarkhan Batirashvili") == entity_of(r, "Sheikh Umar al-Shishani")
    gel = entity_of(r, "Khamzat (Ruslan) Gelayev")
    ent = next(e for e in r.entities if e.id == gel)
    assert ent.name == "Khamzat Gelayev" and "Ruslan" in ent.aliases
    assert entity_of(r, "Gelaev") == gel
    assert entity_of(r, "Islamic State of Iraq and Sham") == entity_of(r, "ISIS")
