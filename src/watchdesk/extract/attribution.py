"""Attribution: direct quotes, indirect claims and their sources, and the quantities in them.

``find_attributions(doc, mentions, entities)`` returns ``(quotes, claims, quantities)``:

* **quotes** (``direct=True``, ids ``q1..``): quotation spans found by
  :mod:`watchdesk.extract.quotes`, kept when they are speech -- a cue next to them
  ("…,” he said", "X says: “…”", "Name: “…”", "“…” ― Name"), or a whole-sentence quotation
  continuing the previous speaker's words. Quotes split around their cue ("A," he said, "B.") are joined. Quotations
  inside a clause ('calls it "a disaster"', 'said that "…"') are not direct speech.
* **claims** (``direct=False``, ids ``c1..``): a cue word governing a clause ("X says that …",
  "…, sources said", "X told Y that …"), or a source phrase ("according to X, …", "…, citing
  X"). Which words are cues, and in which syntactic frame, comes from the lexicon learned from
  PolNeAR train (``data/cues.json``, see :mod:`watchdesk.extract.cues`).
* **quantities**: see :mod:`watchdesk.extract.quantities`; each carries the id of the quote or
  claim whose content holds it.

Speakers are reported as written (a name, a pronoun, "police sources") and linked to a document
entity: through the mention they overlap, or, for pronouns and definite descriptions ("the
lawyer"), to the previous compatible speaker or the last person mentioned.
Everything works on one spaCy parse; no second model pass.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from watchdesk.types import Attribution, DocEntity, Mention, Quantity, Span

from .cues import (QUOTE_CHARS, CueLexicon, has_comp, is_source_phrase, load_lexicon, obj_child,
                   prep_object, quoted_chars, xcomp_child)
from .quotes import DOUBLE_MARKS, QuoteSpan, find_quote_spans, paragraphs

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "i", "me", "my"})
SALIENT_DEPS = frozenset({"nsubj", "nsubjpass", "poss"})
QUOTE_MIN_WORDS = 3  # a cue-less quotation must be at least this long to inherit a speaker
AFTER_WINDOW = 30  # tokens after a closing mark in which the cue must start
BEFORE_WINDOW = 4  # tokens before an opening mark (after ", ") in which the cue must end
MERGE_GAP = 40  # words between the parts of a quotation split around its cue
INHERIT_GAP = 2  # paragraphs over which a cue-less quotation inherits the last speaker
PREP_MIN_P = 0.8  # "according to X", "citing X": precision of the source-phrase frame
PREP_MIN_COUNT = 20
_EDGE = "\"'“”‘’„«»‹›,;:.!?—–- \t\r\n\xa0()[]<>"


@dataclass
class _Att:
    content: tuple[int, int]
    cue: tuple[int, int] | None
    speaker: tuple[int, int] | None
    direct: bool
    cue_tok: int | None = None
    score: float = 1.0  # precision of the cue in its frame (learned); quotes count 1
    entity: str | None = None
    para: int = 0
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


def _trim(text: str, s: int, e: int, chars: str = _EDGE) -> tuple[int, int]:
    while s < e and text[s] in chars:
        s += 1
    while e > s and text[e - 1] in chars:
        e -= 1
    return s, e


def _tok_span(toks) -> tuple[int, int]:
    toks = list(toks)
    return min(t.idx for t in toks), max(t.idx + len(t.text) for t in toks)


def _span(text: str, se: tuple[int, int] | None) -> Span | None:
    if se is None:
        return None
    s, e = se
    return Span(s, e, text[s:e])


def _subtree_span(tok: Token, exclude: set[int] | None = None) -> tuple[int, int]:
    toks = [t for t in tok.subtree if not exclude or t.i not in exclude]
    return _tok_span(toks or [tok])


def _is_quote_tok(t: Token) -> bool:
    return any(c in QUOTE_CHARS for c in t.text) or t.text in ("''", "``")


class _Doc:
    """Per-document lookups: char -> token, paragraph index, mentions by offset."""

    def __init__(self, doc: Doc, mentions: list[Mention], entities: list[DocEntity]):
        self.doc = doc
        self.text = doc.text
        self.starts = [t.idx for t in doc]
        self.paras = paragraphs(self.text)
        self.para_starts = [p[0] for p in self.paras]
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.m_starts = [m.start for m in self.mentions]
        self.ent_label = {e.id: e.label for e in entities}
        # a capitalised word of a person's or organisation's name -> the entity (when unique),
        # for speakers the NER missed ("… Lopez said" after "Maria Lopez")
        words: dict[str, set[str]] = {}
        for e in entities:
            if e.label in ("PERSON", "ORG"):
                for alias in e.aliases or [e.name]:
                    for w in re.findall(r"\w[\w'’\-]*", alias):
                        if w[:1].isupper() and len(w) > 2:
                            words.setdefault(w, set()).add(e.id)
        self.name_words = {w: next(iter(ids)) for w, ids in words.items() if len(ids) == 1}

    def tok_at(self, char: int) -> int:
        """Index of the token containing (or starting right after) ``char``."""
        i = bisect.bisect_right(self.starts, char) - 1
        return max(i, 0)

    def para_of(self, char: int) -> int:
        return max(bisect.bisect_right(self.para_starts, char) - 1, 0)

    def mention_in(self, s: int, e: int) -> Mention | None:
        """The best mention overlapping [s, e): a PERSON first, then the longest."""
        lo = bisect.bisect_left(self.m_starts, s - 200)
        best = None
        for m in self.mentions[lo:]:
            if m.start >= e:
                break
            if m.end > s and m.entity:
                key = (m.label == "PERSON", m.end - m.start)
                if best is None or key > best[0]:
                    best = (key, m)
        return best[1] if best else None

    def last_person_before(self, char: int, inside=None) -> Mention | None:
        """The last person named as a subject (or possessor) before ``char``, outside quotations:
        the antecedent a reporting pronoun ("he says") most likely points to."""
        i = bisect.bisect_left(self.m_starts, char) - 1
        while i >= 0:
            m = self.mentions[i]
            if m.label == "PERSON" and m.entity and m.end <= char \
                    and not (inside is not None and inside(m.start)):
                head = self.doc[self.tok_at(m.end - 1)]
                while head.dep_ == "compound" and head.head.i != head.i:
                    head = head.head
                if head.dep_ in SALIENT_DEPS or (head.dep_ == "appos"
                                                 and head.head.dep_ in SALIENT_DEPS):
                    return m
            i -= 1
        return None

    def head_mention(self, s: int, e: int) -> Mention | None:
        """The mention naming the speaker span's head ("the union's lawyer [Ana Ruiz]",
        "[Ruiz]'s view"), not one of its modifiers ("police sources", "[City] officials")."""
        toks = [self.doc[i] for i in range(self.tok_at(s), self.tok_at(max(e - 1, s)) + 1)]
        toks = [t for t in toks if s <= t.idx < e]
        if not toks:
            return None
        inside = {t.i for t in toks}
        heads = [t for t in toks if t.head.i not in inside or t.head.i == t.i]
        for h in heads:
            m = self.mention_in(h.idx, h.idx + len(h.text))
            if m is not None:
                return m
            for c in h.children:  # a possessor: "Ruiz's view"
                if c.dep_ == "poss" and c.i in inside:
                    m = self.mention_in(c.idx, c.idx + len(c.text))
                    if m is not None:
                        return m
        return None


# --------------------------------------------------------------------------- speakers


def _subject(tok: Token) -> Token | None:
    """The subject of a cue verb, climbing through conjunctions and participles ("…, adding")."""
    seen = 0
    cur = tok
    while cur is not None and seen < 4:
        for c in cur.children:
            if c.dep_ in ("nsubj", "csubj"):
                return c
        if cur.dep_ == "acl" and cur.head.pos_ in ("NOUN", "PROPN", "PRON") and seen == 0:
            return cur.head  # "one saying that …", "a spokesman saying …"
        if cur.dep_ in ("conj", "advcl", "xcomp", "pcomp", "prep") and cur.head.i != cur.i:
            cur = cur.head  # "…, adding that", "began by saying that"
            seen += 1
            continue
        break
    return None


def _agent(tok: Token) -> Token | None:
    for c in tok.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def _speaker_of(tok: Token, text: str, exclude: set[int] | None = None
                ) -> tuple[int, int] | None:
    """The cue's subject as written (its whole noun phrase), or the agent of a passive cue."""
    subj = _subject(tok)
    if subj is not None and exclude and subj.i in exclude:
        return None  # the parse took a word of the quotation as the subject
    if subj is None:
        if any(c.dep_ == "nsubjpass" for c in tok.children):
            subj = _agent(tok)
        if subj is None:
            return None
    if subj.lower_ in ("that", "this", "it") and subj.pos_ == "PRON" and subj.dep_ != "nsubj":
        return None
    s, e = _subtree_span(subj, exclude)
    if e - s > 120:  # a long subject: keep up to its head (and its compounds)
        s, e = _tok_span([t for t in subj.subtree if t.i <= subj.i][-4:])
    s, e = _trim(text, s, e)
    return (s, e) if e > s else None


