#!/usr/bin/env python3
"""Train the flattened-text cleaner's line classifier and report grouped cross-validation.

    .venv/bin/python scripts/train_cleaner.py [--data ../shared/data/clean/dev] [--folds 5]
        [--seed 13] [--out src/watchdesk/data/cleaner_model.json] [--no-cv] [--jobs 2]
        [--cv-out DIR] [--fold-models DIR] [--aug-gold 1] [--aug-self 0] [--aug-weight 0.5] [--subset N]

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
4. Clean-input augmentation (idempotency: ``clean_text(clean_text(x).text) == clean_text(x)``).
   A model trained only on raw pages has never seen an already-clean article, so on its own
   output borderline lines flip. Each training page therefore also contributes, as extra pages
   whose non-empty lines are ALL positive: (a) its gold article (``--aug-gold``, default on),
   and optionally (b) the cleaner's own output of the page (``--aug-self 1``, off by default:
   it doubles training time and cost in-sample precision in a trial), made by a first-stage
   model trained on the same training pages only (in CV: the fold's training pages, so nothing
   of a held-out page or its site is seen). An augmented page belongs to its source page's
   site group and fold, never crossing a split. Each augmented page weighs ``--aug-weight``
   (default 0.5) of a raw page. The page-wide debris features (``features.PAGE_NAMES``:
   repeats, interface/bullet/short-line fractions) let the trees tell a raw page from a clean
   one, so raw pages keep being cleaned as before.
5. The final model is trained on all pages and written as JSON (numpy inference at runtime).
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


def _page_xy(text: str):
    """Features of an already-clean text taken as a page, every line with words positive."""
    lines = split_lines(repair_text(text))
    X = line_features(lines)
    ntok = np.array([len(TOK.findall(ln.text.lower())) for ln in lines], dtype=np.float64)
    return X, (ntok > 0).astype(np.int64), ntok


def _aug_gold_job(args):
    doc_id, data = args
    return _page_xy(read(Path(data) / "gold" / (doc_id + ".txt")))


def _aug_self_job(args):
    """The cleaner's own output of each page (with a first-stage model), as augmented pages."""
    spec, paths = args
    model = LineModel(spec)
    return [_page_xy(clean_text(read(Path(p)), model=model).text) for p in paths]


def _weights(ntok, total=1.0):
    wt = np.minimum(np.maximum(ntok, 1.0), 200.0)
    return wt * (total / wt.sum()) if wt.sum() else wt


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


def fit_augmented(X, y, w, doc, tr_docs, aug_gold, a, data, ids):
    """Fit on the raw pages ``tr_docs`` plus their clean-input augmentation (module docstring, 4)."""
    tr = np.isin(doc, tr_docs)
    Xs, ys, ws = [X[tr]], [y[tr]], [w[tr]]
    if aug_gold is not None:
        for d in tr_docs:
            Xa, ya, na = aug_gold[d]
            if len(ya):
                Xs.append(Xa), ys.append(ya), ws.append(_weights(na, a.aug_weight))
    if a.aug_self:
        spec1 = export_hgb(fit(X[tr], y[tr], w[tr], a.seed))
        chunks = [(spec1, [str(data / "input" / (ids[d] + ".txt")) for d in tr_docs[r::a.jobs]])
                  for r in range(a.jobs)]
        with ProcessPoolExecutor(a.jobs) as ex:
            for part in ex.map(_aug_self_job, chunks):
                for Xa, ya, na in part:
                    if len(ya):
                        Xs.append(Xa), ys.append(ya), ws.append(_weights(na, a.aug_weight))
    return fit(np.vstack(Xs), np.concatenate(ys), np.concatenate(ws), a.seed)


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
    ap.add_argument("--aug-gold", type=int, default=1, help="1: add each gold article as an all-positive page")
    ap.add_argument("--aug-self", type=int, default=0,
                    help="1: add the cleaner's own output of each page (first-stage model) as an all-positive page")
    ap.add_argument("--aug-weight", type=float, default=0.5, help="weight of an augmented page (raw page = 1)")
    ap.add_argument("--subset", type=int, default=1, help="use every Nth page (quick experiments)")
    a = ap.parse_args(argv)
    data = Path(a.data)
    t0 = time.time()
    ids = sorted(f[:-4] for f in os.listdir(data / "input") if f.endswith(".txt"))[:: a.subset]
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
    aug_gold = None
    if a.aug_gold:
        with ProcessPoolExecutor(a.jobs) as ex:
            aug_gold = list(ex.map(_aug_gold_job, [(i, str(data)) for i in ids], chunksize=8))
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
            clf = fit_augmented(X, y, w, doc, tr_docs, aug_gold, a, data, ids)
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
        gold_dir = data / "gold"
        if a.subset > 1:  # score only the pages used
            gold_dir = Path(tempfile.mkdtemp(prefix="cleaner_gold_"))
            for i in ids:
                (gold_dir / (i + ".txt")).write_bytes((data / "gold" / (i + ".txt")).read_bytes())
        report = score_dir(gold_dir, pred_dir)
        print("\n=== grouped %d-fold CV (%d site groups), predictions in %s ===" % (a.folds, len(sizes), pred_dir))
        print(report)

    clf = fit_augmented(X, y, w, doc, np.arange(len(ids)), aug_gold, a, data, ids)
    spec = export_hgb(clf)
    spec["trained_on"] = "%s (%d pages, %d lines)" % (data, len(ids), len(y))
    spec["params"] = PARAMS
    spec["augmentation"] = {"gold": a.aug_gold, "self": a.aug_self, "weight": a.aug_weight}
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
