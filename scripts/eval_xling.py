#!/usr/bin/env python3
"""Stories across languages: the WMT ru->en dev set through the real CLI, scored by xling_score.py.

../shared/data/wmt_ru_en/dev/docs holds 80 Russian news articles, each with a human English
translation and a weak machine translation (240 files). All of them are ingested into a fresh
temporary store with `watchdesk ingest DIR --no-clean` (the pipeline and story assignment as a user
runs them), exported with `watchdesk export --format jsonl`, and the export is scored with
../shared/eval/xling_score.py (pairwise P/R/F1 of the `story` ids; XLANG = Russian-English pairs),
also in its lenient view (`--related`: pairs between two articles on one event are not counted).
Then the translation links the store recorded are counted.

With --ecbplus, also: every ECB+ dev document (topics of near-duplicate events: many articles
per event) goes into a store through the story assignment alone (no NLP), and the merges the
anchor test makes there are listed by kind (same ECB+ topic / other topic).

Usage: python scripts/eval_xling.py [--workers 1] [--keep DIR] [--ecbplus]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "wmt_ru_en" / "dev"
SCORER = SHARED / "eval" / "xling_score.py"
WATCHDESK = [sys.executable, "-m", "watchdesk.cli"]


def run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0,):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def ecbplus_merges() -> None:
    """Cross-document story merges on ECB+ dev, MinHash copies and anchor matches apart."""
    from watchdesk.resolve.stories import signature
    from watchdesk.store.db import Store
    from watchdesk.types import ExtractedDocument

    docs = sorted((SHARED / "data" / "ecbplus" / "dev" / "docs").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "ecb.db") as store:
        for path in docs:
            text = path.read_text(encoding="utf-8")
            store.add_document(ExtractedDocument(id=path.stem, source=path.name, text=text, raw=text),
                               signature=signature(text))
        rows = store.conn.execute(
            "SELECT a.doc_key, b.doc_key, l.kind, l.score FROM story_links l JOIN documents a ON a.id = l.doc_id"
            " JOIN documents b ON b.id = l.other_id ORDER BY l.kind, a.id").fetchall()
        stories = store.conn.execute("SELECT count(DISTINCT story_id) FROM documents").fetchone()[0]
    topic = lambda key: key.split("_")[0]  # noqa: E731
    print(f"ECB+ dev: {len(docs)} documents, {stories} stories; links:")
    for kind in sorted({r[2] for r in rows}):
        found = [r for r in rows if r[2] == kind]
        same = sum(1 for r in found if topic(r[0]) == topic(r[1]))
        print(f"  {kind}: {len(found)} ({same} within one ECB+ topic)")
        for r in found[:10]:
            print(f"    {r[0]} -> {r[1]} ({r[3]:.2f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--keep", help="write the store and the export into this folder")
    ap.add_argument("--ecbplus", action="store_true", help="also count the merges on ECB+ dev")
    args = ap.parse_args()
    if args.ecbplus:
        ecbplus_merges()
    if not DEV.is_dir():
        sys.exit(f"{DEV} not found")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        db, export = out / "xling.db", out / "xling.jsonl"
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        run(WATCHDESK + ["ingest", str(DEV / "docs"), "--no-clean", "--db", str(db), "-q",
                         "--workers", str(args.workers)])
        print(f"ingest: {time.perf_counter() - started:.1f}s")
        run(WATCHDESK + ["export", "--db", str(db), "--format", "jsonl", "--out", str(export)])
        print(run([sys.executable, str(SCORER), str(DEV / "gold.jsonl"), str(export)]), end="")
        lenient = run([sys.executable, str(SCORER), str(DEV / "gold.jsonl"), str(export),
                       "--related", str(DEV / "related.jsonl")])
        print("lenient (related.jsonl):", lenient.strip().splitlines()[-1])
        from watchdesk.store.db import Store

        with Store(db) as store:
            kinds = store.conn.execute("SELECT kind, count(*) FROM story_links GROUP BY kind").fetchall()
            langs = store.conn.execute("SELECT language, count(*) FROM documents GROUP BY language").fetchall()
        print("story links:", ", ".join(f"{k} {n}" for k, n in kinds) or "none")
        print("languages:", ", ".join(f"{k} {n}" for k, n in langs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
