"""Document-level Russian entity pass over natasha's tokens, morphology and NER spans.

``find_ru_entities(text, tokens, sentences, spans, vocab)`` assigns ``Mention`` items (labels mapped:
natasha PER -> PERSON, ORG -> ORG, LOC -> GPE; ``lemma`` = the nominative normal form as written)
and ``DocEntity`` items (``name`` = the nominative of the fullest name). General rules only, no
word lists of names:

1. natasha's spans are cut at line breaks and brackets and trimmed of punctuation, quotes and
   leading function words; a person span loses a leading capitalised common noun ("Юрист
   ..."); a span without a capital letter, made of function words or a dictionary abbreviation
   of a common noun (pymorphy2 ``Abbr`` without a proper-name tag) is dropped;
2. a one-word ORG/LOC name that the dictionary marks only as an organisation (``Orgn``) or only
   as a place (``Geox``) takes that label;
3. an organisation followed by a place in the genitive is one organisation ("Верховный суд
   Армении"), as in Russian NER conventions;
4. word forms of one word are grouped by stem: same stem of 3+ letters followed by nominal
   inflection endings (a closed class: "Галиуллин", "Галиуллина", "Галиуллиным");
5. every recognised name is propagated to its other occurrences, inflected forms included
   (token by token through the stem groups, same capitalisation), except a one-word name at a
   sentence start that is also a dictionary common word, and except names natasha recognised
   less often than they occur unrecognised;
6. mentions are grouped into entities by their stem-group keys; a person's surname alone joins
   the full name that has it (when one person only has it); one label per entity by vote;
7. nominative normal forms: natasha's inflection (pymorphy2 form matching the tagger's gender,
   number and case, inflected to the nominative); where it fails (foreign names unknown to the
   dictionary, a wrong gender) the form of the same stem group, seen in the document, whose
   Russian declension (a closed table of endings) covers most of the group's occurrences
   ("Сомов" covers "Сомова", "Сомовым"); the given name agrees in case with a declined surname
   ("Рената Галиуллина" -> "Ренат Галиуллин"); organisations and places are inflected up to
   their head noun only ("Верховного суда Армении" -> "Верховный суд Армении").
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from watchdesk.types import DocEntity, Mention

LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}
PROPER_GRAMS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
PERSON_GRAMS = frozenset({"Name", "Surn", "Patr"})
# pymorphy2 parts of speech that never start or make up a name
FUNCTION_POS = frozenset({"CONJ", "PREP", "PRCL", "NPRO", "INTJ", "ADVB", "PRED", "COMP"})
# Russian nominal inflection endings (closed class), used to tell forms of one word apart from
# different words sharing a prefix.
ENDINGS = frozenset("""
а я у ю ы и е о ь й ом ем ём ой ей ою ею ам ям ами ями ах ях ов ев ёв ым им ых их ого его ому
ему ая яя ую юю ое ее ии ию ией ия ие ью ья
""".split()) | {""}
MIN_STEM = 3  # letters of a shared stem before two forms count as one word
BRACKETS = frozenset("()[]{}")
# lower-case particles inside foreign person names (closed class)
NAME_PARTICLES = frozenset("фон дер ван де ди да дель ла ле аль эль ибн бин бен".split())
W_NER = 1.0  # vote of a span natasha recognised
PROPAGATE_RATIO = 1.0  # a name is propagated when recognised >= 1/ratio times as often as found
W_LEXICON = 2.0  # vote of the dictionary's Orgn/Geox tag for a one-word name
NOM = "Nom"
# Russian noun declension (closed class): a nominative ending and the endings of the other
# case forms of nouns declined like it; the first matching ending applies.
_PARADIGM_TABLE = [
    ("ия", "ии ию ией иею ий иям иями иях"),
    ("ий", "ия ию ием ии иев ого ому им ом ие их"),
    ("ый", "ого ому ым ом ые ых"),
    ("ая", "ой ую ые ых"),
    ("а", "ы и е у ой ою ей ам ами ах"),
    ("я", "и е ю ей ею ям ями ях"),
    ("ь", "я ю ем ём е и ей ью ям ями ях"),
    ("й", "я ю ем е и ев ям ями ях"),
    ("ы", "ов ам ами ах"),
    ("и", "ей ев ов ам ям ами ями ах ях"),
    ("", "а у ом ем е ы и ов ев ей ам ами ах ым"),
]
VOWEL_ENDINGS = "оеиуюэ"  # other vowel-final names are indeclinable: they cover only themselves


@dataclass
class _Cand:
    first: int  # token indices, end exclusive
    last: int
    label: str  # natasha's type: PER | ORG | LOC
    source: str  # "ner" | "prop"
    weight: float = W_NER


class _Doc:
    """One document's text and tokens with the dictionary look-ups the pass needs."""

    def __init__(self, text: str, tokens: list, vocab):
        self.text = text
        self.toks = tokens
        self.vocab = vocab
        self.starts = {t.start: i for i, t in enumerate(tokens)}

    def parses(self, i: int):
        return self.vocab(_low(self.toks[i].text))

    def grams(self, i: int) -> set[str]:
        out: set[str] = set()
        for p in self.parses(i):
            out |= set(p.tag.grammemes)
        return out

    def known(self, i: int) -> bool:
        return _known(self.vocab, _low(self.toks[i].text))

    def is_common_word(self, i: int) -> bool:
        """A dictionary word with no proper-name reading ("Юрист", "Погода", "Если")."""
        return self.known(i) and not (self.grams(i) & PROPER_GRAMS)

    def is_function_word(self, i: int) -> bool:
        ps = self.parses(i)
        return bool(ps) and ps[0].tag.POS in FUNCTION_POS and self.known(i)

    def gap(self, i: int) -> str:
        """The text between token i-1 and token i."""
        return self.text[self.toks[i - 1].stop:self.toks[i].start] if i > 0 else ""

    def span_text(self, a: int, b: int) -> str:
        return self.text[self.toks[a].start:self.toks[b - 1].stop]


