"""The document-level entity pass (watchdesk.extract.entities) on the real spaCy model.

Rule tests parse small constructed texts with the real pipeline (tagger, parser, NER) and, where a
rule needs a particular spaCy output to act on, set ``doc.ents`` to that output, so each test
exercises one rule whatever the statistical NER happens to say. The sample-article tests use the
seed article in ../shared (skipped when that folder is absent).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from watchdesk.extract import (
    DEFAULT_MODEL, NAMED_LABELS, ModelNotInstalledError, find_entities, load_nlp,
)
from watchdesk.types import DocEntity, Mention

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seeds" / "000_d34ae03e57f94ee3.txt"
CONLL_DOCS = SHARED / "data" / "conll2003" / "dev" / "docs"
INTERFACE = ("Download", "Share", "Tweet", "Subscribe", "Print")


@pytest.fixture(scope="module")
def nlp():
    try:
        return load_nlp()
    except ModelNotInstalledError as exc:
        pytest.skip(str(exc))


def doc_with_ents(nlp, text: str, ents: list[tuple[str, str]] | list[tuple[str, str, int]]):
    """Parse ``text`` and replace spaCy's entities with ``(substring, label[, occurrence])``."""
    doc = nlp(text)
    spans = []
    for item in ents:
        sub, label = item[0], item[1]
        nth = item[2] if len(item) > 2 else 0
        starts = [m.start() for m in re.finditer(re.escape(sub), text)]
        s = starts[nth]
        span = doc.char_span(s, s + len(sub), label=label, alignment_mode="expand")
        assert span is not None, sub
        spans.append(span)
    doc.ents = spans
    return doc


def check_invariants(doc, mentions: list[Mention], entities: list[DocEntity]) -> None:
    text = doc.text
    ids = [e.id for e in entities]
    assert ids == [f"e{i}" for i in range(1, len(ids) + 1)]
    by_id = {e.id: e for e in entities}
    first_seen: list[str] = []
    for m in mentions:
        assert m.text == text[m.start:m.end]
        assert m.text.strip() == m.text and m.text
        assert "\n" not in m.text
        assert m.label in NAMED_LABELS
        assert m.entity in by_id
        assert m.label == by_id[m.entity].label
        if m.entity not in first_seen:
            first_seen.append(m.entity)
    assert first_seen == ids  # numbered in order of first mention
    for s, e in zip(mentions, mentions[1:]):
        assert s.end <= e.start  # sorted, no overlaps
    for ent in entities:
        assert ent.mentions == sum(1 for m in mentions if m.entity == ent.id)
        assert ent.aliases and ent.aliases[0] == ent.name
        assert len(set(ent.aliases)) == len(ent.aliases)


def run(doc):
    mentions, entities = find_entities(doc)
    check_invariants(doc, mentions, entities)
    return mentions, entities


def entity_of(mentions, entities, start: int) -> DocEntity | None:
    """The entity of the mention covering character ``start``."""
    for m in mentions:
        if m.start <= start < m.end:
            return next(e for e in entities if e.id == m.entity)
    return None


# ---- loading ---------------------------------------------------------------------------------

def test_load_nlp_is_cached_per_name(nlp):
    assert load_nlp() is nlp
    assert load_nlp(DEFAULT_MODEL) is nlp
    assert "ner" in nlp.pipe_names


def test_load_nlp_names_a_missing_model():
    with pytest.raises(ModelNotInstalledError, match="no_such_pipeline_xyz"):
        load_nlp("no_such_pipeline_xyz")


def test_empty_and_entityless_documents(nlp):
    assert find_entities(nlp("")) == ([], [])
    assert find_entities(nlp("  \n\n ")) == ([], [])
    assert find_entities(nlp("it rained all day and nobody came.")) == ([], [])


# ---- rule 1: named labels only ---------------------------------------------------------------

