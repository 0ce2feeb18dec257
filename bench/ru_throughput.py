"""Russian throughput: `watchdesk ingest` of Russian articles against natasha's own pipeline, as a ratio.

    python bench/ru_throughput.py [--corpus ../shared/data/slavicner_ru/dev/docs] [--limit N] [--rounds 2]
                                  [--clean]

Both sides get the same texts on the same machine, alternating (natasha, ours, natasha, ours, ...).

- natasha: its documented pipeline as a user runs it (``Doc(text)``, ``segment``, ``tag_morph``,
  ``tag_ner``, and ``span.normalize(morph_vocab)`` for every entity span), over the decoded texts;
- ours: ``watchdesk.pipeline.ingest`` of the same files into a fresh SQLite file: read, (clean
  with ``--clean``; the dev texts are clean, so by default ``--no-clean`` as the README's
  evaluation runs), language detection, the Russian analyser (natasha's models plus our
  document pass: nominative forms, grouping, aliases, quotes, claims, quantities, events),
  store, story signatures and cross-document resolution at the end.

Models are loaded and warmed up before timing on both sides (load excluded, as the issue asks).
Prints one line per run and a JSON summary on the last line (medians per side, ``ratio`` = ours
docs/s over natasha docs/s, ``ratio_cpu`` the same on process CPU time).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "slavicner_ru" / "dev" / "docs"


def natasha_models():
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    emb = NewsEmbedding()
    return Segmenter(), MorphVocab(), NewsMorphTagger(emb), NewsNERTagger(emb)


def run_natasha(models, texts: list[str]) -> tuple[float, float]:
    from natasha import Doc

    segmenter, vocab, morph, ner = models
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(ner)
        for span in doc.spans:
            span.normalize(vocab)
    return time.perf_counter() - wall, time.process_time() - cpu


def run_ours(files: list[Path], tmp: Path, round_no: int, clean: bool) -> tuple[float, float, int]:
    from watchdesk.pipeline import ingest
    from watchdesk.store.db import Store

    wall, cpu = time.perf_counter(), time.process_time()
    with Store(str(tmp / f"ru-{round_no}.db")) as store:
        report = ingest([str(f) for f in files], store, clean=clean)
    return time.perf_counter() - wall, time.process_time() - cpu, report.added


def warm_up(files: list[Path], tmp: Path) -> None:
    """Load our models (natasha, the detector) on a few documents before timing."""
    from watchdesk.pipeline import ingest
    from watchdesk.store.db import Store

    with Store(str(tmp / "warm.db")) as store:
        ingest([str(f) for f in files[:5]], store, clean=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clean", action="store_true", help="run our cleaner too (the texts are clean)")
    args = parser.parse_args()

    files = sorted(args.corpus.glob("*.txt"))[:args.limit] if args.limit else sorted(args.corpus.glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    print(f"{len(texts)} documents, {sum(len(t.split()) for t in texts)} words", flush=True)
    models = natasha_models()
    run_natasha(models, texts[:5])
    results: dict[str, list[tuple[float, float]]] = {"natasha": [], "ours": []}
    with tempfile.TemporaryDirectory(prefix="wd-ru-bench-") as tmpdir:
        tmp = Path(tmpdir)
        warm_up(files, tmp)
        for r in range(args.rounds):
            wall, cpu = run_natasha(models, texts)
            results["natasha"].append((wall, cpu))
            print(f"round {r + 1} natasha: {wall:7.1f}s  {len(texts) / wall:6.2f} docs/s  cpu {cpu:.1f}s", flush=True)
            wall, cpu, added = run_ours(files, tmp, r, args.clean)
            results["ours"].append((wall, cpu))
            print(f"round {r + 1} ours   : {wall:7.1f}s  {len(texts) / wall:6.2f} docs/s  cpu {cpu:.1f}s"
                  f"  ({added} added)", flush=True)
    med = {side: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for side, v in results.items()}
    summary = {"documents": len(texts),
               "natasha_docs_s": round(len(texts) / med["natasha"][0], 2),
               "ours_docs_s": round(len(texts) / med["ours"][0], 2),
               "ratio": round(med["natasha"][0] / med["ours"][0], 3),
               "ratio_cpu": round(med["natasha"][1] / med["ours"][1], 3)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