@lru_cache(maxsize=50000)
def _known(vocab, word: str) -> bool:
    return vocab.word_is_known(word)


@lru_cache(maxsize=50000)
def _low(w: str) -> str:
    return w.lower().replace("ё", "е")


@lru_cache(maxsize=50000)
def _is_word(w: str) -> bool:
    return any(c.isalpha() for c in w)


def _is_cap(w: str) -> bool:
    return w[:1].isupper()


# --------------------------------------------------------------------------- 1. cleaning


def _token_range(doc: _Doc, start: int, stop: int) -> tuple[int, int] | None:
    """Indices of the tokens inside ``[start, stop)``."""
    a = _first_at_or_after(doc, start)
    b = a
    while b < len(doc.toks) and doc.toks[b].stop <= stop:
        b += 1
    return (a, b) if b > a else None


def _first_at_or_after(doc: _Doc, pos: int) -> int:
    lo, hi = 0, len(doc.toks)
    while lo < hi:
        mid = (lo + hi) // 2
        if doc.toks[mid].start < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _pieces(doc: _Doc, a: int, b: int) -> list[tuple[int, int]]:
    """Cut ``[a, b)`` at line breaks and brackets."""
    out, cur = [], a
    for i in range(a, b):
        t = doc.toks[i].text
        if t in BRACKETS or (i > cur and "\n" in doc.gap(i)):
            if i > cur:
                out.append((cur, i))
            cur = i + 1 if t in BRACKETS else i
    if b > cur:
        out.append((cur, b))
    return out


def _trim(doc: _Doc, a: int, b: int, label: str) -> tuple[int, int] | None:
    """Drop punctuation, lower-case and function words at the edges; a person's leading
    capitalised common noun ("Юрист", "Студентка")."""
    toks = doc.toks
    while a < b:
        w = toks[a].text
        if not _is_word(w) or not (_is_cap(w) or w[:1].isdigit()) or doc.is_function_word(a):
            a += 1
        elif label == "PER" and b - a >= 2 and doc.is_common_word(a):
            a += 1
        else:
            break
    while b > a and (not _is_word(toks[b - 1].text) or doc.is_function_word(b - 1)):
        b -= 1
    return (a, b) if b > a else None


