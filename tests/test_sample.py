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
