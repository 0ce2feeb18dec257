"""Entity alignment across translations: which entities of two versions of one article name one thing.

Assigns ``propose(a, b)``: for two documents of one story written in other languages or other
wordings (an original and its translation, two translations of one original), given as ``DocView``
(text, sentences, mentions, document entities with their current global ids), the pairs of
document entities that name the same thing, each with a score and its evidence (``Alignment``), so
that a translation's garbled name (a transliterated acronym, a misspelt surname) can join the
original's global entity. Pure functions: the caller reads the documents and applies the pairs.

Evidence:

1. position -- the two texts are put in correspondence by their anchors (figures, dates, names as
   Latin consonant skeletons, aligned in order: ``anchors.align``); a mention's relative position
   in one text is carried into the other by interpolating between the aligned anchors, and two
   mentions correspond only within ``POS_BAND`` (share of the text) or ``POS_CHARS`` of it;
2. names -- the transliterated forms compared (``name_similarity``: Jaro-Winkler on the folded Latin
   keys and their longer words, equal consonant skeletons, acronyms with the same letters in another
   order, as translation reorders the words an acronym abbreviates);
3. figures and dates found in both mentions' sentences;
4. type -- a demonym aligns only with a demonym, a person with something else only by a similar name.

Mentions are matched one to one, the best-scored pair first. Their pair scores are summed per entity
pair; an entity pair is proposed when one of its entities has it as its unique best partner (its
evidence at least ``MARGIN`` times the next partner's) and the evidence is enough: a similar name, a
fairly similar name in a corresponding place, or several mentions in corresponding places. Entities
already one global entity are not proposed, nor two person names of clearly different people, nor two
multi-word names of one script that are not forms of each other (``clearly_different``).
No name is listed anywhere: only letters, positions and figures.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from .anchors import KIND_MONTH, KIND_NUMBER, KIND_SMALL, KIND_WEEKDAY, KIND_WORD, KIND_YEAR, _WEIGHT
from .anchors import align as align_anchors
from .anchors import Anchor, anchors, skeleton
from .names import compare, name_form
from .translit import has_cyrillic, latin_forms, script_of

# ---- tuning -------------------------------------------------------------------------------
POS_BAND = 0.05  # two corresponding mentions lie at most this share of the text apart (after warping)
POS_CHARS = 80  # ... or this many characters (words move within a sentence: it matters in short texts)
W_POSITION = 0.4  # pair score = W_POSITION * closeness + W_NAME * name + W_FIGURES * shared figures
W_NAME = 0.6
W_FIGURES = 0.2
FIGURES_FULL = 2  # shared figures/dates in the two sentences that count in full
PAIR_MAX = W_POSITION + W_NAME + W_FIGURES  # an alignment's score: its mean pair score over this
MIN_PAIR = 0.45  # mention pairs scored lower are not matched
NAME_STRONG = 0.9  # a name this similar is enough on its own (one mention in a corresponding place)
NAME_WEAK = 0.8  # ... this similar, when the mentions are close (mean closeness >= CLOSE_WEAK)
CLOSE_WEAK = 0.5
MIN_MENTIONS = 2  # or: this many mention pairs, covering MIN_SHARE of the rarer entity's mentions,
MIN_SHARE = 0.5  # ... at mean closeness >= CLOSE_MENTIONS
CLOSE_MENTIONS = 0.5
MARGIN = 2.0  # the best partner's evidence at least this times the second's
SKELETON_MIN = 3  # consonants of two equal skeletons for them to count (SKELETON_SCORE)
SKELETON_SCORE = 0.85
ACRONYM_SCORE = 0.85  # two acronyms with the same letters in another order ("SSA" / "SAS")
TOKEN_FACTOR = 0.95  # a word of a multi-word name against a one-word name: its similarity times this
TOKEN_MIN = 4  # letters of a word compared on its own
LENGTH_RATIO = 0.6  # two keys are compared whole when the shorter has at least this share of the longer's letters
PERSON = "PERSON"
DEMONYM = "NORP"
UNTYPED = frozenset({"", "NAME", "MISC"})
FIGURE_KINDS = frozenset({KIND_NUMBER, KIND_YEAR, KIND_SMALL, KIND_MONTH, KIND_WEEKDAY})
MATCH_KINDS = frozenset({"exact", "variant", "fullname", "surname"})


@dataclass(frozen=True)
class MentionView:
    start: int
    end: int
    text: str
    entity: str  # document entity id
    lemma: str | None = None  # normal form (inflecting languages)

    @property
    def name(self) -> str:
        return self.lemma or self.text


@dataclass
class EntityView:
    id: str  # document entity id
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    gid: str | None = None  # current global entity

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *[a for a in self.aliases if a != self.name])


@dataclass
class DocView:
    key: str  # the document's key in the resolver (its store id)
    text: str
    sentences: list[tuple[int, int]]
    mentions: list[MentionView]
    entities: dict[str, EntityView]
    anchors: list[Anchor] | None = None  # the text's anchors when known (the store keeps them), else computed

    def text_anchors(self) -> list[Anchor]:
        if self.anchors is None:
            self.anchors = anchors(self.text)
        return self.anchors


@dataclass(frozen=True)
class Alignment:
    a: str  # document entity id in the first document
    b: str  # ... in the second
    score: float
    evidence: dict = field(default_factory=dict, compare=False)


# ---- names --------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 14)
def _latin_keys(name: str) -> tuple[str, ...]:
    """The folded keys of a name's Latin forms (every transliteration of a Cyrillic name)."""
    forms = latin_forms(name) if has_cyrillic(name) else [name]
    return tuple(dict.fromkeys(k for k in (name_form(f).key for f in forms) if k))


