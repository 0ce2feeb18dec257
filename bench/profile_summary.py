"""Summarise a py-spy `--format raw` (folded stacks) profile: self and inclusive share per function,
and the share of the pipeline stages (read, clean, nlp.pipe, our passes, store, signature, resolve)."""
from __future__ import annotations

import sys
from collections import Counter

STAGES = [  # (stage, substring of a frame); the first matching frame from the leaf up wins
    ("store.add_document", "add_document (watchdesk/store/db.py"),
    ("resolve_pending", "resolve_pending (watchdesk/resolve/run.py"),
    ("story signature", "signature (watchdesk/resolve/stories.py"),
    ("our passes (annotate)", "annotate (watchdesk/pipeline.py"),
    ("clean", "prepare_document (watchdesk/pipeline.py"),
    ("read", "read_inputs (watchdesk/read/readers.py"),
    ("spaCy nlp.pipe", "pipe (spacy/language.py"),
]


def main(path: str) -> None:
    total = 0
    self_c: Counter = Counter()
    incl: Counter = Counter()
    stages: Counter = Counter()
    for line in open(path, encoding="utf-8"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not stack:
            continue
        n = int(n)
        total += n
        frames = stack.split(";")
        self_c[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
        for stage, key in STAGES:
            # innermost stage frame wins (e.g. nlp.pipe inside read would count as nlp)
            if any(key in f for f in frames):
                stages[stage] += n
                break
        else:
            stages["other"] += n
    print(f"{total} samples")
    print("\n== stages (innermost listed stage wins) ==")
    for stage, n in stages.most_common():
        print(f"{100 * n / total:5.1f}%  {stage}")
    print("\n== inclusive, top 40 ==")
    for f, n in incl.most_common(40):
        print(f"{100 * n / total:5.1f}%  {f[:150]}")
    print("\n== self, top 25 ==")
    for f, n in self_c.most_common(25):
        print(f"{100 * n / total:5.1f}%  {f[:150]}")


if __name__ == "__main__":
    main(sys.argv[1])
