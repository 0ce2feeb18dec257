"""Russian attribution: direct quotes, sourced claims and their speakers, and the figures in them.

``find_ru_attributions(text, sentences, mentions, entities)`` returns ``(quotes, claims,
quantities)`` with offsets into ``text``; it needs no parse, only the analyser's sentences and
mentions (``label`` PERSON/ORG/GPE, ``entity`` = document entity id).

* **quotes** (``direct=True``, ids ``q1..``): «…» (with „…“ or «…» nested inside), „…“ and "…"
  quotations that have a speech cue next to them -- ``«…», — сказал он``, ``«A, — заявил X. —
  B»``, ``X заявил: «…»``, ``X: «…»`` -- and dash-led direct speech without marks
  (``— Текст, — сказал он.`` and ``Текст, — заявил Иванов.``). A quotation with no cue (a
  name or title: «Новая газета») is not a quote.
* **claims** (``direct=False``, ids ``c1..``): a cue verb with ", что" after it ("X заявил,
  что …"), a colon ("X заявил: …"), "о/об" ("X сообщил о …"), or at the end of the sentence
  ("…, сообщил X."), and source phrases ("по данным / словам … X, …", "согласно X", "как
  сообщает X, …").
* **speakers**: the PERSON/ORG mention in the cue's clause (GPE when there is no other), or
  он/она/они resolved to the last person (они: the last person or organisation) before it, or
  the noun phrase after the cue ("представитель МИД"); ``entity`` is the mention's entity.

Which verbs are cues comes from ``data/cues_ru.json`` (built by ``scripts/build_cues_ru.py``
from Russian news; lemmas through pymorphy2, so every gender, number and tense matches).
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from watchdesk.types import Attribution, DocEntity, Mention, Quantity, Sentence, Span

from .quantities import Tok, analyse, find_ru_quantities, tokens

MIN_CUE = 3  # a data cue must have been seen at least this often in a speech frame ...
MIN_P = 0.15  # ... and in a speech frame this share of its occurrences
MIN_NOUN_P = 0.35  # "по <noun> X,": share of "по <noun>" that named a source
COMP_GAP = 3  # words between a cue verb and ", что"
CLAUSE_TOKENS = 14  # how far a speaker is looked for from its cue
NP_TOKENS = 4  # a speaker noun phrase without a name: at most this many words
MIN_CLAIM_CHARS = 8
VERB_POS = frozenset({"VERB", "GRND", "PRTS", "ADJS", "INFN", "PRTF"})
COMPLEMENTISERS = frozenset({"что", "будто", "якобы"})
RELATIVES = frozenset({"который", "этот", "тот", "что"})
POSSESSIVES = {"его": ("PERSON",), "ее": ("PERSON",), "её": ("PERSON",), "их": ("PERSON", "ORG")}
ABOUT_PREPS = frozenset({"о", "об", "обо", "про"})
PRONOUNS = {"он": "PERSON", "она": "PERSON", "они": "ANY"}
DASHES = "—–-"
SOURCE_PREPS = frozenset({"согласно"})
QUOTE_MARKS = "«»„“”\""
CLAUSE_STOPS = frozenset(".!?;:,«»\"„“”()…")
_SPEECH_DASH = re.compile(r"\s*([,!?…]|\.\.\.)?\s*[—–]\s*")
_PARA = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Cues:
    verbs: frozenset
    nouns: frozenset


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    raw = resources.files("watchdesk").joinpath("data", "cues_ru.json").read_text(encoding="utf-8")
    d = json.loads(raw)
    verbs = {v for v, e in d["verbs"].items() if e["cue"] >= MIN_CUE and e["p"] >= MIN_P}
    nouns = {w for w, e in d["source_nouns"].items() if e["cue"] >= MIN_CUE and e["p"] >= MIN_NOUN_P
             and analyse(w)[:1] and analyse(w)[0][1] == "NOUN"}
    return Cues(frozenset(verbs | set(d["seed_verbs"])), frozenset(nouns | set(d["seed_nouns"])))


def cue_lemma(word: str) -> str | None:
    """The cue lemma of a verb-like word ("заявила" -> "заявить"), or None."""
    verbs = load_cues().verbs
    for normal, pos, _ in analyse(word):
        if pos in VERB_POS and normal in verbs:
            return normal
    return None


@dataclass
class _Att:
    content: tuple[int, int]
    cue: tuple[int, int] | None
    speaker: tuple[int, int] | None
    entity: str | None
    direct: bool


class _Doc:
    """Per-document lookups: tokens, mentions by offset, sentences."""

    def __init__(self, text: str, sentences: list[Sentence], mentions: list[Mention]):
        self.text = text
        self.toks = tokens(text)
        self.starts = [t.start for t in self.toks]
        self.mentions = sorted((m for m in mentions if m.label in ("PERSON", "ORG", "GPE")),
                               key=lambda m: m.start)
        self.m_starts = [m.start for m in self.mentions]
        self.sents = sorted(sentences, key=lambda s: s.start) or [Sentence(0, len(text))]

    def tok_index(self, char: int) -> int:
        return bisect.bisect_left(self.starts, char)

    def mentions_in(self, s: int, e: int) -> list[Mention]:
        i = bisect.bisect_left(self.m_starts, s)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < e:
            out.append(self.mentions[i])
            i += 1
        return out

    def last_mention(self, char: int, labels: tuple[str, ...]) -> Mention | None:
        i = bisect.bisect_left(self.m_starts, char) - 1
        while i >= 0:
            if self.mentions[i].label in labels and self.mentions[i].end <= char:
                return self.mentions[i]
            i -= 1
        return None

    def sentence_of(self, char: int) -> tuple[int, int]:
        k = bisect.bisect_right([s.start for s in self.sents], char) - 1
        s = self.sents[max(k, 0)]
        return s.start, s.end


# --------------------------------------------------------------------------- speakers


def _best_mention(ms: list[Mention]) -> Mention | None:
    for labels in (("PERSON",), ("ORG",), ("GPE",)):
        hit = next((m for m in ms if m.label in labels), None)
        if hit is not None:
            return hit
    return None


def _pronoun(D: _Doc, t: Tok) -> tuple[tuple[int, int], str | None] | None:
    kind = PRONOUNS.get(t.text.lower())
    if kind is None:
        return None
    labels = ("PERSON",) if kind == "PERSON" else ("PERSON", "ORG")
    m = D.last_mention(t.start, labels)
    return (t.start, t.end), (m.entity if m else None)


def _clause_end(D: _Doc, i: int, limit: int) -> int:
    """Token index where the clause starting at token i ends (punctuation, quote, dash, line)."""
    j = i
    while j < len(D.toks) and j - i < limit:
        t = D.toks[j]
        if t.text in CLAUSE_STOPS or t.text in DASHES:
            break
        if j > i and "\n" in D.text[D.toks[j - 1].end:t.start]:
            break
        j += 1
    return j


def _speaker_after(D: _Doc, k: int) -> tuple[tuple[int, int] | None, str | None]:
    """Speaker in the clause right after the cue token k ("— сказал глава МИД Лавров")."""
    e = _clause_end(D, k + 1, CLAUSE_TOKENS)
    if e <= k + 1:
        return None, None
    lo, hi = D.toks[k + 1].start, D.toks[e - 1].end
    m = _best_mention(D.mentions_in(lo, hi))
    if m is not None:
        return (m.start, m.end), m.entity
    for t in D.toks[k + 1:e]:
        p = _pronoun(D, t)
        if p is not None:
            return p
    if D.toks[k + 1].text.lower() in ("в", "во") and e > k + 2:
        return (D.toks[k + 1].start, D.toks[e - 1].end), None  # "говорится в заявлении"
    np_end = k + 1
    while np_end < e and np_end - k <= NP_TOKENS and D.toks[np_end].text[:1].isalpha() \
            and D.toks[np_end].text != ",":
        np_end += 1
    first = analyse(D.toks[k + 1].text)
    if np_end > k + 1 and first and first[0][1] == "NOUN" and "nomn" in first[0][2]:
        return (D.toks[k + 1].start, D.toks[np_end - 1].end), None
    return None, None


def _speaker_before(D: _Doc, k: int, lo: int) -> tuple[tuple[int, int] | None, str | None]:
    """Subject before the cue token k, not before char ``lo`` ("Иванов заявил, что")."""
    j = k - 1
    while j >= 0 and D.toks[j].start >= lo and k - j <= CLAUSE_TOKENS \
            and D.toks[j].text not in (".", "!", "?", ";", ":", "«", "»") \
            and D.toks[j].text.lower() not in COMPLEMENTISERS:
        j -= 1
    s = D.toks[j + 1].start if j + 1 < k else D.toks[k].start
    ms = D.mentions_in(s, D.toks[k].start)
    best = _best_mention(list(reversed(ms)))
    if best is not None:
        return (best.start, best.end), best.entity
    for t in reversed(D.toks[j + 1:k]):
        p = _pronoun(D, t)
        if p is not None:
            return p
        a = analyse(t.text)
        if a and a[0][1] == "NOUN" and "nomn" in a[0][2]:
            return (t.start, t.end), None
    return None, None


def _speaker(D: _Doc, k: int, lo: int, after_first: bool):
    order = (_speaker_after, _speaker_before) if after_first else (_speaker_before, _speaker_after)
    for f in order:
        spk = f(D, k) if f is _speaker_after else f(D, k, lo)
        if spk[0] is not None:
            return spk
    return None, None


# --------------------------------------------------------------------------- quotation spans


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Outermost quotations per line, marks included: «…» (nesting), „…“, “…”, "…"."""
    out = []
    for para in _PARA.finditer(text):
        stack: list[tuple[str, int]] = []
        for i in range(para.start(), para.end()):
            c = text[i]
            top = stack[-1][0] if stack else None
            if c == "«" or c == "„":
                stack.append((c, i))
            elif c == "»" and top == "«" or c in "“”" and top == "„" or c == "”" and top == "“":
                _pop(stack, out, i)
            elif c == "“" and _opens(text, i):
                stack.append((c, i))
            elif c == '"':
                if top == '"':
                    _pop(stack, out, i)
                elif _opens(text, i):
                    stack.append((c, i))
    return out