# --------------------------------------------------------------------------- quotes


def _cue_ok(lex: CueLexicon, tok: Token, frame: str = "quote") -> bool:
    if tok.pos_ not in ("VERB", "AUX") and not tok.tag_.startswith("VB"):
        return False
    return lex.is_cue(tok, frame) or lex.is_cue(tok, "any")


def _cue_after(D: _Doc, lex: CueLexicon, q: QuoteSpan) -> Token | None:
    """A cue right after a closing mark: "…,” he said", "…” said X", "…, ”Ruiz says"."""
    doc, text = D.doc, D.text
    pe = D.paras[D.para_of(q.start if q.end > len(text) else max(q.end - 1, 0))][1]
    i = D.tok_at(q.end)
    if i < len(doc) and doc[i].idx < q.end:
        i += 1
    n = 0
    first = i
    while i < len(doc) and n < AFTER_WINDOW and doc[i].idx < pe:
        t = doc[i]
        if _is_quote_tok(t) or t.text in (".", "!", "?", ";"):
            return None
        if _cue_ok(lex, t):
            # right after the mark ("…,” said X") or after its subject ("…,” X, a …, said")
            if n <= 1:
                return t
            subj = _subject(t)
            if subj is not None and first <= subj.i < t.i:
                return t
            return None
        i += 1
        n += 1
    return None


