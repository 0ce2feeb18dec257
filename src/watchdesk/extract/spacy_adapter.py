"""The spaCy analyser: any installed spaCy pipeline, its labels mapped onto ours, our passes on its parse.

``annotate(document, doc, spec)`` fills sentences, mentions, document entities and (by the
spec's ``passes``) aliases, proper-noun runs, quotes and claims, relations and dated events
from one parsed ``Doc``; ``SpacyAnalyser.analyse`` streams a batch through ``nlp.pipe``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from ..settings import LABEL_MAP
from ..types import ExtractedDocument, ReadError, Sentence
from .aliases import find_aliases
from .attribution import find_attributions
from .entities import find_entities
from .events import find_events
from .relations import find_relations

BATCH_SIZE = 32  # documents per nlp.pipe batch


def sentences_of(doc: Doc) -> list[Sentence]:
    """Sentence spans (whitespace trimmed); paragraphs when the pipeline sets no boundaries."""
    text = doc.text
    if doc.has_annotation("SENT_START"):
        spans = [(s.start_char, s.end_char) for s in doc.sents]
    else:
        spans, pos = [], 0
        for part in text.split("\n\n"):
            spans.append((pos, pos + len(part)))
            pos += len(part) + 2
    out = []
    for start, end in spans:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            out.append(Sentence(start + lead, start + lead + len(stripped)))
    return out


def map_labels(doc: Doc, labels: dict[str, str]) -> Doc:
    """Rename the pipeline's entity labels to ours (French ``PER`` -> ``PERSON``)."""
    if any(labels.get(e.label_, e.label_) != e.label_ for e in doc.ents):
        doc.ents = [Span(doc, e.start, e.end, label=labels.get(e.label_, e.label_)) for e in doc.ents]
    return doc


@lru_cache(maxsize=8)
def _cue_lexicon(path: str | None):
    """The English lexicon learned from PolNeAR, or a language's own cue list (same JSON shape)."""
    import json
    from pathlib import Path

    from .cues import CueLexicon, load_lexicon

    return load_lexicon() if path is None else CueLexicon(json.loads(Path(path).read_text(encoding="utf-8")))


def annotate(document: ExtractedDocument, doc: Doc, passes=None, cues: str | None = None) -> ExtractedDocument:
    """Fill ``document`` from its parsed spaCy Doc, running ``passes`` (default: all)."""
    from ..resolve.propn import add_propn_mentions, split_compound_mentions

    run = set(passes) if passes is not None else {"entities", "aliases", "propn", "quotes", "relations", "events"}
    document.sentences = sentences_of(doc)
    mentions, entities = find_entities(doc)
    if "propn" in run:
        mentions, entities = split_compound_mentions(doc, mentions, entities)
        mentions, entities = add_propn_mentions(doc, mentions, entities)
    if "aliases" in run:
        result = find_aliases(doc.text, mentions, entities)
        mentions, entities, document.aliases = result.mentions, result.entities, result.links
    document.mentions, document.entities = mentions, entities
    if "quotes" in run:
        document.quotes, document.claims, document.quantities = find_attributions(
            doc, document.mentions, document.entities, lexicon=_cue_lexicon(cues))
    if "relations" in run:
        document.relations = find_relations(doc, document.mentions, document.entities, quotes=document.quotes)
    if "events" in run:
        document.events = find_events(doc, document.mentions, document.entities, published=document.published,
                                      quotes=document.quotes)
    return document


@dataclass
class SpacyAnalyser:
    """Analyses documents with one spaCy pipeline."""

    spec: object  # PipelineSpec
    nlp: object  # spacy.Language

    @property
    def max_length(self) -> int:
        return self.nlp.max_length

    def analyse(self, documents: list[ExtractedDocument]) -> list[ExtractedDocument | ReadError]:
        labels = {**LABEL_MAP, **dict(self.spec.labels)}
        out: list[ExtractedDocument | ReadError] = []
        docs = self.nlp.pipe((d.text for d in documents), batch_size=BATCH_SIZE)
        for document, doc in zip(documents, docs):
            try:
                out.append(annotate(document, map_labels(doc, labels), self.spec.passes, self.spec.cues))
            except Exception as exc:  # an extractor bug on one document must not stop the run
                out.append(ReadError(document.source, f"extraction failed ({self.spec.language} pipeline): "
                                                      f"{type(exc).__name__}: {exc}"))
        return out