def _extend_person(doc: _Doc, a: int, b: int) -> int:
    """New first token of a person name: initials ("И.И. Сомов", "П.Сомов"), lower-case name
    particles ("фон дер Берг") and an apostrophe prefix ("О'Коннор") just before it."""
    toks = doc.toks
    while a >= 2:
        t1, t2 = toks[a - 2].text, toks[a - 1].text
        glued = toks[a - 1].stop == toks[a].start
        if t2 == "." and len(t1) == 1 and t1.isupper() and "\n" not in doc.gap(a):
            a -= 2
        elif t2 in ("'", "’") and glued and len(t1) == 1 and t1.isupper() \
                and toks[a - 2].stop == toks[a - 1].start:
            a -= 2
        elif t2 in NAME_PARTICLES and "\n" not in doc.gap(a):
            a -= 1
        else:
            break
    if a == 1 and toks[0].text in NAME_PARTICLES:
        a = 0
    return a


def _is_debris(doc: _Doc, a: int, b: int) -> bool:
    words = [doc.toks[i].text for i in range(a, b)]
    if not any(c.isupper() for w in words for c in w):
        return True
    if any(c in "+@#=|" for w in words for c in w):
        return True
    if b - a == 1 and words[0].isupper() and len(words[0]) > 1:
        g = doc.grams(a)
        if "Abbr" in g and not (g & PROPER_GRAMS):
            return True  # an abbreviation of a common noun ("СМИ", "ЖКХ")
    return False


def _clean(doc: _Doc, spans) -> list[_Cand]:
    out: list[_Cand] = []
    for sp in spans:
        if sp.type not in LABELS:
            continue
        r = _token_range(doc, sp.start, sp.stop)
        if r is None:
            continue
        for pa, pb in _pieces(doc, *r):
            t = _trim(doc, pa, pb, sp.type)
            if t and sp.type == "PER":
                t = (_extend_person(doc, *t), t[1])
            if t and not _is_debris(doc, *t):
                out.append(_Cand(t[0], t[1], sp.type, "ner"))
    return out


def _no_overlap(cands: list[_Cand]) -> list[_Cand]:
    """Sorted by position; a candidate overlapping an earlier one is dropped."""
    out: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c.first, -c.last)):
        if not out or c.first >= out[-1].last:
            out.append(c)
    return out


# --------------------------------------------------------------------------- 2-3. labels, ORG + place


def _lexicon_label(doc: _Doc, c: _Cand) -> str | None:
    """ORG or LOC when the dictionary reads a one-word name only as one of them."""
    if c.last - c.first != 1 or c.label == "PER":
        return None
    proper = [set(p.tag.grammemes) & {"Orgn", "Geox"} for p in doc.parses(c.first)]
    proper = [g for g in proper if g]
    if not proper:
        return None
    if all(g == {"Orgn"} for g in proper):
        return "ORG"
    if all(g == {"Geox"} for g in proper):
        return "LOC"
    return None


def _join_org_place(doc: _Doc, cands: list[_Cand]) -> list[_Cand]:
    """"Верховный суд" + "Армении" (genitive) -> one organisation."""
    out: list[_Cand] = []
    for c in cands:
        prev = out[-1] if out else None
        if (prev is not None and prev.label == "ORG" and c.label == "LOC" and c.first == prev.last
                and doc.gap(c.first).strip() == "" and "\n" not in doc.gap(c.first)
                and (doc.toks[c.first].feats or {}).get("Case") == "Gen"):
            prev.last = c.last
            continue
        out.append(c)
    return out


# --------------------------------------------------------------------------- 4. stem groups


