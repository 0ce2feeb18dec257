"""Tests of the flattened-text cleaner: the sample article, the repair functions, dev pages."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from watchdesk.clean import clean_text, repair_text
from watchdesk.clean.features import split_lines
from watchdesk.clean.model import load_model
from watchdesk.clean.repair import collapse_punctuation, fix_entities, fix_mojibake

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seeds" / "000_d34ae03e57f94ee3.txt"
DEV = SHARED / "data" / "clean" / "dev"
TITLE = "Syrian Jihad: Making Friends with Al Qaeda"


def _read(p: Path) -> str:
    return p.read_bytes().decode("utf-8", "replace")


def _bow_f1(gold: str, pred: str) -> float:
    g = Counter(re.findall(r"\w+", gold.lower()))
    p = Counter(re.findall(r"\w+", pred.lower()))
    tp = sum((g & p).values())
    if not tp:
        return 0.0
    prec, rec = tp / sum(p.values()), tp / sum(g.values())
    return 2 * prec * rec / (prec + rec)


# --------------------------------------------------------------------------- repair


def test_space_broken_numeric_entities_are_decoded():
    assert fix_entities("Friends With &# 171; Al-Qaida&# 187;") == "Friends With « Al-Qaida»"
    assert fix_entities("& #171;x&#171 ;y&#x AB;z&# x BB;") == "«x«y«z»"


def test_named_entities_also_space_broken():
    assert fix_entities("R & amp; D, &laquo;a&raquo; & quot;q& quot;") == 'R & D, «a» "q"'


def test_ampersand_that_is_not_an_entity_is_untouched():
    assert fix_entities("Tom & Jerry; AT&T; fish & chips") == "Tom & Jerry; AT&T; fish & chips"


def test_mojibake_is_repaired():
    assert fix_mojibake("cafÃ© â€œquotedâ€\x9d") == "café “quoted”"
    assert repair_text("The Ã©lite") == "The élite"


def test_doubled_sentence_end_collapses_but_ellipsis_stays():
    assert collapse_punctuation("Kurdish groups..") == "Kurdish groups."
    assert collapse_punctuation("Wait... what.. ok") == "Wait... what. ok"
    assert collapse_punctuation("a duty of a Muslim.”.") == "a duty of a Muslim.”"
    assert collapse_punctuation("Really?. Yes") == "Really? Yes"
    assert collapse_punctuation("U.S. troops") == "U.S. troops"


def test_repair_settles_damage_that_one_round_reveals():
    # an escaped escape, and entities that decode into mojibake: one round leaves more to repair
    for raw, fixed in [("&amp;amp;#171;", "\u00ab"), ("&#195;&#169;t\u00e9", "\u00e9t\u00e9")]:
        assert repair_text(raw) == fixed
        assert repair_text(fixed) == fixed


def test_mojibake_repair_does_not_depend_on_indentation():
    # ftfy alone leaves "\u00c3\u00a9" after a no-break space; the cleaned text drops that space
    assert repair_text("\u00a0\u00a0\u00c3\u00a9 x") == "\u00a0\u00a0\u00e9 x"


def test_repair_text_combines_all_passes():
    out = repair_text("Joining &# 171;Voice of America&# 187; in 2010.. â€” yes...")
    assert out == "Joining «Voice of America» in 2010. — yes..."


# --------------------------------------------------------------------------- the sample article


@pytest.fixture(scope="module")
def seed_doc():
    if not SEED.is_file():
        pytest.skip("shared seed article not available")
    return clean_text(_read(SEED))


def test_seed_title_once(seed_doc):
    assert seed_doc.title == TITLE
    assert seed_doc.text.count(TITLE) == 1
    assert "Making Friends With" not in seed_doc.text  # the broken-entity variant is a near-copy


def test_seed_debris_removed(seed_doc):
    text = seed_doc.text
    for debris in ("Download Adobe Flash Player", "copied to your clipboard", "Share on Facebook",
                   "Share on Twitter", "No media source", "Similar articles", "I will follow",
                   "In journalism since 1995"):
        assert debris not in text, debris


def test_seed_caption_and_related_headline_removed_by_context(seed_doc):
    assert "Tsuneoka on Skype about Russian militants" not in seed_doc.text
    assert "speaks to Al Jazeera" not in seed_doc.text
    reasons = {r.text: r.reason for r in seed_doc.removed}
    assert reasons["Al-Qaeda leader in Syria speaks to Al Jazeera"] == "between title copies"


def test_seed_subtitle_and_headings(seed_doc):
    assert seed_doc.subtitle is not None
    assert seed_doc.subtitle.startswith("Japanese journalist Shamil Tsuneoka visited the ISIS leader")
    heads = seed_doc.headings
    for h in ("On a hike with Gelaev", "“Visiting” Al-Qaida", "Al-Qaida’s friend"):
        assert h in heads, h
    assert [b.kind for b in seed_doc.blocks[:2]] == ["title", "subtitle"]


def test_seed_byline_and_bio(seed_doc):
    assert seed_doc.byline == ["Fatima Tlisova"]
    bio = [r for r in seed_doc.removed if r.reason == "author bio"]
    assert len(bio) == 1 and bio[0].text.startswith("In journalism since 1995")
    assert "«Voice of America»" in bio[0].text  # entities repaired in removed lines too


def test_seed_body_kept_whole(seed_doc):
    text = seed_doc.text
    assert text.count("ISIS") == 22
    assert "&#" not in text and "& #" not in text
    assert not re.search(r"(?<!\.)\.\.(?!\.)", text)
    # every long sentence-like line of the page, except the author bio, is in the output
    repaired = [ln.text for ln in split_lines(repair_text(_read(SEED)))]
    body = [t for t in repaired if len(t.split()) >= 15 and not t.startswith("In journalism")]
    assert len(body) >= 20
    for t in body:
        assert t in text, t[:60]


def test_seed_removed_lines_have_reasons(seed_doc):
    assert seed_doc.removed and all(r.reason for r in seed_doc.removed)
    dup = [r for r in seed_doc.removed if r.reason == "duplicate of title"]
    assert len(dup) >= 4


def test_shipped_model_is_small_and_loads():
    p = Path(__file__).resolve().parents[1] / "src" / "watchdesk" / "data" / "cleaner_model.json"
    assert p.is_file() and p.stat().st_size < 2_000_000
    assert load_model() is not None


def _dev(doc_id: str) -> tuple[str, str]:
    if not (DEV / "input" / (doc_id + ".txt")).is_file():
        pytest.skip("shared dev set not available")
    return _read(DEV / "input" / (doc_id + ".txt")), _read(DEV / "gold" / (doc_id + ".txt"))


def test_dev_blog_post_drops_menu_and_comments():
    raw, gold = _dev("dragnet-102")
    doc = clean_text(raw)
    assert doc.text.count("The Dangerous Hubris of the Startup World") == 1
    assert "Reply #" not in doc.text  # comment footers
    assert "Speaking" not in doc.paragraphs  # menu item
    assert _bow_f1(gold, doc.text) >= 0.85


def test_dev_news_page_drops_navigation():
    raw, gold = _dev("dragnet-100")
    doc = clean_text(raw)
    assert "Amelia Earhart" in doc.text
    for nav in ("Log Out", "Scroll Left", "Las Vegas"):
        assert nav not in doc.text, nav
    assert _bow_f1(gold, doc.text) >= 0.8


def test_dev_sample_scores_well_above_keep_everything():
    if not (DEV / "input").is_dir():
        pytest.skip("shared dev set not available")
    ids = sorted(p.stem for p in (DEV / "input").glob("*.txt"))[::40]
    f_clean, f_all = [], []
    for i in ids:
        raw, gold = _dev(i)
        f_clean.append(_bow_f1(gold, clean_text(raw).text))
        f_all.append(_bow_f1(gold, raw))
    assert sum(f_clean) / len(ids) >= 0.8
    assert sum(f_clean) / len(ids) > sum(f_all) / len(ids) + 0.2


def test_empty_and_debris_only_pages():
    assert clean_text("").blocks == []
    doc = clean_text("  • Home\n  • Share on Facebook\n  • Log in\n")
    assert doc.paragraphs == [] and len(doc.removed) == 3


# --------------------------------------------------------------------------- idempotency


def _assert_idempotent(raw: str) -> str:
    once = clean_text(raw).text
    assert clean_text(once).text == once
    return once


def test_cleaning_is_idempotent_on_seed(seed_doc):
    assert clean_text(seed_doc.text).text == seed_doc.text


def test_cleaning_is_idempotent_on_short_repeated_article():
    # a short generated article with an exact repeat: the copy goes in the first pass and the
    # second pass must not then drop the remaining distinct line
    raw = ("Jens Holm met Jens Holm in New York on Monday.\n\nJens Holm met Jens Holm in Oslo on Monday.\n\n"
           "Jens Holm met Jens Holm in Oslo on Monday.")
    once = _assert_idempotent(raw)
    assert once.count("in Oslo") == 1 and "New York" in once


def test_cleaning_is_idempotent_on_dev_pages():
    if not (DEV / "input").is_dir():
        pytest.skip("shared dev set not available")
    ids = sorted(p.stem for p in (DEV / "input").glob("*.txt"))[::70]
    changed = [i for i in ids if clean_text(clean_text(_dev(i)[0]).text).text != clean_text(_dev(i)[0]).text]
    assert not changed, changed


# dev pages that were not idempotent: 2-word kicker titles, list markers, rescued repeats, a
# deck and its body paraphrase taken for a repeated headline, wrapped column rows
@pytest.mark.parametrize("page", ["cev-10", "cev-12", "cev-45", "dragnet-79", "dragnet-R159", "dragnet-R160",
                                  "dragnet-R252", "dragnet-R263", "dragnet-R380", "dragnet-R932"])
def test_cleaning_is_idempotent_on_formerly_unstable_dev_pages(page):
    if not (DEV / "input" / (page + ".txt")).is_file():
        pytest.skip("shared dev set not available")
    _assert_idempotent(_dev(page)[0])


_P = ["Petrova told reporters that Reuters had lost several hundred migrants in Madrid between 2001 and 2003.",
      "Olga Petrova met Chen Wei in Cairo earlier this year, and the two agreed to meet again in Berlin before "
      "the end of the summer.",
      "According to the World Bank, twelve soldiers were killed in the Gaza Strip on Friday night, and more than "
      "300 people fled their homes."]


def test_kept_list_item_keeps_its_marker_so_it_reads_as_a_list_item_again():
    # without its "- " the item is a plain line the second time, and becomes a title candidate
    raw = ('Talks resume in the capital\n\n- Beijing - the BBC - on 15 March 2021 Jean-Paul Sartre, known as "Sar", '
           'joined NATO on 15 March 2021. - Kiev - the United Nations - in November 1999\n\nJohn O\'Neill, known as '
           '"O\'N", joined the European Commission yesterday. Jean-Paul Sartre, known as "Sar", joined NATO on 15 '
           'March 2021. - Kiev - the United Nations - in November 1999')
    once = _assert_idempotent(raw)
    assert once.startswith("Talks resume in the capital\n\n- Beijing - the BBC")


def test_stacked_list_markers_are_not_peeled_one_per_pass():
    raw = ("Ten rules of thumb\n\n" + _P[0] + "\n\n\u2022 5. Avoid pompous jerks whenever possible, they can make "
           "you feel bad about yourself.\n\n\u2022 6. Anyone can learn to be creative, it just takes a lot of "
           "practice and a little confidence.\n\n" + _P[1])
    once = _assert_idempotent(raw)
    assert "\u2022 5. Avoid pompous jerks" in once


def test_title_copy_ending_with_a_period_is_not_the_title():
    # a near-copy cluster seeded by a line without a period must not hand the title to a sentence
    # (the second pass, with the copies gone, would not take that sentence as the title again)
    raw = ("Talks resume in the capital\n\nAhmed Karimi met Ahmed Karimi in Kiev on 15 March 2021.\n\n"
           "Ahmed Karimi met Ahmed Karimi in Kiev on 15 March 2021.\u00de")
    assert clean_text(raw).title == "Talks resume in the capital"
    _assert_idempotent(raw)


def test_two_word_kicker_is_not_the_title():
    # a repeated two-word line (a kicker, an author) won over the headline, which the second
    # pass, where the copies are gone, then picked instead
    raw = ("Andrew Nemr\n\nAndrew Nemr\n\nCat paying dues: Fellows Friday with Andrew Nemr\n\n" + _P[0]
           + "\n\n" + _P[1])
    assert clean_text(raw).title == "Cat paying dues: Fellows Friday with Andrew Nemr"
    _assert_idempotent(raw)


def test_subtitle_that_repeats_a_kept_line_is_dropped_as_a_repeat():
    # the wrapped paragraph is no body line until it is merged, so the closing copy of the first
    # paragraph was taken for the deck the first time, and dropped as a repeat the second time
    first = 'Mar\u00eda Jos\u00e9 Garc\u00eda, known as "Gar", joined Apple Inc. on 15 March 2021.'
    raw = ("Talks resume in the capital\n\n" + first + "\n\nIn S\u00e3o Paulo, Emmanuel Macron announced a plan "
           "worth 1.5bn euros in November 1999. \"We will send several hund\nred migrants to Kiev,\" Angela Merkel "
           "said on 15 March 2021.\n\n" + first)
    assert _assert_idempotent(raw).count(first) == 1


def test_kept_deck_and_its_body_paraphrase_are_not_a_repeated_headline():
    # both copies are kept text: after cleaning they would outnumber the (single) title
    raw = ("Home | World | Business\n\nTalks resume in the capital\n\nTalks resume in the capital | World News\n\n"
           "The ministry will start removing the old rules from all the northern ports in January\n\n" + _P[0]
           + "\n\nThe ministry said it will start removing in January the old rules from all the northern ports. "
           "It expects to finish by March.\n\n" + _P[1] + "\n\n" + _P[2])
    once = _assert_idempotent(raw)
    assert clean_text(raw).title == "Talks resume in the capital" and "It expects to finish by March." in once


def test_title_is_never_a_bare_date_or_byline():
    raw = ("Monday, November 12, 2012\n\nMonday, November 12, 2012\n\nBy Jane Roe\n\nBy Jane Roe\n\n"
           "Harbour reopens after the storm\n\n" + "The harbour reopened on Monday after the storm, and the "
           "first ferries left for the islands with many passengers on board and more to follow.\n\n" * 3)
    doc = clean_text(raw)
    assert doc.title == "Harbour reopens after the storm"


# Generated articles that one cleaning round did not settle (found by random exploration): a
# paragraph repeated once its broken lines are merged, and ftfy seeing a merged paragraph.
UNSETTLED_AFTER_ONE_ROUND = [
    'BREAKING\n\n- Cairo - the United Nations - last week\n\nJohn O\'Neill (Reuters) leads the talks with Olga Petrova.\n\nMARÍA JOSÉ GARCÍA SAID: "AT LEAST 7 JOURNALISTS" "We will send several hundred migrants to São Paulo," John O\'Neill said on Friday night. Chen Wei (the United Nations) leads the talks with Olga Petrova.\n\nMARÍA JOSÉ GARCÍA SAID: "AT LEAST 7 JOURNALISTS" "We will send several hundred migrants to São Paulo," John O\'Neill said on Friday night. Chen Wei (the United Nations) leads the\r\ń talks with Olga Petrova.\n\nIn Berlin, Emmanuel Macron announced a plan worth 1.5bn euros in 2008. María José García, known as "Gar", joined the European Commission on Friday night. Angela Merkel, known as "Mer", joined the Ministry of Finance on Friday night.',
    'According to the United Nations, more than 300 people were killed in Oslo in 2008.\n\nPetrova told reporters that Apple Inc. had lost between 10 and 20 rockets. Angela Merkel met Angela Merkel in Madrid earlier this year.\n\nthe World Bank said on Friday night that 12 soldiers had arrived in Cairo. Holm told reporters that Reuters had lost several hundred migrants.\n\nAccording to the World Bank, two dozen tanks were killed in Madrid on Friday night.ô¬\U000e4255 \U000a5ab5\x94\U00089941\xa0\r\x14\x11Q',
]


@pytest.mark.parametrize("raw", UNSETTLED_AFTER_ONE_ROUND)
def test_cleaning_settles_pages_one_round_does_not(raw):
    from watchdesk.clean.cleaner import _clean_once

    once = _clean_once(raw, None, None, True)
    assert _clean_once(once.text, None, None, True).text != once.text  # one round is not enough here
    doc = clean_text(raw)
    assert clean_text(doc.text).text == doc.text
    for removed in doc.removed:  # lines dropped by the later round keep a valid number or -1
        assert removed.line == -1 or 0 <= removed.line < len(raw.splitlines())


def test_entity_repair_is_bounded_on_deeply_nested_escapes():
    from watchdesk.clean.repair import _MAX_ROUNDS, fix_entities

    hostile = "&" + "amp;" * 200_000 + "#171;"
    out = fix_entities(hostile)  # one level per pass: a few passes, not 200,000
    assert out == "&" + "amp;" * (200_000 - _MAX_ROUNDS) + "#171;"
    assert fix_entities("&amp;amp;#171; and &amp;#187;") == "« and »"  # shallow nesting fully decoded
