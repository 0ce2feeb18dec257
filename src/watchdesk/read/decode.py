"""Turn input bytes into text: detect the encoding, refuse binary and empty input."""
from __future__ import annotations

import codecs
import unicodedata
from collections import Counter

import charset_normalizer


class UnreadableInput(ValueError):
    """Raised with a human-readable reason when bytes are not a usable text document."""


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Control characters that never occur in text documents (tab, LF, FF, CR and ESC excepted).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more control bytes than text ever has, in the first 8 KB."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in _BINARY_BYTES)
    return controls > max(4, len(sample) // 100)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text written without a byte-order mark, or None.

    Such bytes are full of NULs (Latin text) or of low control bytes (Cyrillic, Arabic, Greek…),
    so they would look binary. Both byte orders are tried; the right one decodes to valid,
    printable characters concentrated in one or two Unicode blocks (a script plus ASCII
    spaces and punctuation), the wrong one scatters over many blocks or hits controls.
    """
    sample = data[:8192]
    if len(sample) < 4:
        return None
    sample = sample[:len(sample) - len(sample) % 2]
    best = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        valid = sum(1 for c in text if c in "\t\n\r\f" or (c.isprintable() or c == " ")
                    and unicodedata.category(c) not in ("Co", "Cn", "Cs"))
        if valid < 0.98 * len(text):
            continue
        blocks = Counter(ord(c) >> 8 for c in text)
        concentration = sum(n for _, n in blocks.most_common(2)) / len(text)
        if concentration >= 0.9 and (best is None or concentration > best[0]):
            best = (concentration, encoding)
    if best is None:
        return None
    encoding = best[1]
    try:
        return data[:len(data) - len(data) % 2].decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few invalid bytes (a truncated or spliced file), or None.

    Accepted when the valid multi-byte characters far outnumber the invalid bytes, so a
    legacy single-byte encoding (where valid multi-byte sequences occur only by chance)
    is left to the detector. Invalid bytes become U+FFFD.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    multibyte = sum(1 for c in text if ord(c) > 127) - bad
    return text if multibyte >= 10 * bad else None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise UnreadableInput for empty, blank or binary data."""
    text, encoding = _decode(data)
    if not text.strip():  # blank once decoded: only BOMs, NBSPs, ideographic spaces...
        raise UnreadableInput("empty file")
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise UnreadableInput for empty or binary data.

    A byte-order mark wins; then strict UTF-8 (by far the most common, and unambiguous
    when it decodes); otherwise charset-normalizer's best guess.
    """
    if not data or not data.strip():
        raise UnreadableInput("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise UnreadableInput(f"invalid {encoding} text: {exc}") from exc
    if looks_binary(data):
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise UnreadableInput("binary content, not text")
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly, "utf-8"
    results = list(charset_normalizer.from_bytes(data))
    if not results:
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= len(text) // 100:  # ASCII text with a few stray bytes
            return text, "utf-8"
        raise UnreadableInput("undetectable text encoding")
    # Candidates that tie on the detector's own measures are indistinguishable from the bytes;
    # like browsers (WHATWG), prefer windows-1252 for such undeclared legacy text.
    top = [r for r in results if (r.chaos, -r.coherence) == (results[0].chaos, -results[0].coherence)]
    best = next((r for r in top if r.encoding == "cp1252"), results[0])
    return str(best), best.encoding
