"""Russian quantities: a number written the Russian way, how precise it is, and what it counts.

``find_ru_quantities(text, start=0, end=None)`` scans ``text[start:end]`` (no parse needed) and
returns ``Quantity`` items with offsets into ``text``:

* digits with space / no-break-space thousands and a decimal comma ("17 000", "2,5");
* number words in any case ("семнадцати", "двухсот", "полтора") through pymorphy2 normal forms;
* scales as words or abbreviations ("17 тысяч", "17 тыс.", "2,5 млн", "около тысячи" -> 1000);
* qualifiers, a closed class: "около", "примерно", "порядка" (approximate), "более", "свыше",
  "не менее" (lower bound), "до", "не более", "менее" (upper bound), "почти" (approximate upper);
* ranges "от 10 до 20", "10-20"; vague amounts "несколько сотен", "сотни", "десятки тысяч";
* the unit: adjectives and the noun right after the number ("около 17 тысяч боевиков" -> unit
  "боевиков"); "%" and "процент..." give the unit as written.

Years, dates, times of day, durations ("8 лет"), ordinals ("15-й"), ages ("75-летний") and
numbers glued to names ("COVID-19") are not quantities (events read the dated ones).

This module also holds the small token/morphology helpers the other Russian extractors share
(:func:`tokens`, :func:`analyse`): razdel tokens with offsets, pymorphy2 analyses cached once per
process.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from watchdesk.types import Quantity

# --------------------------------------------------------------------------- tokens, morphology


@dataclass(frozen=True)
class Tok:
    start: int
    end: int
    text: str


@lru_cache(maxsize=4)
def _text_tokens(text: str) -> tuple[tuple[Tok, ...], tuple[int, ...]]:
    """razdel tokens of a whole text, once (the extractors ask for many ranges of one text)."""
    from razdel import tokenize

    toks = tuple(Tok(t.start, t.stop, t.text) for t in tokenize(text))
    return toks, tuple(t.start for t in toks)


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Tok]:
    """razdel tokens of ``text[start:end]`` with offsets into ``text`` (tokens wholly inside the range)."""
    end = len(text) if end is None else end
    toks, starts = _text_tokens(text)
    i = bisect_left(starts, start)
    out = []
    while i < len(toks) and toks[i].end <= end:
        out.append(toks[i])
        i += 1
    return out


@lru_cache(maxsize=1)
def _morph():
    from natasha import MorphVocab  # pymorphy2 with natasha's compatibility fixes

    return MorphVocab()


@lru_cache(maxsize=300_000)
def analyse(word: str) -> tuple[tuple[str, str, frozenset], ...]:
    """pymorphy2 parses of a word: (normal form, POS, grammemes), most likely first."""
    w = word.lower().replace("ё", "е")
    if not re.search(r"[а-я]", w):
        return ()
    return tuple((p.normal_form.replace("ё", "е"), str(p.tag.POS), frozenset(p.tag.grammemes))
                 for p in _morph().parse(w)[:4])


def lemma(word: str) -> str:
    a = analyse(word)
    return a[0][0] if a else word.lower()


def pos(word: str) -> str | None:
    a = analyse(word)
    return a[0][1] if a else None


# --------------------------------------------------------------------------- lexicon (closed classes)

UNITS = {
    "ноль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100, "двести": 200, "триста": 300, "четыреста": 400,
    "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    "полтора": 1.5, "полторы": 1.5,
}
SCALES = {"тысяча": 1e3, "миллион": 1e6, "миллиард": 1e9, "триллион": 1e12}
ABBR_SCALES = {"тыс": 1e3, "млн": 1e6, "млрд": 1e9, "трлн": 1e12}
# nouns that are numbers themselves ("сотня", "десяток"); plural without a number = vague
COUNT_NOUNS = {"десяток": 10, "сотня": 100}
VAGUE_PLURAL = {"десяток": (20, 99), "сотня": (200, 999), "тысяча": (2000, 9999),
                "миллион": (2e6, 9.99e6), "миллиард": (2e9, 9.99e9)}
NUM_ALIASES = {"десятка": "десяток"}
SEVERAL = ("несколько",)  # "несколько сотен" -> 200..900
# qualifier -> (approximate, bound); longest first when matching
QUALIFIERS = {
    "около": (True, None), "примерно": (True, None), "приблизительно": (True, None),
    "порядка": (True, None), "почти": (True, "high"), "чуть менее": (True, "high"),
    "чуть более": (False, "low"), "более": (False, "low"), "больше": (False, "low"),
    "свыше": (False, "low"), "более чем": (False, "low"), "не менее": (False, "low"),
    "не меньше": (False, "low"), "как минимум": (False, "low"), "минимум": (False, "low"),
    "по меньшей мере": (False, "low"), "по крайней мере": (False, "low"),
    "до": (False, "high"), "не более": (False, "high"), "не больше": (False, "high"),
    "менее": (False, "high"), "меньше": (False, "high"), "максимум": (False, "high"),
    "не свыше": (False, "high"),
}
# what a date/duration counts: years, months ... (closed class) -- such numbers are not figures
TIME_NOUNS = frozenset({"год", "лет", "месяц", "неделя", "день", "сутки", "час", "минута",
                        "секунда", "век", "столетие", "десятилетие", "г", "гг", "ч", "мин"})
MONTH_LEMMAS = frozenset({"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                          "сентябрь", "октябрь", "ноябрь", "декабрь"})
MONTH_ABBR = frozenset({"янв", "фев", "февр", "мар", "апр", "июн", "июл", "авг", "сен", "сент",
                        "окт", "ноя", "нояб", "дек"})
MAX_UNIT_WORDS = 3  # adjectives + the counted noun
MIN_VALUE = 2  # a bare "1"/"один" is rarely a figure ("один из ...")
PERCENT_RE = re.compile(r"\s*(%|процент\w*)", re.I)

_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:[,.]\d+)?"
_NUM_TOKEN = re.compile(_DIGITS)


# --------------------------------------------------------------------------- number reading


def _digits_value(s: str) -> float | None:
    s = re.sub(r"[ \u00a0\u202f]", "", s)
    if re.fullmatch(r"\d+\.\d{3}", s):  # "17.000": a thousands dot
        s = s.replace(".", "")
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return None


def num_lemma(word: str) -> str:
    """The normal form of a number word under any of its readings ("десятки" -> "десяток")."""
    for normal, _, _ in analyse(word):
        normal = NUM_ALIASES.get(normal, normal)
        if normal in UNITS or normal in SCALES or normal in COUNT_NOUNS:
            return normal
    return lemma(word)


def _word_number(toks: list[Tok], i: int) -> tuple[float, int, str | None] | None:
    """Number words from toks[i]: (value, next index, lemma of the last scale or None)."""
    total, cur, seen, j, scale_lemma = 0.0, 0.0, False, i, None
    while j < len(toks):
        lem = num_lemma(toks[j].text)
        if lem in UNITS and not (lem == "один" and j == i and _next_is_iz(toks, j)):
            cur += UNITS[lem]
        elif lem in SCALES:
            cur = (cur or 1) * SCALES[lem]
            total, cur, scale_lemma = total + cur, 0.0, lem
        elif lem in COUNT_NOUNS and not seen:
            cur = COUNT_NOUNS[lem]
            scale_lemma = lem
        else:
            break
        seen, j = True, j + 1
    return (total + cur, j, scale_lemma) if seen else None


def _next_is_iz(toks: list[Tok], j: int) -> bool:
    return j + 1 < len(toks) and toks[j + 1].text.lower() == "из"


def _scale_after(toks: list[Tok], j: int, text: str) -> tuple[float, int]:
    """A scale word/abbreviation after digits: ("17" "тыс" ".") -> (1000, index after)."""
    if j >= len(toks):
        return 1.0, j
    w = toks[j].text.lower()
    if w in ABBR_SCALES:
        k = j + 1
        if k < len(toks) and toks[k].text == "." and toks[k].start == toks[j].end \
                and not _sentence_ends_after(text, toks[k].end):
            k += 1
        return ABBR_SCALES[w], k
    lem = lemma(w)
    if lem in SCALES:
        return SCALES[lem], j + 1
    return 1.0, j


def _sentence_ends_after(text: str, i: int) -> bool:
    """"17 тыс. Новые ..." -- the dot ends a sentence unless a lower-case word or digit follows."""
    return re.match(r"\s*[а-яёa-z0-9]", text[i:i + 3]) is None


_INT = re.compile(r"\d+(?:,\d+)?$")
_GROUP = re.compile(r"\d{3}$")
_RANGE_TOK = re.compile(r"(\d+(?:,\d+)?)[-–](\d+(?:,\d+)?)$")


@dataclass
class _Num:
    i: int  # first token of the number
    j: int  # index after its last token (scale included)
    value: float | None
    low: float | None = None
    high: float | None = None
    vague: str | None = None  # "несколько", "сотни" ...
    digits: str | None = None  # the digits as written, for the year test


def _read_digits(toks: list[Tok], i: int, text: str) -> _Num | None:
    """Digits at toks[i], with thousands groups, a decimal comma, a scale and a dash range."""
    t = toks[i].text
    r = _RANGE_TOK.match(t)
    if r:
        a, b = _digits_value(r.group(1)), _digits_value(r.group(2))
        scale, j = _scale_after(toks, i + 1, text)
        if a is None or b is None or a >= b:
            return None
        return _Num(i, j, None, a * scale, b * scale, digits=t)
    if not _INT.match(t):
        return None
    j, written = i + 1, t
    if len(t) <= 3 and "," not in t:
        while j < len(toks) and _GROUP.match(toks[j].text) and \
                text[toks[j - 1].end:toks[j].start] in (" ", "\u00a0", "\u202f"):
            written += toks[j].text
            j += 1
        if j < len(toks) and _INT.match(toks[j].text) and "," in toks[j].text and \
                re.fullmatch(r"\d{3},\d+", toks[j].text) and toks[j].start == toks[j - 1].end + 1:
            written += toks[j].text
            j += 1
    v = _digits_value(written)
    if v is None:
        return None
    scale, j = _scale_after(toks, j, text)
    return _Num(i, j, v * scale, digits=written if scale == 1 else None)


def _read_words(toks: list[Tok], i: int, qualified: bool = False) -> _Num | None:
    """Number words at toks[i]: "семнадцать тысяч", "несколько сотен", "сотни", "тысячи"."""
    w = toks[i].text.lower()
    if w in SEVERAL and i + 1 < len(toks):
        lem = num_lemma(toks[i + 1].text)
        if lem in VAGUE_PLURAL and lem in ("десяток", "сотня", "тысяча", "миллион", "миллиард"):
            base = COUNT_NOUNS.get(lem) or SCALES[lem]
            return _Num(i, i + 2, None, 2 * base, 9 * base, vague=w)
        return None
    got = _word_number(toks, i)
    if got is None:
        return None
    v, j, scale_lem = got
    # a plural scale with nothing before it: "сотни", "тысячи людей", "десятки тысяч"
    if (j == i + 1 or scale_lem == "тысяча" and j == i + 2 and num_lemma(toks[i].text) == "десяток") \
            and scale_lem in VAGUE_PLURAL and not qualified \
            and any("plur" in g for _, _, g in analyse(toks[i].text)):
        first = num_lemma(toks[i].text)
        lo, hi = VAGUE_PLURAL[first]
        if j == i + 2:  # "десятки тысяч"
            lo, hi = lo * 1000, (hi + 1) * 1000 - 1
        return _Num(i, j, None, lo, hi, vague=toks[i].text.lower())
    return _Num(i, j, v)


def _grammemes(word: str) -> frozenset:
    a = analyse(word)
    return a[0][2] if a else frozenset()


def _qualifier_before(toks: list[Tok], i: int, lo: int) -> tuple[int, str | None]:
    """A qualifier written just before toks[i] (longest first)."""
    for n in (3, 2, 1):
        if i - n < lo:
            continue
        phrase = " ".join(t.text.lower() for t in toks[i - n:i])
        if phrase in QUALIFIERS:
            return i - n, phrase
    return i, None


def _unit(toks: list[Tok], j: int) -> tuple[int, int] | None:
    """Adjectives and the noun after a number: token range [j, k) or None."""
    k = j
    while k < len(toks) and k - j < MAX_UNIT_WORDS:
        a = analyse(toks[k].text)
        if not a or not re.match(r"[^\W\d_]", toks[k].text):
            break
        p = a[0][1]
        if p == "NOUN":
            return j, k + 1
        if p not in ("ADJF", "PRTF"):
            break
        k += 1
    if k > j and any("gent" in g or "plur" in g for _, _, g in analyse(toks[k - 1].text)):
        return j, k  # a substantivised adjective: "40 погибших"
    return None


def _is_date_or_name(toks: list[Tok], n: _Num, unit: tuple[int, int] | None, text: str) -> bool:
    """Years, day-month dates, durations, model numbers: not figures."""
    nxt = toks[n.j] if n.j < len(toks) else None
    prev = toks[n.i - 1] if n.i > 0 else None
    if nxt is not None and (lemma(nxt.text) in MONTH_LEMMAS or nxt.text.lower() in TIME_NOUNS
                            or nxt.text.lower().rstrip(".") in MONTH_ABBR):
        return True
    if unit is None and any(x is not None and (x.text in "()" or re.search(r"\d", x.text)
                                               or re.fullmatch(r"[A-Za-z][\w'’-]*", x.text))
                            for x in (prev, nxt)):
        return True  # "(495) 645-6601", "фермента 2 (ACE2)", "PM’s 3 page": codes, not counts
    if unit is not None and any(lemma(t.text) in TIME_NOUNS or t.text.lower() in TIME_NOUNS
                                for t in toks[unit[0]:unit[1]]):
        return True
    if prev is not None:
        if lemma(prev.text) in MONTH_LEMMAS or prev.text in ("№", "#"):
            return True
        if re.fullmatch(r"[A-Za-z][\w-]*", prev.text) and prev.text[:1].isupper():
            return True  # "Boeing 737", "Airbus A320"
        if prev.end == toks[n.i].start and re.match(r"[^\W\d_]", prev.text[-1:]):
            return True  # glued to a word
    if n.digits and re.fullmatch(r"1[0-9]{3}|20[0-9]{2}|2100", n.digits) and unit is None:
        return True  # a bare year
    if prev is not None and prev.text in (":", ".", "/") and prev.end == toks[n.i].start \
            and n.i > 1 and toks[n.i - 2].text[-1:].isdigit():
        return True  # the minutes of "10:30"
    if nxt is not None and nxt.start == toks[n.j - 1].end and nxt.text in (":", ".", "/") \
            and n.j + 1 < len(toks) and toks[n.j + 1].text[:1].isdigit():
        return True  # "10:30", "15.11"
    return False


def _range_to(toks: list[Tok], n: _Num, text: str) -> _Num:
    """"от 10 до 20" / "10 – 20 тысяч": widen a number into a range when one follows."""
    j = n.j
    if j + 1 >= len(toks) or n.value is None:
        return n
    link = toks[j].text.lower()
    from_ok = n.i > 0 and toks[n.i - 1].text.lower() == "от"
    if not (link == "до" and from_ok or link in ("-", "–", "—")):
        return n
    m = _read_digits(toks, j + 1, text) if toks[j + 1].text[:1].isdigit() else \
        _read_words(toks, j + 1, True)
    if m is None or m.value is None:
        return n
    lo = n.value
    if n.j - n.i == 1 and m.j - m.i > 1 and m.value > lo and lo < 1000:
        # the scale written once: "от 10 до 20 тысяч"
        scale = m.value / (_digits_value(toks[m.i].text) or m.value)
        lo = lo * scale if lo * scale < m.value else lo
    if lo >= m.value:
        return n
    return _Num(n.i - 1 if from_ok else n.i, m.j, None, lo, m.value)


def _quantity(toks: list[Tok], n: _Num, qs: int, qual: str | None, text: str) -> Quantity | None:
    approx, bound = QUALIFIERS.get(qual, (False, None)) if qual else (False, None)
    value, low, high = n.value, n.low, n.high
    if n.vague:
        approx, qual = True, qual or n.vague
    elif value is not None and bound == "low":
        low = value
    elif value is not None and bound == "high":
        high = value
    end_tok = n.j - 1
    unit = None
    pm = PERCENT_RE.match(text, toks[end_tok].end)
    if pm and n.j < len(toks) and toks[n.j].start == pm.start(1):
        unit = pm.group(1)
        end_tok = next(k for k in range(n.j, len(toks)) if toks[k].end >= pm.end())
        u = None
    else:
        u = _unit(toks, n.j)
    if _is_date_or_name(toks, n, u, text) and not unit:
        return None
    if u is not None:
        unit = text[toks[u[0]].start:toks[u[1] - 1].end]
        end_tok = u[1] - 1
    if value is not None and value < MIN_VALUE and qual is None and n.j - n.i == 1:
        return None
    s, e = toks[qs].start, toks[end_tok].end
    return Quantity(start=s, end=e, text=text[s:e], value=value, low=low, high=high,
                    approximate=approx, qualifier=qual, unit=unit)


def find_ru_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Quantities in ``text[start:end]``, offsets into ``text``."""
    end = len(text) if end is None else end
    if not text or start >= end:
        return []
    toks = tokens(text, start, end)
    out: list[Quantity] = []
    i = 0
    while i < len(toks):
        t = toks[i].text
        qs, qual = _qualifier_before(toks, i, 0)
        if t[:1].isdigit():
            n = _read_digits(toks, i, text)
        elif re.match(r"[^\W\d_]", t):
            n = _read_words(toks, i, qual is not None)
        else:
            n = None
        if n is None:
            i += 1
            continue
        n2 = _range_to(toks, n, text)
        if n2 is not n:
            n, qs, qual = n2, n2.i, None
        q = _quantity(toks, n, qs, qual, text)
        if q is not None:
            out.append(q)
        i = max(n.j, i + 1)
    return out