def _pop(stack: list, out: list, i: int) -> None:
    _, s = stack.pop()
    if not stack:
        out.append((s, i + 1))


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-:/«„") and not after.isspace()


def _inner(text: str, s: int, e: int) -> tuple[int, int]:
    s, e = s + 1, e - 1
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == "," or _stray_close(text, s, e - 1)):
        e -= 1
    return s, e


def _stray_close(text: str, s: int, i: int) -> bool:
    """Is the mark at ``i`` a closing mark with no opener in text[s:i] (mixed-up marks)?"""
    c = text[i]
    if c not in QUOTE_MARKS:
        return False
    openers = {"»": "«", "“": "„", "”": "„“", '"': '"'}.get(c, "")
    return not any(o in text[s:i] for o in openers)


# --------------------------------------------------------------------------- quotes


def _dash_cue(D: _Doc, pos: int, limit: int | None = None) -> tuple[int, int] | None:
    """At ``pos``: [,!?…] — <cue verb>. Returns (cue token index, char after the dash match)."""
    m = _SPEECH_DASH.match(D.text, pos)
    if m is None or (limit is not None and m.end() > limit):
        return None
    k = D.tok_index(m.end())
    for j in (k, k + 1):
        if j < len(D.toks) and cue_lemma(D.toks[j].text) and D.toks[j].start - m.end() < 25:
            return j, m.end()
    return None


