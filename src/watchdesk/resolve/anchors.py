"""Anchors: what a translation keeps of its original, read from the text alone (any language).

A translation shares almost no words with its original, but it keeps the figures (normalised:
"17 тысяч", "17,000" and "17 000" are all 17000), the months and weekdays of its dates, and the
proper names, which come out as the same Latin consonant skeleton once transliterated
("Лавровым" and "Lavrov", "Москве" and "Moscow"), and many long words (loanwords,
internationalisms: "экспорт"/"export"; in one language, the shared vocabulary). It also keeps
them in about the same order and at about the same relative position in the text.
This module assigns each text its sequence of anchors (key, relative position, kind) and decides whether two anchor sequences are
one story told twice (``same_story``): a weighted, order-preserving alignment of the shared
anchors within a narrow positional band, each weighted by kind, by how rare it is in the store
(stories it occurs in) and down for repeats; names, figures and dates must align on their own,
or all anchors together.

No NER is used (texts in a language without a pipeline still get anchors); the only word lists
are closed classes: number multipliers, months, weekdays.
"""
from __future__ import annotations

import functools
import math
import re
import struct
import zlib
from dataclasses import dataclass

from unidecode import unidecode

# ---- tuning -------------------------------------------------------------------------------
SKELETON_PREFIX = 3  # consonants of a name's skeleton kept (cuts off Russian case endings)
MIN_SKELETON = 2  # names with a shorter skeleton ("Ли", "Ира") are not anchors
W_NAME = 1.0  # intrinsic weights by kind
W_NUMBER = 2.0  # a figure that is not small and not a year
W_YEAR = 1.0
W_SMALL = 0.4  # 0..12: often spelled out in one language and written as digits in the other
W_MONTH = 0.6
W_WEEKDAY = 0.4
W_WORD = 0.3  # a long lower-case word: loanwords and internationalisms keep their skeleton
MIN_WORD = 5  # letters of a lower-case (or sentence-initial) word taken as an anchor
# Aligned anchors lie at most POSITION_BAND apart (share of the text length); a match counts in
# full up to POSITION_EXACT apart, then less and less (translations: 90% within 0.03).
POSITION_EXACT = 0.02
POSITION_BAND = 0.06
MAX_ANCHORS = 600  # anchors kept per text (the first ones); bounds alignment time and storage
# The pair test: names, figures and dates alone align well (MIN_SCORE_NAMES), or all anchors,
# lower-case words included, do (MIN_SCORE_ALL); scores are aligned weight over mean total weight.
MIN_MATCHED = 3  # aligned names, figures and dates
MIN_MATCHED_ALL = 6  # aligned anchors of any kind
MIN_SCORE_NAMES = 0.45
MIN_SCORE_ALL = 0.4
MAX_LENGTH_RATIO = 2.2  # text lengths (characters) of a translation and its original
# Rarity: weight *= log((N + PRIOR_DOCS) / (df + 1)) / log(N + PRIOR_DOCS), df counted in stories.
PRIOR_DOCS = 1000  # a store of few documents does not yet know what is common
INDEX_DF_SHARE = 0.05  # anchors in more stories than this share (and ...)
INDEX_DF_MIN = 20  # ... than this many) are not used to find candidates
MIN_SHARED = 3  # candidates share at least this many indexed anchors
MAX_CANDIDATES = 20  # candidates tested per new document (most shared anchors first)

KIND_NAME, KIND_NUMBER, KIND_YEAR, KIND_SMALL, KIND_MONTH, KIND_WEEKDAY, KIND_WORD = range(7)
_WEIGHT = {KIND_NAME: W_NAME, KIND_NUMBER: W_NUMBER, KIND_YEAR: W_YEAR, KIND_SMALL: W_SMALL,
           KIND_MONTH: W_MONTH, KIND_WEEKDAY: W_WEEKDAY, KIND_WORD: W_WORD}