def _same_word(a: str, b: str) -> bool:
    """Two lower-cased forms of one word: a shared stem and inflection endings after it."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    for k in range(n, MIN_STEM - 1, -1):
        if a[k:] in ENDINGS and b[k:] in ENDINGS:
            return True
    return False


def _stem_groups(forms: set[str]) -> dict[str, str]:
    """Form -> representative of its group of word forms."""
    parent = {f: f for f in forms}

    def find(f: str) -> str:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    buckets: dict[str, list[str]] = defaultdict(list)
    for f in forms:
        if len(f) > MIN_STEM and f.isalpha():
            buckets[f[:MIN_STEM]].append(f)
    for fs in buckets.values():
        fs.sort()
        for i, a in enumerate(fs):
            for b in fs[i + 1:]:
                if _same_word(a, b):
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    return {f: find(f) for f in forms}


def _token_keys(doc: _Doc) -> list[str]:
    """A key per token: its stem group for words, the token itself for punctuation."""
    forms = {_low(t.text) for t in doc.toks if _is_word(t.text)}
    group = _stem_groups(forms)
    return [group[_low(t.text)] if _is_word(t.text) else t.text for t in doc.toks]


# --------------------------------------------------------------------------- 5. propagation


def _sentence_starts(doc: _Doc, sentences) -> set[int]:
    """Indices of the first word token of each sentence and of each line."""
    starts = set()
    for s in sentences:
        i = _first_at_or_after(doc, s.start)
        while i < len(doc.toks) and not _is_word(doc.toks[i].text):
            i += 1
        starts.add(i)
    for i in range(1, len(doc.toks)):
        if "\n" in doc.gap(i):
            starts.add(i)
    return starts


def _propagate(doc: _Doc, cands: list[_Cand], keys: list[str], starts: set[int],
               extra: dict[tuple, tuple]) -> list[_Cand]:
    """Add the other occurrences of every recognised name (and of the ``extra`` short forms,
    which count the recognitions of the full name they stand for). A name natasha recognised
    less often than it is found unrecognised is not propagated (one odd recognition of a
    product or a disease name is not a reason to tag all its occurrences)."""
    toks = doc.toks
    caps = [_is_cap(t.text) for t in toks]
    forms: dict[tuple, str] = {}
    seen: Counter = Counter()
    for c in cands:
        if c.source == "ner":
            f = (tuple(keys[c.first:c.last]), tuple(caps[c.first:c.last]))
            forms.setdefault(f, c.label)
            seen[f] += 1
            seen[f[0]] += 1
    for f, full in extra.items():
        if f not in forms:
            forms[f] = "PER"
            seen[f] = seen[full]
    hits = _find_occurrences(doc, cands, keys, caps, starts, forms)
    found = Counter(f for f, _, _ in hits)
    out = list(cands)
    out.extend(_Cand(i, j, forms[f], "prop", 0.0) for f, i, j in hits
               if seen[f] * PROPAGATE_RATIO >= found[f])
    out.sort(key=lambda c: c.first)
    return out


def _find_occurrences(doc: _Doc, cands: list[_Cand], keys: list[str], caps: list[bool],
                      starts: set[int], forms: dict[tuple, str]) -> list[tuple[tuple, int, int]]:
    """Unrecognised occurrences of the ``forms``, longest first: (form, first, end)."""
    toks = doc.toks
    by_first: dict[str, list[tuple]] = defaultdict(list)
    for f in forms:
        by_first[f[0][0]].append(f)
    for lst in by_first.values():
        lst.sort(key=lambda f: -len(f[0]))
    covered = [False] * len(toks)
    for c in cands:
        for i in range(c.first, c.last):
            covered[i] = True
    hits = []
    i = 0
    while i < len(toks):
        if covered[i] or not caps[i] or keys[i] not in by_first:
            i += 1
            continue
        hit = None
        for f in by_first[keys[i]]:
            n = len(f[0])
            j = i + n
            if j > len(toks) or any(covered[i:j]) or tuple(keys[i:j]) != f[0] \
                    or tuple(caps[i:j]) != f[1]:
                continue
            if any("\n" in doc.gap(k) for k in range(i + 1, j)):
                continue
            if n == 1 and i in starts and doc.is_common_word(i):
                continue
            hit = (f, i, j)
            break
        if hit is None:
            i += 1
            continue
        hits.append(hit)
        i = hit[2]
    return hits


def _surname_forms(doc: _Doc, cands: list[_Cand], keys: list[str]) -> dict[tuple, tuple]:
    """Surname key -> the full name's key, for surnames that one person only has."""
    owners: dict[str, set[tuple]] = defaultdict(set)
    for c in cands:
        if c.label == "PER" and c.source == "ner" and c.last - c.first >= 2:
            last = keys[c.last - 1]
            if _is_word(doc.toks[c.last - 1].text):
                owners[last].add(tuple(keys[c.first:c.last]))
    out = {}
    for k, full in owners.items():
        firsts = {f[0] for f in full}
        if len(firsts) == 1:  # one person (its inflected full names share the first key)
            out[(k,)] = max(full, key=len)
    return out


# --------------------------------------------------------------------------- 6. entities, labels


