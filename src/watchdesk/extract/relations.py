"""Relations between entities, read off the dependency parse: "the minister visited Paris".

``find_relations(doc, mentions, entities, quotes=None)`` returns ``Relation`` items (ids
``r1..``): a subject, a predicate as written, an object, the normalised relation name (the verb
lemma, with the preposition where it changes the meaning: ``fight_against``) and the sentence
that says so. Which predicates count, with which prepositions, comes from a lexicon kept as data
(``data/relations_lexicon.json``); the rules are general:

* **verbs** -- active ("X met Y", "X met with Y"), passive ("Y was led by X", taken as active:
  ``lead(X, Y)``), phrasal ("X took over Y"), reduced and full relative clauses ("the group led
  by X", "the man who killed Y", "the army, which X leads"), participles ("partisans fighting
  against Y"), coordinated arguments and verbs ("X and Y joined Z" -> two relations; "X met and
  made friends with Y" shares the subject), factual control verbs ("began to gather").
* **light verbs** -- "did an interview with X", "held talks with X" -> ``interview`` / ``meet``.
* **roles** -- "X's leader Y", "X leader Y", "Y, the leader of X", "Y is the leader of X" ->
  ``leader_of(Y, X)``.

Arguments are noun phrases; one resolves to a document entity when its head word (the noun
after "a lot of", "hundreds of", ...) lies inside a mention, or through an apposition naming it
("Microsoft's chief executive, Steve Ballmer"). "he"/"she"/"him"/"her" resolve to the most
recent PERSON mention; "I"/"me"/"we"/"us" inside a quotation resolve to the quote's speaker when
``quotes`` (from :func:`watchdesk.extract.attribution.find_attributions`) are given. A relation
is kept when one side is a named entity and the other is one too or a clear noun phrase (a
common-noun head or a first-person pronoun); negated, modal and wished-for predicates ("wanted
to capture", "could meet") are left out. One pass over the tokens; no model is run.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from watchdesk.types import Attribution, DocEntity, Mention, Relation, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "relations_lexicon.json"

THIRD_PERSON = frozenset({"he", "she", "him", "her"})
FIRST_PERSON = frozenset({"i", "me", "we", "us"})
SPEAKER_PRONOUNS = frozenset({"i", "me"})  # "we" is a group the speaker belongs to
RELATIVE_PRONOUNS = frozenset({"who", "whom", "which", "that", "whose"})
SUBJ_DEPS = ("nsubj", "csubj")
PASS_SUBJ_DEPS = ("nsubjpass", "csubjpass")
NP_KEEP_RIGHT = frozenset({"compound", "flat", "nummod", "amod", "case"})
MAX_NP_TOKENS = 12
MAX_PREDICATE_TOKENS = 5
PREDICATE_GAP_POS = frozenset({"ADV", "PART", "AUX", "DET", "ADJ"})  # may sit inside a predicate
NON_FACT_MARKS = frozenset({"if", "unless", "whether"})


@dataclass(frozen=True)
class Lexicon:
    verbs: dict
    light_verbs: frozenset
    event_nouns: dict
    roles: dict
    quantifier_heads: frozenset
    control_verbs: frozenset
    hypothetical_aux: frozenset
    hypothetical_governors: frozenset


@lru_cache(maxsize=None)
def load_lexicon(path: str | None = None) -> Lexicon:
    data = json.loads(Path(path or LEXICON_PATH).read_text(encoding="utf-8"))
    return Lexicon(
        verbs=data["verbs"],
        light_verbs=frozenset(data["light_verbs"]),
        event_nouns=data["event_nouns"],
        roles=data["roles"],
        quantifier_heads=frozenset(data["quantifier_heads"]),
        control_verbs=frozenset(data["control_verbs"]),
        hypothetical_aux=frozenset(data["hypothetical_aux"]),
        hypothetical_governors=frozenset(data["hypothetical_governors"]),
    )


# --------------------------------------------------------------------------- document index


class DocIndex:
    """Token -> mention look-ups, pronoun resolution and quote speakers for one document.

    Shared with :mod:`watchdesk.extract.events`."""

    def __init__(self, doc: Doc, mentions: list[Mention], entities: list[DocEntity],
                 quotes: Iterable[Attribution] | None = None):
        self.doc = doc
        self.text = doc.text
        self.labels = {e.id: e.label for e in entities}
        self.tok_mention: dict[int, Mention] = {}
        ms = sorted((m for m in mentions if m.entity), key=lambda m: m.start)
        starts = [t.idx for t in doc]
        for m in ms:
            i = max(bisect.bisect_right(starts, m.start) - 1, 0)
            while i < len(doc) and doc[i].idx < m.end:
                t = doc[i]
                if t.idx + len(t.text) > m.start:
                    self.tok_mention.setdefault(i, m)
                i += 1
        # antecedents: PERSON mentions, except names used as modifiers of a common noun
        # ("Lib Dem election preparations") -- those are seldom what "he" points back to
        persons = []
        for m in ms:
            if self.labels.get(m.entity) != "PERSON":
                continue
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            root = span.root if span is not None and len(span) else None
            if root is not None and root.dep_ in ("compound", "amod") and root.head.pos_ == "NOUN":
                continue
            persons.append(m)
        self.person_starts = [m.start for m in persons]
        self.persons = persons
        self.quotes = sorted(((q.content.start, q.content.end, q.entity) for q in (quotes or [])
                              if q.entity), key=lambda x: x[0])

    def mention_of(self, tok: Token) -> Mention | None:
        return self.tok_mention.get(tok.i)

    def last_person_before(self, pos: int) -> Mention | None:
        i = bisect.bisect_left(self.person_starts, pos) - 1
        return self.persons[i] if i >= 0 else None

    def speaker_at(self, pos: int) -> str | None:
        for s, e, ent in self.quotes:
            if s > pos:
                break
            if s <= pos < e:
                return ent
        return None

    def pronoun_entity(self, tok: Token) -> str | None:
        low = tok.lower_
        if low in THIRD_PERSON:
            m = self.last_person_before(tok.idx)
            return m.entity if m else None
        if low in SPEAKER_PRONOUNS:
            return self.speaker_at(tok.idx)
        return None


# --------------------------------------------------------------------------- helpers


def _span(text: str, s: int, e: int) -> Span:
    return Span(s, e, text[s:e])


def _tok_end(t: Token) -> int:
    return t.idx + len(t.text)


def sentence_span(text: str, sent, lo: int | None = None, hi: int | None = None) -> Span:
    """The sentence ``sent``, trimmed; cut at line breaks outside ``lo..hi`` (the parts the item
    uses), since the parser sometimes runs a heading into the next paragraph."""
    s, e = sent.start_char, sent.end_char
    if lo is not None:
        cut = text.rfind("\n", s, lo)
        if cut >= 0:
            s = cut + 1
    if hi is not None:
        cut = text.find("\n", hi, e)
        if cut >= 0:
            e = cut
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return _span(text, s, e)


def crosses_break(a: Token, b: Token) -> bool:
    """Is there a line break between tokens ``a`` and ``b``?"""
    doc = a.doc
    lo, hi = sorted((a.i, b.i))
    return any("\n" in doc[k].whitespace_ or (doc[k].is_space and "\n" in doc[k].text)
               for k in range(lo, hi))


def block_start_subject(verb: Token) -> Token | None:
    """A subject the parser lost across a block boundary: the sentence runs a heading into the
    next paragraph ("On a hike with X\n\nY arrived ...") and attaches the paragraph's first noun
    phrase to the heading. Taken when a name or noun phrase alone opens the verb's line."""
    doc = verb.doc
    sent_start = verb.sent.start
    i = verb.i - 1
    while i >= sent_start and doc[i].pos_ in ("PROPN", "NOUN", "DET", "ADJ") \
            and "\n" not in doc[i].whitespace_:
        i -= 1
    if i == verb.i - 1 or i < sent_start:
        return None
    brk = doc[i]
    if not (brk.is_space and "\n" in brk.text) and "\n" not in brk.whitespace_:
        return None
    last = doc[verb.i - 1]
    return last if last.pos_ in ("PROPN", "NOUN") else None


