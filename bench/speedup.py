"""Speed-up of `ingest --workers 2` over one process (in-process path), alternating, same files.

    python bench/speedup.py [--limit N] [--rounds 2] [--workers 2]

Each run ingests the same BBC files into a fresh SQLite file through ``watchdesk.pipeline.ingest``
(read, clean, NLP, our passes, store, resolution). The one-process side loads the model before
timing; the workers side includes starting its worker processes and loading the model in each
(what a user pays). Prints one line per run and a JSON summary on the last line.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import resource
import time

from throughput import DEFAULT_CORPUS, corpus_files, run_ours


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # terminated (joined) worker processes
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from watchdesk.extract.nlp import load_nlp

    load_nlp()
    files = corpus_files(args.corpus, args.limit)
    times: dict[int, list[float]] = {1: [], args.workers: []}
    cpu: dict[int, list[tuple[float, float]]] = {1: [], args.workers: []}  # (this process, workers)
    with tempfile.TemporaryDirectory(prefix="wd-speedup-") as tmp:
        for r in range(args.rounds):
            for w in (1, args.workers):
                main0, kids0 = time.process_time(), children_cpu()
                elapsed, added = run_ours(files, w, Path(tmp), r * 10 + w)
                times[w].append(elapsed)
                cpu[w].append((time.process_time() - main0, children_cpu() - kids0))
                print(f"round {r + 1} workers {w}: {elapsed:.1f}s {added / elapsed:.2f} docs/s", flush=True)
    med = {w: statistics.median(t) for w, t in times.items()}
    print(json.dumps({"docs": len(files), "workers": args.workers,
                      "docs_per_s": {w: round(len(files) / m, 2) for w, m in med.items()},
                      "speedup": round(med[1] / med[args.workers], 3),
                      "speedup_per_round": [round(a / b, 3) for a, b in zip(times[1], times[args.workers])],
                      "times": {w: [round(x, 1) for x in t] for w, t in times.items()},
                      "cpu_seconds_main_workers": {w: [(round(a, 1), round(b, 1)) for a, b in c] for w, c in cpu.items()},
                      # what 2 free cores would give: one-process CPU time over the busiest process's CPU
                      # time in the workers run (main process, or the mean worker), per round
                      "cpu_bound_speedup": [round(one[0] / max(many[0], many[1] / args.workers), 3)
                                            for one, many in zip(cpu[1], cpu[args.workers])]}))


if __name__ == "__main__":
    main()
