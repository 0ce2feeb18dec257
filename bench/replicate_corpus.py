"""Write K replicas of the BBC corpus as files, each with a distinct content hash (for the 10x memory run).

    python bench/replicate_corpus.py --copies 10 --out /tmp/bbc10x

Replica k of ``topic/NNN.txt`` is ``OUT/rK/topic/NNN.txt``: the article unchanged, plus one
last line naming the replica and a few words drawn from other articles (a light variation, so
re-ingest does not skip it as already stored). Copy 0 is the corpus as it is. Then:

    python bench/rss.py -- .venv/bin/watchdesk ingest /tmp/bbc10x --db /tmp/bbc10x.db --workers 2 -q
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from throughput import DEFAULT_CORPUS, corpus_files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    files = corpus_files(args.corpus, None)
    texts = [f.read_bytes().decode("utf-8", errors="replace") for f in files]
    vocabulary = sorted({w for t in texts[:500] for w in re.findall(r"[a-z]{5,}", t)})
    written = 0
    for k in range(args.copies):
        for f, text in zip(files, texts):
            target = args.out / f"r{k}" / f.parent.name / f.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if k:
                text = text.rstrip("\n") + f"\n\n[replica {k}] " + " ".join(rng.sample(vocabulary, 12)) + "\n"
            target.write_text(text, encoding="utf-8")
            written += 1
    print(f"{written} files under {args.out}")


if __name__ == "__main__":
    main()