def _cue_before(D: _Doc, lex: CueLexicon, q: QuoteSpan
                ) -> tuple[Token | None, tuple[int, int] | None, tuple[int, int] | None]:
    """A cue before an opening mark: "X said, “…", "X said: “…", "Name: “…".

    Returns (cue token, cue span when it is not the token -- a colon --, speaker span when it
    is not the cue's subject)."""
    doc, text = D.doc, D.text
    k_para = D.para_of(q.start)
    ps = D.paras[k_para][0]
    j = q.start - 1
    while j >= ps and text[j].isspace():
        j -= 1
    if j < ps and k_para > 0 and text[D.paras[k_para - 1][1] - 1] == ":":
        # "He said:" closing the previous paragraph
        ps = D.paras[k_para - 1][0]
        j = D.paras[k_para - 1][1] - 1
    if j < ps:
        return None, None, None
    prev = text[j]
    i = D.tok_at(j)
    if prev == ":":
        # the clause before the colon, back to its sentence start
        sent = doc[i].sent
        cand = None
        k = i - 1
        lo = max(sent.start, ps and D.tok_at(ps))
        while k >= lo and k >= 0:
            t = doc[k]
            if _is_quote_tok(t):
                break
            if t.lemma_.lower() == "accord" and is_source_phrase(t):
                pobj = _according_holder(t)
                if pobj is not None:
                    return t, _tok_span([t] + [c for c in t.children if c.dep_ == "prep"]), pobj
            if _cue_ok(lex, t, "comp") or _cue_ok(lex, t):
                # the cue of the main clause: "X claims that … as the press writes: “…”"
                if cand is None or _depth(t) < _depth(cand):
                    cand = t
            k -= 1
        if cand is not None:
            return cand, None, None
        root = doc[i].sent.root if i > 0 else None
        if root is not None and root.i < i and root.pos_ == "VERB":
            subj = _subject(root)
            if subj is not None and (subj.pos_ == "PRON" or subj.ent_type_ in ("PERSON", "ORG")
                                     or D.mention_in(subj.idx, subj.idx + len(subj.text))):
                return root, None, None  # "Sanders made the following comment: “…”"
        # "Name: “…”" -- a short noun phrase right before the colon
        ss = max(lo, 0)
        words = [t for t in doc[ss:i] if not t.is_punct]
        if 0 < len(words) <= 5 and any(t.pos_ in ("PROPN", "PRON") for t in words):
            s, e = _trim(text, words[0].idx, j)
            return None, (j, j + 1), (s, e)
        return None, None, None
    if prev in ",":
        k = i - 1
        n = 0
        while k >= 0 and n < BEFORE_WINDOW and doc[k].idx >= ps:
            t = doc[k]
            if _is_quote_tok(t) or t.text in (".", "!", "?"):
                break
            if _cue_ok(lex, t):
                return t, None, None
            k -= 1
            n += 1
        return None, None, None
    if prev.isalnum():
        t = doc[i]
        s, _ = q.inner(text)
        words = len(re.findall(r"\w+", text[s:q.end]))
        if _cue_ok(lex, t) and text[s:s + 1].isupper() and words >= QUOTE_MIN_WORDS:
            return t, None, None  # He said “We …” without a comma
    return None, None, None


_DASH_NAME = re.compile(r"[ \t\xa0]*[―—–]+[ \t\xa0]*"
                        r"([A-Z][\w.'’\-]*(?:[ \t\xa0]+[A-Z][\w.'’\-]*){0,4})[ \t\xa0.]*(?:\n|$)")