def test_numeric_entities_are_not_mentions(nlp):
    text = "Acme Corp paid $5 million to Brazil on Monday, 12 May 2014."
    doc = doc_with_ents(nlp, text, [("Acme Corp", "ORG"), ("$5 million", "MONEY"),
                                    ("Brazil", "GPE"), ("Monday, 12 May 2014", "DATE")])
    mentions, entities = run(doc)
    assert [(m.text, m.label) for m in mentions] == [("Acme Corp", "ORG"), ("Brazil", "GPE")]
    assert len(entities) == 2


# ---- rule 2: line breaks, trimming, debris ---------------------------------------------------

def test_span_across_line_break_is_split_into_its_pieces(nlp):
    text = "Report from Al Jazeera\n\nReuters said the talks failed."
    doc = doc_with_ents(nlp, text, [("Al Jazeera\n\nReuters", "ORG")])
    mentions, _ = run(doc)
    assert [m.text for m in mentions] == ["Al Jazeera", "Reuters"]
    assert mentions[0].start == text.index("Al Jazeera")
    assert mentions[1].start == text.index("Reuters")


def test_debris_is_trimmed_with_exact_offsets(nlp):
    text = ("He joined «Voice of America» after fighting with the Free Syrian Army, "
            "then wrote about Al-Qaida&# 187; and “Gazprom”.")
    doc = doc_with_ents(nlp, text, [("«Voice of America", "ORG"), ("the Free Syrian Army", "ORG"),
                                    ("Al-Qaida&", "ORG"), ("“Gazprom”", "ORG")])
    mentions, entities = run(doc)
    assert [m.text for m in mentions] == ["Voice of America", "Free Syrian Army", "Al-Qaida",
                                          "Gazprom"]
    for m in mentions:
        assert text[m.start:m.end] == m.text
    assert entities[1].name == "Free Syrian Army"


def test_possessive_is_trimmed_from_the_span_and_alias(nlp):
    text = "Al-Qaida’s friend met Gazprom's chief and Gazprom staff."
    doc = doc_with_ents(nlp, text, [("Al-Qaida’s", "ORG"), ("Gazprom's", "ORG")])
    mentions, entities = run(doc)
    assert [(m.start, m.text) for m in mentions] == [
        (0, "Al-Qaida"), (text.index("Gazprom"), "Gazprom"),
        (text.rindex("Gazprom"), "Gazprom")]
    assert [e.aliases for e in entities] == [["Al-Qaida"], ["Gazprom"]]


def test_org_name_without_the_joins_the_org(nlp):
    text = "The Free Syrian Army attacked. Later Free Syrian Army units withdrew."
    doc = doc_with_ents(nlp, text, [("The Free Syrian Army", "ORG")])
    mentions, entities = run(doc)
    assert [m.text for m in mentions] == ["Free Syrian Army", "Free Syrian Army"]
    assert len(entities) == 1 and entities[0].mentions == 2


def test_interface_words_and_digits_are_dropped(nlp):
    text = "Download Adobe Flash Player\nShare on Twitter\nIn 2014 Lukoil grew."
    doc = doc_with_ents(nlp, text, [("Download", "PERSON"), ("Share", "ORG"),
                                    ("2014", "ORG"), ("Lukoil", "ORG")])
    mentions, _ = run(doc)
    assert [m.text for m in mentions] == ["Lukoil"]


# ---- rule 3: propagation, short forms, possessives, variants ---------------------------------

def test_exact_occurrences_are_propagated_case_sensitively(nlp):
    text = "ISIS fighters took the town. Residents fled ISIS. The isis flower grew. Then ISIS left."
    doc = doc_with_ents(nlp, text, [("ISIS", "ORG", 0)])
    mentions, entities = run(doc)
    assert [m.start for m in mentions] == [m.start() for m in re.finditer(r"\bISIS\b", text)]
    assert len(entities) == 1 and entities[0].mentions == 3 and entities[0].label == "ORG"


def test_propagation_matches_whole_tokens_only(nlp):
    text = "Nokia said so. Nokian tyres and pro-Nokia voters disagreed. Nokia agreed."
    doc = doc_with_ents(nlp, text, [("Nokia", "ORG", 0)])
    mentions, _ = run(doc)
    assert [m.start for m in mentions] == [0, text.rindex("Nokia agreed")]


