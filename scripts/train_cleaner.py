#!/usr/bin/env python3
"""Train the flattened-text cleaner's line classifier and report grouped cross-validation.

    .venv/bin/python scripts/train_cleaner.py [--data ../shared/data/clean/dev] [--folds 5]
        [--seed 13] [--out src/watchdesk/data/cleaner_model.json] [--no-cv] [--jobs 2]

Steps
1. Labels. Each dev page is repaired (``repair_text``) and split into non-blank lines exactly
   as the cleaner does. The page's word tokens (lowercased ``\\w+``, the scorer's tokens) are
   aligned with the gold article's tokens by ``difflib.SequenceMatcher`` (no autojunk) over the
   whole token sequences; a line's label score is the fraction of its tokens inside matching
   blocks. Because the alignment is monotone, a second copy of the headline or a menu word
   that also occurs somewhere in the article is not matched, unlike a bag-of-words check.
   A line is positive when at least half its tokens align; tokenless lines are negative.
   Sample weight = the line's token count (capped at 200), normalised so each page sums to 1
   (the metric is a macro average over pages, long pages should not dominate).
2. Site groups (the pages carry no URL). Lines of >= 4 tokens occurring on 2..60 pages are
   boilerplate candidates; two pages sharing >= 3 of them are linked; groups are the connected
   components (union-find). Pages of one group are never on both sides of a CV split.
3. Grouped K-fold CV (sklearn GroupKFold): train on K-1 folds, clean the held-out pages with
   the FULL cleaner (``clean_text`` with the fold's exported model, i.e. the same numpy
   inference and post-rules as shipped), score with the shared scorer. This is the headline.
4. The final model is trained on all pages and written as JSON (numpy inference at runtime).
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.clean.cleaner import clean_text  # noqa: E402
from watchdesk.clean.features import feature_names, line_features, norm_key, split_lines  # noqa: E402
from watchdesk.clean.model import LineModel  # noqa: E402
from watchdesk.clean.repair import repair_text  # noqa: E402

TOK = re.compile(r"\w+", re.UNICODE)
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "clean" / "dev"
SCORER = ROOT.parent / "shared" / "eval" / "clean_score.py"

PARAMS = dict(
    learning_rate=0.1, max_iter=150, max_leaf_nodes=15, max_depth=6, min_samples_leaf=40,
    l2_regularization=1.0,
)


def read(path: Path) -> str:
    """Read a file as UTF-8, replacing undecodable bytes (as the scorer does)."""
    return path.read_bytes().decode("utf-8", "replace")


def label_page(raw: str, gold: str):
    """Lines, features and alignment-based labels of one page (see module docstring)."""
    text = repair_text(raw)
    lines = split_lines(text)
    X = line_features(lines)
    line_toks = [TOK.findall(ln.text.lower()) for ln in lines]
    flat, owner = [], []
    for i, toks in enumerate(line_toks):
        flat += toks
        owner += [i] * len(toks)
    gold_toks = TOK.findall(gold.lower())
    matched = np.zeros(len(lines))
    sm = difflib.SequenceMatcher(None, flat, gold_toks, autojunk=False)
    for a, _b, size in sm.get_matching_blocks():
        for k in range(a, a + size):
            matched[owner[k]] += 1
    ntok = np.array([len(t) for t in line_toks], dtype=np.float64)
    frac = np.where(ntok > 0, matched / np.maximum(ntok, 1), 0.0)
    keys = [norm_key(ln.text) for ln in lines]
    return X, frac, ntok, keys


def _label_job(args):
    doc_id, data = args
    raw = read(Path(data) / "input" / (doc_id + ".txt"))
    gold = read(Path(data) / "gold" / (doc_id + ".txt"))
    X, frac, ntok, keys = label_page(raw, gold)
    return doc_id, X, frac, ntok, keys


def _clean_job(args):
    """Clean a list of pages with a model spec, writing PRED_DIR/ID.txt (a CV worker)."""
    spec, paths, out_dir = args
    model = LineModel(spec)
    for p in paths:
        p = Path(p)
        (Path(out_dir) / p.name).write_text(clean_text(read(p), model=model).text, encoding="utf-8")
    return len(paths)


def site_groups(keys_by_doc: list[list[str]], min_shared: int = 3, max_df: int = 60):
    """Connected components of pages sharing >= ``min_shared`` non-trivial boilerplate lines."""
    df = Counter()
    for keys in keys_by_doc:
        df.update({k for k in keys if len(k.split()) >= 4})
    post = defaultdict(list)
    for d, keys in enumerate(keys_by_doc):
        for k in {k for k in keys if len(k.split()) >= 4}:
            if 2 <= df[k] <= max_df:
                post[k].append(d)
    pair = Counter()
    for docs in post.values():
        for i in range(len(docs)):
            for j in range(i + 1, len(docs)):
                pair[(docs[i], docs[j])] += 1
    parent = list(range(len(keys_by_doc)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (i, j), c in pair.items():
        if c >= min_shared:
            parent[find(i)] = find(j)
    roots = [find(i) for i in range(len(keys_by_doc))]
    remap = {r: g for g, r in enumerate(sorted(set(roots)))}
    return np.array([remap[r] for r in roots])


def export_hgb(clf) -> dict:
    """Export a fitted HistGradientBoostingClassifier (binary) to the JSON spec of LineModel."""
    trees = []
    depth = 0
    for (pred,) in clf._predictors:
        nodes = pred.nodes
        leaf = nodes["is_leaf"].astype(bool)
        depth = max(depth, int(nodes["depth"].max()))
        trees.append({
            "f": [int(x) if not lf else -1 for x, lf in zip(nodes["feature_idx"], leaf)],
            "t": [float(x) if not lf else 0.0 for x, lf in zip(nodes["num_threshold"], leaf)],
            "l": [int(x) if not lf else -1 for x, lf in zip(nodes["left"], leaf)],
            "r": [int(x) if not lf else -1 for x, lf in zip(nodes["right"], leaf)],
            "v": [round(float(x), 6) if lf else 0.0 for x, lf in zip(nodes["value"], leaf)],
            "m": [int(x) for x in nodes["missing_go_to_left"]],
        })
    return {
        "kind": "gbt", "features": feature_names(), "baseline": float(np.ravel(clf._baseline_prediction)[0]),
        "max_depth": depth + 1, "trees": trees, "threshold": 0.5,
    }


def fit(X, y, w, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(random_state=seed, early_stopping=False, **PARAMS)
    clf.fit(X, y, sample_weight=w)
    return clf


def score_dir(gold_dir: Path, pred_dir: Path) -> str:
    out = subprocess.run([sys.executable, str(SCORER), str(gold_dir), str(pred_dir), "--bootstrap", "0"],
                         capture_output=True, text=True, check=True)
    return out.stdout


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", default=str(ROOT / "src" / "watchdesk" / "data" / "cleaner_model.json"))
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cv-out", default=None, help="folder for the CV predictions (default: temp)")
    ap.add_argument("--fold-models", default=None, help="also save each fold's model (debugging)")
    a = ap.parse_args(argv)
    data = Path(a.data)
    t0 = time.time()
    ids = sorted(f[:-4] for f in os.listdir(data / "input") if f.endswith(".txt"))
    with ProcessPoolExecutor(a.jobs) as ex:
        res = list(ex.map(_label_job, [(i, str(data)) for i in ids], chunksize=8))
    print("labelled %d pages in %.0fs" % (len(ids), time.time() - t0), flush=True)
    Xs, ys, ws, docs = [], [], [], []
    for d, (_id, X, frac, ntok, _keys) in enumerate(res):
        Xs.append(X)
        ys.append((frac >= 0.5).astype(np.int64))
        wt = np.minimum(np.maximum(ntok, 1.0), 200.0)
        ws.append(wt / wt.sum() if wt.sum() else wt)
        docs.append(np.full(len(frac), d))
    X, y, w, doc = np.vstack(Xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(docs)
    groups = site_groups([r[4] for r in res])
    sizes = Counter(groups.tolist())
    print("lines %d (positive %.1f%%), site groups %d (largest %d pages, singletons %d)"
          % (len(y), 100 * y.mean(), len(sizes), max(sizes.values()),
             sum(1 for s in sizes.values() if s == 1)), flush=True)

    if not a.no_cv:
        from sklearn.model_selection import GroupKFold

        pred_dir = Path(a.cv_out) if a.cv_out else Path(tempfile.mkdtemp(prefix="cleaner_cv_"))
        pred_dir.mkdir(parents=True, exist_ok=True)
        gkf = GroupKFold(n_splits=a.folds)
        for k, (tr_docs, te_docs) in enumerate(gkf.split(np.arange(len(ids)), groups=groups)):
            tr = np.isin(doc, tr_docs)
            clf = fit(X[tr], y[tr], w[tr], a.seed)
            spec = export_hgb(clf)
            if a.fold_models:
                Path(a.fold_models).mkdir(parents=True, exist_ok=True)
                spec["test_ids"] = [ids[d] for d in te_docs]
                with open(Path(a.fold_models) / ("fold%d.json" % (k + 1)), "w", encoding="utf-8") as f:
                    json.dump(spec, f)
            jobs = [(spec, [str(data / "input" / (ids[d] + ".txt")) for d in te_docs[r::a.jobs]], str(pred_dir))
                    for r in range(a.jobs)]
            with ProcessPoolExecutor(a.jobs) as ex:
                list(ex.map(_clean_job, jobs))
            print("fold %d: train %d pages, test %d pages (%.0fs)" % (k + 1, len(tr_docs), len(te_docs),
                                                                       time.time() - t0), flush=True)
        report = score_dir(data / "gold", pred_dir)
        print("\n=== grouped %d-fold CV (%d site groups), predictions in %s ===" % (a.folds, len(sizes), pred_dir))
        print(report)

    clf = fit(X, y, w, a.seed)
    spec = export_hgb(clf)
    spec["trained_on"] = "%s (%d pages, %d lines)" % (data, len(ids), len(y))
    spec["params"] = PARAMS
    # check the numpy inference against scikit-learn on a sample of lines
    sample = X[:: max(1, len(X) // 5000)]
    diff = np.abs(LineModel(spec).decision_function(sample) - clf.decision_function(sample)).max()
    print("numpy vs sklearn max |diff| on %d lines: %.2e" % (len(sample), diff))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(spec, f, separators=(",", ":"))
    print("wrote %s (%.0f KB) in %.0fs total" % (a.out, os.path.getsize(a.out) / 1024, time.time() - t0))


if __name__ == "__main__":
    main()