def _dash_speaker(D: _Doc, q: QuoteSpan):
    """“…” ― Name  (a quotation signed with a dash and a name at the end of its line)."""
    m = _DASH_NAME.match(D.text, q.end)
    if m is None:
        return None
    dash = D.text.index(m.group(0).strip()[0], q.end)
    return (dash, dash + 1), (m.start(1), m.end(1))


def _depth(tok: Token) -> int:
    d = 0
    while tok.head.i != tok.i and d < 50:
        tok = tok.head
        d += 1
    return d


def _according_holder(tok: Token) -> tuple[int, int] | None:
    for c in tok.children:
        if c.dep_ == "prep":
            for g in c.children:
                if g.dep_ == "pobj":
                    return _subtree_span(g)
        if c.dep_ in ("pobj", "dobj"):
            return _subtree_span(c)
    return None


def _quote_shape(D: _Doc, q: QuoteSpan) -> tuple[bool, bool]:
    """(starts a sentence, ends a sentence) for the quotation in its paragraph."""
    text = D.text
    ps, pe = D.paras[D.para_of(q.start)]
    j = q.start - 1
    while j >= ps and text[j].isspace():
        j -= 1
    starts = j < ps or text[j] in ".!?:;…—"
    k = q.end
    while k < len(text) and k < pe and text[k].isspace():
        k += 1
    s, e = q.inner(text)
    inner_end = text[e - 1] if e > s else ""
    ends = k >= pe or text[k] in ".!?" or inner_end in ".!?…"
    return starts, ends


def _find_quotes(D: _Doc, lex: CueLexicon) -> list[_Att]:
    text, doc = D.text, D.doc
    spans = find_quote_spans(text)
    items: list[dict] = []
    for q in spans:
        s, e = q.inner(text)
        if e <= s:
            continue
        nwords = len(re.findall(r"\w+", text[s:e]))
        starts, ends = _quote_shape(D, q)
        j = q.start - 1
        ps = D.paras[D.para_of(q.start)][0]
        while j >= ps and text[j].isspace():
            j -= 1
        prev = text[j] if j >= ps else ""
        after = _cue_after(D, lex, q)
        before, colon, bspk = (None, None, None)
        if after is None:
            dash = _dash_speaker(D, q)
            if dash is not None:
                colon, bspk = dash
        if after is None and colon is None:
            before, colon, bspk = _cue_before(D, lex, q)
            if before is not None and prev != ":" and any(
                    t.lower_ in ("that", "if", "whether")
                    for t in doc[before.i + 1:D.tok_at(q.start)]):
                continue  # "said that “…”": a claim with a quoted part
        # a quotation inside a clause is not direct speech
        partial = bool(prev) and (prev.isalnum() or prev in "(“‘'\"") and before is None
        if partial or nwords == 0:
            continue
        weak = False  # kept only if it continues a quotation split around its cue
        if after is None and before is None and colon is None:
            if not (starts and ends and nwords >= QUOTE_MIN_WORDS):
                if not (q.continues or q.continued) or nwords < QUOTE_MIN_WORDS:
                    weak = True
        if after is not None and not starts and prev not in ",:":
            # "… X calls it “a disaster,” he said" -- the quote opens mid-clause
            if nwords < QUOTE_MIN_WORDS:
                continue
        items.append(dict(q=q, content=(s, e), after=after, before=before, colon=colon,
                          bspk=bspk, starts=starts, ends=ends, nwords=nwords, weak=weak))

    # join quotations split around their cue: “A,” he said, “B.”
    merged: list[dict] = []
    for it in items:
        if merged:
            m = merged[-1]
            q0, q1 = m["q"], it["q"]
            same_para = D.para_of(q0.start) == D.para_of(q1.start)
            if (same_para and m["after"] is not None and it["after"] is None
                    and it["colon"] is None and m["after"].idx < q1.start):
                gap = text[q0.end:q1.start]
                ntoks = len(re.findall(r"\w+", gap))
                if ntoks <= MERGE_GAP and gap.rstrip()[-1:] in ",.:;":
                    m["content"] = (m["content"][0], it["content"][1])
                    m.setdefault("first_end", q0.end)
                    m["q"] = QuoteSpan(q0.start, q1.end, continues=q1.continues)
                    continue
        if not it["weak"]:
            merged.append(it)

    atts: list[_Att] = []
    last: _Att | None = None
    for idx, it in enumerate(merged):
        q = it["q"]
        cue_tok = it["after"] or it["before"]
        cue = speaker = None
        if cue_tok is not None:
            cue = (cue_tok.idx, cue_tok.idx + len(cue_tok.text))
            excl = _quote_tokens(D, q.start, it.get("first_end", q.end))
            speaker = _speaker_of(cue_tok, text, excl) if it["bspk"] is None else it["bspk"]
            if speaker is None:
                speaker = _nearby_speaker(D, cue_tok, q)
        elif it["colon"] is not None:
            cue, speaker = it["colon"], it["bspk"]
        a = _Att(content=it["content"], cue=cue, speaker=speaker, direct=True,
                 cue_tok=cue_tok.i if cue_tok is not None else None, para=D.para_of(q.start))
        if cue is None:
            # a cue-less quotation: continue the previous speaker (or, in a multi-paragraph
            # quotation, take the cue of a later segment)
            nxt = _chain_cue(D, lex, merged, idx)
            if nxt is not None:
                a.cue, a.speaker, a.cue_tok = nxt
            elif last is not None and a.para - last.para <= INHERIT_GAP and last.speaker:
                a.cue, a.speaker = last.cue, last.speaker
                a.extra["inherited"] = last
            else:
                continue
        atts.append(a)
        last = a
    return atts


