"""Run `watchdesk.pipeline.ingest` over the first N BBC files into a fresh SQLite file (for py-spy).

    py-spy record --format raw -o /tmp/ingest.folded -- .venv/bin/python bench/profile_ingest.py --limit 400
    python bench/profile_summary.py /tmp/ingest.folded
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from throughput import DEFAULT_CORPUS, corpus_files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    from watchdesk.pipeline import ingest
    from watchdesk.store.db import Store

    files = [str(f) for f in corpus_files(args.corpus, args.limit)]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "p.db") as store:
        start = time.perf_counter()
        kwargs = {"workers": args.workers} if args.workers > 1 else {}
        report = ingest(files, store, **kwargs)
        print(f"{report.added} docs in {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()
