"""Time (and, under py-spy, profile) cross-document resolution over an already stored corpus.

    python bench/profile_resolve.py --source desk.db [--limit N]

Copies the store, marks its documents unresolved and drops the saved resolver state (on the copy
only), then runs ``resolve_pending`` as the end of ``ingest`` does; with --limit only the first N
documents are resolved (the others stay resolved-but-absent from the resolver) to see how the
time grows with the corpus.
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

import psutil


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True, type=Path)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    from watchdesk.resolve.run import resolve_pending
    from watchdesk.store.db import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "copy.db"
        src = sqlite3.connect(args.source)
        dst = sqlite3.connect(db)
        src.backup(dst)
        src.close()
        # bench-only reset of the copy: every document pending, no saved state, no global ids
        dst.executescript("UPDATE documents SET resolved = 1; DELETE FROM resolver_state;"
                          " UPDATE entities SET global_id = NULL; DELETE FROM global_entities;")
        limit = args.limit or dst.execute("SELECT count(*) FROM documents").fetchone()[0]
        dst.execute("UPDATE documents SET resolved = 0 WHERE id IN (SELECT id FROM documents ORDER BY id LIMIT ?)",
                    (limit,))
        dst.commit()
        dst.close()
        with Store(db) as store:
            rss0 = psutil.Process().memory_info().rss
            t = time.perf_counter()
            report = resolve_pending(store)
            elapsed = time.perf_counter() - t
            rss1 = psutil.Process().memory_info().rss
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"documents": limit, "resolve_seconds": round(elapsed, 2),
                      "global_entities": report.global_entities, "rss_growth_mb": round((rss1 - rss0) / 2**20),
                      "peak_rss_mb": round(peak)}))


if __name__ == "__main__":
    main()
