"""The defining example: the machine-translated sample article, cleaned and extracted end to end."""
from __future__ import annotations

import re

import pytest

from watchdesk.pipeline import annotate, prepare_document
from watchdesk.read.readers import read_inputs

INTERFACE = re.compile(r"download|share|clipboard|player|twitter|facebook|follow|similar", re.I)


@pytest.fixture(scope="module")
def document(sample_path, nlp):
    [raw] = list(read_inputs([str(sample_path)]))
    prepared = prepare_document(raw)
    return annotate(prepared, nlp(prepared.text))


def test_title_once_and_byline(document):
    assert document.title == "Syrian Jihad: Making Friends with Al Qaeda"
    assert document.text.count("Syrian Jihad: Making Friends") == 1
    assert document.byline == ["Fatima Tlisova"]


def test_debris_is_gone_and_body_is_whole(document):
    text = document.text
    for debris in ("Download Adobe Flash Player", "copied to your clipboard", "Share on", "No media source",
                   "Similar articles", "I will follow", "In journalism since", "on Skype about",
                   "speaks to Al Jazeera", "Fatima Tlisova"):
        assert debris not in text, debris
    assert "&#" not in text and "&amp;" not in text
    assert text.count("ISIS") == 22
    assert "known among jihadists as Sheikh Umar al-Shishani" in text
    assert "Tsuneoka said.." not in text and "Tsuneoka said." in text
    assert {r.reason for r in document.removed}  # every removed line says why


def test_main_person_holds_every_surname_mention_as_person(document):
    occurrences = [m.start() for m in re.finditer(r"Tsuneok\w", document.text)]
    assert len(occurrences) >= 16
    [person] = [e for e in document.entities if e.name == "Shamil Tsuneoka"]
    assert person.label == "PERSON"
    held = [m for m in document.mentions if m.entity == person.id]
    assert {m.label for m in held} == {"PERSON"}
    covered = sum(any(m.start <= o < m.end for m in held) for o in occurrences)
    assert covered >= 16


def test_isis_is_one_org_with_all_mentions(document):
    isis = [e for e in document.entities if "ISIS" in e.aliases or e.name == "ISIS"]
    assert len(isis) == 1 and isis[0].label == "ORG"
    held = [m for m in document.mentions if m.entity == isis[0].id and m.text.startswith("ISIS")]
    assert len(held) == 22


def test_no_entity_crosses_lines_or_holds_interface_words(document):
    for m in document.mentions:
        assert "\n" not in m.text and document.text[m.start:m.end] == m.text
    for e in document.entities:
        assert "\n" not in e.name and not INTERFACE.search(e.name), e.name


def _entity_named(document, name):
    return next(e.id for e in document.entities if e.name == name)


def test_quotes_by_the_main_person_through_pronouns_and_names(document):
    person = _entity_named(document, "Shamil Tsuneoka")
    quotes = [q for q in document.quotes if q.entity == person]
    assert len(quotes) >= 8
    speakers = {q.speaker.text.lower() for q in quotes}
    assert "he" in speakers and "tsuneoka" in speakers
    for q in document.quotes:
        for part in (q.content, q.cue, q.speaker):
            if part is not None:
                assert document.text[part.start:part.end] == part.text


def test_claims_with_their_holders_and_figures(document):
    def claim_by(holder):
        return [c for c in document.claims if c.speaker and c.speaker.text == holder]

    def figures(claims):
        ids = {c.id for c in claims}
        return {(q.value, q.qualifier, q.unit) for q in document.quantities if q.claim in ids}

    assert (17000.0, "about", "foreign fighters") in figures(claim_by("US intelligence"))
    assert any(v == 1000.0 and unit == "militants" for v, _, unit in figures(claim_by("Russian special services")))
    wsj = claim_by("The Wall Street Journal")
    assert wsj and "head severed incident" in wsj[0].content.text
    person = _entity_named(document, "Shamil Tsuneoka")
    by_person = [c for c in document.claims if c.entity == person]
    fifty = [q for q in document.quantities if q.claim in {c.id for c in by_person} and q.low == 50.0]
    assert fifty and fifty[0].qualifier == "more than" and "militants" in fifty[0].unit


def test_dated_events(document):
    def event(text):
        return next(e for e in document.events if e.time.text.endswith(text))

    arrival = event("November 1999")
    assert (arrival.date, arrival.precision, arrival.trigger.text) == ("1999-11", "month", "arrived")
    assert _entity_named(document, "Shamil Tsuneoka") in arrival.entities
    campaign = event("2001")
    assert campaign.date == "2001" and campaign.trigger.text == "announced"
    video = event("November 15")
    assert video.uncertain and video.date.endswith("11-15") and video.trigger.text == "posted"
