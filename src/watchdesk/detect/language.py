"""Language detection with lingua (its n-gram models ship inside the wheel; no download).

``LanguageDetector(languages)`` answers among ``languages`` only (ISO 639-1 codes). A text is
given no language (``None``) when it is too short to tell (fewer than ``DETECT_MIN_LETTERS``
letters: symbols, numbers, a two-word line), when no language is clearly ahead (best
confidence under ``DETECT_MIN_CONFIDENCE``, or not ``DETECT_MIN_LEAD`` times the next one), or
when most letters are in another script than the best language's (a mixed text). Long texts are
read through a sample of ``DETECT_SAMPLE_CHARS`` characters taken from their start, middle and
end, which bounds the cost per document and keeps a long foreign quote from deciding alone; of
that sample, only the words that start in lower case are read when they hold enough letters
(names and numbers are shared across languages and mislead: a results table of Dutch towns).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..settings import (DETECT_LANGUAGES, DETECT_MIN_COMMON_LETTERS, DETECT_MIN_CONFIDENCE, DETECT_MIN_LEAD, DETECT_MIN_LETTERS,
                        DETECT_MIN_SCRIPT_SHARE,
                        DETECT_SAMPLE_CHARS)

# The script each language is written in (default Latin); a text whose letters are mostly in
# another script is mixed, whatever the n-grams say.
_SCRIPT_OF = {"ru": "cyrillic", "uk": "cyrillic", "be": "cyrillic", "bg": "cyrillic", "sr": "cyrillic",
              "ar": "arabic", "fa": "arabic", "zh": "cjk", "ja": "cjk", "ko": "cjk"}


@dataclass(frozen=True)
class Detection:
    """What the detector said: the language (or None) and why."""

    language: str | None
    confidence: float
    reason: str  # "detected", "too short", "unclear (xx 0.41)"


def _script(c: str) -> str:
    o = ord(c)
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F:
        return "arabic"
    if 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF:
        return "cjk"
    return "latin"


def script_share(text: str, code: str) -> float:
    """Share of ``text``'s letters written in the script of language ``code``."""
    want = _SCRIPT_OF.get(code, "latin")
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if _script(c) == want) / len(letters) if letters else 0.0


def _common_words(text: str) -> str:
    """The text's lower-case words when there are enough of them: names, capitals and numbers say
    little about a language (a results table of Dutch towns is still written in English)."""
    words = [w for w in text.split() if w[:1].islower()]
    common = " ".join(words)
    return common if sum(c.isalpha() for c in common) >= DETECT_MIN_COMMON_LETTERS else text


def _sample(text: str, size: int = DETECT_SAMPLE_CHARS) -> str:
    if len(text) <= size:
        return text
    third = size // 3
    middle = len(text) // 2 - third // 2
    return " ".join((text[:third], text[middle:middle + third], text[-third:]))


class LanguageDetector:
    """Detects the language of a text among a fixed set of ISO 639-1 codes."""

    def __init__(self, languages: Iterable[str] = DETECT_LANGUAGES):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        known = []
        for code in dict.fromkeys(c.lower() for c in languages):
            iso = getattr(IsoCode639_1, code.upper(), None)
            if iso is None:
                raise ValueError(f"unknown language code {code!r} (ISO 639-1 expected)")
            known.append(Language.from_iso_code_639_1(iso))
        if len(known) < 2:  # lingua needs two; a single language still gets its confidence checked
            known.append(Language.ENGLISH if known[0] != Language.ENGLISH else Language.FRENCH)
        self.languages = tuple(l.iso_code_639_1.name.lower() for l in known)
        self._detector = LanguageDetectorBuilder.from_languages(*known).build()

    def detect(self, text: str) -> Detection:
        sample = _common_words(_sample(text))
        letters = sum(1 for c in sample if c.isalpha())
        if letters < DETECT_MIN_LETTERS:
            return Detection(None, 0.0, f"too short to tell ({letters} letters)")
        values = self._detector.compute_language_confidence_values(sample)
        if not values:
            return Detection(None, 0.0, "no language recognised")
        best, second = values[0], (values[1].value if len(values) > 1 else 0.0)
        code = best.language.iso_code_639_1.name.lower()
        if best.value < DETECT_MIN_CONFIDENCE or best.value < DETECT_MIN_LEAD * second:
            return Detection(None, best.value, f"unclear (best {code} at {best.value:.2f}, next at {second:.2f})")
        share = script_share(sample, code)
        if share < DETECT_MIN_SCRIPT_SHARE:
            return Detection(None, best.value, f"mixed ({share:.0%} of the letters in {code}'s script)")
        return Detection(code, best.value, "detected")


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetector(languages)


def detect_language(text: str, languages: Iterable[str] = DETECT_LANGUAGES) -> str | None:
    """The ISO 639-1 code of ``text``'s language among ``languages``, or None (cached detector)."""
    return _detector(tuple(sorted(set(languages)))).detect(text).language
