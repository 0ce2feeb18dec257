"""Scale of the store (and memory of the store side of ingest) without paying NLP K times.

    python bench/scale.py --source bbc1x.db --copies 10 --db bbc10x.db [--resolve-every 0]

Takes the documents of a store built by a real `watchdesk ingest` (e.g. the BBC corpus, 1x) and
writes K replicas into a fresh store exactly as ``pipeline.ingest`` writes a document
(``Store.add_document`` with the story signature), then runs cross-document resolution once at
the end (``resolve_pending``), as ingest does. Replica k > 0 of a document gets a distinct id and
source and a light variation: a line appended to its raw input and its clean text (after every
offset, so mentions stay valid) -> a distinct content hash. Replicas of one article are therefore
copies of one story (as syndicated news is); entity names repeat across replicas.

What this measures: store size, write rate, resolution time and memory, RSS of this process
(the writer: in ``--workers`` mode the main process does exactly this), search p50/p95
(``Store.search``, the desk's search) and entity lookups p95 (``Store.entity_profiles``, the CLI's
``watchdesk entity``; ``entity_page.entity``, the desk's entity page, for the 20 most mentioned and
random global entities). What it does not: NLP (it is
per document and streamed; see bench/rss.py on a real ingest).
Prints JSON on the last line.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import time
from pathlib import Path

import numpy as np
import psutil


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def db_size_mb(path: Path) -> float:
    return sum(os.path.getsize(str(path) + s) for s in ("", "-wal") if os.path.exists(str(path) + s)) / 2**20


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, type=Path)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--distinct-stories", action="store_true",
                        help="replicas get a scrambled story signature (same size, other LSH bands), so each "
                             "replica is a story of its own as distinct articles would be; without it every "
                             "replica joins its original's story and story attachment compares with every copy")
    parser.add_argument("--no-resolve", action="store_true",
                        help="skip cross-document resolution (it grows faster than linearly: see the report)")
    parser.add_argument("--measure-only", action="store_true",
                        help="only the queries, on an existing --db built before (e.g. on a quiet machine)")
    args = parser.parse_args()

    from watchdesk.resolve.run import resolve_pending
    from watchdesk.resolve.stories import signature
    from watchdesk.store.db import Store

    for suffix in ("", "-wal", "-shm"):
        if not args.measure_only:
            Path(str(args.db) + suffix).unlink(missing_ok=True)
    out: dict = {"copies": args.copies, "distinct_stories": args.distinct_stories, "rss_start_mb": round(rss_mb())}
    peak = rss_mb()
    t0 = time.perf_counter()
    added = 0
    with Store(args.source) as src, Store(args.db) as store:
        models = {r[0]: r[1] for r in src.conn.execute("SELECT doc_key, model FROM documents")}
        for k in range(0 if args.measure_only else args.copies):
            for doc in src.iter_documents():
                model = models.get(doc.id)
                if k:
                    doc.id, doc.source = f"{doc.id}-r{k}", f"{doc.source}#r{k}"
                    mark = f"\n\n[replica {k}]"
                    doc.raw += mark
                    doc.text += mark
                sig = signature(doc.text)
                if k and args.distinct_stories:
                    mask = np.random.default_rng(k).integers(0, 2**63, size=sig.hashvalues.shape, dtype=np.uint64)
                    sig.hashvalues = sig.hashvalues ^ mask
                    sig.lead = sig.lead ^ mask if sig.lead is not None else None
                if store.add_document(doc, model=model, signature=sig) is not None:
                    added += 1
                if added % 500 == 0:
                    peak = max(peak, rss_mb())
            peak = max(peak, rss_mb())
            print(f"copy {k + 1}/{args.copies}: {added} docs, {time.perf_counter() - t0:.0f}s, "
                  f"rss {rss_mb():.0f} MB", flush=True)
        out["write_seconds"] = round(time.perf_counter() - t0, 1)
        out["documents"] = added or store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        out["write_docs_per_s"] = round(added / out["write_seconds"], 1)
        out["rss_after_writes_mb"] = round(rss_mb())
        out["peak_rss_writes_mb"] = round(peak)

        if not args.no_resolve and not args.measure_only:
            t1 = time.perf_counter()
            report = resolve_pending(store)
            out["resolve_seconds"] = round(time.perf_counter() - t1, 1)
            out["global_entities"] = report.global_entities
            out["peak_rss_after_resolve_mb"] = round(max(peak, rss_mb()))
            out["rss_after_resolve_mb"] = round(rss_mb())
            state_len = store.conn.execute("SELECT length(data) FROM resolver_state").fetchone()[0]
            out["resolver_state_json_mb"] = round(state_len / 2**20, 1)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        out["db_mb"] = round(db_size_mb(args.db), 1)
        out["db_kb_per_doc"] = round(1024 * out["db_mb"] / max(added, 1), 1)

        store.use_read_cache()  # as the desk's connections do
        # queries: words from titles (one and two words) and entity names of several frequencies
        rng = random.Random(args.seed)
        titles = [r[0] for r in store.conn.execute("SELECT title FROM documents WHERE title IS NOT NULL"
                                                   " LIMIT 5000")]
        words = [w for t in titles for w in re.findall(r"[A-Za-z]{4,}", t)]
        queries = [rng.choice(words) for _ in range(args.queries // 2)]
        queries += [" ".join(rng.sample(words, 2)) for _ in range(args.queries // 2)]
        times = []
        for q in queries:
            t = time.perf_counter()
            store.search(q, limit=20)
            times.append(1000 * (time.perf_counter() - t))
        out["search_ms_p50"] = round(statistics.median(times), 2)
        out["search_ms_p95"] = round(percentile(times, 0.95), 2)
        out["search_ms_max"] = round(max(times), 2)

        top = [name for rows in store.top_entities(20).values() for name, _ in rows]
        names = [r[0] for r in store.conn.execute("SELECT name FROM entities ORDER BY random() LIMIT ?",
                                                  (args.queries,))]
        etimes = []
        for name in top + names:
            t = time.perf_counter()
            store.entity_profiles(name, evidence_limit=20)
            etimes.append(1000 * (time.perf_counter() - t))
        out["entity_ms_p50"] = round(statistics.median(etimes), 2)
        out["entity_ms_p95"] = round(percentile(etimes, 0.95), 2)
        out["entity_ms_max"] = round(max(etimes), 2)
        t = time.perf_counter()
        store.entity_profiles(top[0], evidence_limit=20)
        out["entity_ms_most_mentioned"] = round(1000 * (time.perf_counter() - t), 2)
        out["most_mentioned"] = top[0]

        # the desk's entity page (entity_page.entity: names, articles, quotes, claims, events, co-mentions)
        from watchdesk.store import entity_page

        gids = [r[0] for r in store.conn.execute(
            "SELECT id FROM (SELECT id FROM global_entities ORDER BY mentions DESC LIMIT 20)"
            " UNION SELECT id FROM (SELECT id FROM global_entities ORDER BY random() LIMIT ?)", (args.queries,))]
        ptimes = []
        for gid in gids:
            t = time.perf_counter()
            entity_page.entity(store, gid)
            ptimes.append(1000 * (time.perf_counter() - t))
        if ptimes:
            out["entity_page_ms_p50"] = round(statistics.median(ptimes), 2)
            out["entity_page_ms_p95"] = round(percentile(ptimes, 0.95), 2)
            out["entity_page_ms_max"] = round(max(ptimes), 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
