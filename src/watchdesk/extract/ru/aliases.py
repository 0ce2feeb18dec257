"""Aliases a Russian article declares: names it says belong to the same entity.

``find_ru_aliases(text, sentences, mentions, entities, vocab)`` runs after ``find_ru_entities``
and merges document entities on explicit evidence only, each merge returned as an ``AliasLink``
with the sentence that states it:

* an acronym in parentheses after its long form, or the long form in parentheses after the
  acronym: "Организации освобождения Арктики (ООА)", "ООА (Организация
  освобождения Арктики)". The acronym's letters must be the initials of the long name's words
  (function words such as "и", "по", "для" may be skipped; hyphenated words may give one
  letter per part). The acronym becomes a mention when natasha missed it;
* alias cues between two names (a closed list of Russian phrases): "известный как", "он же",
  "по прозвищу", "по кличке", "под псевдонимом", "настоящее имя";
* a name followed by another name in parentheses: "Марина Веснина (Marina Vesnina)", "Ренат
  (Ринат) Галиуллин" -- the same person written another way;
* an acronym mention whose letters are the initials of exactly one multi-word name of the
  article ("acronym letters").

Entity ids of surviving entities are kept; the survivor is the entity of the long form (else
the earlier one), its name stays its nominative name; aliases are the union.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from watchdesk.resolve.names import is_short_form
from watchdesk.types import AliasLink, DocEntity, Mention, Sentence

# Russian function words that an acronym may skip (closed class: prepositions, conjunctions).
FUNCTION_WORDS = frozenset(
    "и в во по на для о об от при с со к ко из у за под над до без имени им".split())
ACRONYM_MIN, ACRONYM_MAX = 2, 10
COMPOUND_MIN = 7  # letters of a one-word compound an acronym may abbreviate ("Евросоюз")
PIECE_MIN = 3  # letters of each piece of such a compound ("евро|союз")
TAIL_MIN = 5  # letters of a place name that may end a glued compound ("Британия")
WIDEN_SHARE = 0.6  # a new mention keeps the entity of a mention inside it covering this share
ALIAS_CUES = re.compile(
    r"\s*,?\s*(?:(?:также|еще|ещё|более|широко)\s+)?(?:известн(?:ый|ая|ое|ые|ого|ой|ому|ым|ую)"
    r"\s+(?:также\s+)?(?:как|под\s+(?:именем|названием))|(?:он|она|оно|они)\s+же|по\s+прозвищу"
    r"|по\s+кличке|под\s+псевдонимом|(?:чье|чьё)\s+настоящее\s+имя|настоящее\s+имя)\s*[,:—–-]?\s*",
    re.IGNORECASE)
QUOTES = "«»\"„“”"
_WORD = re.compile(r"[\w-]+")


@dataclass
class RuAliasResult:
    mentions: list[Mention]
    entities: list[DocEntity]
    links: list[AliasLink] = field(default_factory=list)


def is_acronym(w: str) -> bool:
    letters = [c for c in w if c.isalpha()]
    return (ACRONYM_MIN <= len(letters) <= ACRONYM_MAX and w.isupper()
            and all(c.isalnum() or c in "-&." for c in w))


def initials_variants(words: list[str]) -> set[str]:
    """Initials of a word sequence: all words or content words only, hyphen parts joined or not."""
    out = set()
    for split_hyphen in (False, True):
        ws = [p for w in words for p in (w.split("-") if split_hyphen else [w]) if p]
        ws = [w for w in ws if any(c.isalnum() for c in w)]
        for skip in (False, True):
            kept = [w for w in ws if not (skip and w.lower() in FUNCTION_WORDS)]
            out.add("".join(next(c for c in w if c.isalnum()) for w in kept).lower())
    return {x for x in out if len(x) >= ACRONYM_MIN}


def fold_letters(abbr: str) -> str:
    return "".join(c for c in abbr if c.isalnum()).lower()


class _State:
    """Mentions and entities being merged, with union-find over entity ids."""

    def __init__(self, text: str, sentences: list[Sentence], mentions: list[Mention],
                 entities: list[DocEntity]):
        self.text = text
        self.sent_starts = [s.start for s in sentences]
        self.sents = sentences
        self.mentions = [Mention(m.start, m.end, m.text, m.label, m.entity, m.lemma)
                         for m in mentions]
        self.entities = {e.id: DocEntity(e.id, e.name, e.label, list(e.aliases), e.mentions)
                         for e in entities}
        self.order = [e.id for e in entities]
        self.parent = {e.id: e.id for e in entities}
        self.links: list[AliasLink] = []
        self.own_labels: set[str] = set()  # entities whose mentions keep their labels when merged
        self.next_id = max((int(e.id[1:]) for e in entities if e.id[1:].isdigit()), default=0) + 1

    def find(self, eid: str) -> str:
        while self.parent[eid] != eid:
            self.parent[eid] = self.parent[self.parent[eid]]
            eid = self.parent[eid]
        return eid

    def mention_at(self, s: int, e: int) -> Mention | None:
        return next((m for m in self.mentions if m.start == s and m.end == e), None)

    def ending_at(self, e: int) -> Mention | None:
        return next((m for m in self.mentions if m.end == e), None)

    def starting_at(self, s: int) -> Mention | None:
        return next((m for m in self.mentions if m.start == s), None)

    def overlapping(self, s: int, e: int) -> list[Mention]:
        return [m for m in self.mentions if m.start < e and s < m.end]

    def add_mention(self, s: int, e: int, label: str, entity: str | None = None) -> Mention | None:
        """A new mention of ``text[s:e]``; mentions inside it are replaced (their entity is kept
        when no entity is given); None when it would cut another mention."""
        over = self.overlapping(s, e)
        if any(m.start < s or m.end > e for m in over):
            return None
        if entity is None:
            wide = [m for m in over if m.end - m.start >= WIDEN_SHARE * (e - s)]
            entity = wide[0].entity if wide else self._new_entity(self.text[s:e], label)
        for m in over:
            self.mentions.remove(m)
        surface = self.text[s:e]
        m = Mention(s, e, surface, label, entity, surface if is_acronym(surface) else None)
        self.mentions.append(m)
        self.mentions.sort(key=lambda x: x.start)
        return m

    def _new_entity(self, name: str, label: str) -> str:
        eid = f"e{self.next_id}"
        self.next_id += 1
        self.entities[eid] = DocEntity(eid, name, label, [name], 0)
        self.order.append(eid)
        self.parent[eid] = eid
        return eid

    def evidence(self, s: int, e: int) -> tuple[int, int]:
        """The sentence(s) holding ``[s, e)``."""
        if not self.sents:
            return s, e
        i = max(bisect_right(self.sent_starts, s) - 1, 0)
        j = max(bisect_right(self.sent_starts, max(e - 1, s)) - 1, 0)
        return min(self.sents[i].start, s), max(self.sents[j].end, e)

    def link(self, name: Mention, alias: Mention, kind: str) -> None:
        """``alias`` names the entity of ``name``, which survives."""
        keep, drop = self.find(name.entity), self.find(alias.entity)
        if keep != drop:
            self.parent[drop] = keep
        s, e = self.evidence(min(name.start, alias.start), max(name.end, alias.end))
        self.links.append(AliasLink(keep, name.text, alias.text, kind, alias.start, alias.end,
                                    s, e, self.text[s:e]))

    def linked(self, m: Mention) -> bool:
        return any(ln.start == m.start and ln.end == m.end for ln in self.links)

    def result(self) -> RuAliasResult:
        by_root: dict[str, list[Mention]] = {}
        own = {self.find(e) for e in self.own_labels}
        for m in self.mentions:
            m.entity = self.find(m.entity)
            by_root.setdefault(m.entity, []).append(m)
        out = []
        for eid in self.order:
            ms = by_root.get(eid)
            if self.find(eid) != eid or not ms:
                continue
            ent = self.entities[eid]
            aliases = [ent.name]
            for other in self.order:
                if self.find(other) == eid:
                    aliases.extend(self.entities[other].aliases)
            aliases.extend(m.text for m in ms)
            votes = Counter(m.label for m in ms)
            label = max(votes, key=lambda lab: (votes[lab], lab == ent.label))
            for m in ms:
                if eid not in own:
                    m.label = label
            out.append(DocEntity(eid, ent.name, label, list(dict.fromkeys(aliases)), len(ms)))
        for ln in self.links:
            ln.entity = self.find(ln.entity)
        return RuAliasResult(self.mentions, out, self.links)


def find_ru_aliases(text: str, sentences: list[Sentence], mentions: list[Mention],
                    entities: list[DocEntity], vocab=None) -> RuAliasResult:
    """Merge the entities the article declares to be the same (see the module docstring).

    Returns new lists (the inputs are not modified) and the alias links with their evidence.
    """
    st = _State(text, sentences, mentions, entities)
    _paren_acronyms(st)
    _acronym_then_long(st)
    _cue_aliases(st)
    _parenthesised_names(st)
    _letter_acronyms(st)
    _short_forms(st, vocab)
    return st.result()


# --------------------------------------------------------------------------- rules

_PAREN_ABBR = re.compile(r"\(\s*([A-ZА-ЯЁ][A-ZА-ЯЁ0-9&.-]{1,11})\s*\)")
_PAREN_INNER = re.compile(r"\(\s*([^()\n]{2,120}?)\s*\)")


def _before(text: str, pos: int) -> int:
    """End of the text before ``pos``, skipping spaces and closing quotes."""
    while pos > 0 and (text[pos - 1] in " \t" or text[pos - 1] in QUOTES):
        pos -= 1
    return pos


def _long_form(st: _State, end: int, letters: str) -> tuple[int, int] | None:
    """A name ending at ``end`` whose word initials spell ``letters``: a mention, else the
    shortest run of words ending there that starts with a capital."""
    text = st.text
    m = st.ending_at(end)
    if m is not None and letters in initials_variants(_WORD.findall(m.text)):
        return m.start, m.end
    line_start = text.rfind("\n", 0, end) + 1
    words = list(_WORD.finditer(text, line_start, end))
    for k in range(2, min(len(words), len(letters) + 4) + 1):
        first = words[-k]
        if not first.group()[:1].isupper():
            continue
        if any(c in text[first.start():end] for c in ",;:()«»\"") :
            break
        if letters in initials_variants([w.group() for w in words[-k:]]):
            return first.start(), end
    return None


def _paren_acronyms(st: _State) -> None:
    """"Организации освобождения Арктики (ООА)": the acronym names the long form."""
    text = st.text
    for pm in _PAREN_ABBR.finditer(text):
        abbr = pm.group(1)
        if not is_acronym(abbr):
            continue
        span = _long_form(st, _before(text, pm.start()), fold_letters(abbr))
        if span is None:
            continue
        long_m = st.mention_at(*span) or st.add_mention(*span, "ORG")
        if long_m is None:
            continue
        abbr_m = st.mention_at(pm.start(1), pm.end(1)) or st.add_mention(
            pm.start(1), pm.end(1), long_m.label, long_m.entity)
        if abbr_m is not None:
            st.link(long_m, abbr_m, "acronym")


def _acronym_then_long(st: _State) -> None:
    """"ООА (Организация освобождения Арктики)": the long form in parentheses."""
    text = st.text
    for pm in _PAREN_INNER.finditer(text):
        abbr_m = st.ending_at(_before(text, pm.start()))
        if abbr_m is None or not is_acronym(abbr_m.text):
            continue
        s, e = pm.start(1), pm.end(1)
        while s < e and text[s] in QUOTES:
            s += 1
        while e > s and text[e - 1] in QUOTES:
            e -= 1
        words = _WORD.findall(text[s:e])
        if len(words) < 2 or fold_letters(abbr_m.text) not in initials_variants(words):
            continue
        long_m = st.mention_at(s, e) or st.add_mention(s, e, abbr_m.label)
        if long_m is not None:
            st.link(long_m, abbr_m, "acronym")


_NAME_RUN = re.compile(r"[«\"„“]?([A-ZА-ЯЁ][\w'’-]*(?:[ ]+[A-ZА-ЯЁ][\w'’-]*){0,3})")


def _cue_kind(cue: str) -> str:
    c = cue.lower()
    if "прозвищ" in c or "кличк" in c:
        return "nicknamed"
    if "настоящее" in c:
        return "real name"
    if " же" in c:
        return "a.k.a."
    return "known as"


def _cue_aliases(st: _State) -> None:
    """"X, известный как Y", "X, он же Y", "X по прозвищу Y"."""
    text = st.text
    for m in list(st.mentions):
        cm = ALIAS_CUES.match(text, m.end)
        if cm is None or "\n" in cm.group():
            continue
        nm = _NAME_RUN.match(text, cm.end())
        if nm is None:
            continue
        other = st.starting_at(nm.start(1))
        if other is None:
            other = st.add_mention(nm.start(1), nm.end(1), m.label, m.entity)
        if other is not None and other is not m:
            st.link(m, other, _cue_kind(cm.group()))


def _parenthesised_names(st: _State) -> None:
    """"Марина Веснина (Marina Vesnina)": a name right after a name, in parentheses."""
    text = st.text
    for m in list(st.mentions):
        pm = re.compile(r"\s*\(\s*").match(text, m.end)
        if pm is None or "\n" in pm.group():
            continue
        inner = st.starting_at(pm.end())
        if inner is None or not re.match(r"\s*\)", text[inner.end:inner.end + 3]):
            continue
        if inner.label != m.label or is_acronym(inner.text) or st.linked(inner):
            continue
        st.link(m, inner, "parenthesised name")


def _letter_acronyms(st: _State) -> None:
    """An acronym mention whose letters are the initials of one multi-word name of the article."""
    longs: dict[str, set[str]] = {}
    firsts: dict[str, Mention] = {}
    for m in st.mentions:
        words = _WORD.findall(m.text)
        if len(words) >= 2 and m.text[:1].isupper():
            for v in initials_variants(words):
                longs.setdefault(v, set()).add(st.find(m.entity))
                firsts.setdefault(v + "|" + st.find(m.entity), m)
    for m in list(st.mentions):
        if not is_acronym(m.text) or len(fold_letters(m.text)) < 3 or st.linked(m):
            continue
        owners = longs.get(fold_letters(m.text), set())
        if len(owners) != 1:
            continue
        root = next(iter(owners))
        if st.find(m.entity) != root:
            st.link(firsts[fold_letters(m.text) + "|" + root], m, "acronym letters")


# --------------------------------------------------------------------------- short forms


def _root_forms(st: _State) -> dict[str, dict[str, Mention]]:
    """Entity root -> its names (the nominative ``lemma`` of each mention, else its text) with
    the first mention written so; people are left out."""
    out: dict[str, dict[str, Mention]] = {}
    for m in st.mentions:
        if m.label == "PERSON":
            continue
        out.setdefault(st.find(m.entity), {}).setdefault(m.lemma or m.text, m)
    return out


def _one_word(form: str) -> bool:
    return len(_WORD.findall(form)) == 1


def _link_unique(st: _State, short: Mention, owners: dict[str, Mention], kind: str) -> bool:
    """Link ``short`` to the one entity among ``owners`` (root -> a mention of it), if one."""
    owners = {r: m for r, m in owners.items() if r != st.find(short.entity)}
    if len(owners) != 1:
        return False
    long = next(iter(owners.values()))
    st.own_labels.update({st.find(long.entity), st.find(short.entity)})
    st.link(long, short, kind)
    return True


def _short_forms(st: _State, vocab) -> None:
    """Short forms an article uses without declaring them, joined to the one name of the same
    article they abbreviate: a compound abbreviation or an acronym of a name's initials
    ("Евросоюз", "ЕС" / "Европейский союз", ``names.is_short_form``); an acronym of a compound's
    pieces ("ЕС" / "Евросоюз"); a one-word organisation that is the head word of a longer
    organisation name ("МИД" / "МИД Великобритании"); a one-word place that ends a glued
    compound place name ("Британия" / "Великобритания"). Compounds are joined before acronyms,
    so that an acronym finds the long name and its compound as one entity."""
    for rule, acronyms in ((_abbreviates, False), (_abbreviates, True), (_head_word, None),
                           (_compound_tail, None)):
        forms = _root_forms(st)
        for root, names in forms.items():
            if st.find(root) != root or not all(_one_word(f) for f in names):
                continue
            if acronyms is not None and any(is_acronym(f) for f in names) != acronyms:
                continue
            rule(st, forms, root, names, vocab)


def _abbreviates(st: _State, forms, root: str, names: dict[str, Mention], vocab) -> None:
    owners: dict[str, Mention] = {}
    for other, longs in forms.items():
        for lf, lm in longs.items():
            if lf in names or is_acronym(lf):
                continue
            if any(is_short_form(sf, lf) or _acronym_of_compound(sf, lf, vocab) for sf in names):
                owners.setdefault(st.find(other), lm)
    _link_unique(st, next(iter(names.values())), owners, "short form")


def _fold(w: str) -> str:
    return w.casefold().replace("ё", "е")


def _acronym_of_compound(short: str, long: str, vocab) -> bool:
    """"ЕС" / "Евросоюз": a two-letter Cyrillic acronym spelling the first letters of the two
    pieces of a one-word compound, its second piece a dictionary noun ("евро|союз")."""
    letters = fold_letters(short)
    word = _fold(long)
    if vocab is None or not is_acronym(short) or len(letters) != 2 or not _one_word(long) \
            or len(word) < COMPOUND_MIN or not word.isalpha() or not _cyrillic(word):
        return False
    for k in range(PIECE_MIN, len(word) - PIECE_MIN + 1):
        if word[0] + word[k] == letters and _is_noun(vocab, word[k:]):
            return True
    return False


def _cyrillic(w: str) -> bool:
    return all("а" <= c <= "я" or c == "ё" for c in w.lower() if c.isalpha())


def _is_noun(vocab, word: str) -> bool:
    return vocab.word_is_known(word) and any(p.tag.POS == "NOUN" for p in vocab(word))


def _head_word(st: _State, forms, root: str, names: dict[str, Mention], vocab) -> None:
    """"МИД" / "МИД Великобритании": the organisation named by its head word alone."""
    short = next(iter(names.values()))
    if short.label != "ORG":
        return
    heads = {_fold(f) for f in names}
    owners: dict[str, Mention] = {}
    for other, longs in forms.items():
        for lf, lm in longs.items():
            words = _WORD.findall(lf)
            if lm.label == "ORG" and len(words) >= 2 and _fold(words[0]) in heads:
                owners.setdefault(st.find(other), lm)
    _link_unique(st, short, owners, "head word")


def _compound_tail(st: _State, forms, root: str, names: dict[str, Mention], vocab) -> None:
    """"Британия" / "Великобритания": a place named by the end of a glued compound whose first
    part is an adjective stem with a linking vowel ("велик|о|")."""
    short = next(iter(names.values()))
    if short.label != "GPE" or vocab is None:
        return
    tails = {_fold(f) for f in names if len(f) >= TAIL_MIN}
    owners: dict[str, Mention] = {}
    for other, longs in forms.items():
        for lf, lm in longs.items():
            word = _fold(lf)
            if lm.label == "GPE" and _one_word(lf) and any(
                    word.endswith(t) and _adjective_prefix(vocab, word[:-len(t)]) for t in tails):
                owners.setdefault(st.find(other), lm)
    _link_unique(st, short, owners, "compound name")


def _adjective_prefix(vocab, prefix: str) -> bool:
    """An adjective stem with a linking vowel ("велико", "ново"): stem + "ий"/"ый"/"ой" is a
    dictionary adjective."""
    if len(prefix) < TAIL_MIN - 1 or prefix[-1] not in "ое" or not prefix.isalpha():
        return False
    stem = prefix[:-1]
    return any(vocab.word_is_known(stem + e) and any(p.tag.POS == "ADJF" for p in vocab(stem + e))
               for e in ("ий", "ый", "ой"))
