"""Relations from 10 BBC articles, for judging precision by hand.

Picks 10 articles deterministically (the 7th and 37th file of each of the 5 BBC categories,
by sorted name), extracts relations with the real model and writes ``scripts/relations_sample.md``:
one table row per relation. Judgements (``ok`` / ``no`` / ``?``) already written in that file are
kept when the rows are regenerated (matched on article, subject, relation and object), and the
count judged correct is printed.

    .venv/bin/python scripts/sample_relations.py [--shared ../shared] [--out scripts/relations_sample.md]
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.extract.attribution import find_attributions  # noqa: E402
from watchdesk.extract.entities import find_entities  # noqa: E402
from watchdesk.extract.events import find_events  # noqa: E402
from watchdesk.extract.nlp import load_nlp  # noqa: E402
from watchdesk.extract.relations import find_relations  # noqa: E402
from watchdesk.pipeline import prepare_document  # noqa: E402
from watchdesk.read.readers import read_inputs  # noqa: E402

PICK = (6, 36)  # 0-based positions in each category's sorted file list
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")


def pick(bbc: Path) -> list[Path]:
    out = []
    for cat in CATEGORIES:
        files = sorted((bbc / cat).glob("*.txt"))
        out += [files[i] for i in PICK if i < len(files)]
    return out


def _cell(s: str) -> str:
    return " ".join(s.split()).replace("|", "\\|")


def old_judgements(path: Path) -> dict[tuple, tuple[str, str]]:
    out = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 8 and cells[0] not in ("#", "---") and cells[0].isdigit():
            _, art, subj, rel, obj, _evidence, judge, note = cells
            out[(art, subj, rel, obj)] = (judge, note)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "scripts" / "relations_sample.md")
    args = ap.parse_args()
    bbc = args.shared / "data" / "bbc"
    if not bbc.is_dir():
        print(f"no BBC data at {bbc}", file=sys.stderr)
        return 1
    nlp = load_nlp()
    judged = old_judgements(args.out)
    rows, t_rel, t_ev, n_ev = [], 0.0, 0.0, 0
    files = pick(bbc)
    for path in files:
        raw = next(iter(read_inputs([str(path)])))
        d = prepare_document(raw)
        doc = nlp(d.text)
        mentions, entities = find_entities(doc)
        quotes, _, _ = find_attributions(doc, mentions, entities)
        names = {e.id: e.name for e in entities}
        t0 = time.perf_counter()
        rels = find_relations(doc, mentions, entities, quotes=quotes)
        t1 = time.perf_counter()
        evs = find_events(doc, mentions, entities, d.published, quotes=quotes)
        t2 = time.perf_counter()
        t_rel += t1 - t0
        t_ev += t2 - t1
        n_ev += len(evs)
        art = f"{path.parent.name}/{path.name}"
        for r in rels:
            subj = r.subject.text + (f" [{names[r.subject_entity]}]" if r.subject_entity else "")
            obj = r.object.text + (f" [{names[r.object_entity]}]" if r.object_entity else "")
            key = (art, _cell(subj), _cell(r.relation), _cell(obj))
            judge, note = judged.get(key, ("", ""))
            rows.append((art, subj, r.relation, obj, r.evidence.text, judge, note))
    ok = sum(r[5] == "ok" for r in rows)
    done = sum(r[5] in ("ok", "no") for r in rows)
    lines = [
        "# Relations on 10 BBC articles, judged by hand",
        "",
        "Produced by `scripts/sample_relations.py` (articles: the 7th and 37th file of each BBC",
        "category by sorted name; real model). Judgement: `ok` = the text states this relation",
        "between these arguments (entity links included); `no` = wrong relation, wrong argument or",
        "wrong entity link. Re-running the script keeps the judgements of unchanged rows.",
        "",
        f"Articles: {', '.join(f'{p.parent.name}/{p.name}' for p in files)}",
        "",
        f"**{ok} of {done} judged correct** ({len(rows)} relations extracted; "
        f"{n_ev} events). Time per article: relations {1000 * t_rel / len(files):.1f} ms, "
        f"events {1000 * t_ev / len(files):.1f} ms.",
        "",
        "| # | article | subject [entity] | relation | object [entity] | evidence | judgement | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i, (art, subj, rel, obj, ev, judge, note) in enumerate(rows, 1):
        lines.append(f"| {i} | {art} | {_cell(subj)} | {_cell(rel)} | {_cell(obj)} | "
                     f"{_cell(ev)} | {judge} | {_cell(note)} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} relations from {len(files)} articles; {ok}/{done} judged correct; "
          f"relations {1000 * t_rel / len(files):.1f} ms/article, "
          f"events {1000 * t_ev / len(files):.1f} ms/article -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