def _continuation(D: _Doc, k: int, para_end: int) -> int | None:
    """After the cue clause: ". — B" / ", — B" continues the speech; returns B's end."""
    e = _clause_end(D, k + 1, CLAUSE_TOKENS)
    if e >= len(D.toks):
        return None
    m = re.compile(r"\s*[.,]\s*[—–]\s*(?=\w)").match(D.text, D.toks[e].start)
    if m is None or m.end() >= para_end:
        return None
    return para_end


def _title_like(D: _Doc, s: int, e: int) -> bool:
    """«Новая газета»: a quoted name or a short title, not speech."""
    words = D.text[s:e].split()
    if any(m.start <= s and e <= m.end or s <= m.start and m.end >= e - 1
           for m in D.mentions_in(s - 1, e + 1)):
        return True
    return len(words) <= 3 and not re.search(r"[.!?,…]", D.text[s:e]) and words[0][:1].isupper() \
        and all(w[:1].isupper() or len(w) <= 3 for w in words)


def _quote_after(D: _Doc, qs: int, qe: int) -> _Att | None:
    """«…», — сказал X. and «A, — сказал X. — B»."""
    s, e = _inner(D.text, qs, qe)
    inside = re.search(r"[,!?…]\s*[—–]\s*", D.text[s:e])
    if inside:
        hit = _dash_cue(D, s + inside.start(), e)
        if hit:
            spk, ent = _speaker(D, hit[0], s, True)
            t = D.toks[hit[0]]
            return _Att((s, e), (t.start, t.end), spk, ent, True)
    hit = _dash_cue(D, qe)
    if hit is None:
        return None
    spk, ent = _speaker(D, hit[0], qe, True)
    t = D.toks[hit[0]]
    return _Att((s, e), (t.start, t.end), spk, ent, True)


