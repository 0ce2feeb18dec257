"""Dated events: time expressions resolved to dates, with the verb and the entities they date.

``find_events(doc, mentions, entities, published=None, quotes=None)`` returns ``Event`` items
(ids ``t1..``). Time expressions are spaCy's DATE entities, refined:

* coordinations are split ("April and October" -> two), a governing preposition joins the span
  ("in March 2004", "On May 3", "during this year");
* durations ("a week", "nearly two months", "for two years"), ages ("75-year-old") and
  unresolvable phrases are skipped; TIME entities are ignored (a time of day only counts through
  the date it is attached to);
* resolution: explicit dates keep their precision ("March 2004" -> ``2004-03``, "2004" ->
  ``2004``, "15 November 2013" -> ``2013-11-15``); decades are ranges ("the 1990s" ->
  1990-1999; "the early 2000s" -> 2000-2003, uncertain); seasons and quarters are month ranges.
  Year-less dates ("On May 3", "in April") and relative ones ("last year", "this spring",
  "two years ago", "on Monday") are anchored on the publication date when it is known -- the
  closest such date before it, or after it when the verb is future ("will", "next") -- and
  otherwise stay year-less (``--05-03``, ``--04``) or unresolved, marked ``uncertain``.
  The arithmetic equals dateparser's with ``RELATIVE_BASE`` = publication date and
  ``PREFER_DATES_FROM`` past/future; dateparser itself is only the fallback for rare written
  forms the rules do not cover.

Each event's trigger is the verb governing the expression (a copula hands over to the verb it
is coordinated with: "In 2004, the talks were over, and X signed ..."), or an event noun
the date modifies ("the 1999 election"); its entities are the mentions inside the trigger's own
clause (subjects, objects, prepositional phrases; not subordinate clauses), with "he"/"she"
resolved as in :mod:`watchdesk.extract.relations`. One pass over the DATE entities; no model.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from watchdesk.types import Attribution, DocEntity, Event, Mention, Span

from .relations import DocIndex, _Extractor, load_lexicon, sentence_span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span as SpacySpan, Token

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11),
           "winter": (12, 2)}
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
NUMBER_WORDS.update({"a": 1, "an": 1, "a couple of": 2, "a few": 3, "several": 3})
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
            "4th": 4, "final": 4, "last": 4}

TIME_PREPS = frozenset({"in", "on", "during", "since", "until", "till", "by", "before", "after",
                        "from", "at", "throughout", "between", "of", "around", "circa"})
# words a governing clause may be an event noun for ("the 1999 election", "talks in May")
EVENT_NOUNS = frozenset("""
election elections vote referendum war invasion attack attacks bombing bombings raid strike
strikes battle offensive campaign operation coup revolution uprising protest protests rally
meeting meetings summit talks conference visit trip tour interview speech announcement
ceremony funeral wedding trial hearing verdict arrest arrests execution killing killings
murder death deaths crash explosion earthquake flood fire release launch merger takeover deal
agreement treaty ceasefire match game final tournament championship festival concert show
video broadcast report statement decision resignation appointment inauguration
""".split())
CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "acl", "parataxis", "csubj", "xcomp",
                         "punct", "cc", "mark"})
SKIP_WORDS = re.compile(r"\b(?:old|aged?|ages|long|lasting|every|each|daily|weekly|monthly|"
                        r"annual|annually|yearly|per|a\s+year|a\s+day|a\s+week|a\s+month)\b", re.I)

_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
       r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2}|2100)"
_MOD = r"(?:(?P<mod>early|earlier|late|later|mid|the\s+middle\s+of|the\s+end\s+of|" \
       r"the\s+beginning\s+of|the\s+start\s+of|the\s+first\s+half\s+of|" \
       r"the\s+second\s+half\s+of|the\s+spring\s+of)[\s-]+)?"
_REL = r"(?P<rel>this|last|next|past|previous|coming|earlier\s+this|later\s+this|" \
       r"early\s+this|early\s+next|late\s+last|late\s+this|earlier\s+last|early\s+last)"

PATTERNS = [
    ("ymd", re.compile(r"(?P<year>\d{4})-(?P<m>\d{1,2})-(?P<day>\d{1,2})$")),
    ("dmy_num", re.compile(r"(?P<day>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<year>\d{4})$")),
    ("day_month_year", re.compile(rf"(?:(?P<wd>\w+day),?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MON},?\s+{_YEAR}$", re.I)),
    ("month_day_year", re.compile(rf"(?:(?P<wd>\w+day),?\s+)?{_MON}\s+{_DAY},?\s+{_YEAR}$", re.I)),
    ("day_month", re.compile(rf"(?:(?P<wd>\w+day),?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MON}$", re.I)),
    ("month_day", re.compile(rf"(?:(?P<wd>\w+day),?\s+)?{_MON}\s+{_DAY}$", re.I)),
    ("month_year", re.compile(rf"{_MOD}{_MON},?\s+(?:of\s+)?{_YEAR}$", re.I)),
    ("month", re.compile(rf"{_MOD}(?:(?P<rel>this|last|next|early|late|mid)\s+)?{_MON}$", re.I)),
    ("year_range", re.compile(r"(?:between\s+|from\s+)?(?P<year>1[0-9]{3}|20[0-9]{2})\s*(?:-|–|to|and|until|through)\s*(?P<year2>\d{2,4})$", re.I)),
    ("decade", re.compile(r"(?:the\s+)?(?:(?P<dmod>early|mid|late|mid-)[\s-]*)?(?P<decade>1[0-9]{2}0|20[0-9]0)'?s$", re.I)),
    ("decade_short", re.compile(r"(?:the\s+)?(?:(?P<dmod>early|mid|late)[\s-]*)?['’](?P<dec2>[0-9]0)s$", re.I)),
    ("season_year", re.compile(rf"(?:the\s+)?{_MOD}(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?{_YEAR}$", re.I)),
    ("quarter_year", re.compile(rf"(?:the\s+)?(?P<q>first|second|third|fourth|final|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?{_YEAR}$", re.I)),
    ("quarter_q", re.compile(rf"q(?P<qn>[1-4])\s+{_YEAR}$", re.I)),
    ("year", re.compile(rf"(?:the\s+)?(?:year\s+)?{_MOD}{_YEAR}$", re.I)),
    ("fiscal", re.compile(rf"(?:the\s+)?(?:fiscal|financial)\s+(?:year\s+)?{_YEAR}$", re.I)),
    ("rel_unit", re.compile(rf"(?:the\s+)?{_REL}\s+(?P<unit>year|month|week|decade|weekend)$", re.I)),
    ("rel_season", re.compile(rf"(?:the\s+)?{_REL}\s+(?P<season>spring|summer|autumn|fall|winter)$", re.I)),
    ("rel_quarter", re.compile(r"(?:the\s+)?(?P<q>first|second|third|fourth|final|1st|2nd|3rd|4th)\s+quarter(?:\s+of\s+(?:the|this)\s+year)?$", re.I)),
    ("ago", re.compile(r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|a couple of|several)\s+(?P<unit>day|week|month|year|decade)s?\s+ago$", re.I)),
    ("deictic", re.compile(r"(?P<word>today|yesterday|tomorrow|the day before yesterday)$", re.I)),
    ("weekday", re.compile(r"(?:(?P<rel>last|next|this|on)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?$", re.I)),
]


# --------------------------------------------------------------------------- date arithmetic


def _parse_published(published: str | None) -> dt.date | None:
    if not published:
        return None
    m = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", published.strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def _ym(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _valid_day(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y if y else 2000, m)[1]


class _R:
    """One resolution: ISO start/end, precision, uncertainty."""

    __slots__ = ("date", "end", "precision", "uncertain")

    def __init__(self, date, end=None, precision="day", uncertain=False):
        self.date, self.end, self.precision, self.uncertain = date, end, precision, uncertain


def _closest(ref: dt.date, month: int, day: int | None, future: bool) -> tuple[int, int, int]:
    """Year of the closest ``month``(/``day``) before ``ref`` (after it when ``future``)."""
    y = ref.year
    d = day or 1
    if not _valid_day(y, month, d):
        d = min(d, 28)
    cand = dt.date(y, month, d)
    if future:
        if day is None:
            if (month, 1) < (ref.month, 1):
                y += 1
        elif cand < ref:
            y += 1
    else:
        if day is None:
            if month > ref.month:
                y -= 1
        elif cand > ref:
            y -= 1
    return y, month, d


def resolve(text: str, ref: dt.date | None, future: bool = False) -> _R | None:
    """Resolve one time expression (without its preposition); None when it is not a date."""
    t = " ".join(text.replace("’", "'").split()).strip(" ,.")
    if not t:
        return None
    for kind, rx in PATTERNS:
        m = rx.match(t)
        if m is None:
            continue
        g = m.groupdict()
        if kind in ("ymd", "dmy_num", "day_month_year", "month_day_year"):
            y = int(g["year"])
            mon = int(g["m"]) if "m" in g and g.get("m") else MONTHS[g["mon"].lower().rstrip(".")]
            d = int(g["day"])
            if not _valid_day(y, mon, d):
                return None
            # "3/4/2005" is read day first (British usage); uncertain when both readings exist
            ambiguous = kind == "dmy_num" and d <= 12 and d != mon
            return _R(f"{y:04d}-{mon:02d}-{d:02d}", None, "day", ambiguous)
        if kind in ("day_month", "month_day"):
            mon = MONTHS[g["mon"].lower().rstrip(".")]
            d = int(g["day"])
            if not _valid_day(0, mon, d):
                return None
            if ref is None:
                return _R(f"--{mon:02d}-{d:02d}", None, "day", True)
            y, mon, d = _closest(ref, mon, d, future)
            return _R(f"{y:04d}-{mon:02d}-{d:02d}", None, "day")
        if kind == "month_year":
            return _R(_ym(int(g["year"]), MONTHS[g["mon"].lower().rstrip(".")]), None, "month",
                      bool(g.get("mod")))
        if kind == "month":
            mon = MONTHS[g["mon"].lower().rstrip(".")]
            rel = (g.get("rel") or "").lower()
            if ref is None:
                return _R(f"--{mon:02d}", None, "month", True)
            if rel == "next":
                y = ref.year + 1 if mon <= ref.month else ref.year
            elif rel == "last":
                y = ref.year if mon < ref.month else ref.year - 1
            elif rel == "this":
                y = ref.year
            else:
                y = _closest(ref, mon, None, future)[0]
            return _R(_ym(y, mon), None, "month", bool(g.get("mod")))
        if kind == "year_range":
            y1, y2s = int(g["year"]), g["year2"]
            y2 = int(y2s) if len(y2s) == 4 else (y1 // 100) * 100 + int(y2s[-2:])
            if len(y2s) == 3 or y2 <= y1 or y2 - y1 > 100:
                return None
            return _R(f"{y1:04d}", f"{y2:04d}", "range")
        if kind in ("decade", "decade_short"):
            if kind == "decade":
                d0 = int(g["decade"])
            else:
                d2 = int(g["dec2"])
                if ref is None and d2 > 20:
                    d0 = 1900 + d2
                else:
                    base = (ref.year if ref else 2000)
                    d0 = (base // 100) * 100 + d2
                    if d0 > base:
                        d0 -= 100
            mod = (g.get("dmod") or "").lower().strip("-")
            if mod == "early":
                return _R(f"{d0:04d}", f"{d0 + 3:04d}", "decade", True)
            if mod == "mid":
                return _R(f"{d0 + 4:04d}", f"{d0 + 6:04d}", "decade", True)
            if mod == "late":
                return _R(f"{d0 + 7:04d}", f"{d0 + 9:04d}", "decade", True)
            return _R(f"{d0:04d}", f"{d0 + 9:04d}", "decade")
        if kind == "season_year":
            return _season(int(g["year"]), g["season"].lower(), bool(g.get("mod")))
        if kind in ("quarter_year", "quarter_q"):
            q = int(g["qn"]) if g.get("qn") else ORDINALS[g["q"].lower()]
            y = int(g["year"])
            return _R(_ym(y, 3 * q - 2), _ym(y, 3 * q), "range")
        if kind in ("year", "fiscal"):
            y = int(g["year"])
            return _R(f"{y:04d}", None, "year", kind == "fiscal")
        # ---- relative to the publication date
        if kind == "rel_unit":
            rel = g["rel"].lower().split()[-1]
            unit = g["unit"].lower()
            k = {"this": 0, "last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}[rel]
            if rel == "past" and unit != "weekend":
                return None  # "the past year": a duration up to now
            if ref is None:
                return _R(None, None, {"year": "year", "month": "month", "decade": "decade"}
                          .get(unit, "range"), True)
            if unit == "year":
                return _R(f"{ref.year + k:04d}", None, "year")
            if unit == "month":
                y, mo = _shift_month(ref.year, ref.month, k)
                return _R(_ym(y, mo), None, "month")
            if unit == "decade":
                d0 = (ref.year // 10) * 10 + 10 * k
                return _R(f"{d0:04d}", f"{d0 + 9:04d}", "decade")
            monday = ref - dt.timedelta(days=ref.weekday()) + dt.timedelta(weeks=k)
            if unit == "weekend":
                sat = monday + dt.timedelta(days=5)
                if k == 0 and not future and sat > ref:
                    sat -= dt.timedelta(weeks=1)
                return _R(sat.isoformat(), (sat + dt.timedelta(days=1)).isoformat(), "range")
            return _R(monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat(), "range")
        if kind == "rel_season":
            rel = g["rel"].lower().split()[-1]
            season = g["season"].lower()
            if ref is None:
                return _R(None, None, "range", True)
            start = SEASONS[season][0]
            y = ref.year
            if rel in ("last", "previous", "past"):
                # the most recent such season that has started before this one
                y = y if (start < ref.month and season != "winter") else y - 1
                if season != "winter" and start + 2 >= ref.month and start <= ref.month:
                    y -= 1
            elif rel in ("next", "coming"):
                y = y if start > ref.month else y + 1
            elif season == "winter" and ref.month <= 2:
                y -= 1  # "this winter" in January: the winter that began in December
            return _season(y, season, False)
        if kind == "rel_quarter":
            q = ORDINALS[g["q"].lower()]
            if ref is None:
                return _R(None, None, "range", True)
            y = ref.year if 3 * q - 2 <= ref.month or future else ref.year - 1
            return _R(_ym(y, 3 * q - 2), _ym(y, 3 * q), "range", True)
        if kind == "ago":
            n = g["n"].lower()
            k = int(n) if n.isdigit() else NUMBER_WORDS.get(n, 1)
            unit = g["unit"].lower()
            if ref is None:
                return _R(None, None, {"day": "day", "week": "day", "month": "month"}
                          .get(unit, "year"), True)
            if unit == "day":
                return _R((ref - dt.timedelta(days=k)).isoformat(), None, "day")
            if unit == "week":
                return _R((ref - dt.timedelta(weeks=k)).isoformat(), None, "day", True)
            if unit == "month":
                return _R(_ym(*_shift_month(ref.year, ref.month, -k)), None, "month")
            years = k * (10 if unit == "decade" else 1)
            return _R(f"{ref.year - years:04d}", None, "year")
        if kind == "deictic":
            if ref is None:
                return _R(None, None, "day", True)
            off = {"today": 0, "yesterday": -1, "tomorrow": 1, "the day before yesterday": -2}
            return _R((ref + dt.timedelta(days=off[g["word"].lower()])).isoformat(), None, "day")
        if kind == "weekday":
            if ref is None:
                return _R(None, None, "day", True)
            wd = WEEKDAYS[g["wd"].lower()]
            rel = (g.get("rel") or "").lower()
            if rel == "next" or (future and rel != "last"):
                delta = (wd - ref.weekday()) % 7 or 7
            else:
                delta = -((ref.weekday() - wd) % 7 or 7)
            return _R((ref + dt.timedelta(days=delta)).isoformat(), None, "day")
    return _fallback(t, ref, future)


def _season(y: int, season: str, uncertain: bool) -> _R:
    a, b = SEASONS[season]
    if season == "winter":
        return _R(_ym(y, 12), _ym(y + 1, 2), "range", uncertain)
    return _R(_ym(y, a), _ym(y, b), "range", uncertain)


_FALLBACK_OK = re.compile(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{4}", re.I)


@lru_cache(maxsize=64)
def _dateparser(ref: dt.date | None, future: bool):
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": "future" if future else "past",
                "REQUIRE_PARTS": ["year"]}
    if ref is not None:
        settings["RELATIVE_BASE"] = dt.datetime(ref.year, ref.month, ref.day)
    return DateDataParser(languages=["en"], settings=settings)


def _fallback(t: str, ref: dt.date | None, future: bool) -> _R | None:
    """dateparser for written forms the rules miss; only when a year is written."""
    if not _FALLBACK_OK.search(t) or len(t) > 40:
        return None
    try:
        data = _dateparser(ref, future).get_date_data(t)
    except Exception:  # dateparser raises on some odd inputs
        return None
    d = data.date_obj
    if d is None or "year" not in (data.parts or ()):
        return None
    period = data.period or "day"
    if period == "year":
        return _R(f"{d.year:04d}", None, "year")
    if period == "month":
        return _R(_ym(d.year, d.month), None, "month")
    return _R(d.date().isoformat(), None, "day")


# --------------------------------------------------------------------------- the parse side


_SPLIT = re.compile(r"\s*(?:,\s*(?:and|or)?|\band\b|\bor\b|&)\s*", re.I)


def _pieces(ent: SpacySpan) -> list[tuple[int, int]]:
    """Character ranges of the expressions in one DATE entity ("April and October" -> two)."""
    text = ent.text
    base = ent.start_char
    if re.match(r"\s*(?:between|from)\b", text, re.I) or re.search(r"\d{4}\s*(?:-|–|to)\s*\d", text):
        return [(base, ent.end_char)]
    parts, pos = [], 0
    for m in _SPLIT.finditer(text):
        if m.start() > pos:
            parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(text)))
    if len(parts) == 1:
        return [(base, ent.end_char)]
    return [(base + s, base + e) for s, e in parts if e > s]


def _future(trigger: Token | None, text: str) -> bool:
    if re.search(r"\b(?:next|coming|upcoming)\b", text, re.I):
        return True
    if trigger is None:
        return False
    for c in trigger.children:
        if c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll", "wo"):
            return True
    head = trigger.head
    return trigger.dep_ == "xcomp" and head.lemma_ == "go" and head.tag_ == "VBG"


def _trigger(root: Token) -> Token | None:
    """The verb (or event noun) a time expression dates."""
    tok = root
    for _ in range(8):
        if tok.head.i == tok.i:
            break
        parent = tok.head
        if parent.pos_ == "VERB":
            return parent
        if parent.pos_ == "AUX":
            verb = next((c for c in parent.children if c.dep_ == "conj" and c.pos_ == "VERB"),
                        None)
            return verb or parent
        if parent.pos_ == "NOUN" and parent.lemma_.lower() in EVENT_NOUNS:
            return parent
        if parent.pos_ not in ("ADP", "NOUN", "PROPN", "NUM", "CCONJ", "ADJ", "ADV", "DET"):
            break
        tok = parent
    return None


def _clause_tokens(trigger: Token) -> list[Token]:
    """The trigger's own clause: its dependents, without subordinate or coordinated clauses."""
    out = []
    stack = [c for c in trigger.children]
    while stack:
        t = stack.pop()
        if t.dep_ in CLAUSE_DEPS or (t.dep_ == "conj" and t.pos_ in ("VERB", "AUX")):
            continue
        out.append(t)
        stack.extend(t.children)
    return out


