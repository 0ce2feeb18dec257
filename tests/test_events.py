"""Dated events: the sample article's bars with and without a publication date, date resolution
of each kind of expression (pure function), constructed sentences for triggers, participants,
durations and ages, and span integrity. Real model; the sample tests skip when ../shared is
absent."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from watchdesk.extract.entities import find_entities
from watchdesk.extract.events import find_events, resolve

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seeds" / "000_d34ae03e57f94ee3.txt"
PUB = "2013-12-10"


@pytest.fixture(scope="module")
def nlp():
    from watchdesk.extract.nlp import load_nlp

    return load_nlp()


def _check(text, events):
    assert [e.id for e in events] == [f"t{i}" for i in range(1, len(events) + 1)]
    for e in events:
        for sp in (e.time, e.trigger, e.evidence):
            assert sp is not None and sp.text == text[sp.start:sp.end] and sp.text
        assert e.evidence.start <= e.time.start and e.time.end <= e.evidence.end


def _run(nlp, text, published=None):
    doc = nlp(text)
    mentions, entities = find_entities(doc)
    events = find_events(doc, mentions, entities, published)
    _check(doc.text, events)
    return events, {e.id: e.name for e in entities}


def _by_time(events, text):
    hits = [e for e in events if e.time.text == text]
    assert hits, f"no event at {text!r}: {[e.time.text for e in events]}"
    return hits[0]


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample(nlp):
    if not SEED.is_file():
        pytest.skip("../shared (development data) is not present")
    from watchdesk.pipeline import prepare_document
    from watchdesk.read.readers import read_inputs

    raw = next(iter(read_inputs([str(SEED)])))
    d = prepare_document(raw)
    doc = nlp(d.text)
    mentions, entities = find_entities(doc)
    return doc, mentions, entities, {e.name: e.id for e in entities}


def test_sample_events_without_publication_date(sample):
    doc, mentions, entities, by_name = sample
    events = find_events(doc, mentions, entities, None)
    _check(doc.text, events)
    tsu = next(i for n, i in by_name.items() if "Tsuneoka" in n)

    arrival = _by_time(events, "in November 1999")
    assert (arrival.date, arrival.precision, arrival.uncertain) == ("1999-11", "month", False)
    assert arrival.trigger.text == "arrived" and tsu in arrival.entities
    assert by_name["Chechnya"] in arrival.entities

    campaign = _by_time(events, "In 2001")
    assert (campaign.date, campaign.precision) == ("2001", "year")
    assert campaign.trigger.text == "announced"
    assert next(i for n, i in by_name.items() if "Gelayev" in n) in campaign.entities

    video = _by_time(events, "On November 15")
    assert (video.date, video.precision, video.uncertain) == ("--11-15", "day", True)
    assert video.trigger.text == "posted" and by_name["ISIS"] in video.entities

    # "in April and in October": two year-less month events
    months = [e for e in events if e.trigger.text == "visited" and e.precision == "month"]
    assert [(e.time.text, e.date, e.uncertain) for e in months] == [
        ("in April", "--04", True), ("in October", "--10", True)]

    early = _by_time(events, "in the early 2000s")
    assert (early.date, early.date_end, early.precision, early.uncertain) == (
        "2000", "2003", "decade", True)
    # relative expressions stay unresolved and uncertain without a publication date
    this_year = _by_time(events, "during this year")
    assert this_year.date is None and this_year.uncertain
    # durations are not events
    times = {e.time.text for e in events}
    assert not times & {"a week", "almost four months", "three weeks", "for almost four months"}


def test_sample_events_with_publication_date(sample):
    doc, mentions, entities, by_name = sample
    events = find_events(doc, mentions, entities, PUB)
    video = _by_time(events, "On November 15")
    assert (video.date, video.precision, video.uncertain) == ("2013-11-15", "day", False)
    assert _by_time(events, "in November 1999").date == "1999-11"
    assert _by_time(events, "during this year").date == "2013"
    months = [e for e in events if e.trigger.text == "visited" and e.precision == "month"]
    assert [e.date for e in months] == ["2013-04", "2013-10"]
    spring = _by_time(events, "This spring")
    assert (spring.date, spring.date_end, spring.precision) == ("2013-03", "2013-05", "range")


# --------------------------------------------------------------------------- resolution


REF = dt.date(2005, 2, 14)  # a Monday


@pytest.mark.parametrize("text,ref,future,expected", [
    ("November 1999", None, False, ("1999-11", None, "month", False)),
    ("2001", None, False, ("2001", None, "year", False)),
    ("15 November 2004", None, False, ("2004-11-15", None, "day", False)),
    ("November 15, 2004", None, False, ("2004-11-15", None, "day", False)),
    ("November 15", None, False, ("--11-15", None, "day", True)),
    ("November 15", REF, False, ("2004-11-15", None, "day", False)),
    ("February 20", REF, False, ("2004-02-20", None, "day", False)),
    ("February 20", REF, True, ("2005-02-20", None, "day", False)),
    ("April", None, False, ("--04", None, "month", True)),
    ("April", REF, False, ("2004-04", None, "month", False)),
    ("next March", REF, True, ("2005-03", None, "month", False)),
    ("the 1990s", None, False, ("1990", "1999", "decade", False)),
    ("the early 2000s", None, False, ("2000", "2003", "decade", True)),
    ("the late 1980s", None, False, ("1987", "1989", "decade", True)),
    ("1999-2001", None, False, ("1999", "2001", "range", False)),
    ("the first quarter of 2005", None, False, ("2005-01", "2005-03", "range", False)),
    ("spring 2004", None, False, ("2004-03", "2004-05", "range", False)),
    ("last year", REF, False, ("2004", None, "year", False)),
    ("last year", None, False, (None, None, "year", True)),
    ("this year", REF, False, ("2005", None, "year", False)),
    ("last month", REF, False, ("2005-01", None, "month", False)),
    ("this spring", REF, True, ("2005-03", "2005-05", "range", False)),
    ("two years ago", REF, False, ("2003", None, "year", False)),
    ("yesterday", REF, False, ("2005-02-13", None, "day", False)),
    ("Friday", REF, False, ("2005-02-11", None, "day", False)),
    ("Friday", REF, True, ("2005-02-18", None, "day", False)),
    ("3/4/2005", None, False, ("2005-04-03", None, "day", True)),
])
def test_resolve(text, ref, future, expected):
    r = resolve(text, ref, future)
    assert r is not None
    assert (r.date, r.end, r.precision, r.uncertain) == expected


@pytest.mark.parametrize("text", ["a week", "almost four months", "three weeks", "the past year",
                                  "the beginning of the second", "75-year-old", "decades"])
def test_resolve_rejects_durations_and_debris(text):
    assert resolve(text, REF) is None


# --------------------------------------------------------------------------- constructed


def test_constructed_triggers_participants_and_publication_date(nlp):
    text = ("Tony Blair will meet Jacques Chirac in Paris on Friday. "
            "Two years ago, Microsoft bought the firm. "
            "The 1999 election was won by Labour. "
            "The 75-year-old singer toured for three weeks. "
            "Sales fell at 10pm.")
    events, names = _run(nlp, text, "2005-02-14")
    friday = _by_time(events, "on Friday")
    assert friday.trigger.text == "meet" and friday.date == "2005-02-18"
    assert {names[i] for i in friday.entities} >= {"Tony Blair", "Jacques Chirac", "Paris"}
    ago = _by_time(events, "Two years ago")
    assert ago.date == "2003" and ago.trigger.text == "bought"
    assert "Microsoft" in {names[i] for i in ago.entities}
    election = _by_time(events, "1999")
    assert election.trigger.text == "election" and election.precision == "year"
    assert "Labour" in {names[i] for i in election.entities}
    assert len(events) == 3  # no age, duration or bare time of day
    # without a publication date the same text keeps relative dates unresolved
    events, _ = _run(nlp, text)
    assert _by_time(events, "on Friday").date is None and _by_time(events, "on Friday").uncertain
    assert _by_time(events, "Two years ago").date is None


def test_coordinated_dates_split(nlp):
    events, _ = _run(nlp, "The band toured Japan in April and October 2004.")
    dates = sorted(e.date for e in events)
    assert "2004-10" in dates and len(events) == 2