def _acronym_letters(name: str) -> str | None:
    letters = [c for c in name if c.isalpha()]
    if 2 <= len(letters) <= 6 and all(c.isupper() for c in letters) and len(name.split()) == 1:
        keys = _latin_keys(name)
        return "".join(sorted(keys[0].replace(" ", ""))) if keys else None
    return None


def _key_similarity(p: str, q: str, words: bool) -> float:
    # Jaro-Winkler rewards a shared start: "china" / "china laos railway" is not a spelling variant
    best = JaroWinkler.similarity(p, q) if min(len(p), len(q)) >= LENGTH_RATIO * max(len(p), len(q)) else 0.0
    sp, sq = skeleton(p), skeleton(q)
    if sp == sq and len(sp) >= SKELETON_MIN:
        best = max(best, SKELETON_SCORE)
    wp, wq = p.split(), q.split()
    if words and (len(wp) > 1) != (len(wq) > 1):  # a surname or one word of a longer name
        for x in wp:
            for y in wq:
                if len(x) >= TOKEN_MIN and len(y) >= TOKEN_MIN:
                    best = max(best, TOKEN_FACTOR * JaroWinkler.similarity(x, y))
    return best


@lru_cache(maxsize=1 << 16)
def name_similarity(x: str, y: str, words: bool = True) -> float:
    """How alike two written names are across scripts, in [0, 1]: the best over their Latin forms
    of Jaro-Winkler on the folded keys (or, with ``words``, on a word of the longer against a
    one-word name: a surname), equal consonant skeletons, or two acronyms with the same letters."""
    best = 0.0
    for p in _latin_keys(x):
        for q in _latin_keys(y):
            best = max(best, _key_similarity(p, q, words))
            if best >= 1.0:
                return 1.0
    ax, ay = _acronym_letters(x), _acronym_letters(y)
    if ax and ay and ax == ay:
        best = max(best, ACRONYM_SCORE)
    return best


def same_kind(a: EntityView, b: EntityView) -> bool:
    """One label, or one side untyped: a word of a longer name may then be the name (a surname,
    "Guangdong" / "Guangdong province"); across types it names something else after it (a city and
    its government, a country and a railway), so only whole names are compared."""
    return a.label == b.label or a.label in UNTYPED or b.label in UNTYPED


def entity_similarity(a: EntityView, b: EntityView) -> float:
    words = same_kind(a, b)
    return max((name_similarity(x, y, words) for x in a.names for y in b.names), default=0.0)


