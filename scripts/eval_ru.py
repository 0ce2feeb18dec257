"""Russian extraction on the SlavicNER dev set: quality and speed against natasha alone.

Runs ``analyse_russian_batch`` over ``../shared/data/slavicner_ru/dev/docs`` (texts exactly as in
the files), writes the predictions in Watchdesk's export shape (``id`` = file stem, ``text``,
``mentions`` with ``lemma`` and ``entity``, ``entities``), scores them with
``../shared/eval/ru_score.py`` and prints its last line. Document ids are prefixed to entity ids
so entities stay per document (no cross-document resolution here).

Speed: natasha's own pipeline (segment + morph + NER + normalize, one document at a time) is
timed on the same texts in the same process, model load excluded; both figures and their ratio
are printed. ``--baseline`` also scores natasha alone.

    .venv/bin/python scripts/eval_ru.py [--baseline] [--out PRED.jsonl] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "slavicner_ru" / "dev"
SCORER = SHARED / "eval" / "ru_score.py"
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.extract.ru import analyse_russian_batch, load_russian  # noqa: E402
from watchdesk.types import ExtractedDocument  # noqa: E402

BATCH = 32  # documents per analyse_russian_batch call


def read_docs(limit: int | None) -> list[tuple[str, str]]:
    files = sorted((DEV / "docs").glob("*.txt"))[:limit]
    return [(f.stem, f.read_bytes().decode("utf-8")) for f in files]


def run_ours(docs: list[tuple[str, str]], models) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    out = []
    for k in range(0, len(docs), BATCH):
        chunk = [ExtractedDocument(id=i, source=i, text=t) for i, t in docs[k:k + BATCH]]
        for d in analyse_russian_batch(chunk, models):
            out.append(record(d))
    return out, time.perf_counter() - t0


def record(d: ExtractedDocument) -> dict:
    def gid(e: str | None) -> str | None:
        return f"{d.id}/{e}" if e else None

    ms = [dict(asdict(m), entity=gid(m.entity)) for m in d.mentions]
    es = [dict(asdict(e), id=gid(e.id)) for e in d.entities]
    return {"id": d.id, "text": d.text, "language": d.language, "mentions": ms, "entities": es,
            "aliases": [asdict(a) for a in d.aliases]}


def run_natasha(docs: list[tuple[str, str]], models) -> tuple[list[dict], float]:
    """natasha's own pipeline, one document at a time, as its documentation shows it."""
    from natasha import Doc

    t0 = time.perf_counter()
    out = []
    for did, text in docs:
        doc = Doc(text)
        doc.segment(models.segmenter)
        doc.tag_morph(models.morph_tagger)
        doc.tag_ner(models.ner_tagger)
        ms = []
        for s in doc.spans:
            s.normalize(models.morph_vocab)
            ms.append({"start": s.start, "end": s.stop, "text": s.text, "label": s.type,
                       "lemma": s.normal})
        out.append({"id": did, "text": text, "mentions": ms, "entities": []})
    return out, time.perf_counter() - t0


def score(records: list[dict], path: Path) -> list[str]:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    res = subprocess.run([sys.executable, str(SCORER), str(DEV / "gold.jsonl"), str(path)],
                         capture_output=True, text=True, check=True)
    return res.stdout.strip().splitlines()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", action="store_true", help="also score natasha alone")
    ap.add_argument("--out", default="/tmp/watchdesk_eval_ru.jsonl")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--full", action="store_true", help="print the scorer's whole report")
    args = ap.parse_args()
    if not DEV.exists():
        sys.exit(f"development data not found: {DEV}")
    docs = read_docs(args.limit)
    t0 = time.perf_counter()
    models = load_russian()
    print(f"models loaded in {time.perf_counter() - t0:.1f}s; {len(docs)} documents")
    run_ours(docs[:8], models)  # warm-up (lazy caches), not timed
    base, t_base = run_natasha(docs, models)
    ours, t_ours = run_ours(docs, models)
    if args.baseline:
        lines = score(base, Path(args.out).with_suffix(".natasha.jsonl"))
        print("natasha alone:", lines[-1])
    lines = score(ours, Path(args.out))
    if args.full:
        print("\n".join(lines))
    r_base, r_ours = len(docs) / t_base, len(docs) / t_ours
    print(f"speed: natasha pipeline {r_base:.1f} docs/s, Watchdesk Russian {r_ours:.1f} docs/s, "
          f"ratio {r_ours / r_base:.2f}")
    print("Watchdesk:", lines[-1])


if __name__ == "__main__":
    main()