def _group(doc: _Doc, cands: list[_Cand], keys: list[str],
           surnames: dict[tuple, tuple]) -> tuple[list[tuple], dict[tuple, str]]:
    """The entity key of each candidate and the label of each entity key (by vote)."""
    parent: dict[tuple, tuple] = {}

    def find(k: tuple) -> tuple:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    ckeys = [tuple(keys[c.first:c.last]) for c in cands]
    for k in ckeys:
        find(k)
    for short, full in surnames.items():
        if short in parent and full in parent:
            parent[find(short)] = find(full)
    votes: dict[tuple, Counter] = defaultdict(Counter)
    for c, k in zip(cands, ckeys):
        r = find(k)
        votes[r][c.label] += c.weight
        lex = _lexicon_label(doc, c) if c.source == "ner" else None
        if lex:
            votes[r][lex] += W_LEXICON
    order = {"PER": 2, "ORG": 1, "LOC": 0}
    labels = {r: max(v.items(), key=lambda kv: (kv[1], order[kv[0]]))[0] for r, v in votes.items()}
    roots = [find(k) for k in ckeys]
    for c, r in zip(cands, roots):
        if r not in labels:
            labels[r] = c.label
    return roots, labels


# --------------------------------------------------------------------------- 7. normal forms


def _natasha_nominative(doc: _Doc, i: int) -> tuple[str, bool]:
    """natasha's inflection of one token to the nominative, and whether the dictionary agreed
    with the tagger (a form of the tagger's gender, number and case exists)."""
    from natasha.norm import select_form

    tok = doc.toks[i]
    word = _low(tok.text)
    feats = tok.feats or {}
    if tok.pos not in ("PROPN", "NOUN", "ADJ", "VERB"):
        return word, True
    forms = doc.vocab(word)
    if feats.get("Case") == NOM:
        sure = any(f.feats.get("Case") == NOM and f.feats.get("Number") == feats.get("Number")
                   for f in forms)
        return word, sure
    form = select_form(forms, tok.pos, feats)
    if form:
        inflected = form.inflect({NOM})
        if inflected:
            return _low(inflected.word), True
    return word, False


PARADIGMS = [(e, frozenset(o.split())) for e, o in _PARADIGM_TABLE]


def _paradigm(form: str) -> tuple[str, frozenset[str]]:
    """Stem and the endings of the other case forms, reading ``form`` as a nominative."""
    if form[-1:] in VOWEL_ENDINGS and not form.endswith(("ы", "и")):
        return form, frozenset()
    for ending, others in PARADIGMS:
        if form.endswith(ending) and len(form) - len(ending) >= MIN_STEM:
            return form[:len(form) - len(ending)], others
    return form, frozenset()


def _covers(nominative: str, form: str) -> bool:
    stem, others = _paradigm(nominative)
    return form == nominative or (form.startswith(stem) and form[len(stem):] in others)


def _group_nominatives(doc: _Doc, keys: list[str], idx: set[int]) -> dict[str, str]:
    """Stem group -> its nominative: the form (seen in the document) whose declension covers
    most occurrences of the group's nouns; ties go to the form the tagger reads as nominative
    most often. Only groups where the winner covers another form than itself."""
    occ: dict[str, Counter] = defaultdict(Counter)
    nom: Counter = Counter()
    for i in idx:
        t = doc.toks[i]
        if t.pos in ("PROPN", "NOUN") and _is_cap(t.text):
            w = _low(t.text)
            occ[keys[i]][w] += 1
            if (t.feats or {}).get("Case") == NOM:
                nom[w] += 1
    out = {}
    for k, forms in occ.items():
        if len(forms) < 2:
            continue
        best = max(forms, key=lambda c: (sum(n for f, n in forms.items() if _covers(c, f)),
                                         nom[c], -len(c)))
        if sum(1 for f in forms if _covers(best, f)) >= 2:
            out[k] = best
    return out


def _nominatives(doc: _Doc, keys: list[str], idx: set[int]) -> dict[int, str]:
    """The lower-case nominative of each token in ``idx``."""
    group_nom = _group_nominatives(doc, keys, idx)
    out = {}
    for i in idx:
        t = doc.toks[i]
        word, sure = _natasha_nominative(doc, i)
        g = group_nom.get(keys[i])
        if not sure and g is not None and t.pos in ("PROPN", "NOUN") and _covers(g, _low(t.text)):
            word = g
        out[i] = word
    return out