def clearly_different(a_names: tuple[str, ...], b_names: tuple[str, ...], person: bool) -> bool:
    """Names that cannot be one thing's: two sets of full person names none of which match
    (across scripts through their Latin forms), or two sets of multi-word names of one script none
    of which is a form of the other (neither holds the other's words, no strong match). Across
    scripts multi-word names differ by nature (a translation): only person names are checked."""
    def multi(names):
        return [(n, script_of(n), frozenset(name_form(n).core)) for n in names if len(name_form(n).core) >= 2]

    fa, fb = multi(a_names), multi(b_names)
    if not fa or not fb:
        return False
    same_script = False
    for x, sx, tx in fa:
        for y, sy, ty in fb:
            if tx <= ty or ty <= tx or compare(x, y, person).kind in MATCH_KINDS:
                return False
            if sx != sy and name_similarity(x, y, False) >= NAME_WEAK:
                return False  # a transliteration the rules do not spell ("Моравецкий" / "Morawiecki")
            same_script |= sx == sy
    return person or same_script


def compatible(a: EntityView, b: EntityView, name: float) -> bool:
    """May two entities' labels be one thing's? A demonym only with a demonym; a person with
    another type only under a strongly similar name (taggers mislabel names, not places as people)."""
    la, lb = a.label, b.label
    if (la == DEMONYM) != (lb == DEMONYM):
        return False
    if la in UNTYPED or lb in UNTYPED or la == lb:
        return True
    if PERSON in (la, lb):
        return name >= NAME_STRONG
    return True


# ---- positions ----------------------------------------------------------------------------
class Warp:
    """A monotone map from relative positions in one text to the other, through fixed points
    (aligned anchors), linear in between and the identity at the ends."""

    def __init__(self, points: list[tuple[float, float]]):
        pts = sorted({(0.0, 0.0), (1.0, 1.0), *points})
        xs, ys = [], []
        for x, y in pts:  # keep it monotone: drop a point that would go back
            if xs and (x <= xs[-1] or y < ys[-1]):
                continue
            xs.append(x)
            ys.append(y)
        self.xs, self.ys = xs, ys

    def __call__(self, x: float) -> float:
        k = bisect.bisect_right(self.xs, x)
        if k <= 0:
            return self.ys[0]
        if k >= len(self.xs):
            return self.ys[-1]
        x0, x1, y0, y1 = self.xs[k - 1], self.xs[k], self.ys[k - 1], self.ys[k]
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 > x0 else y0


def text_warp(a: DocView, b: DocView) -> Warp:
    """The positions of ``a``'s text carried into ``b``'s by their aligned anchors (names,
    figures, dates: ``anchors.align``, every anchor weighted by its kind)."""
    xa = [x for x in a.text_anchors() if x.kind != KIND_WORD]
    xb = [x for x in b.text_anchors() if x.kind != KIND_WORD]
    weight = {x.key: _WEIGHT[x.kind] for x in (*xa, *xb)}
    _, pairs = align_anchors(xa, xb, weight)
    return Warp([(xa[i].pos, xb[j].pos) for i, j in pairs])


def sentence_figures(view: DocView) -> list[frozenset[int]]:
    """Per mention, the figures and dates (anchor keys) of its sentence."""
    size = max(1, len(view.text))
    starts = [s for s, _ in view.sentences]
    by_sentence: dict[int, set[int]] = defaultdict(set)
    for x in view.text_anchors():
        if x.kind in FIGURE_KINDS:
            by_sentence[bisect.bisect_right(starts, round(x.pos * size)) - 1].add(x.key)
    return [frozenset(by_sentence.get(bisect.bisect_right(starts, m.start) - 1, ())) for m in view.mentions]


# ---- matching -----------------------------------------------------------------------------
@dataclass
class _Pair:
    i: int  # mention index in a
    j: int  # ... in b
    score: float
    closeness: float
    name: float
    figures: int


def _mention_pairs(a: DocView, b: DocView, warp: Warp) -> list[_Pair]:
    """Every pair of mentions in corresponding places with compatible entities, scored."""
    size_a, size_b = max(1, len(a.text)), max(1, len(b.text))
    figs_a, figs_b = sentence_figures(a), sentence_figures(b)
    order_b = sorted(range(len(b.mentions)), key=lambda j: b.mentions[j].start)
    pos_b = [b.mentions[j].start / size_b for j in order_b]
    band = max(POS_BAND, POS_CHARS / size_b)
    out = []
    for i, ma in enumerate(a.mentions):
        ea = a.entities.get(ma.entity)
        if ea is None:
            continue
        at = warp(ma.start / size_a)
        lo, hi = bisect.bisect_left(pos_b, at - band), bisect.bisect_right(pos_b, at + band)
        for j in order_b[lo:hi]:
            mb = b.mentions[j]
            eb = b.entities.get(mb.entity)
            if eb is None:
                continue
            name = name_similarity(ma.name, mb.name, same_kind(ea, eb))
            if not compatible(ea, eb, max(name, entity_similarity(ea, eb) if name < NAME_STRONG else name)):
                continue
            closeness = 1.0 - abs(at - mb.start / size_b) / band
            figures = len(figs_a[i] & figs_b[j])
            score = W_POSITION * closeness + W_NAME * name + W_FIGURES * min(1.0, figures / FIGURES_FULL)
            if score >= MIN_PAIR:
                out.append(_Pair(i, j, score, closeness, name, figures))
    return out


