"""Text repair for flattened web pages: mojibake, broken HTML entities, doubled punctuation.

Every function here is general: no site, article or word list is special-cased.
"""
from __future__ import annotations

import html
import re

import ftfy
from ftfy.badness import is_bad

_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufb00-\ufb06\uff01-\uff5e\ud800-\udfff\ufffd]")

# An HTML character reference, possibly broken by spaces the flattening inserted:
#   "&# 171;"  "& #171;"  "&#171 ;"  "&# x AB;"  "& amp;"  "&laquo;"  "& quot ;"
_NUMERIC_REF = re.compile(r"&\s?#\s?(?:(?P<dec>\d{1,7})|[xX]\s?(?P<hex>[0-9A-Fa-f]{1,6}))\s?;")
# Named references: a space may follow the ampersand only when the name is a real entity
# (so "Tom & Jerry;" is untouched, while "& amp;" becomes "&").
_NAMED_REF = re.compile(r"&(?P<sp>\s?)(?P<name>[A-Za-z][A-Za-z0-9]{1,31})\s?;")
_HTML5_NAMES = {k.rstrip(";") for k in html.entities.html5 if k.endswith(";")}

# "..", "!!" etc. collapse when they are doubled sentence ends; "..." (and longer) stays.
_DOUBLE_PERIOD = re.compile(r"(?<![.\u2026])\.\.(?![.\u2026])")
# A period doubled across a closing quote/bracket: 'said.".' -> 'said."'
_QUOTE_PERIOD = re.compile(r"([.!?])([\"\u201d\u2019\u00bb)\]])\.(?![.\w])")
_DOUBLE_END = re.compile(r"([!?])\.(?![.\w])")


def fix_entities(text: str) -> str:
    """Decode HTML character references, including forms broken by spaces (``&# 171;``)."""
    if "&" not in text:
        return text

    def _num(m: re.Match) -> str:
        try:
            cp = int(m.group("dec")) if m.group("dec") else int(m.group("hex"), 16)
            return html.unescape("&#%d;" % cp)
        except (ValueError, OverflowError):
            return m.group(0)

    text = _NUMERIC_REF.sub(_num, text)

    def _named(m: re.Match) -> str:
        name = m.group("name")
        if name in _HTML5_NAMES:
            return html.unescape("&%s;" % name)
        if name.lower() in _HTML5_NAMES and not m.group("sp"):
            return html.unescape("&%s;" % name.lower())
        return m.group(0)

    text = _NAMED_REF.sub(_named, text)
    # One more round: "&amp;#171;" decodes to "&#171;" on the first pass.
    if "&" in text and _NUMERIC_REF.search(text):
        text = _NUMERIC_REF.sub(_num, text)
    return text


def collapse_punctuation(text: str) -> str:
    """Collapse doubled sentence-end punctuation (``..`` -> ``.``), keeping ``...`` ellipses."""
    text = _DOUBLE_PERIOD.sub(".", text)
    text = _QUOTE_PERIOD.sub(r"\1\2", text)
    text = _DOUBLE_END.sub(r"\1", text)
    return text


def fix_mojibake(text: str) -> str:
    """Repair mojibake and other encoding damage with ftfy (entities are handled separately)."""
    if text.isascii():
        return text
    # ftfy works line by line anyway. For speed, lines that cannot need it are skipped: pure
    # ASCII lines, and lines that ftfy's own mojibake detector finds clean and that hold no
    # control, ligature, full-width or surrogate characters (the other things it repairs).
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.isascii() and (is_bad(line) or _SUSPECT.search(line)):
            lines[i] = ftfy.fix_text(line, unescape_html=False, uncurl_quotes=False, normalization="NFC")
    return "\n".join(lines)


def repair_text(raw: str) -> str:
    """Full repair pass: ftfy, HTML entities (also space-broken ones), doubled punctuation."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = fix_mojibake(text)
    text = fix_entities(text)
    text = collapse_punctuation(text)
    return text
