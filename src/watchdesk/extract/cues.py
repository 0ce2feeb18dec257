"""Attribution cues: the learned lexicon (data/cues.json) and the syntactic frames it is keyed by.

The lexicon is built from PolNeAR train by ``scripts/build_cues.py``: for every lemma and frame
it stores how often the word was a gold attribution cue in that frame and how often it occurred
in that frame. ``CueLexicon.is_cue(token, frame)`` accepts a word when its precision in the
frame reaches a threshold (and it was seen as a cue often enough).
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from spacy.tokens import Token

# Quotation marks of every style we meet (straight, curly, low-9, guillemets, primes).
OPEN_QUOTES = "“„«‹\"‘‚"
CLOSE_QUOTES = "”“»›\"’‘"
QUOTE_CHARS = frozenset("“”„‟«»‹›\"")

COMP_DEPS = frozenset({"ccomp", "parataxis"})
QUOTE_WINDOW = 3  # tokens between a cue and a quotation mark

# Defaults for acceptance (precision of the lemma as a cue in the frame; minimum gold count).
MIN_P = {"comp": 0.25, "quote": 0.3, "prep": 0.3, "any": 0.5, "obj": 0.25, "xcomp": 0.25,
         "pobj": 0.25}  # comp/obj/xcomp/pobj: the F1-best shared threshold on PolNeAR train
MIN_COUNT = 3


def quoted_chars(text: str):
    """A predicate: is character offset ``i`` inside a quotation (marks excluded)?"""
    import bisect

    from .quotes import find_quote_spans

    spans = [(q.start, q.end) for q in find_quote_spans(text)]
    starts = [s for s, _ in spans]

    def inside(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and spans[k][0] < i < spans[k][1] - 1

    return inside


def near_quote(tok: Token, window: int = QUOTE_WINDOW) -> bool:
    doc = tok.doc
    lo, hi = max(0, tok.i - window), min(len(doc), tok.i + window + 1)
    return any(doc[j].text[:1] in QUOTE_CHARS or doc[j].text[-1:] in QUOTE_CHARS
               for j in range(lo, hi) if j != tok.i)


def has_comp(tok: Token) -> bool:
    if tok.dep_ == "parataxis" and tok.head.i != tok.i:
        return True
    return any(c.dep_ in COMP_DEPS for c in tok.children)


def is_source_phrase(tok: Token) -> bool:
    """A prepositional/participial phrase naming a source: "according to X", "citing X"."""
    if tok.dep_ not in ("prep", "advcl", "pcomp", "acl", "npadvmod"):
        return False
    for c in tok.children:
        if c.dep_ in ("pobj", "dobj"):
            return True
        if c.dep_ == "prep" and any(g.dep_ == "pobj" for g in c.children):
            return True
    return False


def obj_child(tok: Token) -> Token | None:
    """The direct object of a verb ("criticized the plan")."""
    return next((c for c in tok.children if c.dep_ == "dobj"), None)


def xcomp_child(tok: Token) -> Token | None:
    """The open clausal complement of a verb ("wants to win", "urged them to leave")."""
    return next((c for c in tok.children if c.dep_ == "xcomp"), None)


def prep_object(tok: Token) -> tuple[Token, Token] | None:
    """(preposition, its object) right after a verb ("called for X", "spoke about how …")."""
    for c in tok.children:
        if c.dep_ == "prep" and c.i > tok.i and c.i - tok.i <= 3:
            for g in c.children:
                if g.dep_ in ("pobj", "pcomp"):
                    return c, g
    return None


def frames_of(tok: Token) -> list[str]:
    frames = ["any"]
    if has_comp(tok):
        frames.append("comp")
    elif tok.pos_ in ("VERB", "AUX"):
        if obj_child(tok) is not None:
            frames.append("obj")
        elif xcomp_child(tok) is not None:
            frames.append("xcomp")
        elif prep_object(tok) is not None:
            frames.append("pobj")
    if near_quote(tok):
        frames.append("quote")
    if is_source_phrase(tok):
        frames.append("prep")
    return frames


class CueLexicon:
    def __init__(self, data: dict, min_p: dict | None = None, min_count: int = MIN_COUNT):
        self.data = data
        self.lemmas: dict = data.get("lemmas", {})
        self.min_p = dict(MIN_P, **(min_p or {}))
        self.min_count = min_count

    def score(self, lemma: str, frame: str) -> float:
        e = self.lemmas.get(lemma)
        if not e or frame not in e:
            return 0.0
        f = e[frame]
        if f["cue"] < self.min_count:
            return 0.0
        return f["p"]

    def content_governs_cue(self, lemma: str) -> bool:
        """Is the reported content usually the clause the cue hangs from ("…, according to X")?"""
        d = self.lemmas.get(lemma, {}).get("content", {})
        return d.get("governs_cue", 0) > d.get("under_cue", 0)

    def is_cue(self, tok: Token, frame: str) -> bool:
        return self.score(tok.lemma_.lower(), frame) >= self.min_p[frame]

    def is_cue_lemma(self, lemma: str, frame: str) -> bool:
        return self.score(lemma, frame) >= self.min_p[frame]


@lru_cache(maxsize=1)
def load_lexicon() -> CueLexicon:
    text = resources.files("watchdesk").joinpath("data", "cues.json").read_text(encoding="utf-8")
    return CueLexicon(json.loads(text))
