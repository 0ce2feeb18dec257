"""Document-level named-entity pass over a spaCy ``Doc``.

spaCy's statistical NER, run sentence by sentence, is inconsistent on noisy, machine-translated
or headline text: the same name gets different labels, some of its occurrences are missed, and
spans swallow line breaks and page debris. ``find_entities`` repairs that with document-wide,
general rules (no per-article word lists):

1. keep only named labels (PERSON, ORG, GPE, ...); numeric ones are never mentions;
2. cut spans at line breaks, spaced dashes, commas and free-standing numbers, and trim debris
   (quotes, ``&``, ``#``, bullets, brackets, a leading "the", a trailing possessive) keeping
   exact offsets; drop spans without a capital letter, of interface words or of stop words;
3. decide one label per name by a document-wide vote (pieces of broken spans and spans in
   ALL-CAPS lines vote with less weight), attach a person's short forms (surname or first name
   alone, when no other person shares it) and close spelling variants of a long surname;
4. propagate every recognised surface form to its other whole-token occurrences in the document
   (case-sensitive; in ALL-CAPS lines such as wire headlines, the upper-cased form), except a
   one-word form at a sentence start that is also a common word there;
5. group mentions into document entities ``e1, e2, ...`` in order of first mention, each with
   one label, the fullest form as its name, and its distinct surface forms as aliases.

The pass is linear in the number of tokens apart from the variant check, which only compares
long capitalised tokens sharing a three-letter prefix. It reads ``doc.ents``, token offsets,
``pos_`` and sentence starts; it never runs a model.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from watchdesk.types import DocEntity, Mention

if TYPE_CHECKING:  # spaCy is only needed at run time through the Doc we are given
    from spacy.tokens import Doc

NAMED_LABELS = frozenset({
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW",
    "LANGUAGE",
})

# Words of web-page chrome. A span made only of these (and punctuation) is page debris.
INTERFACE_WORDS = frozenset("""
download downloads share shares shared sharing tweet tweets retweet print email e-mail mail
subscribe unsubscribe login log logout sign signin signup register comment comments reply
replies like likes follow following unfollow click here read more menu home search close
open next previous prev back top skip content advertisement advertisements ad ads sponsored
related similar recommended popular trending latest embed copy copied link links url
loading load video videos photo photos image images gallery play pause watch listen audio
cookie cookies privacy terms accept settings save saved bookmark pin send messenger
whatsapp telegram view views page pages newsletter rss feed permalink continue reading
toggle navigation nav sidebar footer header
""".split())

HONORIFICS = frozenset("""
mr mrs ms miss dr prof sir lady lord dame rev father sister brother sheikh shaikh imam
president prime minister general gen col colonel capt captain lt sgt king queen prince
princess pope saint st mayor senator sen rep governor gov judge justice chancellor
""".split())
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

# Where a span is cut into pieces: line breaks; a dash, slash or bullet between spaces
# ("TENNIS - NORWAY"); a comma ("Leeds, Yorkshire"); a free-standing number or score
# ("Hull 2 Derby 0").
_SPLIT = re.compile(
    r"[\r\n\u2028\u2029\x0b\x0c\x85]"
    r"|\s[-‐‑‒–—/|•·]+\s"
    r"|\s?,\s"
    r"|(?<!\S)[\d.,:/\-–]*\d[\d.,:/\-–]*(?:st|nd|rd|th)?(?!\S)"
)
_WORD = re.compile(r"\w+")
_APOSTROPHES = "'’‘`´"
_POSSESSIVE = re.compile(r"\s?[" + _APOSTROPHES + r"][sS]?$")
_LEADING_THE = re.compile(r"(?:the|The|THE)\s+")
# Labels whose names are titles: a capital "The" there belongs to the name ("The Lost
# Road"); elsewhere a leading "the"/"The" is trimmed ("the National Grain Board").
TITLE_LABELS = frozenset({"WORK_OF_ART", "EVENT", "LAW"})
_DASHES = "-‐‑‒–—"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")

# Vote weights: a span spaCy produced whole counts 1; a piece of a span that had to be cut
# counts less (spaCy was confused there); a propagated occurrence does not vote.
W_NER = 1.0
W_PIECE = 0.5
W_CAPS = 0.5  # multiplier for spans in ALL-CAPS lines

# Variant joining (misspelt surnames): both forms at least this long, same first letters.
VARIANT_MIN_LEN = 6
VARIANT_PREFIX = 3
VARIANT_MAX_RARE = 2  # the rarer spelling occurs at most this many times


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _norm_key(text: str) -> str:
    """Grouping key: case-folded, hyphens/whitespace unified, apostrophes unified, no 'the'."""
    m = _LEADING_THE.match(text)
    s = text[m.end():] if m and m.end() < len(text) else text
    s = s.translate({ord(a): "'" for a in _APOSTROPHES})
    s = _SEPARATORS.sub(" ", s)
    return s.casefold().strip()


def _is_all_caps_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


@dataclass
class _Cand:
    start: int
    end: int
    label: str
    weight: float  # vote weight (0 for propagated occurrences)
    key: str
    source: str  # "ner" (a whole spaCy span) | "piece" (of a split span) | "prop" (propagated)
    in_caps: bool = False


class _Text:
    """Character-level helpers over one document's text and tokens."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.text = doc.text
        self.tok_end = {t.idx + len(t.text): t.i for t in doc}

    def trim(self, s: int, e: int, label: str = "") -> tuple[int, int] | None:
        """Trim debris from both ends of ``text[s:e]``; None when nothing is left."""
        text = self.text
        while True:
            old = (s, e)
            while s < e and not _is_word_char(text[s]):
                s += 1
            m = _LEADING_THE.match(text, s, e)
            if m and m.end() < e and (text[s] == "t" or label not in TITLE_LABELS):
                s = m.end()
            # trailing possessive ('s / ’s / s') on the last word
            m = _POSSESSIVE.search(text, s, e)
            if m and m.start() > s:
                e = m.start()
            while e > s and not _is_word_char(text[e - 1]):
                if text[e - 1] == "." and self._abbrev_dot(s, e):
                    break
                e -= 1
            if (s, e) == old:
                break
        return (s, e) if e > s else None

    def _abbrev_dot(self, s: int, e: int) -> bool:
        """Is the final '.' part of an abbreviation token (U.S., Inc., Jr.) rather than debris?"""
        i = self.tok_end.get(e)
        if i is None:
            return False
        tok = self.doc[i].text
        return len(tok) > 1 and tok.endswith(".") and tok[-2] != "."

    def pieces(self, s: int, e: int) -> list[tuple[int, int]]:
        """Split ``[s, e)`` at line breaks and at separators that never sit inside a name."""
        out = []
        pos = s
        for m in _SPLIT.finditer(self.text, s, e):
            if m.start() > pos:
                out.append((pos, m.start()))
            pos = m.end()
        if e > pos:
            out.append((pos, e))
        return out


