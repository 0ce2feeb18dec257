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
_MAX_ROUNDS = 8


def _decode_references(text: str) -> str:
    """One pass of HTML character-reference decoding (numeric, then named references)."""

    def _num(m: re.Match) -> str:
        try:
            cp = int(m.group("dec")) if m.group("dec") else int(m.group("hex"), 16)
            return html.unescape("&#%d;" % cp)
        except (ValueError, OverflowError):
            return m.group(0)

    def _named(m: re.Match) -> str:
        name = m.group("name")
        if name in _HTML5_NAMES:
            return html.unescape("&%s;" % name)
        if name.lower() in _HTML5_NAMES and not m.group("sp"):
            return html.unescape("&%s;" % name.lower())
        return m.group(0)

    return _NAMED_REF.sub(_named, _NUMERIC_REF.sub(_num, text))


def fix_entities(text: str) -> str:
    """Decode HTML character references, including forms broken by spaces (``&# 171;``).

    Decoding repeats until nothing is left to decode, so that escaped escapes (``&amp;#171;``,
    ``&amp;amp;``) come out fully decoded and the result is a fixed point; at most
    ``_MAX_ROUNDS`` times, so that a hostile input nested a million levels deep costs a few
    passes, not a million.
    """
    for _ in range(_MAX_ROUNDS):
        if "&" not in text:
            break
        decoded = _decode_references(text)
        if decoded == text:
            break
        text = decoded
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
            lines[i] = _fix_line(line)
    return "\n".join(lines)


def _fix_line(line: str) -> str:
    """ftfy on the line's content, indentation aside: the repair must not depend on whitespace
    that the cleaned text drops (ftfy leaves ``Ã©`` alone after a no-break space, fixes it alone)."""
    content = line.strip()
    start = len(line) - len(line.lstrip())
    fixed = ftfy.fix_text(content, unescape_html=False, uncurl_quotes=False, normalization="NFC")
    return line[:start] + fixed + line[start + len(content):]


def _repair_once(text: str) -> str:
    """One round of repair: ftfy, HTML entities, doubled punctuation."""
    return collapse_punctuation(fix_entities(fix_mojibake(text)))


def repair_text(raw: str) -> str:
    """Full repair: ftfy, HTML entities (also space-broken ones), doubled punctuation.

    One round can expose more damage (an entity decodes into mojibake, a repaired character
    completes a doubled period), so rounds repeat until the text is a fixed point of the repair
    (a few rounds at most; the bound only guards against a pathological cycle).
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(_MAX_ROUNDS):
        repaired = _repair_once(text)
        if repaired == text:
            break
        text = repaired
    return text
