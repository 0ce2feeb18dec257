"""Properties (Hypothesis) of the cleaner and of every extractor, with the real model.

For any input: nothing raises; every offset is inside the text; the text under every span is
the span's ``text``; mentions never overlap; cleaning is idempotent. Examples are few and
small so the suite stays fast (generated news-like articles plus arbitrary Unicode).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchdesk.clean import clean_text
from watchdesk.pipeline import annotate, prepare_document
from watchdesk.types import RawDocument, ReadError

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

PEOPLE = ["Jens Holm", "Maria Lopez", "Ahmed Karimi", "Olga Petrova", "Chen Wei", "Angela Merkel",
          "Emmanuel Macron", "Dr. Laura Becker", "John O'Neill", "Jean-Paul Sartre", "María José García"]
PLACES = ["Oslo", "Madrid", "Cairo", "Kiev", "Beijing", "Berlin", "New York", "São Paulo", "the Gaza Strip"]
ORGS = ["the World Bank", "the United Nations", "Reuters", "Apple Inc.", "the Ministry of Finance",
        "the European Commission", "NATO", "Hamas", "the BBC"]
TIMES = ["on Monday", "last week", "in November 1999", "on 15 March 2021", "yesterday", "in 2008",
         "earlier this year", "between 2001 and 2003", "on Friday night"]
AMOUNTS = ["$5 million", "more than 300 people", "about 40%", "12 soldiers", "two dozen tanks",
           "between 10 and 20 rockets", "1.5bn euros", "at least 7 journalists", "several hundred migrants"]


@st.composite
def sentences(draw) -> str:
    p, q = draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(PEOPLE))
    place, org = draw(st.sampled_from(PLACES)), draw(st.sampled_from(ORGS))
    when, amount = draw(st.sampled_from(TIMES)), draw(st.sampled_from(AMOUNTS))
    surname = p.split()[-1]
    templates = [
        f"{p} met {q} in {place} {when}.",
        f"\"We will send {amount} to {place},\" {p} said {when}.",
        f"According to {org}, {amount} were killed in {place} {when}.",
        f"{p}, known as \"{surname[:3]}\", joined {org} {when}.",
        f"{surname} told reporters that {org} had lost {amount}.",
        f"{org} said {when} that {amount} had arrived in {place}.",
        f"{p} ({org}) leads the talks with {q}.",
        f"In {place}, {q} announced a plan worth {amount} {when}.",
        f"{p.upper()} SAID: \"{amount.upper()}\"",
        f"- {place} - {org} - {when}",
    ]
    return draw(st.sampled_from(templates))


@st.composite
def articles(draw) -> str:
    paragraphs = draw(st.lists(st.lists(sentences(), min_size=1, max_size=3).map(" ".join),
                               min_size=1, max_size=5))
    title = draw(st.sampled_from(["", "Talks resume in the capital\n\n", "BREAKING\n\n"]))
    return title + "\n\n".join(paragraphs)


# Arbitrary Unicode, with the characters that break text handling made likely.
NASTY = st.sampled_from(["\r\n", "\r", "\u2028", "\u00a0", "\u200b", "\ufeff", "\x0c", "\x1b", "&amp;", "&#8220;",
                         "&# 171;", "Ã©", "\u0301", "\U0001F600", "\ud7ff", "..", "!!", "\n\n", "\t", "<b>", "»"])
UNICODE = st.lists(st.one_of(st.text(max_size=20), NASTY), max_size=30).map("".join)
MIXED = st.tuples(articles(), UNICODE, st.integers(min_value=0, max_value=2000)).map(
    lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:])


# ---- the cleaner ----------------------------------------------------------------------------
def _check_clean(raw: str):
    cleaned = clean_text(raw)
    assert cleaned.text == "\n\n".join(b.text for b in cleaned.blocks)
    for block in cleaned.blocks:
        assert block.text.strip() and "\n\n" not in block.text
    again = clean_text(cleaned.text)
    assert again.text == cleaned.text, _idempotence_report(cleaned.text, again.text)
    return cleaned


def _idempotence_report(first: str, second: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(first, second)) if a != b), min(len(first), len(second)))
    return (f"clean(clean(x)) != clean(x): lengths {len(first)} -> {len(second)}, first difference at {at}: "
            f"{first[max(0, at - 30):at + 30]!r} -> {second[max(0, at - 30):at + 30]!r}")


@settings(max_examples=60, **SETTINGS)
@given(articles())
def test_cleaning_generated_articles_is_idempotent(raw):
    _check_clean(raw)


@settings(max_examples=60, **SETTINGS)
@given(st.one_of(UNICODE, MIXED))
def test_cleaning_arbitrary_unicode_never_raises_and_is_idempotent(raw):
    _check_clean(raw)


# ---- every extractor --------------------------------------------------------------------------
def _span_ok(text: str, span, what: str) -> None:
    if span is None:
        return
    assert 0 <= span.start <= span.end <= len(text), f"{what} {span} outside the text ({len(text)})"
    assert text[span.start:span.end] == span.text, f"{what}: {text[span.start:span.end]!r} != {span.text!r}"


def check_document(document) -> None:
    text = document.text
    previous = 0
    for s in document.sentences:
        assert previous <= s.start < s.end <= len(text), f"sentence {s} out of order or outside the text"
        previous = s.end
    entity_ids = {e.id for e in document.entities}
    previous_end = 0
    for m in sorted(document.mentions, key=lambda m: (m.start, m.end)):
        _span_ok(text, m, "mention")
        assert m.start < m.end, f"empty mention {m}"
        assert m.start >= previous_end, f"mentions overlap at {m}"
        previous_end = m.end
        assert m.entity is None or m.entity in entity_ids, f"mention {m} of an unknown entity"
    for a in document.quotes + document.claims:
        for part in ("content", "cue", "speaker"):
            _span_ok(text, getattr(a, part), f"{a.id}.{part}")
        assert a.entity is None or a.entity in entity_ids
    for q in document.quantities:
        _span_ok(text, q, "quantity")
    for r in document.relations:
        for part in ("subject", "predicate", "object", "evidence"):
            _span_ok(text, getattr(r, part), f"{r.id}.{part}")
    for e in document.events:
        for part in ("time", "evidence", "trigger"):
            _span_ok(text, getattr(e, part), f"{e.id}.{part}")
        assert set(e.entities) <= entity_ids
    for link in document.aliases:
        assert 0 <= link.start <= link.end <= len(text) and text[link.start:link.end] == link.alias, link
        assert text[link.evidence_start:link.evidence_end] == link.evidence, link


def _extract(nlp, raw: str, clean: bool):
    document = prepare_document(RawDocument(id="p", source="prop", raw=raw), clean=clean)
    return annotate(document, nlp(document.text))


@settings(max_examples=50, **SETTINGS)
@given(articles())
def test_extractors_on_generated_articles_keep_their_offsets(nlp, raw):
    check_document(_extract(nlp, raw, clean=False))


@settings(max_examples=30, **SETTINGS)
@given(articles())
def test_extractors_after_cleaning_keep_their_offsets(nlp, raw):
    check_document(_extract(nlp, raw, clean=True))


@settings(max_examples=40, **SETTINGS)
@given(st.one_of(UNICODE, MIXED))
def test_extractors_on_arbitrary_unicode_never_raise(nlp, raw):
    check_document(_extract(nlp, raw, clean=False))
    check_document(_extract(nlp, raw, clean=True))


@pytest.mark.parametrize("raw", ["", " ", "\n\n\n", "\u2028", "&", "\"", "\"\"", "Oslo", "said:",
                                 "\"We will,\" he said.", "$", "%", "1", "-"])
def test_extractors_on_tiny_inputs(nlp, raw):
    check_document(_extract(nlp, raw, clean=False))


# ---- the readers (the long run is fuzz/fuzz_readers.py) -----------------------------------------
@settings(max_examples=200, **SETTINGS)
@given(st.binary(max_size=2048), st.sampled_from(["a.txt", "a.html", "a.jsonl", "a", "a.htm"]))
def test_readers_turn_any_bytes_into_documents_or_errors(data, name):
    from pathlib import Path

    from watchdesk.read.readers import read_bytes

    for item in read_bytes(data, name, Path(name)):
        if isinstance(item, ReadError):
            assert item.source.startswith(name) and item.reason
        else:
            assert isinstance(item, RawDocument) and item.raw.strip() and item.id
            item.raw.encode("utf-8")  # storable