def _is_debris(span: str, vocab) -> bool:
    """Not a name: no capital letter (digits, "the", "1990s"), interface words, stop words."""
    words = _WORD.findall(span)
    if not words or not any(c.isupper() for c in span):
        return True
    if all(w.casefold() in INTERFACE_WORDS for w in words):
        return True
    if all(vocab[w.lower()].is_stop for w in words):
        return True
    return False


def _words(text: str) -> list[str]:
    return text.split()


def _levenshtein1(a: str, b: str) -> bool:
    """True when a and b are exactly one insertion, deletion or substitution apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


def find_entities(doc: Doc) -> tuple[list[Mention], list[DocEntity]]:
    """Mentions of named entities in ``doc`` and the document entities grouping them.

    Every returned ``Mention`` satisfies ``text == doc.text[start:end]``, lies within one line,
    carries its entity's label and its entity id; entities are numbered in order of first mention.
    """
    tx = _Text(doc)
    text = tx.text

    # ---- 1. spaCy's spans: named labels only, split at line breaks, trimmed ----------------
    cands: list[_Cand] = []
    blocked = []  # numeric entities: propagated matches may not overlap them
    for ent in doc.ents:
        if ent.label_ not in NAMED_LABELS:
            blocked.append((ent.start_char, ent.end_char))
            continue
        pieces = tx.pieces(ent.start_char, ent.end_char)
        split = len(pieces) > 1
        for ps, pe in pieces:
            r = tx.trim(ps, pe, ent.label_)
            if r is None:
                continue
            s, e = r
            surf = text[s:e]
            if _is_debris(surf, doc.vocab):
                continue
            cands.append(_Cand(s, e, ent.label_, W_PIECE if split else W_NER, _norm_key(surf),
                               "piece" if split else "ner"))

    # In ALL-CAPS lines (headlines, datelines) spaCy's labels are least reliable: they vote
    # with less weight, and there names recognised elsewhere in the document win over spaCy's
    # own spans (step 6).
    caps = _CapsLines(text)
    for c in cands:
        c.in_caps = caps.contains(c.start)
        if c.in_caps:
            c.weight *= W_CAPS

    # ---- 2. clusters of keys; person short forms and spelling variants join a person -------
    key_votes: dict[str, Counter] = defaultdict(Counter)
    key_surfaces: dict[str, Counter] = defaultdict(Counter)
    key_sure: Counter = Counter()
    for c in cands:
        key_votes[c.key][c.label] += c.weight
        if c.source == "ner":
            key_sure[c.key] += c.weight
        key_surfaces[c.key][text[c.start:c.end]] += 1

    parent = {k: k for k in key_votes}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    def top_label(votes: Counter) -> str:
        return max(votes.items(), key=lambda kv: (kv[1], kv[0] == "PERSON"))[0]

    key_label = {k: top_label(v) for k, v in key_votes.items()}

    # short forms of multi-word person names: surname and first name alone
    short_owner: dict[str, set[str]] = defaultdict(set)  # short surface -> full-name keys
    for k, surfs in key_surfaces.items():
        if key_label[k] != "PERSON":
            continue
        for surf in surfs:
            ws = _words(surf)
            if len(ws) < 2:
                continue
            while len(ws) > 2 and ws[-1].rstrip(".").casefold() in NAME_SUFFIXES:
                ws = ws[:-1]
            first = next((w for w in ws[:-1] if w.rstrip(".").casefold() not in HONORIFICS),
                         None)
            for w in (ws[-1], first):
                if w and len(w) > 1 and w[0].isupper() and any(ch.isalpha() for ch in w):
                    short_owner[w].add(k)
    short_forms: dict[str, str] = {}  # unambiguous short surface -> full-name key
    for w, owners in short_owner.items():
        roots = {find(o) for o in owners}
        if len(roots) == 1:
            short_forms[w] = next(iter(owners))
    for w, full in short_forms.items():
        k = _norm_key(w)
        if k in key_votes and k != full:
            own = key_votes[k]
            other = key_label[k]
            # a short form that spaCy mostly calls something else joins only when the
            # full name outweighs that evidence
            if other == "PERSON" or own[other] <= key_votes[full]["PERSON"]:
                union(full, k)

    # ---- 3. labels by vote over each cluster ------------------------------------------------
    def cluster_label(root: str, members: dict[str, list[str]]) -> str:
        v: Counter = Counter()
        for k in members[root]:
            v.update(key_votes[k])
        return top_label(v)

    def members_of() -> dict[str, list[str]]:
        m: dict[str, list[str]] = defaultdict(list)
        for k in key_votes:
            m[find(k)].append(k)
        return m

    members = members_of()
    root_label = {r: cluster_label(r, members) for r in members}

    def sure_weight(keys: list[str]) -> float:
        """Vote weight from whole spaCy spans (not pieces of broken spans) in a cluster."""
        return sum(key_sure[k] for k in keys)

    def person_weight(root: str) -> float:
        return sum(key_votes[k]["PERSON"] for k in members[root])

    # ---- 4. spelling variants of a person's long surname -------------------------------------
    # candidate tokens: long, capitalised, alphabetic words anywhere in the document
    tok_count: Counter = Counter()
    tok_positions: dict[str, list[int]] = defaultdict(list)
    for t in doc:
        w = t.text
        if len(w) >= VARIANT_MIN_LEN and w[0].isupper() and w.isalpha() and not w.isupper():
            tok_count[w] += 1
            tok_positions[w].append(t.i)
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for w in tok_count:
        by_prefix[w[:VARIANT_PREFIX]].append(w)
    person_surnames: dict[str, str] = {}  # surname surface -> key of its cluster
    for k, surfs in key_surfaces.items():
        if root_label[find(k)] != "PERSON":
            continue
        for surf in surfs:
            ws = _words(surf)
            last = ws[-1]
            if len(last) >= VARIANT_MIN_LEN and last.isalpha() and last[0].isupper():
                person_surnames.setdefault(last, k)
    variant_of: dict[str, str] = {}  # variant surface -> key it joins
    for sur, k in person_surnames.items():
        for w in by_prefix.get(sur[:VARIANT_PREFIX], ()):
            if w.startswith(sur) or sur.startswith(w) or not _levenshtein1(w, sur):
                continue  # a trailing letter is inflection (Morgan/Morgans), not a misspelling
            if min(tok_count[w], tok_count[sur]) > VARIANT_MAX_RARE:
                continue
            wk = _norm_key(w)
            if wk in key_votes:
                r = find(wk)
                if root_label[r] != "PERSON" and not _weak_other_label(
                        sure_weight(members[r]), person_weight(find(k))):
                    continue  # a known entity of another kind
                if _distinct_given_names(members[r], members[find(k)], key_surfaces):
                    continue
            elif w in short_forms:
                continue
            if not any(doc[i].pos_ == "PROPN" for i in tok_positions[w]):
                continue  # spaCy never reads it as a name
            variant_of[w] = k
    for w, k in variant_of.items():
        wk = _norm_key(w)
        if wk in key_votes:
            union(k, wk)
    members = members_of()
    root_label = {r: cluster_label(r, members) for r in members}

    # ---- 5. propagation: every recognised surface form, person short forms, variants --------
    forms: dict[str, str] = {}  # surface -> key
    # (names known only from pieces of broken spans are not propagated)
    for k, surfs in key_surfaces.items():
        if sure_weight(members[find(k)]) > 0:
            for surf in surfs:
                forms.setdefault(surf, k)
    for w, k in short_forms.items():
        forms.setdefault(w, k)
    for w, k in variant_of.items():
        forms.setdefault(w, k)

    by_first: dict[str, list[str]] = defaultdict(list)
    by_first_upper: dict[str, list[str]] = defaultdict(list)
    for surf in forms:
        m = _WORD.match(surf)
        if not m:
            continue
        by_first[m.group()].append(surf)
        if not surf.isupper():
            by_first_upper[m.group().upper()].append(surf)
    for lst in (*by_first.values(), *by_first_upper.values()):
        lst.sort(key=len, reverse=True)

    n = len(text)
    lower_words = {t.text for t in doc if t.is_lower}
    for t in doc:
        m = _WORD.search(t.text)
        if not m:
            continue
        start = t.idx + m.start()
        if start > 0 and not _left_boundary(text, start):
            continue
        in_caps = caps.contains(start)
        word = m.group()
        options = [(surf, False) for surf in by_first.get(word, ())]
        if in_caps:
            options += [(surf, True) for surf in by_first_upper.get(word, ())]
        for surf, upper in options:
            end = start + len(surf)
            if end > n:
                continue
            piece = text[start:end]
            if (piece != surf.upper()) if upper else (piece != surf):
                continue
            if end < n and not _right_boundary(text, end):
                continue
            if " " not in surf and _sentence_initial_common(doc, t, surf, lower_words):
                continue
            cands.append(_Cand(start, end, "", 0.0, forms[surf], "prop", in_caps))
            break

    # ---- 6. resolve overlaps: longer spans first, spaCy's own before propagated ---------------
    # (in ALL-CAPS lines propagated names go first); propagated names never overlap a
    # numeric entity ("May" the surname is not "May 5").
    blocked.sort()
    rank = {"ner": 0, "piece": 1, "prop": 2}
    cands.sort(key=lambda c: (not (c.source == "prop" and c.in_caps), -(c.end - c.start),
                              rank[c.source], c.start))
    chosen: list[_Cand] = []
    occupied = bytearray(n + 1)
    for c in cands:
        if any(occupied[c.start:c.end]):
            continue
        if c.source == "prop" and _overlaps(blocked, c.start, c.end):
            continue
        occupied[c.start:c.end] = b"\x01" * (c.end - c.start)
        chosen.append(c)
    chosen.sort(key=lambda c: c.start)

    # ---- 7. document entities ---------------------------------------------------------------
    root_ids: dict[str, str] = {}
    ent_mentions: dict[str, list[_Cand]] = defaultdict(list)
    for c in chosen:
        r = find(c.key)
        if r not in root_ids:
            root_ids[r] = f"e{len(root_ids) + 1}"
        ent_mentions[r].append(c)

    mentions: list[Mention] = []
    for c in chosen:
        r = find(c.key)
        mentions.append(Mention(c.start, c.end, text[c.start:c.end], root_label[r], root_ids[r]))

    entities: list[DocEntity] = []
    for r, eid in root_ids.items():
        ms = ent_mentions[r]
        surf_count = Counter(text[c.start:c.end] for c in ms)
        first_pos: dict[str, int] = {}
        for c in ms:
            first_pos.setdefault(text[c.start:c.end], c.start)
        name = max(surf_count, key=lambda s: (len(_words(s)), not s.isupper(), surf_count[s],
                                              -first_pos[s]))
        aliases = [name]
        seen = {name}
        for c in ms:
            s = text[c.start:c.end]
            if s not in seen:
                seen.add(s)
                aliases.append(s)
        entities.append(DocEntity(eid, name, root_label[r], aliases, len(ms)))
    return mentions, entities


def _weak_other_label(other_weight: float, person_weight: float) -> bool:
    """Is a variant's other label too weakly supported to keep it from a person?

    A misspelling is rare and spaCy often gives a rare word an arbitrary label: a variant seen
    as another kind of entity at most once (a whole span) may still join a person that spaCy
    recognised at least twice; anything better attested stays a separate entity.
    """
    return other_weight < W_NER or (other_weight <= W_NER and person_weight >= 2 * W_NER)


def _distinct_given_names(keys_a, keys_b, key_surfaces) -> bool:
    """Do two person clusters carry different given names (so are different people)?"""
    def given(keys):
        out = set()
        for k in keys:
            for surf in key_surfaces[k]:
                ws = _words(surf)
                if len(ws) >= 2:
                    out.add(ws[0])
        return out
    ga, gb = given(keys_a), given(keys_b)
    return bool(ga and gb and not (ga & gb))


def _left_boundary(text: str, i: int) -> bool:
    c = text[i - 1]
    if _is_word_char(c):
        return False
    if (c in _DASHES or c in _APOSTROPHES) and i >= 2 and _is_word_char(text[i - 2]):
        return False
    return True


def _right_boundary(text: str, i: int) -> bool:
    c = text[i]
    if _is_word_char(c):
        return False
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if c in _DASHES and _is_word_char(nxt):
        return False  # hyphenated compound: "Oslo-based"
    if c in _APOSTROPHES and _is_word_char(nxt):
        # only a possessive may follow: "Lindqvist's", not "O'Hara"
        after = text[i + 2] if i + 2 < len(text) else " "
        return nxt in "sS" and not _is_word_char(after)
    return True


class _CapsLines:
    """The ALL-CAPS lines of a text, for position look-ups."""

    def __init__(self, text: str):
        self.starts: list[int] = []
        self.ends: list[int] = []
        pos = 0
        for line in text.splitlines(keepends=True):
            if _is_all_caps_line(line):
                self.starts.append(pos)
                self.ends.append(pos + len(line))
            pos += len(line)

    def contains(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


def _sentence_initial_common(doc: Doc, tok, surf: str, lower_words: set[str]) -> bool:
    """A one-word name at the start of a sentence or line that is also a common word: a stop
    word ("Such", "Will") or a word the document also writes in lower case."""
    if not (tok.is_sent_start or tok.i == 0 or "\n" in doc[tok.i - 1].text_with_ws):
        return False
    low = surf.lower()
    return low in lower_words or doc.vocab[low].is_stop


def _overlaps(sorted_spans: list[tuple[int, int]], s: int, e: int) -> bool:
    for a, b in sorted_spans:
        if a >= e:
            return False
        if b > s:
            return True
    return False
