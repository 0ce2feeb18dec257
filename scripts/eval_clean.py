#!/usr/bin/env python3
"""Clean every dev page with the SHIPPED model and score it with the shared scorer.

    .venv/bin/python scripts/eval_clean.py [--data ../shared/data/clean/dev] [--out /tmp/wd_clean]
        [--heuristic] [--idempotence-step 7]

Note: the shipped model was trained on these very pages, so this figure is IN-SAMPLE and
optimistic. The honest headline is the grouped cross-validation figure printed by
``scripts/train_cleaner.py``. ``--heuristic`` cleans without the model (heuristic line score
plus the same structural rules). The idempotence line reports, for every Nth page
(``--idempotence-step``, 0 = off), how many satisfy ``clean(clean(x)) == clean(x)``.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.clean.cleaner import clean_text  # noqa: E402
from watchdesk.clean.model import load_model  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "clean" / "dev"
SCORER = ROOT.parent / "shared" / "eval" / "clean_score.py"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--out", default="/tmp/watchdesk_clean_eval")
    ap.add_argument("--heuristic", action="store_true", help="no model: heuristic line scores")
    ap.add_argument("--idempotence-step", type=int, default=7,
                    help="check clean(clean(x)) == clean(x) on every Nth page (0 = off)")
    a = ap.parse_args(argv)
    data, out = Path(a.data), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ids = sorted(f[:-4] for f in os.listdir(data / "input") if f.endswith(".txt"))
    model = None if a.heuristic else load_model()
    if not a.heuristic and model is None:
        sys.exit("no shipped model found (src/watchdesk/data/cleaner_model.json)")
    raws = [(data / "input" / (i + ".txt")).read_bytes().decode("utf-8", "replace") for i in ids]
    t0 = time.perf_counter()
    texts = [clean_text(r, model=model, use_model=not a.heuristic).text for r in raws]
    dt = time.perf_counter() - t0
    for i, t in zip(ids, texts):
        (out / (i + ".txt")).write_text(t, encoding="utf-8")
    print("cleaned %d pages in %.1fs (%.0f pages/s, %.1f ms/page) -> %s"
          % (len(ids), dt, len(ids) / dt, 1000 * dt / len(ids), out))
    print("(%s figure: in-sample for the shipped model; the CV figure is the headline)"
          % ("heuristic-only" if a.heuristic else "shipped-model"))
    if a.idempotence_step > 0:
        sub = list(range(0, len(ids), a.idempotence_step))
        changed = [ids[k] for k in sub
                   if clean_text(texts[k], model=model, use_model=not a.heuristic).text != texts[k]]
        print("idempotence: %d/%d pages (every %dth) unchanged when cleaned again%s"
              % (len(sub) - len(changed), len(sub), a.idempotence_step,
                 ("; changed: " + " ".join(changed[:20])) if changed else ""))
    sys.stdout.flush()
    return subprocess.call([sys.executable, str(SCORER), str(data / "gold"), str(out)])


if __name__ == "__main__":
    sys.exit(main())
