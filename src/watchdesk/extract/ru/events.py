"""Russian dated events: time expressions resolved to dates, with a verb and the entities nearby.

``find_ru_events(text, sentences, mentions, entities, published=None, quotes=None)`` returns
``Event`` items (ids ``t1..``) with offsets into ``text``; no parse is needed.

Time expressions are found by cheap regular expressions, sentence by sentence (months in any
case, years with "год"/"г.", "в 2011", decades "1990-х", numeric dates, deictic words
"вчера"/"сегодня", "в прошлом году", weekdays, "N лет назад"). Written dates are resolved by the
rules below; dateparser (``DateDataParser(languages=["ru"])``) resolves the year-less and
relative ones against the publication date -- only ever on the short candidate, never on a
whole text, and cached.

* "15 ноября 2013 года" -> 2013-11-15 (day); "в ноябре 1999 года" -> 1999-11 (month);
  "в 2011 г." -> 2011 (year); "в 2011-2013 годах" -> 2011..2013 (range); "в 1990-х" -> decade;
  "в начале/конце/середине …" keeps the precision, marked ``uncertain``.
* year-less dates ("15 ноября", "в ноябре") and relative ones ("вчера") are anchored on
  ``published`` (the closest such date before it; after it when the nearest verb is future);
  without a publication date they stay year-less (``--11-15``) or unresolved, ``uncertain``.

The trigger is the finite verb nearest to the expression in its sentence (pymorphy2 POS; never
across a quotation mark boundary of ``quotes``); the entities are the document entities of the
mentions in the sentence; the evidence is the sentence.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from functools import lru_cache

from watchdesk.types import Attribution, DocEntity, Event, Mention, Sentence, Span

from .quantities import analyse, tokens

MONTH_STEMS = ["янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен",
               "окт", "ноя", "дек"]
_MON = (r"(?P<mon>январ[ьяеюё]м?|феврал[ьяеюё]м?|март[аеу]?|апрел[ьяеюё]м?|ма[йяею]|"
        r"июн[ьяеюё]м?|июл[ьяеюё]м?|август[аеу]?|сентябр[ьяеюё]м?|октябр[ьяеюё]м?|"
        r"ноябр[ьяеюё]м?|декабр[ьяеюё]м?|"
        r"(?:янв|февр?|апр|авг|сент?|окт|нояб?|дек)\.?(?=\s|$|[,;])|(?:мар|июн|июл)\.(?=\s))")
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"
_YW = r"(?:\s*(?:года|году|годом|год|г\.?)(?![а-я]))"
_PREP = r"(?:(?:в|во|с|со|до|к|ко|на|за|после|от|по|около)\s+)?"
_MOD = r"(?:(?P<mod>начале|конце|середине|начала|конца|середины|первой половине|второй половине)\s+)?"
_WD = r"(?:понедельник|вторник|сред[ауы]|четверг|пятниц[ауы]|суббот[ауы]|воскресенье)"
_REL_WORDS = r"(?:позавчера|вчера|сегодня|завтра|послезавтра)"
PATTERNS = [
    ("numeric", rf"{_PREP}(?P<day>[0-3]?\d)\.(?P<m>[01]?\d)\.{_YEAR}{_YW}?"),
    ("year_range", rf"{_PREP}{_YEAR}\s*(?:[-–—]|по)\s*(?P<year2>1[0-9]{{3}}|20[0-9]{{2}})"
                   rf"(?:\s*(?:годах|годы|годов|гг\.?|год|года))?"),
    ("decade", rf"{_PREP}(?P<decade>1[0-9]{{2}}0|20[0-9]0)-(?:х|е|ых)(?:\s+(?:годах|годы|годов|гг\.?))?"),
    ("day_month", rf"{_PREP}(?:{_WD},?\s+)?(?P<day>[0-3]?\d)(?:-?го)?\s+{_MON}(?:\s+{_YEAR}{_YW}?)?"),
    ("month", rf"{_PREP}{_MOD}{_MON}(?:\s+{_YEAR}{_YW}?)?"),
    ("year", rf"{_PREP}{_MOD}{_YEAR}{_YW}"),
    ("bare_year", rf"(?:в|с|до|к|после)\s+{_YEAR}(?=\s*[,.;:!?)»]|(?-i:\s+[А-ЯЁA-Z])|\s*$)"),
    ("relative", rf"{_REL_WORDS}|(?:на|в)\s+(?:прошлой|этой|следующей|текущей)\s+неделе|"
                 rf"в\s+(?:прошлом|этом|текущем|следующем|позапрошлом)\s+(?:году|месяце)|"
                 rf"(?:в|во)\s+{_WD}|(?:\d+|несколько|два|три|пять|десять)\s+"
                 rf"(?:лет|года|год|дней|дня|месяцев|месяца|недель|недели)\s+назад"),
]
_RX = re.compile("|".join(f"(?P<{k}>{rx.replace('(?P<', f'(?P<{k}_')})" for k, rx in PATTERNS),
                 re.I)
MOD_WORDS = ("начал", "конц", "конец", "середин", "половин")
UNCERTAIN_WEEKS = True  # "на прошлой неделе": a week, reported as its first day, uncertain


def _groups(m: re.Match, kind: str) -> dict:
    return {k[len(kind) + 1:]: v for k, v in m.groupdict().items()
            if k.startswith(kind + "_") and v is not None}


def _month(word: str) -> int:
    w = word.lower()
    for i, stem in enumerate(MONTH_STEMS, 1):
        if w.startswith(stem) and (stem != "ма" or w[:3] in ("май", "мая", "мае", "маю")):
            return i
    return 0


def _parse_published(published: str | None) -> dt.date | None:
    m = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", (published or "").strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _parser(ref: dt.date | None, future: bool):
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": "future" if future else "past"}
    if ref is not None:
        settings["RELATIVE_BASE"] = dt.datetime(ref.year, ref.month, ref.day)
    return DateDataParser(languages=["ru"], settings=settings)


@lru_cache(maxsize=4096)
def _dateparse(expr: str, ref: dt.date | None, future: bool) -> tuple[str, str] | None:
    """dateparser on one short expression: (ISO date, period) or None."""
    try:
        data = _parser(ref, future).get_date_data(expr)
    except Exception:  # dateparser raises on odd inputs
        return None
    if data.date_obj is None:
        return None
    return data.date_obj.date().isoformat(), data.period or "day"


def _closest(ref: dt.date, month: int, day: int | None, future: bool) -> int:
    """Year of the closest ``month``/``day`` before ``ref`` (after it when ``future``)."""
    d = min(day or 1, calendar.monthrange(ref.year, month)[1])
    cand = dt.date(ref.year, month, d)
    if future:
        return ref.year + 1 if (cand < ref if day else month < ref.month) else ref.year
    return ref.year - 1 if (cand > ref if day else month > ref.month) else ref.year


def _resolve(kind: str, g: dict, expr: str, ref: dt.date | None, future: bool):
    """(date, date_end, precision, uncertain) or None."""
    mod = bool(g.get("mod"))
    if kind in ("numeric", "day_month"):
        mon = int(g["m"]) if kind == "numeric" else _month(g["mon"])
        day = int(g["day"])
        if not (1 <= mon <= 12 and 1 <= day <= calendar.monthrange(int(g.get("year") or 2000), mon)[1]):
            return None
        if g.get("year"):
            return f"{int(g['year']):04d}-{mon:02d}-{day:02d}", None, "day", False
        if ref is None:
            return f"--{mon:02d}-{day:02d}", None, "day", True
        y = _closest(ref, mon, day, future)
        return f"{y:04d}-{mon:02d}-{day:02d}", None, "day", False
    if kind == "month":
        mon = _month(g["mon"])
        if g.get("year"):
            return f"{int(g['year']):04d}-{mon:02d}", None, "month", mod
        if ref is None:
            return f"--{mon:02d}", None, "month", True
        return f"{_closest(ref, mon, None, future):04d}-{mon:02d}", None, "month", mod
    if kind in ("year", "bare_year"):
        return f"{int(g['year']):04d}", None, "year", mod
    if kind == "year_range":
        y1, y2 = int(g["year"]), int(g["year2"])
        return (f"{y1:04d}", f"{y2:04d}", "range", False) if y1 < y2 <= y1 + 100 else None
    if kind == "decade":
        d0 = int(g["decade"])
        return f"{d0:04d}", f"{d0 + 9:04d}", "decade", False
    if ref is None:
        return None, None, "day", True
    got = _dateparse(expr.lower(), ref, future)
    if got is None:
        return None
    iso, period = got
    if period == "year":
        return iso[:4], None, "year", False
    if period == "month":
        return iso[:7], None, "month", False
    return iso, None, "day", period == "week" and UNCERTAIN_WEEKS


def _candidates(text: str, s: int, e: int):
    """(kind, start, end, groups) of the time expressions in text[s:e]."""
    for m in _RX.finditer(text, s, e):
        kind = m.lastgroup
        if kind is None:
            continue
        g = _groups(m, kind)
        ms, me = m.span(kind)
        if kind == "month" and not (g.get("year") or g.get("mod") or
                                    re.match(r"\w+\s", text[ms:me]) and _month(text[ms:me].split()[0]) == 0):
            continue  # a bare "Марта" / "май": a name or a word, not a date
        if ms > 0 and (text[ms - 1].isalnum() or text[ms - 1] in "-./"):
            continue
        yield kind, ms, me, g


def _trigger(text: str, s: int, e: int, ts: int, te: int, walls: list[int]):
    """The finite verb nearest the expression in text[s:e], not across a quotation wall."""
    lo = max([w for w in walls if w <= ts] + [s])
    hi = min([w for w in walls if w >= te] + [e])
    best = None
    for rank, kinds in enumerate((("VERB",), ("INFN", "PRTS", "GRND"))):
        for t in tokens(text, lo, hi):
            if ts <= t.start < te:
                continue
            a = analyse(t.text)
            if a and a[0][1] in kinds:
                dist = ts - t.end if t.end <= ts else t.start - te
                if best is None or dist < best[0]:
                    best = (dist, t, a[0][2])
        if best is not None:
            return best[1], "futr" in best[2]
    return None, False


def _sentence_span(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Span(s, e, text[s:e])


def find_ru_events(text: str, sentences: list[Sentence], mentions: list[Mention],
                   entities: list[DocEntity], published: str | None = None,
                   quotes: list[Attribution] | None = None) -> list[Event]:
    """Dated events of one Russian document (offsets into ``text``)."""
    if not text.strip():
        return []
    ref = _parse_published(published)
    sents = sorted(sentences, key=lambda x: x.start) or [Sentence(0, len(text))]
    ms = sorted(mentions, key=lambda m: m.start)
    m_starts = [m.start for m in ms]
    walls = sorted({p for q in quotes or [] for p in (q.content.start, q.content.end)})
    events: list[Event] = []
    for sent in sents:
        for kind, ts, te, g in _candidates(text, sent.start, sent.end):
            trig, fut = _trigger(text, sent.start, sent.end, ts, te, walls)
            r = _resolve(kind, g, text[ts:te], ref, fut)
            if r is None:
                continue
            i = bisect.bisect_left(m_starts, sent.start)
            ents: list[str] = []
            while i < len(ms) and ms[i].start < sent.end:
                if ms[i].entity and ms[i].entity not in ents:
                    ents.append(ms[i].entity)
                i += 1
            events.append(Event(
                id=f"t{len(events) + 1}", time=Span(ts, te, text[ts:te]), date=r[0],
                date_end=r[1], precision=r[2], uncertain=r[3],
                evidence=_sentence_span(text, sent.start, sent.end),
                trigger=Span(trig.start, trig.end, trig.text) if trig else None, entities=ents))
    return events
