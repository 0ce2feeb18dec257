"""The shipped line classifier: a small gradient-boosted tree ensemble stored as JSON.

Inference is numpy only (no scikit-learn at runtime): every tree is a set of flat arrays
(feature, threshold, left, right, value) and all lines of a page descend a tree together.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from .features import feature_names

MODEL_RESOURCE = "cleaner_model.json"


class LineModel:
    """A binary classifier over line feature vectors (gradient-boosted trees, log-odds sum)."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.features: list[str] = spec["features"]
        self.threshold: float = float(spec.get("threshold", 0.5))
        self.baseline: float = float(spec["baseline"])
        # All trees flattened into one node table; tree k's root is at roots[k].
        feat, thr, left, right, value, nan_left, roots = [], [], [], [], [], [], []
        for t in spec["trees"]:
            off = len(feat)
            roots.append(off)
            feat += t["f"]
            thr += t["t"]
            left += [c + off if c >= 0 else -1 for c in t["l"]]
            right += [c + off if c >= 0 else -1 for c in t["r"]]
            value += t["v"]
            nan_left += t.get("m", [1] * len(t["f"]))
        self.feat = np.asarray(feat, dtype=np.int64)
        self.thr = np.asarray(thr, dtype=np.float64)
        self.leaf = np.asarray(left, dtype=np.int64) < 0
        idx = np.arange(len(feat))
        # leaves point to themselves, so extra descent steps are no-ops
        self.left = np.where(self.leaf, idx, np.asarray(left, dtype=np.int64))
        self.right = np.where(self.leaf, idx, np.asarray(right, dtype=np.int64))
        self.value = np.asarray(value, dtype=np.float64)
        self.nan_left = np.asarray(nan_left, dtype=bool)
        self.roots = np.asarray(roots, dtype=np.int64)
        self.safe_feat = np.maximum(self.feat, 0)
        self.depth = int(spec.get("max_depth", 32))
        names = feature_names()
        if names != self.features:
            # Feature layout changed since training: map by name (missing ones become NaN).
            pos = {n: i for i, n in enumerate(names)}
            self._cols = [pos.get(n, -1) for n in self.features]
        else:
            self._cols = None

    def _arrange(self, X: np.ndarray) -> np.ndarray:
        if self._cols is None:
            return X
        out = np.full((X.shape[0], len(self._cols)), np.nan)
        for j, c in enumerate(self._cols):
            if c >= 0:
                out[:, j] = X[:, c]
        return out

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Raw log-odds for each row of ``X``."""
        X = self._arrange(np.asarray(X, dtype=np.float64))
        n = X.shape[0]
        if n == 0 or len(self.roots) == 0:
            return np.full(n, self.baseline)
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            x = X[rows, self.safe_feat[node]]
            nan = np.isnan(x)
            go_left = np.where(nan, self.nan_left[node], x <= self.thr[node])
            node = np.where(go_left, self.left[node], self.right[node])
        return self.baseline + self.value[node].sum(axis=1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability that each line belongs to the article."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))


def load_model(path: str | Path | None = None) -> LineModel | None:
    """Load a model from ``path`` or the packaged ``cleaner_model.json`` (None if absent)."""
    if path is not None:
        with open(path, encoding="utf-8") as f:
            return LineModel(json.load(f))
    return _packaged()


@lru_cache(maxsize=1)
def _packaged() -> LineModel | None:
    p = Path(__file__).resolve().parents[1] / "data" / MODEL_RESOURCE
    if not p.is_file():
        return None
    with open(p, encoding="utf-8") as f:
        return LineModel(json.load(f))
