"""Fuzz the readers: arbitrary bytes in, only RawDocument / ReadError out, never an exception.

    mkdir -p /tmp/fuzzwork /tmp/fuzzart   # libFuzzer adds new inputs to the FIRST folder, not fuzz/seeds
    .venv/bin/python fuzz/fuzz_readers.py -max_total_time=600 -rss_limit_mb=2048 -artifact_prefix=/tmp/fuzzart/ /tmp/fuzzwork fuzz/seeds
    .venv/bin/python fuzz/fuzz_readers.py --hypothesis 20000      # without atheris

Each input picks a file suffix (text, HTML, JSONL, gzip of each, or stdin) from its first byte
and goes through the same code as a real file: size limit, gzip, decoding, format sniffing,
JSONL lines, HTML metadata. A crash is any exception escaping, or an item breaking the contract
(a document with empty text, an error without a source or reason).
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

SUFFIXES = [None, "a.txt", "a.html", "a.jsonl", "a", "a.txt.gz", "a.jsonl.gz", "a.html.gz", "a.htm", "a.ndjson"]
MAX_BYTES = 64 * 1024  # small, so the size limit itself is exercised


def _modules():
    from watchdesk.read import readers
    from watchdesk.types import RawDocument, ReadError
    return readers, RawDocument, ReadError


def check(data: bytes) -> int:
    """Run one input; return the number of items. Raises AssertionError on a broken contract."""
    readers, RawDocument, ReadError = _modules()
    if not data:
        return 0
    name = SUFFIXES[data[0] % len(SUFFIXES)]
    body = data[1:]
    if name is None:
        items = list(readers.read_inputs(["-"], stdin=io.BufferedReader(io.BytesIO(body)), max_bytes=MAX_BYTES))
    else:
        path = Path(name)
        gzipped = path.suffix == ".gz"
        try:
            raw = readers._read_limited(io.BytesIO(body), name, MAX_BYTES, gzipped)
        except readers.UnreadableInput as exc:
            items = [ReadError(name, str(exc))]
        else:
            items = list(readers.read_bytes(raw, name, path.with_suffix("") if gzipped else path))
    for item in items:
        assert isinstance(item, (RawDocument, ReadError)), item
        if isinstance(item, RawDocument):
            assert isinstance(item.raw, str) and item.raw.strip(), item
            assert item.source and item.id, item
            item.raw.encode("utf-8")  # storable: no lone surrogates
        else:
            assert item.source and item.reason, item
    return len(items)


def run_atheris(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["watchdesk"]):
        _modules()
    atheris.Setup(argv, check)
    atheris.Fuzz()


def run_hypothesis(examples: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seeds = st.sampled_from([b"<html><body><p>x</p></body></html>", b'{"text": "a"}\n{"html": "<p>b</p>"}',
                             "Министр заявил".encode("cp1251"), "Hello".encode("utf-16-le"),
                             b"\x1f\x8b\x08\x00\x00\x00\x00\x00"])
    data = st.one_of(st.binary(max_size=4096), st.tuples(st.binary(max_size=2), seeds, st.binary(max_size=64))
                     .map(lambda t: t[0] + t[1] + t[2]))
    count = 0

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data)
    def fuzz(blob):
        nonlocal count
        count += 1
        check(blob)

    fuzz()
    print(f"hypothesis: {count} inputs, no crash")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--hypothesis":
        run_hypothesis(int(sys.argv[2]) if len(sys.argv) > 2 else 10000)
    else:
        try:
            import atheris  # noqa: F401
        except ImportError:
            print("atheris is not installed (pip install atheris==3.0.0): using Hypothesis", file=sys.stderr)
            run_hypothesis(20000)
        else:
            run_atheris(sys.argv)
