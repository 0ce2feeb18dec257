#!/usr/bin/env python3
"""Cross-document and cross-script resolution on SlavicNER ru dev, through the real store.

Until ``watchdesk ingest`` reads Russian natively, this replays the path with natasha's own NER
and normal forms as the document-level pass (untuned, a stand-in for the Russian pipeline): each
dev document becomes an ``ExtractedDocument`` (mentions with their nominative ``lemma``; document
entities grouped by normal form, a lone surname joining the one full name in the document that
ends with it; natasha PER/LOC/ORG -> PERSON/GPE/ORG), is stored in a real SQLite store with its
MinHash signature, resolved by ``resolve_pending`` and exported by ``export_records`` (each entity
with ``latin``), then scored with ``ru_score.py`` (last line: F1 LEMMA XDOC XLING XSCRIPT).
With ``--english DIR``, English documents already extracted by ``watchdesk extract --format jsonl``
can be added to the same store (not used for the dev figures).

  python scripts/eval_ru_xdoc.py [--out /tmp/ru_eval.jsonl] [--limit N] [--link-short-forms]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "slavicner_ru" / "dev"
SCORER = SHARED / "eval" / "ru_score.py"
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.resolve.names import is_short_form  # noqa: E402
from watchdesk.resolve.run import resolve_pending  # noqa: E402
from watchdesk.resolve.stories import signature  # noqa: E402
from watchdesk.store.db import Store  # noqa: E402
from watchdesk.types import DocEntity, ExtractedDocument, Mention, Sentence  # noqa: E402

LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


def natasha_parts():
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    emb = NewsEmbedding()
    return Doc, Segmenter(), MorphVocab(), NewsMorphTagger(emb), NewsNERTagger(emb)


def _link_short_forms(groups: dict) -> dict:
    """Within one document, a non-person name that is the acronym or compound abbreviation of
    another non-person name there ("ЕС", "Евросоюз" / "Европейский союз") joins it."""
    longs = [k for k in groups if k[0] != "PERSON" and len(k[1].split()) >= 2]
    out: dict = {}
    for k, items in groups.items():
        target = k
        if k[0] != "PERSON" and len(k[1].split()) == 1:
            hits = [lk for lk in longs if is_short_form(items[0][4], groups[lk][0][4])]
            if len(hits) == 1:
                target = hits[0]
        out.setdefault(target, []).extend(items)
    return {k: sorted(v) for k, v in out.items()}


def group_entities(spans: list[tuple[int, int, str, str, str]],
                   link_short_forms: bool = False) -> tuple[list[Mention], list[DocEntity]]:
    """Document entities from (start, end, text, label, normal form) spans: one per label and
    normal form; a one-word person name joins the single full name of the document ending in it;
    with ``link_short_forms``, short forms join their full name (``_link_short_forms``)."""
    key_of: dict[tuple[str, str], str] = {}
    full_by_last: dict[str, set[str]] = {}
    for _, _, _, label, normal in spans:
        words = normal.split()
        if label == "PERSON" and len(words) >= 2:
            full_by_last.setdefault(words[-1].casefold(), set()).add(normal.casefold())
    groups: dict[tuple[str, str], list] = {}
    for s in spans:
        label, normal = s[3], s[4]
        k = (label, normal.casefold())
        if label == "PERSON" and len(normal.split()) == 1 and len(full_by_last.get(normal.casefold(), ())) == 1:
            k = (label, next(iter(full_by_last[normal.casefold()])))
        groups.setdefault(k, []).append(s)
    if link_short_forms:
        groups = _link_short_forms(groups)
    mentions, entities = [], []
    for i, (k, items) in enumerate(groups.items(), 1):
        local = f"e{i}"
        key_of[k] = local
        normals = [it[4] for it in items]
        name = max(normals, key=lambda n: (len(n.split()), normals.count(n)))
        entities.append(DocEntity(local, name, k[0], list(dict.fromkeys([name, *normals])), len(items)))
        mentions += [Mention(st, en, text, label, local, normal) for st, en, text, label, normal in items]
    mentions.sort(key=lambda m: m.start)
    return mentions, entities


def extract(gold: list[dict], parts, link_short_forms: bool = False) -> list[ExtractedDocument]:
    Doc, segmenter, morph_vocab, morph, ner = parts
    out = []
    for g in gold:
        doc = Doc(g["text"])
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(ner)
        spans = []
        for span in doc.spans:
            span.normalize(morph_vocab)
            spans.append((span.start, span.stop, span.text, LABELS.get(span.type, span.type), span.normal or span.text))
        mentions, entities = group_entities(spans, link_short_forms)
        sentences = [Sentence(s.start, s.stop) for s in doc.sents]
        out.append(ExtractedDocument(id=g["id"], source=g["id"] + ".txt", text=g["text"], language="ru",
                                     raw=g["text"], sentences=sentences, mentions=mentions, entities=entities))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/ru_eval.jsonl")
    ap.add_argument("--db", default=None, help="store path (default: a temporary file)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--link-short-forms", action="store_true",
                    help="document level: acronyms and compound abbreviations join their full name")
    args = ap.parse_args()
    gold = [json.loads(line) for line in (DEV / "gold.jsonl").open(encoding="utf-8")][:args.limit]
    t0 = time.time()
    docs = extract(gold, natasha_parts(), args.link_short_forms)
    t1 = time.time()
    db = args.db or str(Path(tempfile.mkdtemp()) / "ru.db")
    with Store(db) as store:
        for d in docs:
            store.add_document(d, model="natasha", signature=signature(d.text))
        report = resolve_pending(store)
        with open(args.out, "w", encoding="utf-8") as f:
            for rec in store.export_records():
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    t2 = time.time()
    print(f"# docs {len(docs)}  natasha {t1 - t0:.1f}s  store+resolve+export {t2 - t1:.1f}s"
          f"  global entities {report.global_entities}", file=sys.stderr)
    res = subprocess.run([sys.executable, str(SCORER), str(DEV / "gold.jsonl"), args.out], capture_output=True,
                         text=True)
    print(res.stdout)
    if res.returncode:
        print(res.stderr, file=sys.stderr)
    return res.returncode


if __name__ == "__main__":
    sys.exit(main())
