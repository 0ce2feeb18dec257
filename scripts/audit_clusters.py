#!/usr/bin/env python3
"""Precision proxy for cross-document resolution on a store without gold: conflated clusters.

    python scripts/audit_clusters.py --db desk.db [--top 15] [--json]

A global entity should carry one name *family*: its multi-word names (two core tokens or more,
titles and particles removed) should all be forms of one another. Two multi-word names are of
one family when ``names.compare`` finds strong evidence between them (exact, spelling variant,
compatible full person name, acronym) or when one contains the other's tokens; families are the
connected components of that relation. A global entity with two families or more ("Gordon Brown"
and "Lord Byron", "Deutsche Bank" and "David Bloom") is counted as conflated. One-word names
(surnames, acronyms) are not judged: they are the ambiguous forms that resolution must place.

This is a proxy: a legitimate entity with unrelated multi-word names ("Abu Mazen" = "Mahmoud
Abbas", an alias an article states) counts as conflated too, so read the top list.
Prints the share of global entities (with 2+ documents) and of mentions in conflated ones, and
the largest offenders.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from watchdesk.resolve.names import compare, name_form  # noqa: E402

STRONG = {"exact", "variant", "fullname", "acronym"}


def families(names: list[str], person: bool) -> list[list[str]]:
    """Connected components of the multi-word names under strong name evidence."""
    multi = sorted({n for n in names if len(name_form(n).core) >= 2})
    parent = {n: n for n in multi}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for i, a in enumerate(multi):
        ta = set(name_form(a).core)
        for b in multi[i + 1:]:
            tb = set(name_form(b).core)
            if ta <= tb or tb <= ta or compare(a, b, person).kind in STRONG:
                parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for n in multi:
        groups.setdefault(root(n), []).append(n)
    return sorted(groups.values(), key=len, reverse=True)


def audit(db: Path, top: int) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("SELECT id, name, label, aliases, documents, mentions FROM global_entities"
                        " WHERE documents >= 2").fetchall()
    total_mentions = conn.execute("SELECT sum(mentions) FROM global_entities").fetchone()[0] or 0
    conflated = []
    for gid, name, label, aliases, documents, mentions in rows:
        fams = families(json.loads(aliases), label == "PERSON")
        if len(fams) >= 2:
            conflated.append({"id": gid, "name": name, "label": label, "documents": documents,
                              "mentions": mentions, "families": len(fams),
                              "examples": [f[0] for f in fams[:6]]})
    conflated.sort(key=lambda c: -c["mentions"])
    bad_mentions = sum(c["mentions"] for c in conflated)
    return {"db": str(db), "global_entities_2plus_docs": len(rows), "conflated": len(conflated),
            "conflated_share": round(len(conflated) / max(len(rows), 1), 4),
            "mentions_in_conflated_share": round(bad_mentions / max(total_mentions, 1), 4),
            "top": conflated[:top]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = audit(args.db, args.top)
    if args.json:
        print(json.dumps(out))
        return
    for c in out["top"]:
        print(f"{c['id']:>8} {c['label']:<7} {c['mentions']:>5} mentions, {c['families']} families: "
              + " | ".join(c["examples"]))
    print(f"conflated global entities: {out['conflated']} of {out['global_entities_2plus_docs']} with 2+ documents "
          f"({100 * out['conflated_share']:.1f}%); mentions in them: {100 * out['mentions_in_conflated_share']:.1f}%")


if __name__ == "__main__":
    main()