def _quote_before(D: _Doc, qs: int, qe: int) -> _Att | None:
    """X заявил: «…» and X: «…»."""
    before = D.text[max(0, qs - 3):qs]
    if ":" not in before:
        return None
    colon = D.text.rfind(":", 0, qs)
    s, e = _inner(D.text, qs, qe)
    k = D.tok_index(colon) - 1
    line = D.text.rfind("\n", 0, colon) + 1
    for j in range(k, max(k - CLAUSE_TOKENS, -1), -1):
        if D.toks[j].start < line or D.toks[j].text in ".!?;":
            break
        if cue_lemma(D.toks[j].text):
            spk, ent = _speaker(D, j, line, False)
            return _Att((s, e), (D.toks[j].start, D.toks[j].end), spk, ent, True)
    if k >= 0 and D.toks[k].start >= line:
        m = next((m for m in D.mentions_in(D.toks[k].start, colon)
                  if m.label in ("PERSON", "ORG") and m.end == D.toks[k].end), None)
        if m is not None:  # "Иванов: «…»"
            return _Att((s, e), (colon, colon + 1), (m.start, m.end), m.entity, True)
    return None


def _find_quotes(D: _Doc, spans: list[tuple[int, int]]) -> list[_Att]:
    out = []
    for qs, qe in spans:
        s, e = _inner(D.text, qs, qe)
        if e - s < 2:
            continue
        a = _quote_after(D, qs, qe)
        if a is None and not _title_like(D, s, e):
            a = _quote_before(D, qs, qe)
        if a is None:
            continue
        out.append(a)
    return out


def _find_dash_speech(D: _Doc, spans: list[tuple[int, int]]) -> list[_Att]:
    """Direct speech without marks: "— Текст, — сказал он." and "Текст, — заявил Иванов."."""
    out = []
    starts = [s for s, _ in spans]
    for para in _PARA.finditer(D.text):
        ps, pe = para.start(), para.end()
        lead = re.match(r"\s*[—–]\s+", D.text[ps:pe])
        for m in re.finditer(r"[,!?…]\s*[—–]\s*", D.text[ps:pe]):
            pos = ps + m.start()
            k_q = bisect.bisect_right(starts, pos) - 1
            if k_q >= 0 and (spans[k_q][0] < pos < spans[k_q][1]
                             or not D.text[spans[k_q][1]:pos].strip()):
                continue  # inside a quotation, or right after one: handled there
            hit = _dash_cue(D, pos, pe)
            if hit is None:
                continue
            cs = ps + lead.end() if lead else D.sentence_of(pos)[0]
            if any(cs <= a < pos for a in starts) or pos - cs < 3:
                continue
            if out and out[-1].content[1] > cs:
                cs = out[-1].content[1]
            end = _continuation(D, hit[0], pe) if lead else None
            spk, ent = _speaker(D, hit[0], pos, True)
            t = D.toks[hit[0]]
            ce = pos + (1 if D.text[pos] in "!?…" else 0)
            out.append(_Att(_trimmed(D, cs, end or ce), (t.start, t.end), spk, ent, True))
            if end:
                break
    return out


