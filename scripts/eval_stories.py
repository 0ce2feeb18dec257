#!/usr/bin/env python3
"""Precision/recall of story (near-duplicate) detection on copies built from real BBC articles.

From ../shared/data/bbc (2,225 articles, 5 topics) we take every article as it is, and for a
deterministic sample of originals we add copies of three kinds:
  rescrape  the article flattened again with different page debris (menus, share buttons,
            other articles' headlines as "related" links), then run through our cleaner
  truncated the first 40-70% of its paragraphs (a teaser, a cut-off scrape)
  edited    light edits: a few words replaced, one paragraph dropped, a date changed
Every document goes into a real Watchdesk store (SQLite, LSH bands, story assignment as in
`ingest`). True pairs: an original with each of its copies and the copies among themselves.
Negatives: every other pair, including unrelated articles of the same topic. The corpus itself
holds updated versions of some stories (e.g. two versions of one takeover report); pairs whose
originals overlap that much (exact shingle Jaccard >= 0.5 or containment >= 0.8) are neither
true nor false here: they are left out of P/R and counted separately.

Usage: python scripts/eval_stories.py [--originals 300] [--seed 7]
"""
from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.clean import clean_text  # noqa: E402
from watchdesk.resolve.stories import shingles, signature  # noqa: E402
from watchdesk.store.db import Store  # noqa: E402
from watchdesk.types import ExtractedDocument  # noqa: E402

BBC = ROOT.parent / "shared" / "data" / "bbc"
INTERFACE = ["Home", "News", "Sport", "Weather", "Share this page", "Email", "Facebook", "Twitter",
             "Print", "Related stories", "Most read", "Top stories", "Skip to content", "Sign in",
             "Advertisement", "Subscribe to our newsletter", "Comments (12)", "Read more"]


def load_bbc() -> list[tuple[str, str, str]]:
    docs = []
    for topic in sorted(p.name for p in BBC.iterdir() if p.is_dir()):
        for path in sorted((BBC / topic).glob("*.txt")):
            text = path.read_bytes().decode("utf-8", "replace")
            docs.append((f"{topic}/{path.stem}", topic, text))
    return docs


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def rescrape(text: str, headlines: list[str], rng: random.Random) -> str:
    top = rng.sample(INTERFACE, 6) + [f"  • {h}" for h in rng.sample(headlines, 3)]
    bottom = ["Related stories"] + [f"  • {h}" for h in rng.sample(headlines, 4)] + rng.sample(INTERFACE, 5)
    body = "\n\n".join(paragraphs(text))
    return clean_text("\n".join(top) + "\n\n" + body + "\n\n" + "\n".join(bottom)).text


def truncated(text: str, rng: random.Random) -> str:
    paras = paragraphs(text)
    keep = max(2, round(len(paras) * rng.uniform(0.4, 0.7)))
    return "\n\n".join(paras[:keep])


def edited(text: str, rng: random.Random) -> str:
    paras = paragraphs(text)
    if len(paras) > 4:
        del paras[rng.randrange(1, len(paras))]
    words = "\n\n".join(paras).split(" ")
    for _ in range(max(3, len(words) // 40)):
        words[rng.randrange(len(words))] = rng.choice(["said", "reported", "new", "major", "officials"])
    return " ".join(words).replace("Monday", "Tuesday")


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--originals", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not BBC.is_dir():
        sys.exit(f"{BBC} not found")
    rng = random.Random(args.seed)
    bbc = load_bbc()
    headlines = [paragraphs(t)[0] for _, _, t in bbc]
    chosen = rng.sample(range(len(bbc)), args.originals)

    items: list[tuple[str, str, str, str]] = []  # (doc id, group, kind, text)
    for key, topic, text in bbc:
        items.append((key, key, "original", text))
    for index in chosen:
        key, topic, text = bbc[index]
        items.append((key + "#rescrape", key, "rescrape", rescrape(text, headlines, rng)))
        items.append((key + "#truncated", key, "truncated", truncated(text, rng)))
        items.append((key + "#edited", key, "edited", edited(text, rng)))

    # Versions of one story that the corpus already holds (exact overlap, computed on all pairs).
    sets = [(key, shingles(text)) for key, _, text in bbc]
    corpus_versions: set[tuple[str, str]] = set()
    for (ka, sa), (kb, sb) in itertools.combinations(sets, 2):
        if sa and sb:
            inter = len(sa & sb)
            if inter / len(sa | sb) >= 0.5 or inter / min(len(sa), len(sb)) >= 0.8:
                corpus_versions.add((ka, kb))
    group = {it[0]: it[1] for it in items}

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "stories.db") as store:
        story_of: dict[str, int] = {}
        for doc_key, _, kind, text in items:
            doc = ExtractedDocument(id=doc_key, source=doc_key, text=text, raw=doc_key + "\n" + text)
            row = store.add_document(doc, signature=signature(text))
            story_of[doc_key] = store.conn.execute("SELECT story_id FROM documents WHERE id = ?",
                                                   (row,)).fetchone()[0]
    elapsed = time.perf_counter() - started

    kind_of = {it[0]: it[2] for it in items}
    predicted = defaultdict(list)
    for key, story in story_of.items():
        predicted[story].append(key)
    gold = defaultdict(list)
    for key, g in group.items():
        gold[g].append(key)

    def pairs(clusters) -> set[tuple[str, str]]:
        return {tuple(sorted(p)) for members in clusters.values() for p in itertools.combinations(members, 2)}

    pred_pairs, gold_pairs = pairs(predicted), pairs(gold)
    ambiguous = {pr for pr in pred_pairs if tuple(sorted((group[pr[0]], group[pr[1]]))) in corpus_versions}
    pred_pairs -= ambiguous
    tp = len(pred_pairs & gold_pairs)
    p = tp / len(pred_pairs) if pred_pairs else 1.0
    r = tp / len(gold_pairs) if gold_pairs else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"documents {len(items)} ({len(bbc)} BBC originals, {3 * len(chosen)} constructed copies)")
    print(f"versions of one story already in the corpus: {len(corpus_versions)} pairs of originals; "
          f"pairs we cluster among them (left out of P/R): {len(ambiguous)}")
    print(f"indexing + story assignment: {elapsed:.1f}s ({len(items) / elapsed:.0f} docs/s)")
    print(f"pairs: gold {len(gold_pairs)}, predicted {len(pred_pairs)}, correct {tp}")
    for kind in ("rescrape", "truncated", "edited"):
        kind_gold = {pr for pr in gold_pairs if kind in (kind_of[pr[0]], kind_of[pr[1]])
                     and "original" in (kind_of[pr[0]], kind_of[pr[1]])}
        found = len(kind_gold & pred_pairs)
        print(f"  recall original<->{kind:9s} {found / len(kind_gold):.4f} ({found}/{len(kind_gold)})")
    false = sorted(pred_pairs - gold_pairs)
    same_topic = sum(1 for a, b in false if a.split("/")[0] == b.split("/")[0])
    print(f"false pairs: {len(false)} ({same_topic} within one topic)")
    for a, b in false[:5]:
        print(f"  e.g. {a} ~ {b}: exact Jaccard "
              f"{exact_jaccard(dict((i[0], i[3]) for i in items)[a], dict((i[0], i[3]) for i in items)[b]):.2f}")
    print(f"P {p:.4f} R {r:.4f} F1 {f:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