def test_surname_and_possessives_join_the_person(nlp):
    text = ("Marek Kowalczyk arrived in Warsaw. Kowalczyk said the trip was long. "
            "Kowalczyk's book and Kowalczyk’s film were praised.")
    doc = doc_with_ents(nlp, text, [("Marek Kowalczyk", "PERSON"), ("Warsaw", "GPE"),
                                    ("Kowalczyk", "GPE", 1)])
    mentions, entities = run(doc)
    person = entity_of(mentions, entities, 0)
    assert person.name == "Marek Kowalczyk" and person.label == "PERSON"
    starts = [m.start() for m in re.finditer("Kowalczyk", text)]
    for s in starts:
        assert entity_of(mentions, entities, s) is person
    assert person.mentions == 4
    assert set(person.aliases) == {"Marek Kowalczyk", "Kowalczyk"}  # possessive stripped
    possessive = [m for m in mentions if m.start in starts[2:]]
    assert [m.text for m in possessive] == ["Kowalczyk", "Kowalczyk"]


def test_first_name_alone_joins_the_person_unless_shared(nlp):
    text = ("Anneliese Brandt met Anneliese Vogt and Dmitri Orlov. Dmitri spoke first. "
            "Anneliese spoke later.")
    doc = doc_with_ents(nlp, text, [("Anneliese Brandt", "PERSON"), ("Anneliese Vogt", "PERSON"),
                                    ("Dmitri Orlov", "PERSON")])
    mentions, entities = run(doc)
    orlov = entity_of(mentions, entities, text.index("Dmitri Orlov"))
    assert entity_of(mentions, entities, text.index("Dmitri spoke")) is orlov
    # two people called Anneliese: the first name alone is ambiguous and is not attached
    assert entity_of(mentions, entities, text.index("Anneliese spoke")) is None


def test_spelling_variant_of_a_long_surname_joins(nlp):
    text = ("Ruslan Gelayev led the group. In July Gelayev moved north. "
            "Later Gelaev was seen near the border.")
    doc = doc_with_ents(nlp, text, [("Ruslan Gelayev", "PERSON"), ("Gelayev", "PERSON", 1)])
    mentions, entities = run(doc)
    person = entity_of(mentions, entities, 0)
    assert entity_of(mentions, entities, text.index("Gelaev")) is person
    assert "Gelaev" in person.aliases and person.mentions == 3


def test_substituted_letter_variant_joins_despite_one_stray_label(nlp):
    text = ("Shamil Tsuneoka visited Syria. Tsuneoka wrote a book. Tsuneoka returned. "
            "According to Tsuneoki's notes, the trip was long.")
    doc = doc_with_ents(nlp, text, [("Shamil Tsuneoka", "PERSON"), ("Syria", "GPE"),
                                    ("Tsuneoka", "PERSON", 1), ("Tsuneoka", "PERSON", 2),
                                    ("Tsuneoki", "ORG")])
    mentions, entities = run(doc)
    person = entity_of(mentions, entities, 0)
    m = next(m for m in mentions if m.start == text.index("Tsuneoki"))
    assert m.text == "Tsuneoki" and m.entity == person.id and m.label == "PERSON"
    assert person.label == "PERSON" and person.mentions == 4


def test_variant_with_better_attested_other_label_stays_apart(nlp):
    text = ("Shamil Tsuneoka visited Syria. "
            "According to Tsuneoki's notes and Tsuneoki's maps, the trip was long.")
    doc = doc_with_ents(nlp, text, [("Shamil Tsuneoka", "PERSON"), ("Syria", "GPE"),
                                    ("Tsuneoki", "ORG", 0), ("Tsuneoki", "ORG", 1)])
    mentions, entities = run(doc)
    person = entity_of(mentions, entities, 0)
    other = entity_of(mentions, entities, text.index("Tsuneoki"))
    assert other is not person and other.label == "ORG" and other.mentions == 2


