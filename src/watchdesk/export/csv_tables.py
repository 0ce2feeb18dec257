"""CSV tables: documents, entities, mentions, quotes, claims, quantities, relations, events.

Written to a folder (one TABLE.csv each) or, when the target ends in .zip, into one zip file.
Ids as in the JSONL export: ``doc_id`` is the document id, entity ids are global ids
(``Store.export_records``); offsets point into documents.text.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from ..store.db import Store

TABLES: dict[str, list[str]] = {
    "documents": ["doc_id", "source", "title", "byline", "published", "language", "url", "story", "text"],
    "entities": ["entity", "name", "label", "aliases", "documents", "mentions"],
    "mentions": ["doc_id", "start", "end", "text", "label", "entity"],
    "quotes": ["doc_id", "id", "content_start", "content_end", "content", "cue", "speaker", "entity"],
    "claims": ["doc_id", "id", "content_start", "content_end", "content", "cue", "speaker", "entity"],
    "quantities": ["doc_id", "start", "end", "text", "value", "low", "high", "approximate", "qualifier", "unit",
                   "claim"],
    "relations": ["doc_id", "id", "subject", "subject_entity", "relation", "predicate", "object", "object_entity",
                  "evidence_start", "evidence_end", "evidence"],
    "events": ["doc_id", "id", "time", "date", "date_end", "precision", "uncertain", "trigger", "entities",
               "evidence_start", "evidence_end", "evidence"],
}


def _text(span: dict | None) -> str | None:
    return span["text"] if span else None


def rows(store: Store):
    """(table, row dict) for every row of every table, documents in store order."""
    entities: dict[str, dict] = {}
    for rec in store.export_records():
        doc_id = rec["id"]
        yield "documents", {"doc_id": doc_id, "source": rec["source"], "title": rec["title"],
                            "byline": "; ".join(rec["byline"]), "published": rec["published"],
                            "language": rec["language"], "url": rec["url"], "story": rec["story"],
                            "text": rec["text"]}
        for e in rec["entities"]:
            agg = entities.setdefault(e["id"], {"entity": e["id"], "name": e["name"], "label": e["label"],
                                                "aliases": [], "documents": 0, "mentions": 0})
            agg["documents"] += 1
            agg["mentions"] += e["mentions"]
            agg["aliases"] += [a for a in e["aliases"] if a not in agg["aliases"]]
        for m in rec["mentions"]:
            yield "mentions", {"doc_id": doc_id, **{k: m[k] for k in ("start", "end", "text", "label", "entity")}}
        for table in ("quotes", "claims"):
            for a in rec[table]:
                yield table, {"doc_id": doc_id, "id": a["id"], "content_start": a["content"]["start"],
                              "content_end": a["content"]["end"], "content": a["content"]["text"],
                              "cue": _text(a["cue"]), "speaker": _text(a["speaker"]), "entity": a["entity"]}
        for q in rec["quantities"]:
            yield "quantities", {"doc_id": doc_id, **{k: q[k] for k in TABLES["quantities"][1:]}}
        for r in rec["relations"]:
            yield "relations", {"doc_id": doc_id, "id": r["id"], "subject": r["subject"]["text"],
                                "subject_entity": r["subject_entity"], "relation": r["relation"],
                                "predicate": r["predicate"]["text"], "object": r["object"]["text"],
                                "object_entity": r["object_entity"], "evidence_start": r["evidence"]["start"],
                                "evidence_end": r["evidence"]["end"], "evidence": r["evidence"]["text"]}
        for ev in rec["events"]:
            evidence = ev["evidence"] or ev["time"]
            yield "events", {"doc_id": doc_id, "id": ev["id"], "time": ev["time"]["text"], "date": ev["date"],
                             "date_end": ev["date_end"], "precision": ev["precision"], "uncertain": ev["uncertain"],
                             "trigger": _text(ev["trigger"]), "entities": json.dumps(ev["entities"]),
                             "evidence_start": evidence["start"], "evidence_end": evidence["end"],
                             "evidence": evidence["text"]}
    for e in entities.values():
        yield "entities", {**e, "aliases": json.dumps(e["aliases"], ensure_ascii=False)}


def export_csv(store: Store, target: str | Path) -> dict[str, int]:
    """Write the tables to ``target`` (a folder, or a .zip file); return rows written per table."""
    target = Path(target)
    counts = {t: 0 for t in TABLES}
    buffers = {t: io.StringIO() for t in TABLES} if target.suffix.lower() == ".zip" else None
    files = {}
    if buffers is None:
        target.mkdir(parents=True, exist_ok=True)
        files = {t: open(target / f"{t}.csv", "w", encoding="utf-8", newline="") for t in TABLES}
    sinks = buffers if buffers is not None else files
    try:
        writers = {t: csv.DictWriter(sinks[t], fieldnames=cols, extrasaction="raise") for t, cols in TABLES.items()}
        for w in writers.values():
            w.writeheader()
        for table, row in rows(store):
            writers[table].writerow({k: ("" if v is None else v) for k, v in row.items()})
            counts[table] += 1
    finally:
        for f in files.values():
            f.close()
    if buffers is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for t, buf in buffers.items():
                z.writestr(f"{t}.csv", buf.getvalue())
    return counts