# --------------------------------------------------------------------------- claims


def _trimmed(D: _Doc, s: int, e: int) -> tuple[int, int]:
    edge = " \t\n,;:.—–-" + QUOTE_MARKS
    while s < e and D.text[s] in edge:
        s += 1
    while e > s and D.text[e - 1] in edge:
        e -= 1
    return s, e


def _source_phrase(D: _Doc, i: int, sent: tuple[int, int]) -> _Att | None:
    """"по данным X, …", "согласно X, …", "как сообщает X, …" (or the phrase after the content)."""
    toks, cues = D.toks, load_cues()
    w = toks[i].text.lower()
    if w == "по":
        j = next((j for j in range(i + 1, min(i + 3, len(toks)))
                  if toks[j].text.lower().replace("ё", "е") in cues.nouns), None)
        if j is None:
            return None
        cue = (toks[i].start, toks[j].end)
    elif w in SOURCE_PREPS:
        j, cue = i, (toks[i].start, toks[i].end)
    elif w == "как" and i + 1 < len(toks) and cue_lemma(toks[i + 1].text):
        j, cue = i + 1, (toks[i + 1].start, toks[i + 1].end)
    else:
        return None
    he = _clause_end(D, j + 1, CLAUSE_TOKENS)
    if he <= j + 1 and w != "по":
        return None
    nxt = analyse(toks[j + 1].text) if j + 1 < len(toks) else ()
    if nxt and (nxt[0][1] == "NPRO" or nxt[0][0] in RELATIVES):
        return None  # "согласно которому …", "как сообщает нам …": no source named
    holder = (toks[j + 1].start, toks[he - 1].end) if he > j + 1 else None
    m = _best_mention(D.mentions_in(*holder)) if holder else None
    if m is None and holder and toks[j + 1].text.lower() in POSSESSIVES:
        labels = POSSESSIVES[toks[j + 1].text.lower()]
        m = D.last_mention(toks[j + 1].start, labels)  # "по его словам"
        if m is not None:
            return _Att(_content_side(D, i, he, cue, sent), cue, (toks[j + 1].start, toks[j + 1].end),
                        m.entity, False)
    content = _content_side(D, i, he, cue, sent)
    spk = (m.start, m.end) if m else holder
    return _Att(content, cue, spk, m.entity if m else None, False)


def _content_side(D: _Doc, i: int, he: int, cue: tuple[int, int], sent: tuple[int, int]):
    """The content of a source phrase: the rest of the sentence after it when it opens the
    sentence, else the part before it."""
    toks = D.toks
    after_end = toks[he].end if he < len(toks) else cue[1]
    if toks[i].start - sent[0] <= 2 or D.text[sent[0]:toks[i].start].strip() in ("", "А", "Но"):
        return _trimmed(D, after_end, sent[1])
    return _trimmed(D, sent[0], toks[i].start)


