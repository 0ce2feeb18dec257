"""Proper-noun runs that spaCy's NER missed, as extra mentions.

The statistical NER misses about one name in seven on news text (short headlines, nicknames,
team names, product names). The tagger usually still reads those words as proper nouns, so
``add_propn_mentions`` adds a mention for every maximal run of capitalised PROPN tokens (joined
by hyphens, "of", "&" between two of them) that no existing mention overlaps. Runs are refused
when they are: inside a numeric/date entity, a sentence-initial common word (the document also
writes it in lower case, or it is a stop word), interface debris, or a single letter.

New mentions get the label ``PROPN`` (no type known). A run whose normalised key equals that of
an existing document entity joins it; otherwise runs with the same key form one new entity.
Offsets are exact (``text == doc.text[start:end]``) and never cross a line break.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from watchdesk.extract.entities import INTERFACE_WORDS, NAMED_LABELS
from watchdesk.resolve.names import name_key
from watchdesk.types import DocEntity, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc

PROPN_LABEL = "NAME"  # a proper name spaCy gave no type
_JOINERS = frozenset({"of", "&", "-", "de", "du", "la", "del"})
_MONTHS_DAYS = frozenset("""
january february march april may june july august september october november december jan feb
mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday
sunday
""".split())


def _is_name_token(tok) -> bool:
    t = tok.text
    return (tok.pos_ == "PROPN" and t[:1].isupper() and any(c.isalpha() for c in t)
            and t.lower() not in _MONTHS_DAYS)


def propn_runs(doc: Doc, mentions: list[Mention]) -> list[tuple[int, int]]:
    """Character spans of proper-noun runs that overlap no mention and no numeric entity."""
    text = doc.text
    covered = bytearray(len(text) + 1)
    for m in mentions:
        covered[m.start:m.end] = b"\x01" * (m.end - m.start)
    for ent in doc.ents:
        if ent.label_ not in NAMED_LABELS:
            covered[ent.start_char:ent.end_char] = b"\x01" * (ent.end_char - ent.start_char)
    lower_words = {t.text.lower() for t in doc if t.is_lower}
    runs: list[tuple[int, int]] = []
    i, n = 0, len(doc)
    while i < n:
        if not _is_name_token(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            if "\n" in doc[j - 1].whitespace_ or "\n" in doc[j].text:
                break
            if _is_name_token(doc[j]):
                j += 1
                continue
            # a joiner between two name tokens ("Bank of England", "Procter & Gamble")
            if doc[j].text.lower() in _JOINERS and j + 1 < n and _is_name_token(doc[j + 1]) \
                    and "\n" not in doc[j].whitespace_:
                j += 2
                continue
            break
        toks = doc[i:j]
        i = j
        s, e = toks.start_char, toks.end_char
        if "\n" in text[s:e] or any(covered[s:e]):
            continue
        words = [t.text for t in toks]
        if all(w.lower() in INTERFACE_WORDS for w in words):
            continue
        if len(words) == 1:
            w = words[0]
            if len(w) < 2:
                continue
            first = toks[0]
            at_start = first.is_sent_start or first.i == 0 or "\n" in doc[first.i - 1].whitespace_
            if at_start and (w.lower() in lower_words or doc.vocab[w.lower()].is_stop):
                continue
            if doc.vocab[w.lower()].is_stop:
                continue
        runs.append((s, e))
    return runs


def add_propn_mentions(doc: Doc, mentions: list[Mention],
                       entities: list[DocEntity]) -> tuple[list[Mention], list[DocEntity]]:
    """``mentions`` and ``entities`` plus mentions for missed proper-noun runs (new lists)."""
    text = doc.text
    runs = propn_runs(doc, mentions)
    if not runs:
        return list(mentions), list(entities)
    ents = {e.id: DocEntity(e.id, e.name, e.label, list(e.aliases), e.mentions) for e in entities}
    order = [e.id for e in entities]
    by_key: dict[str, str] = {}
    for e in entities:
        for a in e.aliases:
            by_key.setdefault(name_key(a), e.id)
    nums = [int(e.id[1:]) for e in entities if e.id[1:].isdigit()]
    next_id = max(nums, default=0) + 1
    out = list(mentions)
    for s, e in runs:
        surf = text[s:e]
        k = name_key(surf)
        if not k:
            continue
        eid = by_key.get(k)
        if eid is None:
            eid = f"e{next_id}"
            next_id += 1
            ents[eid] = DocEntity(eid, surf, PROPN_LABEL, [surf], 0)
            order.append(eid)
            by_key[k] = eid
        ent = ents[eid]
        ent.mentions += 1
        if surf not in ent.aliases:
            ent.aliases.append(surf)
        out.append(Mention(s, e, surf, ent.label, eid))
    out.sort(key=lambda m: m.start)
    return out, [ents[i] for i in order]


_FUNCTION_POS = frozenset({"VERB", "AUX", "ADP", "ADV", "SCONJ", "CCONJ", "PART", "PRON", "DET", "NOUN", "ADJ"})


def split_compound_mentions(doc: Doc, mentions: list[Mention],
                            entities: list[DocEntity]) -> tuple[list[Mention], list[DocEntity]]:
    """Cut a mention that fused a known name with the words around it (title-case headlines:
    "Lindsay Lohan Checks Out Of Rehab", "Comedian Ellen DeGeneres") down to that name.

    A mention is cut when its entity occurs only there, it contains (token-aligned) a surface
    form of another entity of the document that occurs elsewhere, and the rest of it has a word
    the tagger does not read as a proper noun (a verb, preposition, common noun ...) or that the
    document also writes in lower case, or -- when the name is a person's -- words the body
    (lines that are not title case) never writes capitalised inside a sentence ("Esther
    Williams Dies", "Hire Maurice Cheeks"). The cut mention joins the other entity.
    """
    text = doc.text
    by_ent: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_ent[m.entity].append(m)
    ent_by_id = {e.id: e for e in entities}
    surfaces: list[tuple[str, str]] = []  # (surface, entity) for entities occurring elsewhere
    for e in entities:
        for a in e.aliases:
            if len(a) >= 4 and any(mm.text == a for mm in by_ent.get(e.id, [])):
                surfaces.append((a, e.id))
    surfaces.sort(key=lambda se: -len(se[0]))
    lower_words = {t.text.lower() for t in doc if t.is_lower}
    caps: list[set[str]] = []

    def body_caps() -> set[str]:
        if not caps:
            caps.append(_body_capitals(doc))
        return caps[0]

    out: list[Mention] = []
    changed = False
    for m in mentions:
        if len(by_ent[m.entity]) != 1 or " " not in m.text or not _title_case_line(text, m.start):
            out.append(m)
            continue
        hit = None
        for surf, eid in surfaces:
            if eid == m.entity or len(surf) >= len(m.text):
                continue
            i = m.text.find(surf)
            while i >= 0:
                s, e = m.start + i, m.start + i + len(surf)
                if (s == m.start or text[s - 1].isspace()) and (e == m.end or text[e].isspace()):
                    hit = (s, e, eid)
                    break
                i = m.text.find(surf, i + 1)
            if hit:
                break
        if not hit:
            out.append(m)
            continue
        s, e, eid = hit
        rest = [t for t in doc.char_span(m.start, m.end, alignment_mode="expand")
                if t.idx + len(t.text) <= s or t.idx >= e]
        words = [t for t in rest if t.text[:1].isalpha()]
        if not any(t.pos_ in _FUNCTION_POS or t.text.lower() in lower_words for t in words) and not (
                ent_by_id[eid].label == "PERSON" and words
                and not any(t.text in body_caps() for t in words)):
            # a person's name and words the body never writes capitalised: a headline's verb
            out.append(m)
            continue
        target = ent_by_id[eid]
        out.append(Mention(s, e, text[s:e], target.label, eid))
        changed = True
    if not changed:
        return list(mentions), list(entities)
    counts: dict[str, int] = defaultdict(int)
    for m in out:
        counts[m.entity] += 1
    new_entities = []
    for e in entities:
        if counts.get(e.id):
            surf = [m.text for m in out if m.entity == e.id]
            aliases = [a for a in e.aliases if a in surf] or [surf[0]]
            name = e.name if e.name in aliases else aliases[0]
            new_entities.append(DocEntity(e.id, name, e.label, aliases, counts[e.id]))
    return out, new_entities


def _body_capitals(doc: Doc) -> set[str]:
    """Capitalised words the document writes inside a sentence of a line that is not title case."""
    text = doc.text
    out: set[str] = set()
    line_ok: dict[int, bool] = {}
    for t in doc:
        if not t.text[:1].isupper() or t.is_sent_start or t.i == 0:
            continue
        ls = text.rfind("\n", 0, t.idx) + 1
        if ls not in line_ok:
            line_ok[ls] = not _title_case_line(text, t.idx)
        if line_ok[ls]:
            out.add(t.text)
    return out


def _title_case_line(text: str, pos: int) -> bool:
    """Is the line around ``pos`` a title-case headline (most of its words capitalised)?"""
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    words = [w for w in text[s:e if e >= 0 else len(text)].split() if w[:1].isalpha()]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