def _np_bounds(head: Token) -> tuple[int, int]:
    """Token range of the noun phrase headed by ``head``: its left dependents, the head, and
    right dependents that stay inside the phrase (compounds; "of" + noun for common nouns)."""
    lo = head.i
    for c in head.lefts:
        if c.dep_ in ("punct", "cc", "conj", "appos", "relcl", "acl", "prep", "advcl"):
            continue
        lo = min(lo, c.left_edge.i)
    hi = head.i
    for c in head.rights:
        if c.dep_ in NP_KEEP_RIGHT:
            hi = max(hi, c.right_edge.i)
        elif (c.dep_ == "prep" and c.lower_ == "of" and head.pos_ == "NOUN"
              and any(g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN") for g in c.children)
              and not any(t.tag_ == "VBG" for t in c.subtree)):
            hi = max(hi, c.right_edge.i)
        else:
            break
    doc = head.doc
    # no leading/trailing punctuation, and no runaway phrases
    while lo < head.i and doc[lo].is_punct:
        lo += 1
    while hi > head.i and doc[hi].is_punct:
        hi -= 1
    if hi - lo + 1 > MAX_NP_TOKENS:
        lo = max(lo, head.i - 4)
        hi = head.i
    return lo, hi


@dataclass
class _Arg:
    head: Token  # the syntactic head as found
    sem: Token  # the semantic head (after "a lot of", relative pronouns, appositions)
    span: tuple[int, int]  # char offsets of the phrase as written
    entity: str | None
    kind: str  # "named" | "pronoun1" | "np" | "bad"


class _Extractor:
    def __init__(self, doc: Doc, index: DocIndex, lex: Lexicon):
        self.doc = doc
        self.ix = index
        self.lex = lex
        self.text = doc.text
        self.out: list[tuple] = []
        self.seen: set[tuple] = set()

    # ----------------------------------------------------------------- arguments

    def _semantic_head(self, tok: Token) -> Token:
        """Follow "a lot of X", "hundreds of X", "one of X" to X."""
        for _ in range(3):
            if tok.lower_ in self.lex.quantifier_heads or tok.pos_ == "NUM" or tok.lower_ == "one":
                pobj = next((g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                             for g in c.children if g.dep_ == "pobj"), None)
                if pobj is None:
                    break
                tok = pobj
            else:
                break
        return tok

    def arg(self, tok: Token) -> _Arg:
        # a relative pronoun stands for the noun its clause modifies
        if tok.lower_ in RELATIVE_PRONOUNS and tok.tag_ in ("WP", "WDT", "WP$", "IN", "DT"):
            clause = tok.head
            while clause.dep_ not in ("relcl", "acl") and clause.head.i != clause.i \
                    and clause.dep_ in ("xcomp", "ccomp", "conj", "prep", "pobj"):
                clause = clause.head
            if clause.dep_ in ("relcl", "acl") and clause.head.pos_ in ("NOUN", "PROPN"):
                tok = clause.head
            else:
                return _Arg(tok, tok, (tok.idx, _tok_end(tok)), None, "bad")
        if tok.pos_ == "PRON":
            ent = self.ix.pronoun_entity(tok)
            span = (tok.idx, _tok_end(tok))
            if ent:
                return _Arg(tok, tok, span, ent, "named")
            kind = "pronoun1" if tok.lower_ in FIRST_PERSON else "bad"
            return _Arg(tok, tok, span, None, kind)
        if tok.pos_ not in ("NOUN", "PROPN") or tok.ent_type_ in (
                "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"):
            return _Arg(tok, tok, (tok.idx, _tok_end(tok)), None, "bad")
        sem = self._semantic_head(tok)
        lo, hi = _np_bounds(tok)
        if any(self.doc[k].tag_ in ("WDT", "WP", "WP$") for k in range(lo, tok.i)):
            return _Arg(tok, tok, (tok.idx, _tok_end(tok)), None, "bad")  # "which constituency"
        if sem is not tok:
            slo, shi = _np_bounds(sem)
            hi = max(hi, shi)
        doc = self.doc
        span = (doc[lo].idx, _tok_end(doc[hi]))
        m = self.ix.mention_of(sem)
        if m is None:
            # "Microsoft's chief executive, Steve Ballmer": the apposition names the argument
            app = next((c for c in sem.children if c.dep_ == "appos" and c.i > sem.i
                        and c.left_edge.i - hi <= 2 and self.ix.mention_of(c) is not None), None)
            if app is not None and sem.pos_ == "NOUN":
                m = self.ix.mention_of(app)
                span = (span[0], max(span[1], m.end))
        if m is not None:
            if m.start <= doc[sem.i].idx < m.end:
                span = (min(span[0], m.start), max(span[1], m.end)) if sem.pos_ == "NOUN" \
                    else (m.start, m.end)
            return _Arg(tok, sem, span, m.entity, "named")
        if sem.pos_ == "NOUN" and sem.is_alpha and not sem.is_stop:
            return _Arg(tok, sem, span, None, "np")
        return _Arg(tok, sem, span, None, "bad")

    def args_with_conjuncts(self, tok: Token) -> list[_Arg]:
        out = [self.arg(tok)]
        for c in tok.conjuncts:
            if c.i > tok.i and c.pos_ in ("NOUN", "PROPN", "PRON"):
                out.append(self.arg(c))
        return out

    # ----------------------------------------------------------------- verbs

    def _not_factual(self, verb: Token) -> bool:
        if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX") and not any(
                c.dep_ in ("aux", "nsubj", "nsubjpass") for c in verb.children) and any(
                c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in self.lex.hypothetical_aux)
                for c in verb.head.children):
            return True  # "can either drive X or else run Y": the modal is shared
        for c in verb.children:
            if c.dep_ == "neg":
                return True
            if c.dep_ == "aux" and c.lower_ in self.lex.hypothetical_aux:
                return True
            if c.dep_ == "mark" and c.lower_ in NON_FACT_MARKS:
                return True
        if verb.tag_ == "VB" and verb.dep_ == "advcl" and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
            return True  # purpose clause: "came to fight X"
        v = verb
        for _ in range(4):
            if v.dep_ == "conj":
                v = v.head
                continue
            if v.dep_ not in ("xcomp", "ccomp"):
                break
            v = v.head
            if v.lemma_ in self.lex.hypothetical_governors:
                return True
            if any(c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in self.lex.hypothetical_aux)
                   for c in v.children) and verb.dep_ == "xcomp":
                return True
        return False

    def _subjects(self, verb: Token) -> list[Token]:
        subj = [c for c in verb.children if c.dep_ in SUBJ_DEPS]
        if subj and not all(crosses_break(c, verb) for c in subj):
            return [c for c in subj if not crosses_break(c, verb)]
        if subj:  # the parser reached into a heading for the subject
            lost = block_start_subject(verb)
            return [lost] if lost is not None else []
        v = verb
        for _ in range(4):
            if v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX"):
                if v.tag_ == "VBG" and v.head.tag_ != "VBG" and not any(
                        c.dep_ == "aux" for c in v.children):
                    return []  # "accused X of telling lies and then attacking Y": not X's subject
                v = v.head
                if any(c.dep_ in PASS_SUBJ_DEPS for c in v.children):
                    return []  # "X was arrested and charged": not an active subject
                subj = [c for c in v.children if c.dep_ in SUBJ_DEPS]
                if subj:
                    return subj
                continue
            if v.dep_ in ("xcomp",) and v.head.lemma_ in self.lex.control_verbs:
                v = v.head
                subj = [c for c in v.children if c.dep_ in SUBJ_DEPS]
                if subj:
                    return subj
                continue
            if v.dep_ in ("acl", "relcl") and v.tag_ == "VBG" and v.head.pos_ in ("NOUN", "PROPN"):
                return [v.head]  # "partisans fighting against X"
            break
        if verb.dep_ == "ROOT":
            lost = block_start_subject(verb)
            if lost is not None:
                return [lost]
        return []

    def _is_passive(self, verb: Token) -> bool:
        if any(c.dep_ in ("auxpass", "nsubjpass", "csubjpass") for c in verb.children):
            return True
        return verb.tag_ == "VBN" and verb.dep_ in ("acl", "relcl") and not any(
            c.dep_ in ("aux", "nsubj") for c in verb.children)

    def _verb_entry(self, verb: Token) -> tuple[str, dict, Token | None] | None:
        prt = next((c for c in verb.children if c.dep_ == "prt"), None)
        if prt is not None:
            key = f"{verb.lemma_.lower()}_{prt.lower_}"
            if key in self.lex.verbs:
                return key, self.lex.verbs[key], prt
        entry = self.lex.verbs.get(verb.lemma_.lower())
        if entry is None:
            return None
        return verb.lemma_.lower(), entry, None

    def verb_relations(self, verb: Token) -> None:
        found = self._verb_entry(verb)
        if found is None or verb.pos_ not in ("VERB",):
            return
        key, entry, prt = found
        rel = entry.get("rel", key)
        if self._not_factual(verb):
            return
        extra = [prt] if prt is not None else []
        if self._is_passive(verb):
            if not entry.get("obj"):
                return  # only a verb taking a direct object has a passive with our meaning
            agent = next((g for c in verb.children if c.dep_ == "agent"
                          for g in c.children if g.dep_ == "pobj"), None)
            if agent is None:
                return
            agent_tok = next(c for c in verb.children if c.dep_ == "agent")
            if verb.dep_ in ("acl", "relcl") and not any(
                    c.dep_ in PASS_SUBJ_DEPS for c in verb.children):
                objs = [verb.head]  # "the group led by X"
            else:
                objs = [c for c in verb.children if c.dep_ in PASS_SUBJ_DEPS]
            aux = [c for c in verb.children if c.dep_ == "auxpass"]
            for s in self.args_with_conjuncts(agent):
                for o_tok in objs:
                    for o in self.args_with_conjuncts(o_tok):
                        self.emit(s, o, rel, verb, aux + extra + [agent_tok])
            return
        subjects = self._subjects(verb)
        if not subjects:
            return
        if verb.dep_ == "relcl" and all(s.lower_ in RELATIVE_PRONOUNS for s in subjects):
            pass  # handled by arg(): the relative pronoun stands for the modified noun
        objects: list[tuple[Token, str, list[Token], tuple | None]] = []
        if entry.get("obj"):
            named_only = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP") if entry.get(
                "named_obj") else None
            for c in verb.children:
                if c.dep_ in ("dobj", "obj"):
                    objects.append((c, rel, [], named_only))
        for c in verb.children:
            if c.dep_ != "prep":
                continue
            p = entry.get("preps", {}).get(c.lower_)
            if p is None:
                continue
            prel, labels = (p, None) if isinstance(p, str) else (p["rel"], tuple(p["labels"]))
            for g in c.children:
                if g.dep_ == "pobj":
                    objects.append((g, prel, [c], labels))
            # "in April and in October": coordinated prepositions
            for cc in c.conjuncts:
                for g in cc.children:
                    if g.dep_ == "pobj":
                        objects.append((g, prel, [c], labels))
        for s_tok in subjects:
            for s in self.args_with_conjuncts(s_tok):
                for o_tok, orel, ptoks, labels in objects:
                    for o in self.args_with_conjuncts(o_tok):
                        if labels is not None and (
                                o.entity is None or self.ix.labels.get(o.entity) not in labels):
                            continue
                        self.emit(s, o, orel, verb, extra + ptoks)

    def light_verb_relations(self, verb: Token) -> None:
        """"did an interview with X", "held talks with X"."""
        lemma = verb.lemma_.lower()
        prt = next((c for c in verb.children if c.dep_ == "prt"), None)
        if prt is not None:
            lemma = f"{lemma}_{prt.lower_}"
        if lemma not in self.lex.light_verbs or self._not_factual(verb):
            return
        subjects = self._subjects(verb)
        if not subjects:
            return
        for noun in verb.children:
            if noun.dep_ != "dobj":
                continue
            entry = self.lex.event_nouns.get(noun.lower_) or self.lex.event_nouns.get(
                noun.lemma_.lower())
            if entry is None:
                continue
            for c in noun.children:
                if c.dep_ == "prep" and c.lower_ in entry["preps"]:
                    for g in c.children:
                        if g.dep_ != "pobj":
                            continue
                        for s_tok in subjects:
                            for s in self.args_with_conjuncts(s_tok):
                                for o in self.args_with_conjuncts(g):
                                    self.emit(s, o, entry["rel"], verb, [noun, c])

    # ----------------------------------------------------------------- roles

    def role_relations(self, noun: Token) -> None:
        """"X's leader Y", "X leader Y", "Y, the leader of X", "Y is the leader of X"."""
        if noun.pos_ != "NOUN":
            return
        rel = self.lex.roles.get(noun.lower_) or self.lex.roles.get(noun.lemma_.lower())
        if rel is None:
            return
        # the holder of the role
        holder = None
        app = next((c for c in noun.children if c.dep_ == "appos"), None)
        if app is not None and app.pos_ == "PROPN":
            holder = app
        elif noun.dep_ in ("compound", "appos") and noun.head.pos_ == "PROPN":
            holder = noun.head
        elif noun.dep_ == "attr" and noun.head.lemma_ == "be":
            holder = next((c for c in noun.head.children if c.dep_ == "nsubj"), None)
        if holder is None:
            return
        # the organisation (or person) the role is of
        org = None
        for c in noun.children:
            if c.dep_ in ("poss", "compound") and c.i < noun.i and self.ix.mention_of(c):
                org = c  # "Microsoft's chief executive", "Tory leader" (a name only)
            elif c.dep_ == "prep" and c.lower_ == "of":
                org = next((g for g in c.children if g.dep_ == "pobj"), org)
        if org is None and noun.dep_ == "compound":
            # "Tory leader Michael Howard": a preceding compound of the holder
            prev = [c for c in holder.children if c.dep_ == "compound" and c.i < noun.i
                    and self.ix.mention_of(c)]
            org = prev[-1] if prev else None
        if org is None:
            return
        h = self.arg(holder)
        o = self.arg(org)
        if h.kind != "named":
            return
        if holder.dep_ == "nsubj" and self._not_factual(holder.head):
            return
        self.emit(h, o, rel, noun, [], role=True)

    # ----------------------------------------------------------------- output

    def emit(self, s: _Arg, o: _Arg, rel: str, pred: Token, extra: list[Token],
             role: bool = False) -> None:
        if s.kind == "bad" or o.kind == "bad":
            return
        named = (s.kind == "named") + (o.kind == "named")
        if named == 0:
            return
        if s.entity is not None and s.entity == o.entity:
            return
        if s.span[0] < o.span[1] and o.span[0] < s.span[1]:
            return  # overlapping arguments: a parse error
        toks = sorted([pred] + [t for t in extra if t is not None], key=lambda t: t.i)
        chosen = {t.i for t in toks}
        gap_ok = all(self.doc[k].pos_ in PREDICATE_GAP_POS
                     for k in range(toks[0].i, toks[-1].i + 1) if k not in chosen)
        if gap_ok and toks[-1].i - toks[0].i + 1 <= MAX_PREDICATE_TOKENS:
            ps, pe = toks[0].idx, _tok_end(toks[-1])  # "was led by", "did an interview with"
        else:
            ps, pe = pred.idx, _tok_end(pred)  # "met [in Paris] with": the verb alone
        key = (s.span, o.span, rel)
        if key in self.seen:
            return
        self.seen.add(key)
        self.out.append((s, o, rel, (ps, pe), pred.sent))


