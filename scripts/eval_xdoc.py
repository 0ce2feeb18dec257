#!/usr/bin/env python3
"""Cross-document entity resolution on ECB+ dev (topics 1-35), proper-noun view.

An in-memory replica of the product path (``watchdesk ingest DEV/docs --no-clean`` + ``export``):
reads the dev documents as ``read_inputs`` does (sorted file names, duplicates skipped), parses
them with the real spaCy pipeline (the parsed DocBin is cached under /tmp, keyed by the model,
its components and the texts), runs ``find_entities`` + compound splitting + proper-noun
mentions + ``find_aliases`` per document, and resolves them with one incremental ``Resolver``
exactly as ``resolve_pending`` does (doc keys = store row ids, entities as the store returns
them, context ``{"story": story id}`` from MinHash copy detection); then writes the prediction
JSONL and prints the scorer's output (``xdoc_score.py``; last line ``CoNLL-F1 <value>``).

  python scripts/eval_xdoc.py                       # the resolver
  python scripts/eval_xdoc.py --system exact        # baseline: exact lower-cased name match
  python scripts/eval_xdoc.py --system surname      # baseline + PERSON surname match
  python scripts/eval_xdoc.py --threshold 0.8 --no-propn --no-aliases   # ablations
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "ecbplus" / "dev"
SCORER = SHARED / "eval" / "xdoc_score.py"
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.extract.aliases import find_aliases  # noqa: E402
from watchdesk.extract.entities import find_entities  # noqa: E402
from watchdesk.extract.nlp import DEFAULT_MODEL, load_nlp  # noqa: E402
from watchdesk.resolve.propn import add_propn_mentions, split_compound_mentions  # noqa: E402


def load_docs(gold_path: Path):
    """The documents as ``watchdesk ingest DIR --no-clean`` stores them: read in sorted file order
    (``read_inputs``), duplicates of stored content skipped; each with its store row id (the doc
    key the resolver sees) and its story id (MinHash copy detection, as ``Store._attach_story``)."""
    from watchdesk.read.readers import read_inputs
    from watchdesk.resolve.stories import band_keys, is_copy, jaccard, signature
    from watchdesk.store.db import content_hash
    from watchdesk.types import RawDocument

    ids, texts, keys, stories = [], [], [], []
    seen: set[str] = set()
    bands: dict[int, list[int]] = {}
    sigs: dict[int, object] = {}
    story_of: dict[int, int] = {}
    for item in read_inputs([str(DEV / "docs")]):
        if not isinstance(item, RawDocument) or not item.raw.strip():
            continue
        digest = content_hash(item.raw)
        if digest in seen:
            continue
        seen.add(digest)
        row = len(ids) + 1
        sig = signature(item.raw)
        kk = band_keys(sig)
        best, best_score = row, -1.0
        for other in sorted({d for k in kk for d in bands.get(k, ())}):
            if is_copy(sig, sigs[other]):
                sc = jaccard(sig, sigs[other])
                if sc > best_score:
                    best, best_score = story_of[other], sc
        sig.lead = None  # stored signatures carry no lead MinHash
        sigs[row], story_of[row] = sig, best
        for k in set(kk):
            bands.setdefault(k, []).append(row)
        ids.append(item.id)
        texts.append(item.raw)
        keys.append(str(row))
        stories.append(str(best))
    return ids, texts, keys, stories


def parse_cached(texts: list[str], model: str):
    """spaCy Docs for ``texts``, from a DocBin cache in /tmp when the texts, model and pipe match."""
    from spacy.tokens import DocBin

    nlp = load_nlp(model)
    h = hashlib.sha1((model + "\0" + ",".join(nlp.pipe_names) + "\0" + "\0".join(texts)).encode("utf-8")
                     ).hexdigest()[:16]
    cache = Path("/tmp") / f"watchdesk_ecbplus_dev_{h}.spacy"
    if cache.exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    db = DocBin(store_user_data=False)
    docs = []
    for d in nlp.pipe(texts, batch_size=32):
        db.add(d)
        docs.append(d)
    db.to_disk(cache)
    return docs


def stored_entities(entities):
    """Document entities as the store returns them (aliases de-duplicated, sorted, name first)."""
    from watchdesk.types import DocEntity

    out = []
    for e in entities:
        aliases = sorted(set(e.aliases or [e.name]))
        aliases.sort(key=lambda a: a != e.name)
        out.append(DocEntity(e.id, e.name, e.label, aliases, e.mentions))
    return out


def spacy_mentions(doc):
    """spaCy's own named-entity spans as mentions (for the baselines), one entity each."""
    from watchdesk.extract.entities import NAMED_LABELS
    from watchdesk.types import DocEntity, Mention

    mentions, entities = [], []
    for i, ent in enumerate(e for e in doc.ents if e.label_ in NAMED_LABELS):
        eid = f"e{i + 1}"
        mentions.append(Mention(ent.start_char, ent.end_char, ent.text, ent.label_, eid))
        entities.append(DocEntity(eid, ent.text, ent.label_, [ent.text], 1))
    return mentions, entities


