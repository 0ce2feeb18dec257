"""extract: spaCy pipeline loading and the document-level entity pass.

``load_nlp(name)`` gives a cached spaCy pipeline; ``find_entities(doc)`` turns a parsed ``Doc``
into ``Mention`` and ``DocEntity`` items (see ``watchdesk.types``).
"""
from watchdesk.extract.entities import NAMED_LABELS, find_entities
from watchdesk.extract.nlp import DEFAULT_MODEL, ModelNotInstalledError, load_nlp

__all__ = ["DEFAULT_MODEL", "NAMED_LABELS", "ModelNotInstalledError", "find_entities", "load_nlp"]
