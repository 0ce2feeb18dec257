"""Copies of the same story: MinHash signatures over word shingles, LSH bands for candidates.

A story is syndicated, updated and re-scraped: copies differ in page debris, in length
(truncated teasers) and by light edits. Candidates come from LSH bands over a MinHash of the
word 5-shingles (datasketch); a candidate is a copy when the estimated Jaccard similarity is
high, or when the estimated containment of the shorter text in the longer one is high
(a truncated copy is mostly contained in the full one). A second set of bands over the MinHash
of the text's first LEAD shingles finds short teasers and cut-off scrapes, whose Jaccard
similarity with the full story is too low for the first set: copies keep the lead.
The signature also carries the text's anchors (``resolve/anchors.py``: figures, dates and names
as Latin skeletons, in text order), which find the same story told in other words: a
translation, or two translations of one original.
"""
from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from .anchors import Anchor, anchors

SHINGLE = 5
NUM_PERM = 128
# 42 bands of 3 rows: P(candidate) is 0.996 at Jaccard 0.5, 0.68 at 0.3 (a copy truncated to a
# third), 0.04 at 0.1 (same topic, other story); candidates are then checked on the signatures.
BANDS, ROWS = 42, 3
SEED = 1
MIN_JACCARD = 0.5  # a copy: half the shingles shared ...
MIN_CONTAINMENT = 0.75  # ... or the shorter text mostly inside the longer one
MIN_SHINGLES = 8  # texts shorter than this never count as copies of anything
LEAD = 40  # shingles of the opening that the lead bands hash

_WORD = re.compile(r"\w+")
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED)  # permutations computed once, shared


@dataclass
class Signature:
    """MinHash of one text's word shingles, with the number of distinct shingles."""

    hashvalues: np.ndarray  # uint64[NUM_PERM]
    size: int
    lead: np.ndarray | None = None  # MinHash of the first LEAD shingles (for candidates only)
    anchors: list[Anchor] | None = None  # what a translation keeps (figures, dates, names), in order
    length: int = 0  # characters of the text

    def to_bytes(self) -> bytes:
        return struct.pack("<I", self.size) + self.hashvalues.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Signature":
        (size,) = struct.unpack_from("<I", data)
        return cls(np.frombuffer(data[4:], dtype="<u8").astype(np.uint64), size)


def shingle_list(text: str, n: int = SHINGLE) -> list[bytes]:
    """Lower-cased word n-grams of ``text`` in text order (repeats kept)."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i:i + n]).encode("utf-8") for i in range(len(words) - n + 1)]


def shingles(text: str, n: int = SHINGLE) -> set[bytes]:
    """Distinct lower-cased word n-grams of ``text``."""
    return set(shingle_list(text, n))


def _minhash(grams: list[bytes]) -> np.ndarray:
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    if grams:
        mh.update_batch(grams)
    return mh.hashvalues.copy()


def signature(text: str) -> Signature:
    """The MinHash signature of a text (deterministic across runs and machines)."""
    ordered = shingle_list(text)
    grams = set(ordered)
    return Signature(_minhash(list(grams)), len(grams), _minhash(list(dict.fromkeys(ordered[:LEAD]))),
                     anchors(text), len(text))


def _band_hashes(values: np.ndarray, salt: int) -> list[int]:
    rows = values[: BANDS * ROWS].astype("<u8").reshape(BANDS, ROWS)
    return [int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8,
                                           salt=(salt + band).to_bytes(8, "little")).digest(), "little") >> 1
            for band, row in enumerate(rows)]


def band_keys(sig: Signature) -> list[int]:
    """63-bit LSH band keys (signed-int safe for SQLite): whole-text bands, then lead bands."""
    keys = _band_hashes(sig.hashvalues, 0)
    if sig.lead is not None:
        keys += _band_hashes(sig.lead, 1 << 16)
    return keys


def jaccard(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(a.hashvalues == b.hashvalues)) / NUM_PERM


def containment(a: Signature, b: Signature) -> float:
    """Estimated share of the smaller shingle set that is inside the larger one."""
    j = jaccard(a, b)
    if not a.size or not b.size:
        return 0.0
    intersection = j * (a.size + b.size) / (1.0 + j)
    return min(1.0, intersection / min(a.size, b.size))


def is_copy(a: Signature, b: Signature) -> bool:
    """True when two texts are copies of the same story (re-scrape, truncation, light edit)."""
    if a.size < MIN_SHINGLES or b.size < MIN_SHINGLES:
        return False
    return jaccard(a, b) >= MIN_JACCARD or containment(a, b) >= MIN_CONTAINMENT
