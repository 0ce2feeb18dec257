"""Quantities: a number, how precise it is, and what it counts.

``find_quantities(doc, attributions)`` reads spaCy's CARDINAL / QUANTITY / MONEY / PERCENT
entities (and number tokens spaCy left outside any entity), never DATE / TIME / ORDINAL ones,
and returns ``Quantity`` items: "about 2,000 striking workers" -> value 2000, approximate,
qualifier "about", unit "striking workers"; "more than 50 delegates" -> low 50; "several hundred
volunteers" -> low 200, high 900; "between 10 and 20" / "10-20" -> low 10, high 20. The unit is
the noun the number modifies in the dependency parse, with its modifiers as written.
``parse_number`` and ``parse_quantity_text`` work on plain strings too.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from watchdesk.types import Attribution, Quantity

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9, "trillion": 1e12,
          "dozen": 12}
# qualifier -> (approximate, bound): bound "low" = value is a lower bound, "high" = upper bound
QUALIFIERS = {
    "about": (True, None), "around": (True, None), "approximately": (True, None),
    "roughly": (True, None), "some": (True, None), "nearly": (True, "high"),
    "almost": (True, "high"), "close to": (True, "high"), "an estimated": (True, None),
    "estimated": (True, None), "more than": (False, "low"), "over": (False, "low"),
    "at least": (False, "low"), "upwards of": (False, "low"), "in excess of": (False, "low"),
    "up to": (False, "high"), "at most": (False, "high"), "fewer than": (False, "high"),
    "less than": (False, "high"), "under": (False, "high"), "no more than": (False, "high"),
    "as many as": (False, "high"), "as much as": (False, "high"), "just over": (False, "low"),
    "just under": (False, "high"), "well over": (False, "low"), "some of": (True, None),
}
# vague amounts -> (low, high)
VAGUE = {
    "several hundred": (200, 900), "several thousand": (2000, 9000),
    "several million": (2e6, 9e6), "hundreds": (200, 999), "thousands": (2000, 9999),
    "millions": (2e6, 9.99e6), "dozens": (24, 99), "tens of thousands": (20000, 99999),
    "hundreds of thousands": (200000, 999999), "a few hundred": (200, 500),
    "a few thousand": (2000, 5000), "several dozen": (24, 99), "a dozen": (12, 12),
    "a handful": (3, 9), "several": (3, 9), "a few": (2, 5),
}
VAGUE_PLURALS = frozenset({"hundreds", "thousands", "dozens", "millions"})
_QUAL_RE = re.compile(
    r"^(" + "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True)) + r")\s+",
    re.I)
_RANGE_RE = re.compile(
    r"^(?:between\s+|from\s+)?(.+?)\s*(?:-|–|—|to|and)\s*(.+)$", re.I)
_NUM_RE = re.compile(r"^[$€£¥]?\s*\d[\d,]*(?:\.\d+)?\s*(?:%|percent|per cent)?$", re.I)
NUM_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
SKIP_LABELS = frozenset({"DATE", "TIME", "ORDINAL"})


def parse_number(s: str) -> float | None:
    """'12,500' -> 12500; 'a thousand' -> 1000; 'forty' -> 40; '2.5 million' -> 2.5e6."""
    s = s.strip().lower().replace("\u00a0", " ")
    s = re.sub(r"^[$€£¥]\s*", "", s)
    s = re.sub(r"\s*(%|percent|per cent)$", "", s)
    if not s:
        return None
    m = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)\s*(.*)", s)
    if m:
        num = m.group(1)
        if "," in num and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", num):
            return None
        val = float(num.replace(",", ""))
        rest = m.group(2).strip()
        if not rest:
            return val
        scale = SCALES.get(rest) or SCALES.get(rest.rstrip("s"))
        return val * scale if scale else None
    words = re.split(r"[\s-]+", s.replace(" and ", " "))
    total, cur, seen = 0.0, 0.0, False
    for w in words:
        if w in ("a", "an", "one") and not seen:
            cur = 1
            seen = True
        elif w in UNITS:
            cur += UNITS[w]
            seen = True
        elif w in SCALES:
            cur = (cur or 1) * SCALES[w]
            if SCALES[w] >= 1000:
                total += cur
                cur = 0
            seen = True
        else:
            return None
    return total + cur if seen else None


def parse_quantity_text(s: str) -> dict | None:
    """The number part of a phrase: value, low, high, approximate, qualifier."""
    s = " ".join(s.split())
    out = {"value": None, "low": None, "high": None, "approximate": False, "qualifier": None}
    m = _QUAL_RE.match(s)
    if m:
        q = m.group(1).lower()
        out["qualifier"] = q
        approx, bound = QUALIFIERS[q]
        out["approximate"] = approx
        s = s[m.end():]
    else:
        bound = None
    low_s = s.lower()
    for phrase, (lo, hi) in sorted(VAGUE.items(), key=lambda kv: -len(kv[0])):
        if low_s == phrase or low_s == phrase + " of":
            if lo == hi:  # "a dozen": exact
                out.update(value=lo)
                return out
            out.update(low=lo, high=hi, approximate=True)
            words = phrase.split()
            vague = " ".join(words[:-1]) if len(words) > 1 and words[-1] in SCALES else phrase
            out["qualifier"] = out["qualifier"] or vague  # "several", "a few", "hundreds"
            return out
    v = parse_number(s)
    if v is None:
        r = _RANGE_RE.match(s)
        if r:
            a, b = parse_number(r.group(1)), parse_number(r.group(2))
            if a is not None and b is not None and a < b:
                out.update(low=a, high=b)
                return out
        return None
    out["value"] = v
    if bound == "low":
        out["low"] = v
    elif bound == "high":
        out["high"] = v
    return out


def _unit(num_toks: list[Token]) -> list[Token]:
    """The noun counted by the number and its modifiers between the number and the noun."""
    last = num_toks[-1]
    doc = last.doc
    head = last
    # climb from the number to the noun it modifies
    for t in num_toks:
        if t.dep_ in ("nummod", "quantmod", "compound", "amod", "advmod") and t.head.i > last.i:
            head = t.head
            break
    if head is last:
        if last.head.i > last.i and last.head.pos_ in ("NOUN", "PROPN") and last.dep_ in (
                "nummod", "compound", "amod", "quantmod"):
            head = last.head
        else:
            # "dozens of people", "50 of them"
            for c in last.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    for g in c.children:
                        if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN"):
                            return list(doc[last.i + 1:g.i + 1])
            nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "NOUN" and nxt.head.i == last.i:
                return [nxt]
            return []
    while head.dep_ == "compound" and head.head.i > head.i and head.head.i - last.i <= 6:
        head = head.head
    if head.pos_ not in ("NOUN", "PROPN") or head.i - last.i > 6:
        return []
    return list(doc[last.i + 1:head.i + 1])


def _qualifier_before(doc: Doc, i: int) -> int:
    """Extend a number span leftwards over a qualifier written just before it."""
    for n in (3, 2, 1):
        if i - n < 0:
            continue
        words = " ".join(t.lower_ for t in doc[i - n:i])
        if words in QUALIFIERS or words in ("several", "a few"):
            return i - n
    return i


def find_quantities(doc: Doc, attributions: list[Attribution] | None = None) -> list[Quantity]:
    text = doc.text
    skip = set()
    for ent in doc.ents:
        if ent.label_ in SKIP_LABELS:
            skip.update(range(ent.start, ent.end))
    cands: list[tuple[int, int, str]] = []
    covered = set()
    for ent in doc.ents:
        if ent.label_ in NUM_LABELS:
            cands.append((ent.start, ent.end, ent.label_))
            covered.update(range(ent.start, ent.end))
    for t in doc:
        if t.i in covered or t.i in skip:
            continue
        if t.like_num and t.pos_ == "NUM" or t.lower_ in VAGUE_PLURALS:
            j = t.i
            while j + 1 < len(doc) and doc[j + 1].like_num and doc[j + 1].i not in skip:
                j += 1
            cands.append((t.i, j + 1, "CARDINAL"))
            covered.update(range(t.i, j + 1))
    out: list[Quantity] = []
    for s, e, label in sorted(cands):
        toks = list(doc[s:e])
        if not toks or any(t.i in skip for t in toks):
            continue
        if toks[0].i > 0 and doc[toks[0].i - 1].text.endswith("#"):
            continue  # "#3", "&#171;": a number that names, not counts
        s2 = _qualifier_before(doc, s)
        num_toks = list(doc[s2:e])
        phrase = text[num_toks[0].idx:num_toks[-1].idx + len(num_toks[-1].text)]
        # "several hundred": spaCy leaves "several" inside or outside the entity
        parsed = parse_quantity_text(phrase)
        if parsed is None:
            continue
        if parsed["value"] is not None and label == "CARDINAL" and parsed["qualifier"] is None:
            num_text = "".join(t.text for t in toks)
            if re.fullmatch(r"1[89]\d\d|20\d\d", num_text):  # a bare year
                continue
        if label in ("CARDINAL", "QUANTITY"):
            unit_toks = _unit(toks)
        else:
            unit_toks = []
        if label == "PERCENT":
            unit = "percent"
        elif label == "MONEY":
            cur = re.match(r"[$€£¥]", phrase)
            unit = cur.group(0) if cur else (toks[-1].text if not toks[-1].like_num else None)
        else:
            unit = None
        end_tok = num_toks[-1]
        if unit_toks:
            us = unit_toks[0].idx
            ue = unit_toks[-1].idx + len(unit_toks[-1].text)
            unit = text[us:ue]
            end_tok = unit_toks[-1]
        qs = num_toks[0].idx
        qe = end_tok.idx + len(end_tok.text)
        if label == "CARDINAL" and parsed["qualifier"] is None and parsed["value"] is not None \
                and parsed["value"] < 2 and (not unit or unit.lower().startswith("of")):
            continue  # "one of the main motivators", "a" -- not a count worth reporting
        out.append(Quantity(start=qs, end=qe, text=text[qs:qe], value=parsed["value"],
                            low=parsed["low"], high=parsed["high"],
                            approximate=parsed["approximate"], qualifier=parsed["qualifier"],
                            unit=unit))
    if attributions:
        for q in out:
            best = None
            for a in attributions:
                c = a.content
                if c.start <= q.start and q.end <= c.end + 1 or (c.start <= q.start < c.end):
                    if best is None or (c.end - c.start) < (best.content.end - best.content.start):
                        best = a
            q.claim = best.id if best else None
    return out