def test_variant_spacy_missed_entirely_joins(nlp):
    text = "Ruslan Gelayev led the group. Gelayev moved north. Gelaev was seen near the border."
    doc = doc_with_ents(nlp, text, [("Ruslan Gelayev", "PERSON")])
    mentions, entities = run(doc)
    person = entity_of(mentions, entities, 0)
    assert entity_of(mentions, entities, text.index("Gelaev")) is person
    assert person.mentions == 3


def test_different_people_with_similar_surnames_stay_apart(nlp):
    text = ("Michael Johnson won the race ahead of Brian Johnston. "
            "Johnson smiled and Johnston did not.")
    doc = doc_with_ents(nlp, text, [("Michael Johnson", "PERSON"), ("Brian Johnston", "PERSON")])
    mentions, entities = run(doc)
    a = entity_of(mentions, entities, 0)
    b = entity_of(mentions, entities, text.index("Brian Johnston"))
    assert a is not b
    assert entity_of(mentions, entities, text.index("Johnson smiled")) is a
    assert entity_of(mentions, entities, text.index("Johnston did")) is b


def test_variants_are_not_joined_to_short_names_inflections_or_other_entities(nlp):
    text = ("Viktor Ivanov met Ivanova. Clinton and the Clintons left. "
            "Jane Austen lived near Austin. Austin is in Texas.")
    doc = doc_with_ents(nlp, text, [("Viktor Ivanov", "PERSON"), ("Ivanova", "PERSON"),
                                    ("Clinton", "PERSON"), ("Clintons", "PERSON"),
                                    ("Jane Austen", "PERSON"), ("Austin", "GPE", 0),
                                    ("Austin", "GPE", 1), ("Texas", "GPE")])
    mentions, entities = run(doc)
    ivanov = entity_of(mentions, entities, 0)
    assert entity_of(mentions, entities, text.index("Ivanova")) is not ivanov  # inflection
    clinton = entity_of(mentions, entities, text.index("Clinton"))
    assert entity_of(mentions, entities, text.index("Clintons")) is not clinton
    austen = entity_of(mentions, entities, text.index("Jane Austen"))
    austin = entity_of(mentions, entities, text.index("Austin"))
    assert austin is not austen and austin.label == "GPE"


def test_short_variant_tokens_are_not_joined(nlp):
    text = "Ahmad Karim spoke. Later Karin spoke too."
    doc = doc_with_ents(nlp, text, [("Ahmad Karim", "PERSON")])
    mentions, entities = run(doc)
    assert entity_of(mentions, entities, text.index("Karin")) is None  # 5 letters: too short


# ---- rule 4: one label per entity by vote ----------------------------------------------------

def test_label_is_decided_by_document_vote(nlp):
    text = ("Essex won. Essex lost later. Essex drew at home. Fans of Essex cheered. "
            "Essex fans sang.")
    doc = doc_with_ents(nlp, text, [("Essex", "ORG", 0), ("Essex", "ORG", 1), ("Essex", "GPE", 2),
                                    ("Essex", "ORG", 3)])
    mentions, entities = run(doc)
    assert len(entities) == 1
    assert entities[0].label == "ORG" and entities[0].mentions == 5
    assert {m.label for m in mentions} == {"ORG"}


# ---- rule 5: grouping ------------------------------------------------------------------------

def test_entities_have_fullest_name_aliases_and_order(nlp):
    text = "Paris was calm. Angela Merkel spoke. Merkel left Paris."
    doc = doc_with_ents(nlp, text, [("Paris", "GPE", 0), ("Angela Merkel", "PERSON")])
    mentions, entities = run(doc)
    assert [(e.id, e.name, e.label, e.mentions) for e in entities] == [
        ("e1", "Paris", "GPE", 2), ("e2", "Angela Merkel", "PERSON", 2)]
    assert entities[1].aliases == ["Angela Merkel", "Merkel"]
    assert [m.entity for m in mentions] == ["e1", "e2", "e2", "e1"]


