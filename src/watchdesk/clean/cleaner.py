"""The flattened-text cleaner: ``clean_text(raw) -> CleanDocument``.

Pipeline (the same for every page; no site, article or name is special-cased):

1. repair the text (``repair.repair_text``: mojibake, broken HTML entities, doubled punctuation);
2. split it into non-blank lines and compute general line features (``features``);
3. score every line with the shipped gradient-boosted line classifier (``model``), or with a
   small heuristic score when no model is available;
4. structural pass over the scored lines: find the title (the most repeated short line of the
   page head, else the first kept short line), drop its copies and near-copies, drop teasers
   sandwiched between title copies, find the subtitle (the last deck line before the body),
   rescue short headings between body paragraphs, drop short non-sentences between debris,
   find the byline ("By X" lines; a short capitalised name line at the end followed by a
   biography paragraph, which is removed as an author bio);
5. assemble title/subtitle/heading/paragraph blocks; every dropped line is reported with a reason.
"""
from __future__ import annotations

import re

import numpy as np

from ..types import Block, CleanDocument, RemovedLine
from .features import (
    INTERFACE_WORDS,
    STOPWORDS,
    WORD_RE,
    Line,
    _interface_hits,
    line_features,
    norm_key,
    split_lines,
)
from .model import LineModel, load_model
from .repair import repair_text

_SENT_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_BY_RE = re.compile(r"^(?:by|written by|posted by|author:?|reporting by)\s+(?P<names>.+)$", re.I)
_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$|^(?:de|van|von|der|da|al|bin|la|le|di)$")
_BIO_WORDS = frozenset(
    """journalism journalist reporter correspondent editor writer columnist author
    contributor joined since worked works working covers covering graduated studied based
    previously before career producer anchor host blogger""".split()
)
_COLUMN_GAP = re.compile(r"\S {4,}\S")  # a wide gap inside a line: text side by side in columns
_DATE_ONLY = re.compile(r"^[\w ,.:/-]*\b(19|20)\d\d\b[\w ,.:/-]*$")
# words of a dateline: months, weekdays, clock and ordinal suffixes, "posted/updated on|at"
_DATE_WORDS = frozenset(
    """jan january feb february mar march apr april may jun june jul july aug august sep sept
    september oct october nov november dec december mon monday tue tues tuesday wed wednesday thu
    thur thurs thursday fri friday sat saturday sun sunday am pm a m p est edt pst pdt cst cdt gmt
    utc bst cet aest st nd rd th on at posted updated published last modified date""".split()
)


def _is_dateline(text: str) -> bool:
    """A line that is only a date/time (every word a date word or a number): never a title."""
    words = WORD_RE.findall(text.lower())
    return bool(words) and any(w.isdigit() for w in words) \
        and all(w.isdigit() or w in _DATE_WORDS or (w[:-2].isdigit() and w[-2:] in _DATE_WORDS) for w in words)


MIN_TITLE_TOKENS = 3  # a headline has at least this many words
SMOOTH = 0.0  # weight of the neighbour score blend (0 = off)


class _L:
    """Per-line working state of the structural pass."""

    __slots__ = ("line", "p", "keep", "reason", "kind", "ntok", "ends", "key", "words", "iface")

    def __init__(self, line: Line, p: float):
        self.line = line
        self.p = p
        self.keep = False
        self.reason = ""
        self.kind = "paragraph"
        low = line.text.lower()
        self.words = WORD_RE.findall(low)
        self.ntok = len(self.words)
        self.ends = bool(_SENT_END.search(line.text))
        self.key = norm_key(line.text)
        self.iface = _interface_hits(low, self.words)


def heuristic_scores(lines: list[Line]) -> np.ndarray:
    """A model-free line score in [0, 1] (used when no trained model is available)."""
    out = np.zeros(len(lines))
    for i, ln in enumerate(lines):
        words = WORD_RE.findall(ln.text.lower())
        n = len(words)
        if n == 0:
            continue
        stops = sum(w in STOPWORDS for w in words) / n
        iface = _interface_hits(ln.text.lower(), words) / n
        ends = bool(_SENT_END.search(ln.text))
        s = 0.0
        if n >= 12 and stops >= 0.2:
            s += 0.6
        if ends:
            s += 0.25
        if n >= 25:
            s += 0.2
        if ln.bullet:
            s -= 0.3
        s -= iface
        out[i] = max(0.0, min(1.0, s))
    return out