def find_relations(doc: Doc, mentions: list[Mention], entities: list[DocEntity],
                   quotes: Iterable[Attribution] | None = None,
                   lexicon: Lexicon | None = None) -> list[Relation]:
    """Relations between entities of one parsed document (offsets into ``doc.text``)."""
    lex = lexicon or load_lexicon()
    ix = DocIndex(doc, mentions, entities, quotes)
    ex = _Extractor(doc, ix, lex)
    for tok in doc:
        if tok.pos_ == "VERB" or tok.pos_ == "AUX":
            ex.verb_relations(tok)
            ex.light_verb_relations(tok)
        elif tok.pos_ == "NOUN":
            ex.role_relations(tok)
    text = doc.text
    out: list[Relation] = []
    items = sorted(ex.out, key=lambda x: (x[3][0], x[0].span[0], x[1].span[0]))
    for i, (s, o, rel, (ps, pe), sent) in enumerate(items, 1):
        out.append(Relation(
            id=f"r{i}", subject=_span(text, *s.span), predicate=_span(text, ps, pe),
            object=_span(text, *o.span), relation=rel, evidence=sentence_span(
                text, sent, min(s.span[0], o.span[0], ps), max(s.span[1], o.span[1], pe)),
            subject_entity=s.entity, object_entity=o.entity))
    return out
