"""Quotation spans in raw text, robust to the marks that translation and scraping leave.

``find_quote_spans(text)`` pairs quotation marks paragraph by paragraph and returns
``QuoteSpan`` items (offsets of the marks included). Marks are classified by glyph *and* by
context, because real text misuses them: a quote closed with an opening mark
(``… the end. “.``),
a closing mark glued to the next word (``…let me in, ”the lawyer says``), straight
marks, guillemets and low-9 marks. A quotation left open at the end of a paragraph continues
into the next paragraph(s) when that paragraph closes it without opening a new one
(translations drop the opening mark of the continued paragraph); when the next paragraph opens
a new quotation (the English convention for multi-paragraph quotes), each paragraph becomes
its own segment, linked with ``continues``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_MARKS = "“”„‟«»\""
OPENERS = "“„‟«"
CLOSERS = "”»"
MAX_CARRY_PARAGRAPHS = 2  # how far an unclosed quotation may run on
_PARA = re.compile(r"\n\s*\n|\n")


@dataclass
class QuoteSpan:
    start: int  # offset of the opening mark (or of the paragraph when the mark is missing)
    end: int  # offset just after the closing mark (or the end of the last paragraph)
    closed: bool = True
    continues: bool = False  # the next segment continues this quotation (multi-paragraph)
    continued: bool = False  # this segment continues the previous one

    def inner(self, text: str) -> tuple[int, int]:
        """The quoted words without the marks and the surrounding whitespace."""
        s, e = self.start, self.end
        doubled = DOUBLED_APOSTROPHE_QUOTES
        while s < e and (text[s] in DOUBLE_MARKS or text[s].isspace()
                         or doubled and text[s:s + 2] in ("''", "``")):
            s += 2 if doubled and text[s:s + 2] in ("''", "``") else 1
        while e > s and (text[e - 1] in DOUBLE_MARKS or text[e - 1].isspace()
                         or doubled and text[e - 2:e] == "''"):
            e -= 2 if doubled and text[e - 2:e] == "''" else 1
        return s, e


def paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _PARA.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


_MARK_RE_SINGLE = re.compile(r"[“”„‟«»\"]")
_MARK_RE_DOUBLED = re.compile(r"''|``|[“”„‟«»\"]")
# Doubled apostrophes ('' … '') as quotation marks (newspaper archives, LaTeX-style text).
# Off by default: in PolNeAR such quotations are labelled indirect speech, and in web text
# '' is more often debris than a quotation mark. scripts/eval_quotes.py --doubled-apostrophes
# measures the other choice.
DOUBLED_APOSTROPHE_QUOTES = False


def _left_flanking(text: str, i: int, n: int = 1) -> bool:
    """A mark that looks like an opening one: space (or start) before, a word after."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + n] if i + n < len(text) else " "
    return ((before.isspace() or before in "([{—–-:/")
            and (after.isalnum() or after in "[(‘'…"))


def _right_flanking(text: str, i: int, n: int = 1) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + n] if i + n < len(text) else " "
    return not before.isspace() and (after.isspace() or not after.isalnum())


def _marks(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(offset, length) of every double quotation mark in text[s:e] ('' and `` count as one)."""
    rx = _MARK_RE_DOUBLED if DOUBLED_APOSTROPHE_QUOTES else _MARK_RE_SINGLE
    return [(m.start(), m.end() - m.start()) for m in rx.finditer(text, s, e)]


def _glyph(text: str, mark: tuple[int, int]) -> str:
    i, n = mark
    if n == 2:
        return "“" if text[i] == "`" else "\""
    return text[i]


def _is_closing(text: str, mark: tuple[int, int]) -> bool:
    """Inside a quotation: does the mark close it?"""
    i, n = mark
    c = _glyph(text, mark)
    if c in CLOSERS:
        return True
    if c == "\"":
        return not _left_flanking(text, i, n) or _right_flanking(text, i, n)
    # an opening glyph: closes unless a word follows it after a space (a real new opening)
    return not _left_flanking(text, i, n)


def _is_opening(text: str, mark: tuple[int, int]) -> bool:
    """Outside a quotation: does the mark open one?"""
    i, n = mark
    c = _glyph(text, mark)
    if c in OPENERS:
        return True
    if c == "\"":
        return not _right_flanking(text, i, n) or _left_flanking(text, i, n)
    return _left_flanking(text, i, n)  # a closing glyph used as an opening one


def _is_reopening(text: str, mark: tuple[int, int]) -> bool:
    return _glyph(text, mark) in OPENERS and _left_flanking(text, *mark)


def find_quote_spans(text: str) -> list[QuoteSpan]:
    paras = paragraphs(text)
    out: list[QuoteSpan] = []
    k = 0
    while k < len(paras):
        ps, pe = paras[k]
        open_at: int | None = None
        for mk in _marks(text, ps, pe):
            i, n = mk
            if open_at is None:
                if _is_opening(text, mk):
                    open_at = i
            elif _is_closing(text, mk):
                out.append(QuoteSpan(open_at, i + n))
                open_at = None
            elif _is_reopening(text, mk):
                # a new opening while one is open: the first was never closed
                out.append(QuoteSpan(open_at, _trim_end(text, i), closed=False))
                open_at = i
        if open_at is None:
            k += 1
            continue
        # unclosed at the end of the paragraph: look at the next paragraphs
        nxt = k + 1
        carried = False
        while nxt < len(paras) and nxt - k <= MAX_CARRY_PARAGRAPHS:
            ns, ne = paras[nxt]
            nmarks = _marks(text, ns, ne)
            lead = len(text[ns:ne]) - len(text[ns:ne].lstrip())
            if nmarks and nmarks[0][0] == ns + lead and _is_opening(text, nmarks[0]):
                break  # conventional continuation: the next paragraph reopens
            close = next((mk for mk in nmarks if _is_closing(text, mk)), None)
            if close is None:
                nxt += 1
                continue
            if any(mk[0] < close[0] and _is_reopening(text, mk) for mk in nmarks):
                break
            out.append(QuoteSpan(open_at, close[0] + close[1]))
            carried = True
            # resume scanning the paragraph holding the close, after the close
            open2 = None
            for mk in _marks(text, close[0] + close[1], ne):
                if open2 is None:
                    if _is_opening(text, mk):
                        open2 = mk[0]
                elif _is_closing(text, mk):
                    out.append(QuoteSpan(open2, mk[0] + mk[1]))
                    open2 = None
            if open2 is not None:
                out.append(QuoteSpan(open2, _trim_end(text, ne), closed=False))
            k = nxt + 1
            break
        if not carried:
            seg = QuoteSpan(open_at, _trim_end(text, pe), closed=False)
            if k + 1 < len(paras):
                ns, ne = paras[k + 1]
                nm = _marks(text, ns, ne)
                lead = len(text[ns:ne]) - len(text[ns:ne].lstrip())
                if nm and nm[0][0] == ns + lead:
                    seg.continues = True
            out.append(seg)
            k += 1
    # mark continued segments
    for a, b in zip(out, out[1:]):
        if a.continues and not b.continued:
            if text[a.end:b.start].strip() == "":
                b.continued = True
            else:
                a.continues = False
    return out


def _trim_end(text: str, e: int) -> int:
    while e > 0 and text[e - 1].isspace():
        e -= 1
    return e