def _quote_tokens(D: _Doc, start: int, end: int) -> set[int]:
    return set(range(D.tok_at(start), D.tok_at(max(end - 1, start)) + 1))


def _chain_cue(D: _Doc, lex: CueLexicon, items: list[dict], idx: int):
    """For a segment that continues into the next paragraphs, the cue of the last segment."""
    text = D.text
    k = idx
    while k < len(items) and items[k]["q"].continues and k + 1 < len(items):
        k += 1
        it = items[k]
        tok = it["after"] or it["before"]
        if tok is not None:
            q = it["q"]
            excl = _quote_tokens(D, q.start, it.get("first_end", q.end))
            spk = _speaker_of(tok, text, excl) or _nearby_speaker(D, tok, q)
            return (tok.idx, tok.idx + len(tok.text)), spk, tok.i
    return None


def _nearby_speaker(D: _Doc, cue: Token, q: QuoteSpan) -> tuple[int, int] | None:
    """When the parse gives the cue no subject: a name or pronoun right next to it."""
    doc, text = D.doc, D.text
    for k in (cue.i - 1, cue.i + 1, cue.i - 2, cue.i + 2):
        if 0 <= k < len(doc):
            t = doc[k]
            if q.start <= t.idx < q.end:
                continue
            if t.pos_ in ("PROPN", "PRON") and not _is_quote_tok(t):
                toks = [t]
                if t.pos_ == "PROPN":  # extend over the name
                    a = k
                    while a - 1 >= 0 and doc[a - 1].pos_ == "PROPN":
                        a -= 1
                    b = k
                    while b + 1 < len(doc) and doc[b + 1].pos_ == "PROPN":
                        b += 1
                    toks = list(doc[a:b + 1])
                return _trim(text, *_tok_span(toks))
    return None


# --------------------------------------------------------------------------- "NAME: text"

_LABELLED = re.compile(r"[ \t\xa0]*[\"“”]?[ \t]*([A-Z][\w.'’\- ]{1,40}?):[ \t\xa0]+(?=\S)")


def _labelled_paragraphs(D: _Doc) -> list[_Att]:
    """Transcript turns ("WALLACE: …", '"PENCE: …') and headlines of the form "Person: claim"
    (a topic label such as "Syria: …" names no person and is left alone)."""
    text, doc = D.text, D.doc
    out = []
    for k, (ps, pe) in enumerate(D.paras):
        m = _LABELLED.match(text, ps, pe)
        if m is None:
            continue
        label = m.group(1).strip()
        words = label.split()
        cs, ce = _trim(text, m.end(), pe, " \t\r\n\xa0\"“”")
        if ce - cs < 8 or len(words) > 5:
            continue
        spk = (m.start(1), m.start(1) + len(label))
        colon = (m.end(1), m.end(1) + 1)
        letters = [c for c in label if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters) and len(words) <= 3:
            out.append(_Att(content=(cs, ce), cue=colon, speaker=spk, direct=True, para=k))
            continue
        toks = [doc[i] for i in range(D.tok_at(spk[0]), D.tok_at(spk[1] - 1) + 1)]
        m = D.mention_in(*spk)
        named = (m.label == "PERSON") if m is not None else any(t.ent_type_ == "PERSON"
                                                                for t in toks)
        if named and all(t.pos_ in ("PROPN", "NOUN", "PUNCT", "DET") or t.text[:1].isupper()
                         for t in toks):
            out.append(_Att(content=(cs, ce), cue=colon, speaker=spk, direct=False, para=k))
    return out


# --------------------------------------------------------------------------- claims


