"""Turn input bytes into text: detect the encoding, refuse binary and empty input."""
from __future__ import annotations

import codecs

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


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in _BINARY_BYTES)
    return controls > max(4, len(sample) // 100)


def decode_bytes(data: bytes) -> tuple[str, str]:
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
    if _looks_binary(data):
        raise UnreadableInput("binary content, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    results = list(charset_normalizer.from_bytes(data))
    if not results:
        raise UnreadableInput("undetectable text encoding")
    # Candidates that tie on the detector's own measures are indistinguishable from the bytes;
    # like browsers (WHATWG), prefer windows-1252 for such undeclared legacy text.
    top = [r for r in results if (r.chaos, -r.coherence) == (results[0].chaos, -results[0].coherence)]
    best = next((r for r in top if r.encoding == "cp1252"), results[0])
    return str(best), best.encoding