# Multipliers written after a figure (closed class; matched on the word's start).
_MULTIPLIERS = (("тыс", 1e3), ("thousand", 1e3), ("млн", 1e6), ("миллион", 1e6), ("million", 1e6),
                ("mln", 1e6), ("млрд", 1e9), ("миллиард", 1e9), ("billion", 1e9), ("bn", 1e9),
                ("bln", 1e9), ("трлн", 1e12), ("триллион", 1e12), ("trillion", 1e12))
_MONTH_RU = re.compile(r"^(?:(январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)(?:ь|я|е|ю|ём|ем)"
                       r"|(март|август)(?:а|е|у|ом)?|(ма)(?:й|я|е|ю|ем))$")
_MONTH_RU_STEMS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр",
                   "ноябр", "декабр")
_MONTH_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december")
_WEEKDAY_RU = re.compile(r"^(понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)(?:а|у|е|ом|ой|ы|ам)?$")
_WEEKDAY_RU_STEMS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")
_WEEKDAY_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_TOKEN = re.compile(
    r"(?P<num>(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?))"
    r"(?:[ \u00a0]?(?P<mult>[^\W\d_]+\.?))?"
    r"|(?P<word>(?<!\w)[^\W\d_][^\W\d_'’-]*)"
)
_SENTENCE_END = re.compile(r"[.!?…:;]\s*[\"'»”)]*\s*$|^\s*$|\n\s*$")


@dataclass(frozen=True)
class Anchor:
    key: int  # 31-bit hash of the normalised form ("n:17000", "p:lvr", "m:11", "wp:ksp")
    pos: float  # relative position in the text, 0..1
    kind: int

    @property
    def weight(self) -> float:
        return _WEIGHT[self.kind]


def anchor_key(form: str) -> int:
    """A stable 31-bit key for a normalised anchor form (fits a SQLite integer and a struct)."""
    return zlib.crc32(form.encode("utf-8")) & 0x7FFFFFFF


# ---- figures --------------------------------------------------------------------------------
def number_value(digits: str, multiplier: str | None) -> float | None:
    """The value of a written figure: "17 000", "17,000" -> 17000; "75,9" + "тыс." -> 75900."""
    grouped = re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f,]\d{3})+", digits)
    text = re.sub(r"[ \u00a0\u202f,]", "", digits) if grouped else digits.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    if multiplier:
        word = multiplier.lower().rstrip(".")
        for start, factor in _MULTIPLIERS:
            if word.startswith(start):
                value *= factor
                break
    return value


def _number_anchor(value: float) -> tuple[str, int]:
    if value == int(value):
        form = str(int(value))
        if value <= 12:
            return "n:" + form, KIND_SMALL
        if 1900 <= value <= 2100:
            return "n:" + form, KIND_YEAR
        return "n:" + form, KIND_NUMBER
    return "n:" + f"{value:.6g}", KIND_NUMBER


# ---- names ----------------------------------------------------------------------------------
_SKELETON_RULES = (("eu", "ev"), ("au", "av"), ("shch", "s"), ("sch", "s"), ("sh", "s"), ("dzh", "j"),
                   ("ch", "c"), ("zh", "z"),
                   ("kh", "h"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("th", "t"), ("ck", "k"),
                   ("x", "ks"), ("w", "v"), ("q", "k"), ("c", "k"))
_NOT_CONSONANT = re.compile(r"[^bcdfgklmnprstvzks]")


def skeleton(word: str) -> str:
    """The Latin consonant skeleton of a name in any script ("Лавровым", "Lavrov" -> "lvrvm", "lvrv").

    Transliterated (unidecode), lower-cased; digraphs folded, vowels, j/y, h and g dropped
    (Russian renders English h as г), doubled consonants collapsed.
    """
    latin = unidecode(word).lower()
    for old, new in _SKELETON_RULES:
        latin = latin.replace(old, new)
    latin = _NOT_CONSONANT.sub("", latin.replace("g", "").replace("h", ""))
    return re.sub(r"(.)\1+", r"\1", latin)


def _name_form(word: str) -> str | None:
    skel = skeleton(word)
    if len(skel) < MIN_SKELETON:
        return None
    return "p:" + skel[:SKELETON_PREFIX]


def _month_or_weekday(lower: str) -> tuple[str, int] | None:
    """("m:<1..12>", KIND_MONTH) or ("w:<0..6>", KIND_WEEKDAY) for a month or weekday name."""
    if lower in _MONTH_EN:
        return f"m:{_MONTH_EN.index(lower) + 1}", KIND_MONTH
    if lower in _WEEKDAY_EN:
        return f"w:{_WEEKDAY_EN.index(lower)}", KIND_WEEKDAY
    ru = _MONTH_RU.match(lower)
    if ru:
        return f"m:{_MONTH_RU_STEMS.index(next(g for g in ru.groups() if g)) + 1}", KIND_MONTH
    day = _WEEKDAY_RU.match(lower)
    if day:
        return f"w:{_WEEKDAY_RU_STEMS.index(day.group(1))}", KIND_WEEKDAY
    return None


# ---- the anchors of a text ------------------------------------------------------------------
def _sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, start - 6):start]))


