"""Attribution: direct quotes, claims and their sources, quantities.

On the machine-translated sample (debris paragraphs dropped here by simple means), on small
constructed texts for each quote shape and claim pattern, on quantity parsing, and -- when
../shared is present -- on a slice of PolNeAR dev with the shared scorer.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from watchdesk.extract.attribution import find_attributions
from watchdesk.extract.cues import load_lexicon
from watchdesk.extract.quantities import find_quantities, parse_number, parse_quantity_text
from watchdesk.extract.quotes import find_quote_spans

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLE = ROOT / "src" / "watchdesk" / "data" / "sample" / "000_d34ae03e57f94ee3.txt"
EXTRACT = ROOT / "src" / "watchdesk" / "extract"


def _body_paragraphs(raw: str) -> str:
    """The sample's sentence paragraphs: drop short lines (player/share debris), bullets and
    repeats of a paragraph already kept (the repeated headline)."""
    keep, seen = [], set()
    for para in re.split(r"\n\s*\n", raw):
        para = para.strip()
        if len(para.split()) < 8 or para.startswith("•") or para in seen:
            continue
        seen.add(para)
        keep.append(para)
    return "\n\n".join(keep)


def _run(nlp, text):
    doc = nlp(text)
    quotes, claims, quantities = find_attributions(doc)
    return doc, quotes, claims, quantities


def _check_spans(text, items):
    for it in items:
        for sp in (it.content, it.cue, it.speaker):
            if sp is not None:
                assert sp.text == text[sp.start:sp.end]
                assert 0 <= sp.start < sp.end <= len(text)


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample(nlp):
    from watchdesk.extract.entities import find_entities

    doc = nlp(_body_paragraphs(SAMPLE.read_text(encoding="utf-8")))
    mentions, entities = find_entities(doc)
    quotes, claims, quantities = find_attributions(doc, mentions, entities)
    return doc, entities, quotes, claims, quantities


def _entity_named(entities, surname):
    ids = [e.id for e in entities if surname in e.name]
    assert ids, f"no entity named {surname}"
    return ids[0]


def test_sample_quotes_attributed_to_the_interviewee(sample):
    doc, entities, quotes, claims, _ = sample
    person = _entity_named(entities, "Tsuneoka")
    his = [q for q in quotes if q.entity == person]
    assert len(his) >= 8
    speakers = {q.speaker.text for q in his}
    assert "he" in speakers and "Tsuneoka" in speakers  # "he says" and "Tsuneoka says" alike
    assert all(q.direct for q in quotes) and all(not c.direct for c in claims)
    assert [q.id for q in quotes] == [f"q{i}" for i in range(1, len(quotes) + 1)]
    assert [c.id for c in claims] == [f"c{i}" for i in range(1, len(claims) + 1)]
    _check_spans(doc.text, quotes + claims)


def test_sample_quote_shapes(sample):
    doc, _, quotes, _, _ = sample
    contents = [q.content.text for q in quotes]
    # a quotation running over two paragraphs, closed with a mark glued to the speaker
    two_para = [c for c in contents if c.startswith("I asked him to let me accompany")]
    assert two_para and "\n\n" in two_para[0] and two_para[0].endswith("fought with the Abkhaz,")
    # a quotation closed with an opening mark
    assert any(c.startswith("If a captive Syrian") and c.endswith("Saudi Arabia.") for c in contents)
    # partial and scare quotes are not direct speech
    assert not any(c in ("the Syrian Al-Qaeda", "atypical al-Qaida", "Assad’s spy") for c in contents)


def _claim_by_speaker(claims, speaker):
    found = [c for c in claims if c.speaker is not None and c.speaker.text == speaker]
    assert found, f"no claim by {speaker!r}: {[c.speaker and c.speaker.text for c in claims]}"
    return found[0]


def _quantity_in(quantities, claim_id):
    return [q for q in quantities if q.claim == claim_id]


def test_sample_claims_and_their_quantities(sample):
    doc, entities, _, claims, quantities = sample
    us = _claim_by_speaker(claims, "US intelligence")
    assert us.cue.text == "According to"
    [q] = [q for q in _quantity_in(quantities, us.id) if q.value == 17000]
    assert q.approximate and q.qualifier == "about" and q.unit == "foreign fighters"
    assert q.text == "about 17,000 foreign fighters"

    rs = _claim_by_speaker(claims, "Russian special services")
    assert rs.cue.text == "claim" and rs.content.text.startswith("that about a thousand militants")
    [q] = [q for q in _quantity_in(quantities, rs.id) if q.value == 1000]
    assert q.approximate and q.unit == "militants"

    wsj = _claim_by_speaker(claims, "The Wall Street Journal")
    assert "severed incident occurred" in wsj.content.text

    person = _entity_named(entities, "Tsuneoka")
    his = [c for c in claims if c.entity == person and "more than 50" in c.content.text]
    assert his
    [q] = [q for q in _quantity_in(quantities, his[0].id) if q.low == 50]
    assert q.qualifier == "more than" and q.unit == "Russian-speaking militants" and q.high is None

    forty = [q for q in quantities if q.value == 40]
    assert forty and forty[0].unit == "foreign fighters" and forty[0].claim.startswith("q")
    several = [q for q in quantities if q.unit == "immigrants"]
    assert several and several[0].low == 200 and several[0].high == 900 and several[0].approximate


def test_sample_speed(sample, nlp):
    import time

    doc = sample[0]
    t0 = time.perf_counter()
    for _ in range(5):
        find_attributions(doc, [], [])
    per_doc = (time.perf_counter() - t0) / 5
    assert per_doc < 0.25  # a few ms in practice; generous for a loaded CI machine


def test_code_names_nothing_from_the_sample():
    names = ("Tsuneoka", "Tsuneoki", "Shamil", "Gelayev", "Abkhaz", "Tlisova", "US intelligence",
             "special services", "Wall Street Journal", "Idlib", "foreign fighters")
    own = [EXTRACT / f"{name}.py" for name in ("attribution", "quotes", "quantities", "cues")]
    own += [ROOT / "src" / "watchdesk" / "data" / "cues.json",
             ROOT / "scripts" / "build_cues.py", ROOT / "scripts" / "eval_quotes.py"]
    for f in own:
        text = f.read_text(encoding="utf-8")
        for name in names:
            assert name not in text, f"{name!r} in {f.name}"


# --------------------------------------------------------------------------- quote shapes


@pytest.mark.parametrize("text, content, speaker, cue", [
    ("“We will win this war,” she said.", "We will win this war,", "she", "said"),
    ("Mr. Smith said: “The plan has failed.”", "The plan has failed.", "Mr. Smith", "said"),
    ("The mayor says, “Nobody will lose their home.”", "Nobody will lose their home.",
     "The mayor", "says"),
    ("\"The talks are over,\" said Maria Lopez, a union leader.", "The talks are over,",
     "Maria Lopez, a union leader", "said"),
    ("«We will win this war,» the minister said.", "We will win this war,", "the minister", "said"),
    ("„We will win this war,“ the minister said.", "We will win this war,", "the minister", "said"),
    ("“They let me in, ”the reporter says.", "They let me in,", "the reporter", "says"),
    ("Ivanov notes: “They block the roads. “.", "They block the roads.", "Ivanov", "notes"),
    ("“The comments were unfair and untrue.” ― Jane Doe", "The comments were unfair and untrue.",
     "Jane Doe", "―"),
    ("WALLACE: Will she be at the debate tomorrow night?",
     "Will she be at the debate tomorrow night?", "WALLACE", ":"),
])
def test_quote_shapes(nlp, text, content, speaker, cue):
    doc, quotes, _, _ = _run(nlp, text)
    assert len(quotes) == 1, [q.content.text for q in quotes]
    q = quotes[0]
    assert q.content.text == content
    assert q.speaker.text == speaker
    assert q.cue.text == cue
    _check_spans(doc.text, quotes)


def test_quote_split_around_its_cue_is_one_quote(nlp):
    text = "“The first half is true,” he said on Monday, “and the second half is false.”"
    _, quotes, _, _ = _run(nlp, text)
    assert len(quotes) == 1
    assert quotes[0].content.text.startswith("The first half")
    assert quotes[0].content.text.endswith("the second half is false.")
    assert quotes[0].speaker.text == "he"


def test_quote_continued_into_next_paragraph_without_reopening(nlp):
    text = ("“On my first trip I met the commanders. They were tired of the war.\n\n"
            "Later we left for the mountains and stayed there for a month, ”Ivanov says.")
    _, quotes, _, _ = _run(nlp, text)
    assert len(quotes) == 1
    assert "\n\n" in quotes[0].content.text and quotes[0].speaker.text == "Ivanov"


def test_multi_paragraph_quote_reopened_takes_the_later_cue(nlp):
    text = ("“The first paragraph of the statement is long enough.\n\n"
            "“And the second one ends it,” Smith said.")
    _, quotes, _, _ = _run(nlp, text)
    assert len(quotes) == 2
    assert all(q.speaker is not None and q.speaker.text == "Smith" for q in quotes)


def test_pronoun_speaker_resolves_to_the_last_person(nlp):
    text = ("Anna Petrova arrived in the capital on Monday.\n\n"
            "“We are ready for the vote,” she said. “Nobody can stop us now.”\n\n"
            "“The opposition is divided and weak.”")
    from watchdesk.extract.entities import find_entities

    doc = nlp(text)
    mentions, entities = find_entities(doc)
    quotes, _, _ = find_attributions(doc, mentions, entities)
    anna = {m.entity for m in mentions if m.text.startswith("Anna")}
    assert len(quotes) == 2
    assert quotes[0].speaker.text == "she" and {quotes[0].entity} == anna
    # the whole-paragraph quotation continues the previous speaker
    assert quotes[1].speaker == quotes[0].speaker and quotes[1].entity == quotes[0].entity


def test_partial_and_scare_quotes_are_not_direct(nlp):
    _, quotes, claims, _ = _run(nlp, "He said that \"the plan is dead\" and left the room.")
    assert quotes == []
    assert any("the plan is dead" in c.content.text and c.speaker.text == "He" for c in claims)
    _, quotes, _, _ = _run(nlp, "Critics call the new bridge a “disaster” for the city.")
    assert quotes == []


def test_quote_spans_pair_marks_by_context():
    text = "A “word” here. “Long quote, ”he says. „Another one,“ she said. «Third»."
    spans = [text[q.start:q.end] for q in find_quote_spans(text)]
    assert spans == ["“word”", "“Long quote, ”", "„Another one,“", "«Third»"]


# --------------------------------------------------------------------------- claims


@pytest.mark.parametrize("text, holder, cue, content_start", [
    ("According to police sources, about 300 people were arrested.", "police sources",
     "According to", "about 300 people"),
    ("About 300 people were arrested, according to the police.", "the police", "according to",
     "About 300 people"),
    ("The security services claim that the attack was planned abroad.", "The security services",
     "claim", "that the attack"),
    ("The minister says that the budget is balanced.", "The minister", "says", "that the budget"),
    ("The minister told reporters that the budget is balanced.", "The minister", "told",
     "that the budget"),
    ("She believes that the election was stolen.", "She", "believes", "that the election"),
    ("The senator noted that the law had expired.", "The senator", "noted", "that the law"),
    ("The company admits that its reports were wrong.", "The company", "admits",
     "that its reports"),
    ("The Times reported that the deal had collapsed.", "The Times", "reported",
     "that the deal"),
    ("The deal had collapsed, sources said.", "sources", "said", "The deal had collapsed"),
])
def test_claim_patterns(nlp, text, holder, cue, content_start):
    doc, quotes, claims, _ = _run(nlp, text)
    assert quotes == []
    assert claims, "no claim"
    c = claims[0]
    assert c.speaker.text == holder and c.cue.text == cue
    assert c.content.text.startswith(content_start)
    assert c.direct is False
    _check_spans(doc.text, claims)


def test_citing_follows_the_learned_convention(nlp):
    # PolNeAR annotates "X did Y, citing Z" with X as the source and Z as the content.
    _, _, claims, _ = _run(nlp, "The agency raised its forecast, citing strong exports.")
    citing = [c for c in claims if c.cue.text == "citing"]
    assert citing and citing[0].speaker.text == "The agency"
    assert citing[0].content.text == "strong exports"


def test_claim_with_nested_cue_is_kept_once(nlp):
    _, _, claims, _ = _run(nlp, "The mayor said that the police reported that nobody was hurt.")
    assert len(claims) == 1 and claims[0].cue.text == "said"


def test_works_without_the_entity_pass(nlp, monkeypatch):
    import watchdesk.extract.entities as entities

    def broken(doc):
        raise RuntimeError("not ready")

    monkeypatch.setattr(entities, "find_entities", broken)
    doc = nlp("Maria Lopez spoke at the rally.\n\n“We will not give up,” Lopez said.")
    quotes, _, _ = find_attributions(doc)
    assert len(quotes) == 1 and quotes[0].speaker.text == "Lopez"
    assert quotes[0].entity is not None  # linked through doc.ents


# --------------------------------------------------------------------------- quantities


@pytest.mark.parametrize("phrase, value, low, high, approx, qualifier", [
    ("about 17,000", 17000, None, None, True, "about"),
    ("about a thousand", 1000, None, None, True, "about"),
    ("more than 50", 50, 50, None, False, "more than"),
    ("about forty", 40, None, None, True, "about"),
    ("several hundred", None, 200, 900, True, "several"),
    ("between 10 and 20", None, 10, 20, False, None),
    ("10-20", None, 10, 20, False, None),
    ("nearly 300", 300, None, 300, True, "nearly"),
    ("up to 5,000", 5000, None, 5000, False, "up to"),
    ("at least 12", 12, 12, None, False, "at least"),
    ("fewer than 30", 30, None, 30, False, "fewer than"),
    ("over 2.5 million", 2.5e6, 2.5e6, None, False, "over"),
    ("twenty-five", 25, None, None, False, None),
])
def test_parse_quantity_text(phrase, value, low, high, approx, qualifier):
    got = parse_quantity_text(phrase)
    assert got is not None
    assert got["value"] == value and got["low"] == low and got["high"] == high
    assert got["approximate"] is approx and got["qualifier"] == qualifier


def test_parse_number_rejects_words():
    assert parse_number("hello") is None and parse_number("1,00") is None
    assert parse_number("three hundred and twelve") == 312


def test_quantities_in_text_skip_dates_and_ordinals(nlp):
    doc = nlp("In 2015, about 300 people protested for the third time on March 3, "
              "and up to 40 officers were injured.")
    qs = find_quantities(doc)
    by_value = {q.value: q for q in qs}
    assert set(by_value) == {300, 40}
    assert by_value[300].unit == "people" and by_value[300].approximate
    assert by_value[40].unit == "officers" and by_value[40].high == 40
    for q in qs:
        assert doc.text[q.start:q.end] == q.text


def test_quantity_belongs_to_the_claim_that_holds_it(nlp):
    doc, _, claims, quantities = _run(
        nlp, "According to the ministry, more than 1,200 soldiers crossed the border.")
    [q] = quantities
    assert q.claim == claims[0].id and q.low == 1200 and q.unit == "soldiers"


# --------------------------------------------------------------------------- learned data


def test_cue_lexicon_is_learned_data():
    lex = load_lexicon()
    assert "PolNeAR train" in lex.data["source"]
    say = lex.lemmas["say"]
    assert say["comp"]["p"] > 0.8 and say["comp"]["cue"] > 1000
    assert lex.is_cue_lemma("say", "comp") and not lex.is_cue_lemma("be", "comp")
    assert lex.content_governs_cue("accord") and not lex.content_governs_cue("say")


@pytest.fixture(scope="module")
def polnear_dev():
    gold = SHARED / "data" / "polnear" / "dev" / "gold.jsonl"
    if not gold.exists():
        pytest.skip("../shared (PolNeAR dev) is not present")
    return gold


def test_polnear_dev_slice(nlp, polnear_dev, tmp_path):
    """A slice of dev through the shared scorer (the full run: scripts/eval_quotes.py)."""
    gold = [json.loads(line) for line in polnear_dev.open(encoding="utf-8")][:12]
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    pred_path = tmp_path / "pred.jsonl"
    with pred_path.open("w", encoding="utf-8") as fh:
        for g, doc in zip(gold, nlp.pipe(g["text"] for g in gold)):
            quotes, claims, _ = find_attributions(doc)
            fh.write(json.dumps({"id": g["id"], "text": doc.text,
                                 "quotes": [asdict(q) for q in quotes],
                                 "claims": [asdict(c) for c in claims]}) + "\n")
    out = subprocess.run([sys.executable, str(SHARED / "eval" / "quotes_score.py"),
                          str(gold_path), str(pred_path)], capture_output=True, text=True,
                         check=True).stdout
    f1, src = map(float, re.search(r"^F1 ([\d.]+) SRC ([\d.]+)", out, re.M).groups())
    assert f1 >= 0.6 and src >= 0.8, out


def test_topic_label_headline_is_not_a_claim(nlp):
    text = ("Energy Policy: A New Plan for Coal Country\n\n"
            "The state unveiled a plan for its mining towns on Tuesday.")
    _, quotes, claims, _ = _run(nlp, text)
    assert not any(c.cue is not None and c.cue.text == ":" for c in quotes + claims)
