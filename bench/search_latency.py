"""Search latency of the analyst's desk on a large store (target: p95 under 50 ms).

    python bench/search_latency.py --source bbc1x.db --docs 100000 --db big.db   # build, then measure
    python bench/search_latency.py --db big.db                                   # measure an existing store

Building: the documents of a store made by a real `watchdesk ingest` (e.g. the 2,225 BBC
articles) are written again and again, through ``Store.add_document`` (mentions, entities,
quotes, FTS index and all), until ``--docs`` documents are stored. Replica k > 0 of a document
gets a distinct id and source, a line appended after the text (offsets stay valid) and, so that
the index does not hold K identical copies of every posting list, a few of its words swapped for
words of another article. No story signatures and no cross-document resolution (neither is on
the search path; see bench/scale.py for those).

Measured, in-process, warm (what the web desk runs for GET /search and /api/search):
``search.search_articles`` (FTS5 bm25, snippet, count up to 1000) with and without filters, and
``search.search_entities`` (name or alias prefix). Queries: one and two words drawn from titles,
quoted phrases, and entity names of various frequencies. Also the whole HTTP round trip of
GET /api/search through the ASGI app for a subset. Prints JSON on the last line.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def build(source: Path, target: Path, docs: int, seed: int) -> dict:
    from watchdesk.store.db import Store

    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    added = 0
    with Store(source) as src, Store(target) as store:
        originals = list(src.iter_documents())
        vocabulary = sorted({w for d in originals[:500] for w in re.findall(r"[a-z]{5,}", d.text)})
        store.conn.execute("PRAGMA synchronous = OFF")
        k = 0
        while added < docs:
            for doc in originals:
                if added >= docs:
                    break
                if k:
                    extra = " ".join(rng.sample(vocabulary, 12))
                    doc.id, doc.source = f"{doc.id}-r{k}", f"{doc.source}#r{k}"
                    mark = f"\n\n[replica {k}] {extra}"
                    doc.raw += mark
                    doc.text += mark
                if store.add_document(doc) is not None:
                    added += 1
                if added % 10000 == 0 and added:
                    print(f"{added} docs, {time.perf_counter() - t0:.0f}s", flush=True)
            k += 1
            originals = list(src.iter_documents())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('optimize')")
    return {"built_docs": added, "build_seconds": round(time.perf_counter() - t0, 1)}


def measure(db: Path, queries: int, seed: int) -> dict:
    from watchdesk.store import search
    from watchdesk.store.db import Store

    rng = random.Random(seed)
    out: dict = {}
    with Store(db) as store:
        store.use_read_cache()  # as the desk's connections do
        out["documents"] = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        out["mentions"] = store.conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
        out["db_mb"] = round(sum(os.path.getsize(str(db) + s) for s in ("", "-wal")
                                 if os.path.exists(str(db) + s)) / 2**20, 1)
        titles = [r[0] for r in store.conn.execute(
            "SELECT title FROM documents WHERE title IS NOT NULL ORDER BY random() LIMIT 5000")]
        words = [w for t in titles for w in re.findall(r"[A-Za-z]{4,}", t)]
        common = ["said", "government", "year", "people", "market", "game", "music", "film"]
        qs = [rng.choice(words) for _ in range(queries // 2)]
        qs += [" ".join(rng.sample(words, 2)) for _ in range(queries // 4)]
        qs += [f'"{t}"' for t in rng.sample(titles, queries // 8)]
        qs += [rng.choice(common) for _ in range(queries - len(qs))]
        names = [r[0] for r in store.conn.execute(
            "SELECT name FROM entities ORDER BY random() LIMIT ?", (queries,))]
        for q in qs[:20]:  # warm the page cache
            search.search_articles(store, q)

        def timed(fn, items) -> list[float]:
            times = []
            for item in items:
                t = time.perf_counter()
                fn(item)
                times.append(1000 * (time.perf_counter() - t))
            return times

        runs = {
            "articles": timed(lambda q: search.search_articles(store, q, limit=20), qs),
            "articles_filtered": timed(lambda q: search.search_articles(
                store, q, limit=20, label="PERSON", source="bbc"), qs),
            "articles_page_3": timed(lambda q: search.search_articles(store, q, limit=20, offset=40), qs),
            "entities": timed(lambda n: search.search_entities(store, n[:max(4, len(n) // 2)], limit=12), names),
        }
        for name, times in runs.items():
            out[f"{name}_ms_p50"] = round(statistics.median(times), 2)
            out[f"{name}_ms_p95"] = round(percentile(times, 0.95), 2)
            out[f"{name}_ms_max"] = round(max(times), 2)
    # the whole request through the ASGI app (routing, validation, JSON) for a subset
    from fastapi.testclient import TestClient

    from watchdesk.serve.app import create_app

    client = TestClient(create_app(db))
    subset = qs[: max(20, queries // 4)]
    times = []
    for q in subset:
        t = time.perf_counter()
        assert client.get("/api/search", params={"q": q}).status_code == 200
        times.append(1000 * (time.perf_counter() - t))
    out["http_api_search_ms_p50"] = round(statistics.median(times), 2)
    out["http_api_search_ms_p95"] = round(percentile(times, 0.95), 2)
    out["queries"] = len(qs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--source", type=Path, help="store to replicate (builds --db first)")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = {}
    if args.source:
        out.update(build(args.source, args.db, args.docs, args.seed))
    out.update(measure(args.db, args.queries, args.seed))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
