"""Small pieces the desk's queries share: snippet markers, filters, sentence anchors, copy order."""
from __future__ import annotations

import bisect
import re

from .db import Store


# Private-use characters mark the highlighted terms of a snippet; the web layer escapes the
# snippet first and only then turns these into <mark> elements, so article text never becomes markup.
HL_START, HL_END = "\ue000", "\ue001"


MEMBER_ID = re.compile(r"^(\d+)#(.+)$")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def doc_filters(date_from: str | None, date_to: str | None, source: str | None,
                 label: str | None) -> tuple[str, list]:
    where, args = [], []
    if date_from:
        where.append("d.published >= ?")
        args.append(date_from)
    if date_to:
        where.append("d.published <= ?")
        args.append(date_to + "\uffff")  # "2014-05" includes every day of May
    if source:
        pattern = f"%{like_pattern(source)}%"
        where.append("(d.site LIKE ? ESCAPE '\\' OR d.url LIKE ? ESCAPE '\\' OR d.source LIKE ? ESCAPE '\\')")
        args += [pattern] * 3
    if label:
        where.append("EXISTS (SELECT 1 FROM entities le WHERE le.doc_id = d.id AND le.label = ?)")
        args.append(label)
    return (" AND ".join(where), args)


def has_global_entities(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM global_entities LIMIT 1").fetchone() is not None


def sentence_anchor(starts: list[int], offset: int) -> int:
    """The start of the sentence containing ``offset`` (for /article/ID#s-START links)."""
    i = bisect.bisect_right(starts, offset) - 1
    return starts[i] if i >= 0 else offset


def chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def copy_order(doc: dict) -> tuple:
    """Copies of a story in the order an analyst reads them: the earliest published first (the
    original), undated ones after, ties (and undated copies) in ingest order."""
    return (doc.get("published") is None, doc.get("published") or "", doc["id"])


def squash_spaces(text: str | None) -> str:
    return " ".join((text or "").split())


COPY_ORDER_SQL = "{0}published IS NULL, coalesce({0}published, ''), {0}id"  # copy_order in SQL