def _content_of_comp(tok: Token, text: str) -> tuple[int, int] | None:
    """The reported clause of a cue verb: its ccomp, or the clause it is a parenthetical of."""
    comps = [c for c in tok.children if c.dep_ in ("ccomp",)]
    if comps:
        c = max(comps, key=lambda x: len(list(x.subtree)))
        s, e = _subtree_span(c)
        if c.i > tok.i:  # "which Mr. X says he is doing": the content starts after the cue
            s = max(s, tok.idx + len(tok.text))
        return _trim(text, s, e)
    paras = [c for c in tok.children if c.dep_ == "parataxis"]
    if paras:
        c = paras[0]
        return _trim(text, *_subtree_span(c))
    if tok.dep_ == "parataxis" and tok.head.i != tok.i:
        head = tok.head
        excl = {t.i for t in tok.subtree}
        toks = [t for t in head.subtree if t.i not in excl]
        # the contiguous side holding the head
        side = [t for t in toks if (t.i < tok.left_edge.i) == (head.i < tok.i)]
        if not side:
            return None
        return _trim(text, *_tok_span(side))
    return None


ARG_STOP_DEPS = frozenset({"punct", "cc", "conj", "advcl", "parataxis", "mark", "relcl"})


def _right_arguments(verb: Token, first: Token, text: str) -> tuple[int, int]:
    """From the verb's first complement to the end of its last complement before a break:
    "called [the holiday a celebration of …]", "urged [North Korea to resume talks]",
    "accused [the government of attempting …]"."""
    end = first.right_edge.i
    for c in verb.rights:
        if c.i <= first.i:
            continue
        if c.dep_ in ARG_STOP_DEPS or _is_quote_tok(c) and c.i > end + 1:
            break
        end = max(end, c.right_edge.i)
    toks = verb.doc[first.left_edge.i:end + 1]
    return _trim(text, toks.start_char, toks.end_char)


def _source_phrase_content(tok: Token, text: str) -> tuple[int, int] | None:
    """What "according to X" / "citing X" reports: the rest of the sentence when the phrase
    opens or closes it (robust to where the parser hangs the phrase), else its clause."""
    sent = tok.sent
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    if not words:
        return None
    left, right = tok.left_edge, tok.right_edge
    if left.i <= words[0].i:
        rest = [t for t in sent if t.i > right.i]
        return _trim(text, *_tok_span(rest)) if rest else None
    if right.i >= words[-1].i:
        rest = [t for t in sent if t.i < left.i]
        return _trim(text, *_tok_span(rest)) if rest else None
    head = tok.head
    while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
        head = head.head
    return _clause_without(head, tok, text)


def _clause_without(head: Token, phrase: Token, text: str) -> tuple[int, int] | None:
    """The clause of ``head`` without the source phrase ``phrase`` (the larger contiguous side)."""
    excl = {t.i for t in phrase.subtree}
    toks = [t for t in head.subtree if t.i not in excl]
    if not toks:
        return None
    left = [t for t in toks if t.i < phrase.left_edge.i]
    right = [t for t in toks if t.i > phrase.right_edge.i]
    side = right if len(right) >= len(left) else left
    if not side:
        return None
    return _trim(text, *_tok_span(side))