def extract_all(docs, propn: bool = True, aliases: bool = True, raw_spacy: bool = False):
    out = []
    for doc in docs:
        if raw_spacy:
            out.append(spacy_mentions(doc))
            continue
        mentions, entities = find_entities(doc)
        if propn:
            mentions, entities = split_compound_mentions(doc, mentions, entities)
            mentions, entities = add_propn_mentions(doc, mentions, entities)
        if aliases:
            r = find_aliases(doc.text, mentions, entities)
            mentions, entities = r.mentions, r.entities
        out.append((mentions, entities))
    return out


def predict_exact(ids, extracted, surname: bool):
    """Baselines: a mention's global id is its lower-cased text; with ``surname``, a one-word
    PERSON mention takes the id of the document's (else the collection's first) full name
    ending in that word."""
    preds = []
    full_by_surname: dict[str, str] = {}
    if surname:
        for mentions, _ in extracted:
            for m in mentions:
                ws = m.text.split()
                if m.label == "PERSON" and len(ws) >= 2:
                    full_by_surname.setdefault(ws[-1].lower(), m.text.lower())
    for did, (mentions, _) in zip(ids, extracted):
        local = {}
        if surname:
            for m in mentions:
                ws = m.text.split()
                if m.label == "PERSON" and len(ws) >= 2:
                    local.setdefault(ws[-1].lower(), m.text.lower())
        ms = []
        for m in mentions:
            gid = m.text.lower()
            if surname and m.label == "PERSON" and " " not in m.text:
                gid = local.get(gid) or full_by_surname.get(gid) or gid
            ms.append({"start": m.start, "end": m.end, "label": m.label, "entity": gid})
        preds.append((did, ms))
    return preds


def predict_resolver(ids, extracted, keys=None, stories=None, **params):
    """Resolve like ``resolve_pending``: doc keys = store row ids, context {"story": story id}."""
    from watchdesk.resolve.entities import Resolver

    keys = keys or ids
    res = Resolver(**params)
    for i, (key, (mentions, entities)) in enumerate(zip(keys, extracted)):
        res.add_document(key, stored_entities(entities), {"story": stories[i]} if stories else None)
    out = []
    for did, key, (mentions, _) in zip(ids, keys, extracted):
        ms = []
        for m in mentions:
            gid = res.global_id(key, m.entity) if m.entity else None
            ms.append({"start": m.start, "end": m.end, "label": m.label,
                       "entity": gid if gid is not None else f"{key}#{m.entity}"})
        out.append((did, ms))
    return out, res


def write_pred(path: Path, ids, texts, preds):
    with path.open("w", encoding="utf-8") as f:
        for (did, ms), text in zip(preds, texts):
            f.write(json.dumps({"id": did, "text": text, "mentions": ms}) + "\n")


def score(gold: Path, pred: Path, extra: list[str] = ()) -> str:
    r = subprocess.run([sys.executable, str(SCORER), str(gold), str(pred), *extra],
                       capture_output=True, text=True)
    return r.stdout + r.stderr


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=DEV / "gold_propn.jsonl")
    ap.add_argument("--system", choices=["resolver", "exact", "surname"], default="resolver")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", type=Path, default=Path("/tmp/watchdesk_xdoc_pred.jsonl"))
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--group-link", type=float, default=None)
    ap.add_argument("--no-propn", action="store_true")
    ap.add_argument("--no-aliases", action="store_true")
    ap.add_argument("--raw-spacy", action="store_true",
                    help="mentions are spaCy's doc.ents as they are (the baselines' setting)")
    ap.add_argument("--sweep", action="store_true", help="score a range of thresholds")
    ap.add_argument("--scorer-args", default="", help="extra arguments for xdoc_score.py")
    args = ap.parse_args(argv)
    if not SCORER.exists():
        print(f"{SCORER} not found (../shared is absent)", file=sys.stderr)
        return 2
    t0 = time.time()
    ids, texts, keys, stories = load_docs(args.gold)
    docs = parse_cached(texts, args.model)
    t1 = time.time()
    extracted = extract_all(docs, propn=not args.no_propn, aliases=not args.no_aliases,
                            raw_spacy=args.raw_spacy)
    t2 = time.time()
    extra = args.scorer_args.split()
    if args.system != "resolver":
        preds = predict_exact(ids, extracted, surname=args.system == "surname")
        write_pred(args.out, ids, texts, preds)
        print(score(args.gold, args.out, extra), end="")
        return 0
    thresholds = [args.threshold] if args.threshold is not None else [None]
    if args.sweep:
        thresholds = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
    for th in thresholds:
        params = {} if th is None else {"threshold": th}
        if args.group_link is not None:
            params["group_link"] = args.group_link
        preds, res = predict_resolver(ids, extracted, keys, stories, **params)
        write_pred(args.out, ids, texts, preds)
        out = score(args.gold, args.out, extra)
        if args.sweep:
            print(f"threshold {th}: {out.strip().splitlines()[-1]}")
        else:
            print(out, end="")
    t3 = time.time()
    print(f"# docs {len(ids)}  parse {t1 - t0:.1f}s  extract {t2 - t1:.1f}s  resolve+score "
          f"{t3 - t2:.1f}s  global entities {len(res.clusters)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