def test_all_caps_headline_reuses_names_from_the_body(nlp):
    text = "RAIN HALTS LEICESTERSHIRE AT TOP .\nLeicestershire beat Somerset at home ."
    doc = doc_with_ents(nlp, text, [("Leicestershire", "ORG"), ("Somerset", "ORG")])
    mentions, entities = run(doc)
    head = next(m for m in mentions if m.start == text.index("LEICESTERSHIRE"))
    assert head.text == "LEICESTERSHIRE"
    assert head.entity == entity_of(mentions, entities, text.index("Leicestershire")).id


def test_real_ner_output_keeps_invariants(nlp):
    text = ("Syrian Jihad: Making Friends With &# 171; Al-Qaida&# 187;\n\nTweet\n\n"
            "Japanese journalist Shamil Tsuneoka visited Moscow.\n"
            "Download\n\n  • Share on Facebook\n\nTsuneoka’s photos were widely shared.")
    mentions, entities = run(nlp(text))
    for e in entities:
        for alias in e.aliases:
            assert "\n" not in alias
            assert not any(w in alias.split() for w in INTERFACE)


# ---- the sample article ----------------------------------------------------------------------

def _seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"shared seed article not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


def _drop_debris_lines(raw: str) -> str:
    """A stand-in for the cleaner: drop short lines without sentence punctuation."""
    keep = []
    for line in raw.splitlines():
        line = line.strip(" \t•")
        if line and (re.search(r"[.!?:”\"]$", line) or len(line.split()) >= 6):
            keep.append(line)
    return "\n\n".join(keep)


@pytest.fixture(scope="module", params=["raw", "debris_dropped"])
def sample(nlp, request):
    raw = _seed_text()
    text = raw if request.param == "raw" else _drop_debris_lines(raw)
    doc = nlp(text)
    mentions, entities = run(doc)
    return text, mentions, entities


def test_sample_main_person_holds_every_surname_occurrence(sample):
    text, mentions, entities = sample
    people = [e for e in entities if e.name == "Shamil Tsuneoka"]
    assert len(people) == 1
    person = people[0]
    assert person.label == "PERSON"
    occurrences = [m.start() for m in re.finditer(r"Tsuneok\w*", text)]
    assert len(occurrences) >= 16
    for s in occurrences:
        assert entity_of(mentions, entities, s) is person, text[s:s + 20]
    ms = [m for m in mentions if m.entity == person.id]
    assert {m.label for m in ms} == {"PERSON"}
    assert {"Shamil Tsuneoka", "Tsuneoka", "Tsuneoki"} == set(person.aliases)
    # every occurrence is a mention of its own (the full name counts once for two words)
    assert person.mentions == len(occurrences)
    # no other entity carries the surname
    assert not [e for e in entities if e is not person and any("Tsuneok" in a for a in e.aliases)]


def test_sample_isis_is_one_org_entity_with_all_mentions(sample):
    text, mentions, entities = sample
    isis = [e for e in entities if "ISIS" in e.aliases]
    assert len(isis) == 1
    assert isis[0].label == "ORG" and isis[0].name == "ISIS"
    assert isis[0].mentions == len(re.findall(r"\bISIS\b", text)) == 22


def test_sample_has_no_line_breaks_or_interface_words_in_entities(sample):
    text, mentions, entities = sample
    for e in entities:
        for s in [e.name, *e.aliases]:
            assert "\n" not in s
            assert not any(w in s.split() for w in INTERFACE), s
    assert not any(m.text.isdigit() for m in mentions)


def test_sample_spelling_variant_of_gelayev_joins(nlp):
    raw = _seed_text()
    mentions, entities = run(nlp(raw))
    person = [e for e in entities if "Gelayev" in e.aliases]
    assert len(person) == 1 and person[0].label == "PERSON"
    assert "Gelaev" in person[0].aliases


# ---- real Reuters text -----------------------------------------------------------------------

def test_conll_documents_keep_invariants(nlp):
    if not CONLL_DOCS.exists():
        pytest.skip(f"CoNLL dev documents not found at {CONLL_DOCS}")
    paths = sorted(CONLL_DOCS.glob("*.txt"))[:25]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    for doc in nlp.pipe(texts):
        run(doc)
