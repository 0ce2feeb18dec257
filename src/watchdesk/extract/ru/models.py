"""Loading natasha's Russian models, once per process.

``load_russian()`` returns a ``RussianModels`` holding natasha's razdel ``Segmenter``, the
pymorphy2-based ``MorphVocab``, the ``NewsEmbedding`` (navec) and the taggers built on it:
``NewsMorphTagger`` and ``NewsNERTagger``, plus the ``NamesExtractor`` (yargy). The syntax parser
is loaded only on request (``load_russian(syntax=True)``): the extraction pass does not need it
and natasha's own pipeline is our speed reference. All these models ship inside the ``natasha``
wheel (no download). When natasha is not installed, ``ModelNotInstalledError`` names the package.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from watchdesk.extract.nlp import ModelNotInstalledError

# Sentences per morphology batch (natasha's default); sentences are sorted by length first, so
# a batch pads little.
MORPH_BATCH = 8


@dataclass
class RussianModels:
    """natasha's models for one process (see the module docstring)."""

    segmenter: Any
    morph_vocab: Any
    embedding: Any
    morph_tagger: Any
    ner_tagger: Any
    names_extractor: Any
    syntax_parser: Any = None


def load_russian(syntax: bool = False) -> RussianModels:
    """natasha's models, loaded once per process (and once more with the syntax parser)."""
    return _load(bool(syntax))


@lru_cache(maxsize=None)
def _load(syntax: bool) -> RussianModels:
    try:
        import natasha
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModelNotInstalledError(
            "the Russian pipeline needs natasha, which is not installed in this environment: "
            f"pip install natasha  (import said: {exc})"
        ) from exc
    if syntax:
        base = _load(False)  # share the models with the parser-less set
        return RussianModels(base.segmenter, base.morph_vocab, base.embedding, base.morph_tagger,
                             base.ner_tagger, base.names_extractor,
                             natasha.NewsSyntaxParser(base.embedding))
    emb = natasha.NewsEmbedding()
    vocab = natasha.MorphVocab()
    morph = natasha.NewsMorphTagger(emb)
    morph.batch_size = MORPH_BATCH
    return RussianModels(
        segmenter=natasha.Segmenter(),
        morph_vocab=vocab,
        embedding=emb,
        morph_tagger=morph,
        ner_tagger=natasha.NewsNERTagger(emb),
        names_extractor=natasha.NamesExtractor(vocab),
    )