def match_mentions(pairs: list[_Pair]) -> list[_Pair]:
    """A one-to-one matching of mentions, the best-scored pair first (ties: text order)."""
    used_a, used_b, out = set(), set(), []
    for p in sorted(pairs, key=lambda p: (-p.score, p.i, p.j)):
        if p.i in used_a or p.j in used_b:
            continue
        used_a.add(p.i)
        used_b.add(p.j)
        out.append(p)
    return out


# ---- entities -----------------------------------------------------------------------------
@dataclass
class _Evidence:
    mentions: int = 0
    mass: float = 0.0  # summed pair scores
    closeness: float = 0.0  # summed
    figures: int = 0


def _unique_best(partners: dict[str, float], other: str) -> bool:
    """Is ``other`` the best partner, by at least MARGIN over the next one?"""
    ranked = sorted(partners.values(), reverse=True)
    best = partners.get(other, 0.0)
    return best >= ranked[0] - 1e-9 and (len(ranked) < 2 or best >= MARGIN * ranked[1])


def _enough(e: _Evidence, name: float, rarer: int) -> str | None:
    """Why the evidence suffices ("name", "name and place", "places"), or None."""
    close = e.closeness / e.mentions
    if name >= NAME_STRONG:
        return "name"
    if name >= NAME_WEAK and close >= CLOSE_WEAK:
        return "name and place"
    if e.mentions >= MIN_MENTIONS and e.mentions >= MIN_SHARE * rarer and close >= CLOSE_MENTIONS:
        return "places"
    return None


def propose(a: DocView, b: DocView, warp: Warp | None = None) -> list[Alignment]:
    """The entity pairs of two versions of one article that name one thing and are not yet one
    global entity (entities without a global id are left out), in order of ``a``'s entities."""
    matched = match_mentions(_mention_pairs(a, b, warp or text_warp(a, b)))
    evidence: dict[tuple[str, str], _Evidence] = defaultdict(_Evidence)
    for p in matched:
        e = evidence[(a.mentions[p.i].entity, b.mentions[p.j].entity)]
        e.mentions += 1
        e.mass += p.score
        e.closeness += p.closeness
        e.figures += p.figures
    partners_a: dict[str, dict[str, float]] = defaultdict(dict)
    partners_b: dict[str, dict[str, float]] = defaultdict(dict)
    for (x, y), e in evidence.items():
        partners_a[x][y] = e.mass
        partners_b[y][x] = e.mass
    count_a: dict[str, int] = defaultdict(int)
    count_b: dict[str, int] = defaultdict(int)
    for m in a.mentions:
        count_a[m.entity] += 1
    for m in b.mentions:
        count_b[m.entity] += 1
    out = []
    for (x, y), e in sorted(evidence.items(), key=lambda kv: (_order(kv[0][0]), _order(kv[0][1]))):
        ea, eb = a.entities[x], b.entities[y]
        if ea.gid is None or eb.gid is None or ea.gid == eb.gid:
            continue
        if not (_unique_best(partners_a[x], y) or _unique_best(partners_b[y], x)):
            continue
        name = entity_similarity(ea, eb)
        why = _enough(e, name, min(count_a[x], count_b[y]))
        if why is None or clearly_different(ea.names, eb.names, PERSON in (ea.label, eb.label)):
            continue
        out.append(Alignment(x, y, round(e.mass / e.mentions / PAIR_MAX, 3), {
            "why": why, "mentions": e.mentions, "name": round(name, 3),
            "closeness": round(e.closeness / e.mentions, 3), "figures": e.figures,
            "names": [ea.name, eb.name]}))
    return out


def _order(local: str) -> tuple[int, str]:
    digits = "".join(c for c in local if c.isdigit())
    return (int(digits) if digits else 0, local)