def _find_claims(D: _Doc, lex: CueLexicon, quote_cues: set[int]) -> list[_Att]:
    doc, text = D.doc, D.text
    out: list[_Att] = []
    inside = quoted_chars(text)
    for tok in doc:
        if not tok.is_alpha or inside(tok.idx):
            continue
        lemma = tok.lemma_.lower()
        if lemma not in lex.lemmas:
            continue
        if tok.i in quote_cues:
            continue
        content = holder = None
        frame = "prep"
        cue = (tok.idx, tok.idx + len(tok.text))
        if (is_source_phrase(tok) and (tok.dep_ == "prep" or tok.tag_ == "VBG")
                and lex.score(lemma, "prep") >= PREP_MIN_P
                and lex.lemmas[lemma]["prep"]["cue"] >= PREP_MIN_COUNT
                and lex.content_governs_cue(lemma)):
            # according to X, …  /  …, citing X
            holder = _according_holder(tok)
            if tok.head.i == tok.i:
                continue
            content = _source_phrase_content(tok, text)
            for c in tok.children:
                if c.dep_ == "prep" and c.i == tok.i + 1:
                    cue = (tok.idx, c.idx + len(c.text))
        elif has_comp(tok) and (tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB")):
            if not lex.is_cue(tok, "comp"):
                continue
            frame = "comp"
            content = _content_of_comp(tok, text)
            holder = _speaker_of(tok, text)
        elif tok.pos_ == "VERB":
            # "criticized the plan", "wants to win", "called for a ban"
            obj, xc, po = obj_child(tok), xcomp_child(tok), prep_object(tok)
            if obj is not None:
                if not lex.is_cue(tok, "obj"):
                    continue
                frame = "obj"
                content = _right_arguments(tok, obj, text)
            elif xc is not None:
                if not lex.is_cue(tok, "xcomp"):
                    continue
                frame = "xcomp"
                content = _right_arguments(tok, xc, text)
            elif po is not None:
                if not lex.is_cue(tok, "pobj"):
                    continue
                frame = "pobj"
                content = _trim(text, *_subtree_span(po[1]))
                cue = (tok.idx, po[0].idx + len(po[0].text))
            else:
                continue
            if any(c.dep_ == "nsubjpass" for c in tok.children):
                holder = None if _agent(tok) is None else _trim(text, *_subtree_span(_agent(tok)))
            else:
                holder = _speaker_of(tok, text)
            if holder is None:
                continue  # an action with no one doing it is not an attribution
        else:
            continue
        if content is None:
            continue
        ps, pe = D.paras[D.para_of(tok.idx)]
        content = _trim(text, max(content[0], ps), min(content[1], pe))
        if content[1] - content[0] < 8:
            continue
        if holder is not None and not (ps <= holder[0] < pe):
            holder = None
        if holder is not None and content[0] <= holder[0] < content[1]:
            holder = None
        out.append(_Att(content=content, cue=cue, speaker=holder, direct=False, cue_tok=tok.i,
                        para=D.para_of(tok.idx), score=lex.score(lemma, frame)))
    return out


def _nest_order(a: _Att) -> int:
    """Outer attributions first (the longest content): on PolNeAR train this keeps the same
    F1 as ordering by cue precision and gets more sources right."""
    return -(a.content[1] - a.content[0])


def _drop_nested(quotes: list[_Att], claims: list[_Att]) -> list[_Att]:
    """Keep one level of attribution: annotated news almost never nests one inside another's
    content (0.6% of PolNeAR train cues), so a claim whose cue lies inside the content of a
    quote or of an outer claim -- or whose content holds an accepted cue -- is dropped."""
    accepted: list[_Att] = list(quotes)
    for c in sorted(claims, key=_nest_order):
        ok = True
        for a in accepted:
            if a.cue is not None and c.content[0] <= a.cue[0] < c.content[1]:
                ok = False
            if c.cue is not None and a.content[0] <= c.cue[0] < a.content[1]:
                ok = False
            if not ok:
                break
        if ok:
            accepted.append(c)
    return [a for a in accepted[len(quotes):]]


# --------------------------------------------------------------------------- entities


def _fallback_mentions(doc: Doc) -> tuple[list[Mention], list[DocEntity]]:
    """Mentions from ``doc.ents`` grouped by name; a lone surname joins the full name."""
    labels = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
    groups: dict[str, DocEntity] = {}
    mentions: list[Mention] = []
    persons: list[tuple[str, DocEntity]] = []
    for ent in doc.ents:
        if ent.label_ not in labels:
            continue
        s, e = _trim(doc.text, ent.start_char, ent.end_char, _EDGE.replace("()", ""))
        if e <= s:
            continue
        name = doc.text[s:e]
        key = re.sub(r"(?:['’]s)$", "", name).lower()
        ent_obj = groups.get(key)
        if ent_obj is None and ent.label_ == "PERSON":
            for full, pe in persons:
                if key in full.split() or full in key.split():
                    ent_obj = pe
                    break
        if ent_obj is None:
            ent_obj = DocEntity(id=f"e{len(groups) + 1}", name=name, label=ent.label_,
                                aliases=[name])
            if ent.label_ == "PERSON":
                persons.append((key, ent_obj))
        groups[key] = ent_obj
        ent_obj.mentions += 1
        if name not in ent_obj.aliases:
            ent_obj.aliases.append(name)
        mentions.append(Mention(s, e, name, ent_obj.label, ent_obj.id))
    uniq = {id(v): v for v in groups.values()}
    return mentions, list(uniq.values())


def _is_pronoun(text: str) -> bool:
    return text.lower() in PERSON_PRONOUNS


def _definite_description(D: _Doc, s: int, e: int) -> bool:
    """"the lawyer", "the businessman": a definite common-noun subject naming no one."""
    words = D.text[s:e].split()
    if not (2 <= len(words) <= 4) or words[0].lower() != "the":
        return False
    toks = [D.doc[i] for i in range(D.tok_at(s), D.tok_at(e - 1) + 1)]
    return all(t.pos_ in ("DET", "ADJ", "NOUN") for t in toks) and toks[-1].tag_ == "NN"


def _head_word(D: _Doc, s: int, e: int) -> str:
    """The syntactic head word of a speaker span."""
    toks = [D.doc[i] for i in range(D.tok_at(s), D.tok_at(max(e - 1, s)) + 1)
            if s <= D.doc[i].idx < e]
    if not toks:
        return ""
    inside = {t.i for t in toks}
    heads = [t for t in toks if t.head.i not in inside or t.head.i == t.i]
    return (heads or toks)[0].text


def _resolve(D: _Doc, atts: list[_Att]) -> None:
    """Link each speaker to a document entity, in text order.

    A name links through the mention naming the speaker's head. A pronoun ("he", "she", "him")
    or a definite description ("the lawyer") links to the most recent of: the previous
    speaker that is a person, and the last person named as a subject outside quotations."""
    inside = quoted_chars(D.text)
    last_person: str | None = None
    last_person_at = -1
    for a in sorted(atts, key=lambda x: (x.speaker or x.content)[0]):
        if a.speaker is None:
            continue
        s, e = a.speaker
        spk_text = D.text[s:e]
        pronoun = _is_pronoun(spk_text)
        m = None if pronoun else D.head_mention(s, e)
        if m is not None:
            a.entity = m.entity
        elif not pronoun and D.name_words.get(_head_word(D, s, e)):
            a.entity = D.name_words[_head_word(D, s, e)]
        elif pronoun or _definite_description(D, s, e):
            if spk_text.lower() in ("i", "me", "my"):
                continue
            lp = D.last_person_before(s, inside)
            cand = last_person
            if lp is not None and (cand is None or lp.start > last_person_at):
                cand = lp.entity
            a.entity = cand
        if a.entity and D.ent_label.get(a.entity) == "PERSON":
            last_person = a.entity
            last_person_at = s


# --------------------------------------------------------------------------- main


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def find_attributions(doc: Doc, mentions: list[Mention] | None = None,
                      entities: list[DocEntity] | None = None,
                      lexicon: CueLexicon | None = None,
                      ) -> tuple[list[Attribution], list[Attribution], list[Quantity]]:
    """Quotes, claims and quantities of one parsed document (offsets into ``doc.text``)."""
    from .quantities import find_quantities

    lex = lexicon or load_lexicon()
    if mentions is None or entities is None:
        try:
            from .entities import find_entities

            mentions, entities = find_entities(doc)
        except Exception:  # the entity pass is optional here: fall back to doc.ents
            mentions, entities = _fallback_mentions(doc)
    D = _Doc(doc, mentions, entities)
    text = D.text

    quotes = _find_quotes(D, lex)
    labelled = _labelled_paragraphs(D)
    if labelled:
        quotes = [q for q in quotes if not any(_overlap(q.content, l.content) for l in labelled)]
        quotes += [l for l in labelled if l.direct]
    quote_cues = {q.cue_tok for q in quotes if q.cue_tok is not None}
    claims = _find_claims(D, lex, quote_cues)

    # a claim that only restates a direct quote is the quote; cut claims at a quote they run into
    kept = []
    for c in claims:
        cs, ce = c.content
        for q in quotes:
            if _overlap(c.content, q.content) and cs < q.content[0] - 1 and ce > q.content[0]:
                # "X notes that …: “…”" -- the claim ends where the quotation starts
                cut = q.content[0] - 1
                while cut > cs and text[cut - 1] in DOUBLE_MARKS + " :\n":
                    cut -= 1
                ce = cut
        c.content = _trim(text, cs, ce)
        if c.content[1] - c.content[0] < 8:
            continue
        covered = sum(_overlap(c.content, q.content) for q in quotes)
        if covered >= 0.5 * (c.content[1] - c.content[0]):
            continue
        kept.append(c)
    claims = _drop_nested(quotes, kept + [l for l in labelled if not l.direct])

    _resolve(D, quotes + claims)
    for q in quotes:
        inh = q.extra.get("inherited")
        if inh is not None and q.entity is None:
            q.entity = inh.entity

    quotes.sort(key=lambda a: a.content[0])
    claims.sort(key=lambda a: a.content[0])
    q_out = [Attribution(id=f"q{i}", content=_span(text, a.content), cue=_span(text, a.cue),
                         speaker=_span(text, a.speaker), entity=a.entity, direct=True)
             for i, a in enumerate(quotes, 1)]
    c_out = [Attribution(id=f"c{i}", content=_span(text, a.content), cue=_span(text, a.cue),
                         speaker=_span(text, a.speaker), entity=a.entity, direct=False)
             for i, a in enumerate(claims, 1)]
    quantities = find_quantities(doc, q_out + c_out)
    return q_out, c_out, quantities