def _verb_claim(D: _Doc, k: int, sent: tuple[int, int]) -> _Att | None:
    """A cue verb with ", что …", ": …", "о …" after it, or ending the sentence (", сообщил X.")."""
    toks = D.toks
    t = toks[k]
    j = k + 1
    while j < len(toks) and j - k <= COMP_GAP + 1 and toks[j].start < sent[1]:
        x = toks[j].text.lower()
        if x == "," and j + 1 < len(toks) and toks[j + 1].text.lower() in COMPLEMENTISERS:
            content = _trimmed(D, toks[j + 1].end, sent[1])
            spk, ent = _speaker(D, k, sent[0], False)
            return _Att(content, (t.start, t.end), spk, ent, False)
        if x == ":" and j + 1 < len(toks) and toks[j + 1].text not in "«„\"“":
            content = _trimmed(D, toks[j].end, sent[1])
            spk, ent = _speaker(D, k, sent[0], False)
            return _Att(content, (t.start, t.end), spk, ent, False) if spk else None
        if x in ABOUT_PREPS and j == k + 1:
            spk, ent = _speaker(D, k, sent[0], False)
            e = _clause_end(D, j + 1, 40)
            content = _trimmed(D, toks[j].start, toks[e - 1].end if e > j + 1 else sent[1])
            return _Att(content, (t.start, t.end), spk, ent, False) if ent else None
        if not x[:1].isalnum():
            break
        j += 1
    if k > 0 and toks[k - 1].text == ",":
        spk, ent = _speaker_after(D, k)
        e = _clause_end(D, k + 1, CLAUSE_TOKENS)
        if spk and (e >= len(toks) or toks[e].text in ".!?"):
            return _Att(_trimmed(D, sent[0], toks[k - 1].start), (t.start, t.end), spk, ent, False)
    return None


def _line_clip(text: str, s: int, e: int, at: int) -> tuple[int, int]:
    """The sentence [s, e) cut to the line holding ``at`` (titles have no final stop)."""
    ls = text.rfind("\n", s, at) + 1 or s
    le = text.find("\n", at, e)
    return max(s, ls), (e if le < 0 else le)


def _find_claims(D: _Doc, taken: set[int]) -> list[_Att]:
    out = []
    for sent in D.sents:
        lo, hi = D.tok_index(sent.start), D.tok_index(sent.end)
        for i in range(lo, min(hi, len(D.toks))):
            if D.toks[i].start in taken:
                continue
            line = _line_clip(D.text, sent.start, sent.end, D.toks[i].start)
            a = _source_phrase(D, i, line)
            if a is None and cue_lemma(D.toks[i].text) and (
                    i == 0 or D.toks[i - 1].text.lower() != "как"):
                a = _verb_claim(D, i, line)
            if a is not None and a.content[1] - a.content[0] >= MIN_CLAIM_CHARS:
                out.append(a)
                taken.add(a.cue[0])
    return out


# --------------------------------------------------------------------------- assembly


def _inside(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


def _attribution(D: _Doc, a: _Att, i: int) -> Attribution:
    def span(se):
        return Span(se[0], se[1], D.text[se[0]:se[1]]) if se else None

    return Attribution(id=f"{'q' if a.direct else 'c'}{i}", content=span(a.content),
                       cue=span(a.cue), speaker=span(a.speaker), entity=a.entity,
                       direct=a.direct)


def find_ru_attributions(text: str, sentences: list[Sentence], mentions: list[Mention],
                         entities: list[DocEntity]
                         ) -> tuple[list[Attribution], list[Attribution], list[Quantity]]:
    """Quotes, claims and the quantities of one Russian document (offsets into ``text``)."""
    if not text.strip():
        return [], [], []
    D = _Doc(text, sentences, mentions)
    spans = quote_spans(text)
    quotes = _find_quotes(D, spans) + _find_dash_speech(D, spans)
    quotes.sort(key=lambda a: a.content[0])
    taken = {a.cue[0] for a in quotes if a.cue}
    claims = [c for c in _find_claims(D, taken)  # a cue inside a quotation is quoted speech
              if not any(_inside(c.cue, q.content) for q in quotes) and c.content[1] > c.content[0]]
    qs = [_attribution(D, a, i) for i, a in enumerate(quotes, 1)]
    cs = [_attribution(D, a, i) for i, a in enumerate(sorted(claims, key=lambda a: a.content[0]), 1)]
    quantities = find_ru_quantities(text)
    for q in quantities:
        holders = [a for a in qs + cs if a.content.start <= q.start and q.end <= a.content.end]
        if holders:
            q.claim = min(holders, key=lambda a: a.content.end - a.content.start).id
    return qs, cs, quantities