def _near_dup(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    inter = len(a & b)
    return inter / len(a | b) >= 0.6 or (inter / min(len(a), len(b)) >= 0.9 and min(len(a), len(b)) >= 3
                                         and max(len(a), len(b)) <= 2 * min(len(a), len(b)))


def _is_name_line(text: str) -> bool:
    words = text.replace(",", " ").split()
    if not 2 <= len(words) <= 4 or _SENT_END.search(text):
        return False
    if any(w.lower() in STOPWORDS or w.lower() in INTERFACE_WORDS for w in words):
        return False
    return all(_NAME_WORD.match(w) and any(c.isalpha() for c in w) for w in words)


def _split_names(names: str) -> list[str]:
    names = re.split(r"\s+(?:on|at|in|for|\||-|–|—)\s+|,\s*(?=[A-Z][a-z]+ \d)|\s+\d", names)[0]
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", names)
    out = []
    for p in parts:
        p = p.strip(" .|-–—")
        if p and 1 <= len(p.split()) <= 4 and p[0].isupper():
            out.append(p)
    return out


def _title_like(x: _L) -> bool:
    """Can this line be the headline? Short, no final period, not a list item, not interface
    text, not a byline, not a bare date. Every path of the title choice uses this one test, so
    the title of a cleaned text is again a candidate when that text is cleaned again."""
    return MIN_TITLE_TOKENS <= x.ntok <= 30 and not x.line.bullet and not (x.iface and x.iface / x.ntok >= 0.3) \
        and not x.line.text.endswith(".") and not _BY_RE.match(x.line.text) and not _is_dateline(x.line.text)


def _title_cluster(L: list[_L], sets: list[frozenset], first_body: int) -> list[int] | None:
    """The largest group of near-duplicate lines seeded in the page head (a repeated headline)."""
    n = len(L)
    # candidate seeds: distinct title-like lines of the page head (up to the first body paragraph)
    seeds: dict[str, int] = {}
    for i in range(min(first_body + 1, n)):
        if _title_like(L[i]) and L[i].key not in seeds:
            seeds[L[i].key] = i
    by_key: dict[str, list[int]] = {}
    for j in range(n):
        if 2 <= L[j].ntok <= 60:
            by_key.setdefault(L[j].key, []).append(j)
    # inverted index token -> distinct keys, to compare a seed only with lines sharing a token
    # among its rarer ones (a near-duplicate must contain at least one of them)
    postings: dict[str, list[str]] = {}
    for k2, js in by_key.items():
        for w in sets[js[0]]:
            postings.setdefault(w, []).append(k2)
    best = None
    for key, i in seeds.items():
        toks = sorted(sets[i], key=lambda w: len(postings.get(w, ())))
        probe = toks[: int(0.55 * len(toks)) + 1]
        cands = {k2 for w in probe for k2 in postings.get(w, ())}
        members = [j for k2 in cands if k2 == key or _near_dup(sets[i], sets[by_key[k2][0]]) for j in by_key[k2]]
        # a repeated headline is content somewhere (at least one copy must look like it) and page
        # furniture elsewhere (at least one copy is dropped: the browser title, a related link).
        # Lines that are all kept are body text, and they stay when the page is cleaned again.
        if len(members) < 2 or max(L[j].p for j in members) < 0.4 or all(L[j].keep for j in members):
            continue
        score = (len(members), -i)
        if best is None or score > best[0]:
            best = (score, members)
    return None if best is None else best[1]


def _find_title(L: list[_L], sets: list[frozenset], first_body: int) -> int | None:
    """Index of the title line: the most frequent title-like copy of the repeated headline, else
    the first kept title-like line before the body, else None."""
    members = _title_cluster(L, sets, first_body)
    if members is not None:
        counts: dict[str, int] = {}
        for i in members:
            if _title_like(L[i]):
                counts[L[i].line.text] = counts.get(L[i].line.text, 0) + 1
        top = max(counts.values())
        return next(i for i in sorted(members) if _title_like(L[i]) and counts[L[i].line.text] == top)
    return next((i for i in range(min(first_body, len(L))) if L[i].keep and _title_like(L[i])), None)


FIXED_POINT_ROUNDS = 3  # cleaning rounds at most; every page seen so far settles after two


def clean_text(raw: str, model: LineModel | None = None, threshold: float | None = None,
               use_model: bool = True) -> CleanDocument:
    """Clean one flattened news page: title, subtitle, headings, paragraphs, byline, removed lines.

    ``model`` defaults to the shipped classifier; ``use_model=False`` (or no shipped model)
    falls back to a heuristic line score. ``threshold`` overrides the model's keep threshold.

    The result is a fixed point: cleaning its text again gives the same text. The clean text is
    cleaned once more; when that round still changes something (a repeat that only shows once
    broken lines are merged into paragraphs, a line whose score depends on debris that is now
    gone), its result is kept, with the lines it dropped added to ``removed``.
    """
    doc = _clean_once(raw, model, threshold, use_model)
    for _ in range(FIXED_POINT_ROUNDS - 1):
        again = _clean_once(doc.text, model, threshold, use_model)
        if again.text == doc.text:
            break
        doc = _later_round(raw, doc, again)
    return doc


def _later_round(raw: str, doc: CleanDocument, again: CleanDocument) -> CleanDocument:
    """``again`` (the clean text cleaned once more) with what earlier rounds found: their byline
    and removed lines. A line dropped by the later round is numbered as the first input line
    with the same text (-1 when it only exists merged, e.g. a paragraph of wrapped lines)."""
    numbers: dict[str, int] = {}
    for line in split_lines(repair_text(raw)):
        numbers.setdefault(line.text, line.idx)
    later = [RemovedLine(numbers.get(r.text.strip(), -1), r.text, f"second look: {r.reason}")
             for r in again.removed]
    byline = doc.byline + [name for name in again.byline if name not in doc.byline]
    return CleanDocument(blocks=again.blocks, byline=byline, removed=doc.removed + later)


def _clean_once(raw: str, model: LineModel | None, threshold: float | None, use_model: bool) -> CleanDocument:
    """One cleaning round over ``raw`` (see ``clean_text``)."""
    lines = split_lines(repair_text(raw))
    if not lines:
        return CleanDocument(blocks=[])
    if model is None and use_model:
        model = load_model()
    if model is not None:
        probs = model.predict_proba(line_features(lines))
        thr = model.threshold if threshold is None else threshold
    else:
        probs = heuristic_scores(lines)
        thr = 0.5 if threshold is None else threshold
    if SMOOTH > 0 and len(probs) > 2:
        # blend each line's score with its neighbours' (token-weighted), a light context prior
        ntoks = np.array([len(WORD_RE.findall(ln.text)) for ln in lines], dtype=np.float64) + 1.0
        pw = np.concatenate([[0.0], probs * ntoks, [0.0]])
        ww = np.concatenate([[0.0], ntoks, [0.0]])
        neigh = (pw[:-2] + pw[2:]) / np.maximum(ww[:-2] + ww[2:], 1e-9)
        probs = (1 - SMOOTH) * probs + SMOOTH * neigh
    L = [_L(ln, float(p)) for ln, p in zip(lines, probs)]
    n = len(L)

    # 1. first decisions from the classifier, with a readable reason for drops. If almost
    #    nothing is kept while the page holds sentence-like text, the threshold is relaxed (a
    #    page unlike the training pages should not come out empty).
    textlike = sum(x.ntok for x in L if x.ntok >= 10 and x.ends)
    for f in (1.0, 0.5, 0.25):
        kept = sum(x.ntok for x in L if x.p >= thr * f and x.ntok >= 5)
        if textlike < 50 or kept >= 40:
            break
    thr *= f
    for i, x in enumerate(L):
        a = L[i - 1] if i > 0 else None
        b = L[i + 1] if i + 1 < n else None
        if x.ntok == 0:
            x.reason = "no words"
        elif x.p >= thr:
            x.keep = True
        elif x.ntok < 15 and not x.ends and (a is None or a.p < thr) and (b is None or b.p < thr) \
                and not (x.line.bullet and x.ntok <= 6) and not (x.iface and x.iface / x.ntok >= 0.3):
            x.reason = "between debris lines (p=%.2f)" % x.p
        elif x.line.bullet and x.ntok <= 6:
            x.reason = "navigation bullet"
        elif x.iface and x.iface / x.ntok >= 0.3:
            x.reason = "interface text"
        elif x.ntok < 10 and not x.ends:
            x.reason = "short non-sentence"
        else:
            x.reason = "classifier p=%.2f" % x.p

    # A short input (a single paragraph, a pasted quote) is all text: when the classifier keeps
    # nothing at all, keep the sentence-like lines rather than return an empty article.
    if not any(x.keep for x in L):
        for x in L:
            if x.ntok >= 4 and x.ends and not (x.iface and x.iface / x.ntok >= 0.3):
                x.keep, x.reason = True, ""

    def body(i: int) -> bool:
        x = L[i]
        return x.keep and x.ntok >= 15 and x.ends

    first_body = next((i for i in range(n) if body(i)), n)

    # 2. title: the most repeated short line that occurs before the body, else first kept short line
    sets = [frozenset(x.words) for x in L]
    title_idx = _find_title(L, sets, first_body)
    title_set: set[int] = set()
    if title_idx is not None:
        L[title_idx].keep, L[title_idx].kind, L[title_idx].reason = True, "title", ""
        for j in range(n):
            if j != title_idx and 2 <= L[j].ntok <= 60 and _near_dup(sets[j], sets[title_idx]):
                title_set.add(j)
                L[j].keep, L[j].reason = False, "duplicate of title"
        title_set.add(title_idx)

    def nb(i: int, step: int) -> int | None:
        j = i + step
        return j if 0 <= j < n else None

    # 3. head zone: teasers between title copies go; the last deck line before the body is the subtitle
    if title_idx is not None:
        head_start = min(title_set)
        head_end = max(first_body, head_start)
        head = [i for i in range(head_start + 1, head_end) if i not in title_set]
        sandwiched = [i for i in head if nb(i, -1) in title_set and nb(i, 1) in title_set]
        sub = None
        for i in reversed(head):
            x = L[i]
            if x.ntok >= 6 and not _BY_RE.match(x.line.text) and not x.line.bullet \
                    and not (x.iface and x.iface / x.ntok >= 0.2) and not _DATE_ONLY.match(x.line.text) \
                    and (x.keep or i in sandwiched):
                sub = i
            break
        for i in sandwiched:
            if i != sub:
                L[i].keep, L[i].reason = False, "between title copies"
        if sub is not None:
            L[sub].keep, L[sub].kind, L[sub].reason = True, "subtitle", ""

    # 4. exact repeats of kept lines (second and later copies)
    seen: set[str] = set()
    for x in L:
        if x.keep and x.ntok >= 3:
            if x.key in seen and x.kind != "title":  # a subtitle too: a deck is not repeated
                x.keep, x.reason = False, "repeated line"
            seen.add(x.key)

    # 5. byline: "By X" lines and an end-of-article author box (name line + biography)
    byline: list[str] = []
    for i in range(n):
        x = L[i]
        m = _BY_RE.match(x.line.text)
        if m and x.ntok <= 12 and (x.keep or i < first_body + 3):
            names = _split_names(m.group("names"))
            if names:
                for nm in names:
                    if nm not in byline:
                        byline.append(nm)
    kept_tok = np.cumsum([x.ntok if x.keep else 0 for x in L])
    total = kept_tok[-1] if n else 0
    for i in range(n):
        x = L[i]
        if total == 0 or kept_tok[i] < 0.7 * total or not _is_name_line(x.line.text) or i in title_set:
            continue
        j = i + 1
        if j >= n:
            continue
        y = L[j]
        biography = y.ntok >= 8 and (any(w in _BIO_WORDS for w in y.words) or y.line.indent > x.line.indent)
        if not biography:
            continue
        if all(not L[k].keep or L[k].ntok < 15 for k in range(j + 1, n)) or y.line.indent > x.line.indent:
            nm = " ".join(x.line.text.split())
            if nm not in byline:
                byline.append(nm)
            x.keep, x.reason = False, "byline"
            y.keep, y.reason = False, "author bio"

    # 5b. interface text the classifier let through: a short line made mostly of interface
    #     vocabulary (player, sharing, copy, menu words) is page furniture, wherever it is
    for x in L:
        if x.keep and x.kind == "paragraph" and 0 < x.ntok <= 8 and x.iface / x.ntok >= 0.3:
            x.keep, x.reason = False, "interface text"

    # 6. context: short non-sentences between debris go; short lines between body paragraphs stay
    def prev_i(i):
        return i - 1 if i > 0 else None

    def next_i(i):
        return i + 1 if i + 1 < n else None

    for i in range(n):
        x = L[i]
        if x.kind != "paragraph" or x.ntok == 0:
            continue
        a, b = prev_i(i), next_i(i)
        a_body = a is not None and body(a)
        b_body = b is not None and body(b)
        furniture = ("interface text", "navigation bullet")
        if x.keep and x.ntok < 15 and not x.ends and (x.p < 0.6 or (
                a is not None and b is not None and L[a].reason in furniture and L[b].reason in furniture)):
            # (a caption between two widget lines goes whatever its score: the widget's label)
            a_bad = a is None or (not L[a].keep and L[a].reason not in ("byline",))
            b_bad = b is None or (not L[b].keep and L[b].reason not in ("byline",))
            if a_bad and b_bad and not b_body:
                x.keep, x.reason = False, "short non-sentence between debris"
        elif not x.keep and 1 <= x.ntok <= 12 and not x.ends and not x.line.bullet and i not in title_set \
                and x.reason not in ("repeated line", "byline", "author bio", "between title copies") \
                and a_body and b_body and not (x.iface and x.iface / x.ntok >= 0.3) \
                and not (x.ntok >= 3 and x.key in seen):  # never rescue a copy of a kept line
            x.keep, x.reason = True, ""
            seen.add(x.key)  # (nor a second copy of a rescued one: step 4 would drop it next time)
        if x.keep and x.ntok <= 15 and not x.ends and not x.line.bullet and b is not None and L[b].keep \
                and L[b].ends and L[b].ntok > x.ntok:
            x.kind = "heading"

    # 7. blocks
    blocks: list[Block] = []
    removed: list[RemovedLine] = []
    if title_idx is not None:
        blocks.append(Block("title", L[title_idx].line.text))
    prev_para = None
    for i, x in enumerate(L):
        if not x.keep:
            removed.append(RemovedLine(x.line.idx, x.line.text if not x.line.bullet else
                                       x.line.raw.strip(), x.reason or "dropped"))
            prev_para = None
            continue
        if x.kind == "title":
            prev_para = None
            continue
        t = x.line.raw.strip()  # as it appears: a list item keeps its marker, so it reads as one again
        if (x.kind == "paragraph" and prev_para is not None and x.line.blank_before == 0 and not x.line.bullet
                and len(L[prev_para].line.text) >= 50 and not L[prev_para].ends
                and not _COLUMN_GAP.search(L[prev_para].line.text) and not _COLUMN_GAP.search(t)):
            # a line wrapped inside a paragraph continues it; rows of a column layout do not
            blocks[-1] = Block("paragraph", blocks[-1].text + " " + t)
            prev_para = i
            continue
        blocks.append(Block(x.kind, t))
        prev_para = i if x.kind == "paragraph" else None
    return CleanDocument(blocks=blocks, byline=byline, removed=removed)