def _head_end(doc: _Doc, a: int, b: int) -> int:
    """End of the part of an ORG/LOC name that agrees with its head: up to the first noun."""
    for i in range(a, b):
        if doc.toks[i].pos in ("NOUN", "PROPN"):
            return i + 1
    return b


def _agree(doc: _Doc, c: _Cand, noms: dict[int, str]) -> dict[int, str]:
    """Parts of a person's name share its case: when one part was read as oblique ("Рената
    Галиуллина" -> "Галиуллин"), a part left as it is takes a dictionary name reading in that
    case ("Рената" genitive -> "Ренат")."""
    words = [i for i in range(c.first, c.last) if _is_word(doc.toks[i].text)]
    changed = [i for i in words if noms[i] != _low(doc.toks[i].text)]
    if not changed or len(changed) == len(words):
        return noms
    case = (doc.toks[changed[-1]].feats or {}).get("Case")
    if case in (None, NOM):
        return noms
    out = dict(noms)
    for i in words:
        if i in changed or i > changed[-1]:
            continue  # only given names before the declined surname
        for p in doc.parses(i):
            if p.feats.get("Case") == case and p.feats.get("Number") == "Sing" \
                    and set(p.tag.grammemes) & PERSON_GRAMS:
                inflected = p.inflect({NOM})
                if inflected:
                    out[i] = _low(inflected.word)
                break
    return out


def _lemma(doc: _Doc, c: _Cand, label: str, noms: dict[int, str]) -> str:
    from natasha.shape import recover_shape

    if label == "PER":
        end = c.last
        noms = _agree(doc, c, noms)
    else:
        end = _head_end(doc, c.first, c.last)
    parts = []
    for i in range(c.first, c.last):
        t = doc.toks[i]
        if i > c.first:
            parts.append(doc.gap(i))
        n = noms.get(i) if i < end else None
        parts.append(recover_shape(n, t.text) if n and n != _low(t.text) else t.text)
    return "".join(parts)


# --------------------------------------------------------------------------- the pass


def find_ru_entities(text: str, tokens: list, sentences, spans, vocab
                     ) -> tuple[list[Mention], list[DocEntity]]:
    """Mentions and document entities of one Russian document (see the module docstring).

    ``tokens``: natasha tokens with ``pos``/``feats``; ``sentences``: objects with ``start``;
    ``spans``: natasha NER spans (``start``, ``stop``, ``type``); ``vocab``: natasha's MorphVocab.
    """
    doc = _Doc(text, tokens, vocab)
    cands = _join_org_place(doc, _no_overlap(_clean(doc, spans)))
    for c in cands:
        c.label = _lexicon_label(doc, c) or c.label
    keys = _token_keys(doc)
    starts = _sentence_starts(doc, sentences)
    surnames = _surname_forms(doc, cands, keys)
    extra = {(s, (True,)): full for s, full in surnames.items()}
    cands = _propagate(doc, cands, keys, starts, extra)
    roots, labels = _group(doc, cands, keys, surnames)
    idx = {i for c in cands for i in range(c.first, c.last)}
    noms = _nominatives(doc, keys, idx)
    return _build(doc, cands, roots, labels, noms)


def _build(doc: _Doc, cands: list[_Cand], roots: list[tuple], labels: dict[tuple, str],
           noms: dict[int, str]) -> tuple[list[Mention], list[DocEntity]]:
    ids: dict[tuple, str] = {}
    mentions: list[Mention] = []
    per_entity: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for c, r in zip(cands, roots):
        label = labels[r]
        eid = ids.setdefault(r, f"e{len(ids) + 1}")
        s, e = doc.toks[c.first].start, doc.toks[c.last - 1].stop
        lemma = _lemma(doc, c, label, noms)
        mentions.append(Mention(s, e, doc.text[s:e], LABELS[label], eid, lemma))
        per_entity[eid].append((c.last - c.first, lemma, doc.text[s:e]))
    entities = []
    for r, eid in ids.items():
        ms = per_entity[eid]
        counts = Counter(lem for _, lem, _ in ms)
        name = max(ms, key=lambda m: (m[0], counts[m[1]]))[1]
        aliases = [name] + [a for a in dict.fromkeys(m[2] for m in ms) if a != name]
        entities.append(DocEntity(eid, name, LABELS[labels[r]], aliases, len(ms)))
    return mentions, entities
