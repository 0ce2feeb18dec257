#!/usr/bin/env python3
"""Score raw spaCy NER against Watchdesk's document-level pass on CoNLL-2003 English dev.

Usage:
    .venv/bin/python scripts/eval_ner.py [--model NAME] [--shared DIR] [--out DIR]

Runs ``nlp.pipe`` once over every ``docs/NNNN.txt`` (text as-is), writes two prediction files
(raw ``doc.ents`` and ``find_entities``) and prints the scorer's output for both, followed by
the time ``find_entities`` adds relative to ``nlp.pipe``. Needs ``../shared`` beside the project.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.extract.entities import find_entities  # noqa: E402
from watchdesk.extract.nlp import DEFAULT_MODEL, load_nlp  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "eval_ner")
    args = ap.parse_args(argv)

    dev = args.shared / "data" / "conll2003" / "dev"
    gold = dev / "gold.jsonl"
    scorer = args.shared / "eval" / "ner_score.py"
    if not gold.exists() or not scorer.exists():
        print(f"shared data not found under {args.shared}", file=sys.stderr)
        return 2
    paths = sorted((dev / "docs").glob("*.txt"))
    # newline="" keeps the text exactly as stored (no newline translation)
    texts = []
    for p in paths:
        with open(p, encoding="utf-8", newline="") as f:
            texts.append(f.read())

    nlp = load_nlp(args.model)
    nlp("warm up")
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts))
    t_pipe = time.perf_counter() - t0

    t0 = time.perf_counter()
    results = [find_entities(doc) for doc in docs]
    t_find = time.perf_counter() - t0
    # The baseline is the model exactly as spaCy loads it (no Watchdesk component added).
    import spacy

    plain_docs = list(spacy.load(args.model).pipe(texts))

    args.out.mkdir(parents=True, exist_ok=True)
    raw_path = args.out / "pred_spacy.jsonl"
    wd_path = args.out / "pred_watchdesk.jsonl"
    with open(raw_path, "w", encoding="utf-8") as fr, open(wd_path, "w", encoding="utf-8") as fw:
        for path, text, plain, (mentions, _entities) in zip(paths, texts, plain_docs, results):
            raw = [{"start": e.start_char, "end": e.end_char, "text": e.text, "label": e.label_}
                   for e in plain.ents]
            wd = [{"start": m.start, "end": m.end, "text": m.text, "label": m.label,
                   "entity": m.entity} for m in mentions]
            fr.write(json.dumps({"id": path.stem, "text": text, "mentions": raw}) + "\n")
            fw.write(json.dumps({"id": path.stem, "text": text, "mentions": wd}) + "\n")

    for title, pred in (("raw spaCy doc.ents", raw_path), ("Watchdesk find_entities", wd_path)):
        print(f"===== {title} ({args.model}) =====", flush=True)
        subprocess.run([sys.executable, str(scorer), str(gold), str(pred),
                        "--json", str(pred.with_suffix(".metrics.json"))], check=True)
        print(flush=True)
    n_chars = sum(len(t) for t in texts)
    print(f"docs {len(texts)}  chars {n_chars}  nlp.pipe {t_pipe:.2f}s  "
          f"find_entities {t_find:.3f}s  overhead {100 * t_find / t_pipe:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