def _word_anchor(text: str, m: re.Match) -> tuple[str, int] | None:
    word = m.group("word")
    lower = word.lower()
    found = _month_or_weekday(lower)
    if found and (word[0].isupper() or not lower.isascii()):  # English months and days are capitalised
        return found
    if word.isupper() and len(word) > 1:
        return None  # acronyms differ between languages (США, US)
    if word[0].isupper() and not _sentence_initial(text, m.start()):
        form = _name_form(word)  # a name: capitalised, not the first word of a sentence
        return (form, KIND_NAME) if form else None
    if len(word) < MIN_WORD:
        return None
    form = _name_form(word)
    return ("w" + form, KIND_WORD) if form else None


def anchors(text: str) -> list[Anchor]:
    """The anchors of ``text`` in text order (at most MAX_ANCHORS)."""
    out: list[Anchor] = []
    size = max(1, len(text))
    for m in _TOKEN.finditer(text):
        if m.group("num"):
            mult = m.group("mult")
            value = number_value(m.group("num"), mult)
            if value is None:
                continue
            form, kind = _number_anchor(value)
        else:
            found = _word_anchor(text, m)
            if found is None:
                continue
            form, kind = found
        out.append(Anchor(anchor_key(form), m.start() / size, kind))
        if len(out) >= MAX_ANCHORS:
            break
    return out


def pack(items: list[Anchor]) -> bytes:
    """Anchors as bytes for the store: key (uint32), position (uint16 of 65535ths), kind (uint8)."""
    return b"".join(struct.pack("<IHB", a.key, round(a.pos * 65535), a.kind) for a in items)


def unpack(data: bytes) -> list[Anchor]:
    return [Anchor(k, p / 65535, kind) for k, p, kind in struct.iter_unpack("<IHB", data)]


# ---- the pair test --------------------------------------------------------------------------
@functools.lru_cache(maxsize=65536)
def rarity(df: int, documents: int) -> float:
    """Weight factor of an anchor found in ``df`` of ``documents`` stored texts (1.0 = unseen)."""
    top = math.log(documents + PRIOR_DOCS)
    return max(0.0, math.log((documents + PRIOR_DOCS) / (df + 1))) / top


def _repeat_factors(items: list[Anchor]) -> list[float]:
    """1 for an anchor's first occurrence in a text, 1/2 for its second, ...: a name repeated
    throughout two articles on one topic must not outweigh the rest."""
    seen: dict[int, int] = {}
    out = []
    for x in items:
        seen[x.key] = seen.get(x.key, 0) + 1
        out.append(1.0 / seen[x.key])
    return out


