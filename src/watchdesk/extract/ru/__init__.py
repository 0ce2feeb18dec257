"""Russian analysis with natasha: ``analyse_russian(document)`` fills an ``ExtractedDocument``.

It assigns ``sentences`` (razdel's, also cut at line structure, whitespace-trimmed),
``mentions`` and ``entities`` (``ru/entities.py``: natasha NER plus a document-level pass, with
nominative ``lemma`` forms and names), ``aliases`` (``ru/aliases.py``: "известный как",
parenthesised names, acronyms), quotes, claims, quantities (``ru/attribution.py``) and events
(``ru/events.py``), and sets ``language = "ru"``. Relations stay empty for Russian.
``analyse_russian_batch`` does the same for many documents, tagging the morphology of all their
sentences in length-sorted batches.
"""
from __future__ import annotations

import re

from watchdesk.extract.ru.aliases import find_ru_aliases
from watchdesk.extract.ru.attribution import find_ru_attributions
from watchdesk.extract.ru.entities import find_ru_entities
from watchdesk.extract.ru.events import find_ru_events
from watchdesk.extract.ru.models import RussianModels, load_russian
from watchdesk.types import ExtractedDocument, Sentence

__all__ = ["RussianModels", "analyse_russian", "analyse_russian_batch", "load_russian"]

# A line break starts a sentence when the next line starts like one (capital, digit, quote,
# dash, bullet) or after a blank line.
_LINE_START = re.compile(r"\n[ \t]*(?=\n|[A-ZА-ЯЁ0-9«\"„“(\-–—•])")


def analyse_russian(document: ExtractedDocument, models: RussianModels | None = None
                    ) -> ExtractedDocument:
    """Analyse one Russian document in place (see the module docstring); returns it."""
    return analyse_russian_batch([document], models)[0]


def analyse_russian_batch(documents: list[ExtractedDocument], models: RussianModels | None = None
                          ) -> list[ExtractedDocument]:
    """Analyse Russian documents in place; returns them in the same order."""
    models = models or load_russian()
    parsed = [_segment(d.text, models) for d in documents]
    _tag_morph([s for _, sents in parsed for s in sents], models)
    for doc, (tokens, sents) in zip(documents, parsed):
        _analyse(doc, tokens, sents, models)
    return documents


class _Sent:
    __slots__ = ("start", "stop", "tokens")

    def __init__(self, start: int, stop: int, tokens: list):
        self.start, self.stop, self.tokens = start, stop, tokens


def _segment(text: str, models: RussianModels) -> tuple[list, list[_Sent]]:
    """natasha tokens (razdel) and sentences: razdel's, cut again at line structure."""
    from natasha.doc import DocToken

    seg = models.segmenter
    tokens = [DocToken(t.start, t.stop, t.text) for t in seg.tokenize(text)]
    bounds = []
    for s in seg.sentenize(text):
        cut = s.start
        for m in _LINE_START.finditer(text, s.start, s.stop):
            bounds.append((cut, m.start()))
            cut = m.start() + 1
        bounds.append((cut, s.stop))
    sents, k = [], 0
    for a, b in bounds:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a >= b:
            continue
        while k < len(tokens) and tokens[k].start < a:
            k += 1
        j = k
        while j < len(tokens) and tokens[j].stop <= b:
            j += 1
        if j > k:
            sents.append(_Sent(a, b, tokens[k:j]))
        k = j
    return tokens, sents


def _tag_morph(sents: list[_Sent], models: RussianModels) -> None:
    """natasha's morphology for all sentences, in batches of similar length."""
    order = sorted(range(len(sents)), key=lambda i: len(sents[i].tokens))
    words = [[t.text for t in sents[i].tokens] for i in order]
    for i, markup in zip(order, models.morph_tagger.map(words)):
        for tok, tagged in zip(sents[i].tokens, markup.tokens):
            tok.pos, tok.feats = tagged.pos, tagged.feats


def _analyse(doc: ExtractedDocument, tokens: list, sents: list[_Sent], models: RussianModels) -> None:
    text = doc.text
    spans = models.ner_tagger(text).spans if text.strip() else []
    mentions, entities = find_ru_entities(text, tokens, sents, spans, models.morph_vocab)
    doc.sentences = [Sentence(s.start, s.stop) for s in sents]
    aliased = find_ru_aliases(text, doc.sentences, mentions, entities, models.morph_vocab)
    doc.mentions, doc.entities, doc.aliases = aliased.mentions, aliased.entities, aliased.links
    doc.relations = []
    doc.language = "ru"
    _attribute(doc)


def _attribute(doc: ExtractedDocument) -> None:
    """Quotes, claims, quantities and events (``ru/attribution.py``, ``ru/events.py``)."""
    quotes, claims, quantities = find_ru_attributions(doc.text, doc.sentences, doc.mentions,
                                                      doc.entities)
    doc.quotes, doc.claims, doc.quantities = quotes, claims, quantities
    doc.events = find_ru_events(doc.text, doc.sentences, doc.mentions, doc.entities,
                                published=doc.published, quotes=quotes)
