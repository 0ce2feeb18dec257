"""FollowTheMoney entities (JSON lines), valid under the ``followthemoney`` model, for Aleph/OpenAleph.

* each document -> ``Article`` (title, bodyText, author, publishedAt, sourceUrl, language);
* each global entity -> ``Person`` (PERSON), ``Organization`` (ORG), ``Address`` (GPE, LOC, FAC);
  other types (NORP, LAW, ...) are kept as mentions only;
* each document entity -> ``Mention`` (the name as written, in that document, resolved to the
  entity where the schema allows) and, for mapped entities, ``Documentation`` (entity documented
  by the article, role "mentioned");
* each dated event -> ``Event`` (date or start/end, summary = the sentence, involved = the people
  and organisations, proof = the article).

Ids are stable: derived from the store's document ids and global entity ids.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

from ..store.db import Store

SCHEMA_FOR = {"PERSON": "Person", "ORG": "Organization", "GPE": "Address", "LOC": "Address", "FAC": "Address"}
LEGAL = {"Person", "Organization"}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LANG = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "ru": "rus", "ar": "ara", "it": "ita", "pt": "por"}


def _make(schema: str, *key: object):
    from followthemoney import model

    proxy = model.make_entity(schema)
    proxy.make_id("watchdesk", schema, *key)
    return proxy


def proxies(store: Store) -> Iterator:
    """Every FollowTheMoney entity proxy of the store, documents in store order."""
    entities: dict[str, object] = {}
    for rec in store.export_records():
        article = _make("Article", rec["id"], rec["story"], rec["source"])
        article.add("title", rec["title"] or rec["source"])
        article.add("fileName", Path(rec["source"]).name if rec["source"] not in ("-", "") else None)
        article.add("bodyText", rec["text"])
        article.add("author", rec["byline"])
        if rec["published"] and _DATE.match(rec["published"][:10]):
            article.add("publishedAt", rec["published"][:10])
        article.add("sourceUrl", rec["url"])
        article.add("language", _LANG.get(rec["language"] or "", None))
        yield article
        local: dict[str, object] = {}
        seen: set[tuple] = set()  # two document entities may resolve to one global entity
        for e in rec["entities"]:
            schema = SCHEMA_FOR.get(e["label"])
            thing = None
            if schema:
                thing = entities.get(e["id"])
                if thing is None:
                    thing = _make(schema, e["id"])
                    thing.add("name", e["name"])
                    if schema == "Address":
                        thing.add("full", e["name"])
                    entities[e["id"]] = thing
                for alias in e["aliases"]:
                    if alias != e["name"]:
                        thing.add("alias", alias)
                local[e["id"]] = thing
                if ("doc", e["id"]) not in seen:
                    seen.add(("doc", e["id"]))
                    doc = _make("Documentation", rec["id"], e["id"])
                    doc.add("document", article)
                    doc.add("entity", thing)
                    doc.add("role", "mentioned")
                    yield doc
            for alias in e["aliases"] or [e["name"]]:
                if ("mention", e["id"], alias) in seen:
                    continue
                seen.add(("mention", e["id"], alias))
                mention = _make("Mention", rec["id"], e["id"], alias)
                mention.add("document", article)
                mention.add("name", alias)
                if thing is not None and schema in LEGAL:
                    mention.add("resolved", thing)
                    mention.add("detectedSchema", schema)
                elif schema:
                    mention.add("detectedSchema", schema)
                yield mention
        for ev in rec["events"]:
            if not ev["date"] or not _DATE.match(ev["date"]):
                continue
            event = _make("Event", rec["id"], ev["id"])
            event.add("name", f"{(ev['trigger'] or ev['time'])['text']} ({ev['time']['text']})")
            if ev["date_end"] and _DATE.match(ev["date_end"]) and ev["date_end"] != ev["date"]:
                event.add("startDate", ev["date"])
                event.add("endDate", ev["date_end"])
            else:
                event.add("date", ev["date"])
            event.add("summary", (ev["evidence"] or ev["time"])["text"])
            event.add("proof", article)
            for x in ev["entities"]:
                thing = local.get(x)
                if thing is not None and thing.schema.name in LEGAL:
                    event.add("involved", thing)
                elif thing is not None:
                    event.add("location", thing.first("name"))
            yield event
    yield from entities.values()


def export_ftm(store: Store, sink) -> dict[str, int]:
    """Write one FtM entity per line (``proxy.to_dict()``) to the text stream ``sink``."""
    counts: dict[str, int] = {}
    for proxy in proxies(store):
        sink.write(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        counts[proxy.schema.name] = counts.get(proxy.schema.name, 0) + 1
    return counts