def align(a: list[Anchor], b: list[Anchor], weight: dict[int, float]) -> tuple[float, list[tuple[int, int]]]:
    """The order-preserving matching of equal keys within POSITION_BAND of maximal total weight
    (a weighted longest increasing subsequence over the candidate matches, Fenwick tree of
    prefix maxima); returns the total weight and the matched index pairs."""
    fa, fb = _repeat_factors(a), _repeat_factors(b)
    where: dict[int, list[int]] = {}
    for j, y in enumerate(b):
        if y.key in weight:
            where.setdefault(y.key, []).append(j)
    size = len(b)
    tree = [(0.0, -1)] * (size + 1)  # (best total, index into ends) per Fenwick node
    ends: list[tuple[int, int, int]] = []  # (i, j, previous end index)
    for i, x in enumerate(a):
        for j in reversed(where.get(x.key, ())):
            gap = abs(x.pos - b[j].pos)
            if gap >= POSITION_BAND:
                continue
            closeness = min(1.0, (POSITION_BAND - gap) / (POSITION_BAND - POSITION_EXACT))
            best, prev, k = 0.0, -1, j  # prefix max over columns < j
            while k > 0:
                if tree[k][0] > best:
                    best, prev = tree[k]
                k -= k & -k
            total = best + weight[x.key] * min(fa[i], fb[j]) * closeness
            ends.append((i, j, prev))
            k = j + 1
            while k <= size:
                if total > tree[k][0]:
                    tree[k] = (total, len(ends) - 1)
                k += k & -k
    best, at, k = 0.0, -1, size
    while k > 0:
        if tree[k][0] > best:
            best, at = tree[k]
        k -= k & -k
    pairs = []
    while at >= 0:
        i, j, at = ends[at]
        pairs.append((i, j))
    return best, pairs[::-1]


@dataclass
class AnchorMatch:
    matched: int  # aligned anchors
    score: float  # aligned weight / mean total weight, 0..1
    same: bool = False  # passes the test


def anchor_match(a: list[Anchor], b: list[Anchor], df: dict[int, int], documents: int,
                 minimum: float = 0.0) -> AnchorMatch:
    """The weighted, order-preserving alignment of two anchor sequences (rarity-weighted).

    With ``minimum``, pairs whose unordered overlap cannot reach that score are not aligned."""
    if not a or not b:
        return AnchorMatch(0, 0.0)
    kinds = {x.key: x.kind for x in a}
    kinds.update((x.key, x.kind) for x in b)
    weight = {k: _WEIGHT[kind] * rarity(df.get(k, 0), documents) for k, kind in kinds.items()}
    fa, fb = _repeat_factors(a), _repeat_factors(b)
    mass_a: dict[int, float] = {}
    for x, f in zip(a, fa):
        mass_a[x.key] = mass_a.get(x.key, 0.0) + weight[x.key] * f
    mass_b: dict[int, float] = {}
    for x, f in zip(b, fb):
        mass_b[x.key] = mass_b.get(x.key, 0.0) + weight[x.key] * f
    total = sum(mass_a.values()) + sum(mass_b.values())
    bound = sum(min(v, mass_b[k]) for k, v in mass_a.items() if k in mass_b)
    if not total or 2 * bound / total < minimum:
        return AnchorMatch(0, 2 * bound / total if total else 0.0)
    matched, pairs = align(a, b, weight)
    return AnchorMatch(len(pairs), 2 * matched / total)


def same_story(a: list[Anchor], b: list[Anchor], len_a: int, len_b: int, df: dict[int, int],
               documents: int) -> AnchorMatch:
    """Whether two texts are one story in two wordings (a translation, two translations of one text).

    The returned match is the better of the two tests (names, figures and dates; all anchors)."""
    if max(len_a, len_b) > MAX_LENGTH_RATIO * max(1, min(len_a, len_b)):
        return AnchorMatch(0, 0.0)
    strong = anchor_match([x for x in a if x.kind != KIND_WORD], [x for x in b if x.kind != KIND_WORD],
                          df, documents, MIN_SCORE_NAMES)
    strong.same = strong.matched >= MIN_MATCHED and strong.score >= MIN_SCORE_NAMES
    every = anchor_match(a, b, df, documents, MIN_SCORE_ALL)
    every.same = every.matched >= MIN_MATCHED_ALL and every.score >= MIN_SCORE_ALL
    return max((strong, every), key=lambda m: (m.same, m.score))


def index_keys(items: list[Anchor]) -> set[int]:
    """The keys of a text that find candidates: all but small numbers, months and weekdays."""
    return {x.key for x in items if x.kind not in (KIND_SMALL, KIND_MONTH, KIND_WEEKDAY)}
