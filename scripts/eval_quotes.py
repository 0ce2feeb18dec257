#!/usr/bin/env python3
"""Score Watchdesk's quotes and claims on PolNeAR dev with the shared scorer.

Usage:
    .venv/bin/python scripts/eval_quotes.py [--model NAME] [--shared DIR] [--out DIR]
                                            [--cache FILE.spacy] [--split dev]
                                            [--doubled-apostrophes]

Runs the real model over every dev text exactly as given (no cleaning), then ``find_entities``
and ``find_attributions`` on each parse; writes ``PRED.jsonl`` (one object per document: id,
text, quotes, claims, quantities) and prints the scorer's output, followed by the time the
attribution stage adds per article. ``--cache`` keeps the parses as a DocBin so re-runs skip
spaCy (the cache is checked against the texts). Needs ``../shared`` beside the project.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.extract.attribution import find_attributions  # noqa: E402
from watchdesk.extract.nlp import DEFAULT_MODEL, load_nlp  # noqa: E402


def parse_all(texts, model, cache):
    from spacy.tokens import DocBin

    nlp = load_nlp(model)
    if cache and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(texts) and all(d.text == t for d, t in zip(docs, texts)):
            return docs, None
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=16))
    elapsed = time.perf_counter() - t0
    if cache:
        db = DocBin(store_user_data=False)
        for d in docs:
            db.add(d)
        cache.parent.mkdir(parents=True, exist_ok=True)
        db.to_disk(cache)
    return docs, elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "eval_quotes")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--doubled-apostrophes", action="store_true",
                    help="also read '' … '' as quotation marks (PolNeAR labels such quotations "
                         "indirect, so this moves them from 'claims' to 'quotes')")
    args = ap.parse_args(argv)
    if args.doubled_apostrophes:
        from watchdesk.extract import quotes as quotes_module

        quotes_module.DOUBLED_APOSTROPHE_QUOTES = True

    data = args.shared / "data" / "polnear" / args.split
    gold_path = data / "gold.jsonl"
    scorer = args.shared / "eval" / "quotes_score.py"
    if not gold_path.exists() or not scorer.exists():
        print(f"shared data not found under {args.shared}", file=sys.stderr)
        return 2
    gold = [json.loads(line) for line in gold_path.open(encoding="utf-8") if line.strip()]
    texts = [g["text"] for g in gold]
    docs, parse_time = parse_all(texts, args.model, args.cache)

    try:
        from watchdesk.extract.entities import find_entities
    except Exception as exc:  # being written by someone else: fall back inside find_attributions
        print(f"warning: find_entities unavailable ({exc}); using doc.ents", file=sys.stderr)
        find_entities = None

    args.out.mkdir(parents=True, exist_ok=True)
    pred_path = args.out / "PRED.jsonl"
    t_ent = t_att = 0.0
    with pred_path.open("w", encoding="utf-8") as fh:
        for g, doc in zip(gold, docs):
            t0 = time.perf_counter()
            mentions = entities = None
            if find_entities is not None:
                try:
                    mentions, entities = find_entities(doc)
                except Exception as exc:
                    print(f"warning: find_entities failed on {g['id']}: {exc}", file=sys.stderr)
            t1 = time.perf_counter()
            quotes, claims, quantities = find_attributions(doc, mentions, entities)
            t2 = time.perf_counter()
            t_ent += t1 - t0
            t_att += t2 - t1
            fh.write(json.dumps({
                "id": g["id"], "text": doc.text,
                "quotes": [asdict(q) for q in quotes],
                "claims": [asdict(c) for c in claims],
                "quantities": [asdict(q) for q in quantities],
            }, ensure_ascii=False) + "\n")

    res = subprocess.run([sys.executable, str(scorer), str(gold_path), str(pred_path)],
                         capture_output=True, text=True)
    sys.stdout.write(res.stdout)
    sys.stderr.write(res.stderr)
    n = len(gold)
    print(f"\nattribution: {1000 * t_att / n:.1f} ms/article; find_entities: "
          f"{1000 * t_ent / n:.1f} ms/article"
          + (f"; spaCy parse: {1000 * parse_time / n:.1f} ms/article" if parse_time else
             " (parses from cache)"))
    print(f"predictions: {pred_path}")
    return res.returncode


if __name__ == "__main__":
    raise SystemExit(main())
