"""Writes ``documents_stems``, the contentless search-key index of documents with Cyrillic words (V9).

SQL cannot compute keys, so the schema's triggers queue documents: ``stems_pending`` (to be
keyed: inserted, or changed) and ``stems_gone`` (keyed, then deleted or changed: their old title
and text, from which the same keys are computed again to take them out of the index). This
module empties the queues: inside ``Store.add_document``'s own transaction for the new document,
and when a store is opened, in batches of ``BACKFILL_BATCH`` (documents stored before V9), each
batch one transaction: a killed run leaves the rest queued; concurrent openers take disjoint
batches under the write lock. When the keying rules change (``stems.KEYS_VERSION``), the index
is emptied and every document with Cyrillic words keyed again.
"""
from __future__ import annotations

import sqlite3

from .stems import KEYS_VERSION, keyed_text

BACKFILL_BATCH = 200  # documents keyed per transaction when a store is brought up to date

CYRILLIC_SQL = "(text GLOB '*[Ѐ-ӿ]*' OR coalesce(title, '') GLOB '*[Ѐ-ӿ]*')"  # as the V9 triggers test


def _remove_gone(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT doc_id, title, text FROM stems_gone").fetchall()
    conn.executemany("INSERT INTO documents_stems (documents_stems, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                     [(r[0], keyed_text(r[1]), keyed_text(r[2])) for r in rows])
    conn.execute("DELETE FROM stems_gone")


def index_pending(conn: sqlite3.Connection, doc_ids: list[int] | None = None, limit: int = -1) -> int:
    """Take the removed documents out of the index, then key queued documents (``doc_ids`` only,
    if given; at most ``limit``); return how many were keyed. Runs inside the caller's transaction."""
    _remove_gone(conn)
    sql = "SELECT p.doc_id, d.title, d.text FROM stems_pending p LEFT JOIN documents d ON d.id = p.doc_id WHERE {}"
    if doc_ids is not None:
        rows = conn.execute(sql.format(f"p.doc_id IN ({','.join('?' * len(doc_ids)) or 'NULL'})"),
                            doc_ids).fetchall()
    else:
        rows = conn.execute(sql.format("1") + " ORDER BY p.doc_id LIMIT ?", (limit,)).fetchall()
    keyed = [r for r in rows if r[2] is not None]  # a queued id whose document is gone is only dequeued
    conn.executemany("INSERT INTO documents_stems (rowid, title, text) VALUES (?, ?, ?)",
                     [(r[0], keyed_text(r[1]), keyed_text(r[2])) for r in keyed])
    conn.executemany("DELETE FROM stems_pending WHERE doc_id = ?", [(r[0],) for r in rows])
    return len(keyed)


def _in_transaction(conn: sqlite3.Connection, work) -> int:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
        conn.execute("COMMIT")
        return result
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _rekey_all(conn: sqlite3.Connection) -> int:
    """Empty the index and queue every document with Cyrillic words (new keying rules)."""
    if conn.execute("SELECT version FROM stems_version").fetchone()[0] == KEYS_VERSION:
        return 0  # another process did it while we waited for the lock
    conn.execute("INSERT INTO documents_stems (documents_stems) VALUES ('delete-all')")
    conn.execute("DELETE FROM stems_gone")
    conn.execute(f"INSERT OR IGNORE INTO stems_pending (doc_id) SELECT id FROM documents WHERE {CYRILLIC_SQL}")
    conn.execute("UPDATE stems_version SET version = ?", (KEYS_VERSION,))
    return 1


def backfill(conn: sqlite3.Connection, batch: int = BACKFILL_BATCH) -> int:
    """Bring the index up to date, ``batch`` documents per transaction; return how many were keyed."""
    if conn.execute("SELECT version FROM stems_version").fetchone()[0] != KEYS_VERSION:
        _in_transaction(conn, lambda: _rekey_all(conn))
    done = 0
    while (conn.execute("SELECT 1 FROM stems_pending LIMIT 1").fetchone()
           or conn.execute("SELECT 1 FROM stems_gone LIMIT 1").fetchone()):
        done += _in_transaction(conn, lambda: index_pending(conn, limit=batch))
    return done