def find_events(doc: Doc, mentions: list[Mention], entities: list[DocEntity],
                published: str | None = None,
                quotes: Iterable[Attribution] | None = None) -> list[Event]:
    """Dated events of one parsed document (offsets into ``doc.text``)."""
    ref = _parse_published(published)
    ix = DocIndex(doc, mentions, entities, quotes)
    ex = _Extractor(doc, ix, load_lexicon())
    text = doc.text
    found: list[tuple] = []
    seen: set[tuple[int, int]] = set()
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        if SKIP_WORDS.search(ent.text):
            continue
        nxt = doc[ent.end] if ent.end < len(doc) else None
        if nxt is not None and nxt.lower_ in ("old", "-old", "long"):
            continue  # an age or a length
        for s, e in _pieces(ent):
            span = doc.char_span(s, e, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            root = span.root
            trigger = _trigger(root)
            prev = doc[span.start - 1] if span.start > 0 else None
            if prev is not None and prev.lower_ == "for" and prev.pos_ == "ADP":
                continue  # "for two years": a duration
            r = resolve(text[s:e], ref, _future(trigger, text[s:e]))
            if r is None:
                continue
            if trigger is None:
                continue
            ts = s
            if prev is not None and prev.pos_ in ("ADP", "SCONJ") and prev.lower_ in TIME_PREPS \
                    and "\n" not in prev.whitespace_:
                ts = prev.idx
            if (ts, e) in seen:
                continue
            seen.add((ts, e))
            found.append((ts, e, r, trigger, span))
    events: list[Event] = []
    for i, (ts, e, r, trigger, span) in enumerate(sorted(found, key=lambda x: x[0]), 1):
        ents: list[str] = []
        toks = [t for t in ex._subjects(trigger) if trigger.pos_ in ("VERB", "AUX")]
        toks += _clause_tokens(trigger)
        if trigger.pos_ == "NOUN" and trigger.dep_ in ("nsubj", "nsubjpass", "dobj") \
                and trigger.head.pos_ in ("VERB", "AUX"):
            # "the 1999 election was won by Labour": the clause the event noun is part of
            toks += [t for t in _clause_tokens(trigger.head) if t.i != trigger.i]
        # the trigger's line only: the parser sometimes runs a heading into the paragraph
        line_lo = text.rfind("\n", 0, trigger.idx) + 1
        line_hi = text.find("\n", trigger.idx)
        line_hi = len(text) if line_hi < 0 else line_hi
        for t in sorted(set(toks), key=lambda t: t.i):
            if span.start <= t.i < span.end or not line_lo <= t.idx < line_hi:
                continue
            m = ix.mention_of(t)
            ent_id = m.entity if m is not None else (
                ix.pronoun_entity(t) if t.pos_ == "PRON" else None)
            if ent_id and ent_id not in ents:
                ents.append(ent_id)
        tr = Span(trigger.idx, trigger.idx + len(trigger.text), trigger.text)
        lo, hi = min(ts, tr.start), max(e, tr.end)
        events.append(Event(
            id=f"t{i}", time=Span(ts, e, text[ts:e]), date=r.date, date_end=r.end,
            precision=r.precision, uncertain=r.uncertain,
            evidence=sentence_span(text, span.sent, lo, hi), trigger=tr, entities=ents))
    return events
