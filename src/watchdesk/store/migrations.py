"""The store's schema as an ordered list of migrations; ``PRAGMA user_version`` holds the version.

Append new migrations at the end; never edit one that has shipped.
"""
from __future__ import annotations

import sqlite3

V1_CORE = """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            doc_key TEXT NOT NULL,            -- the reader's id (file stem, JSONL id)
            source TEXT NOT NULL,             -- input path (path:line for JSONL, '-' for stdin)
            format TEXT NOT NULL,             -- text | html
            url TEXT, site TEXT, title TEXT,
            byline TEXT NOT NULL DEFAULT '[]',    -- JSON list of author names
            published TEXT, language TEXT,
            encoding TEXT,
            raw TEXT NOT NULL,                -- the input exactly as decoded
            text TEXT NOT NULL,               -- the clean text all offsets point into
            removed TEXT NOT NULL DEFAULT '[]',   -- JSON list of removed lines with reasons
            content_hash TEXT NOT NULL UNIQUE,    -- sha256 of raw: re-ingest is a no-op
            cleaned INTEGER NOT NULL DEFAULT 1,
            model TEXT,
            ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX documents_doc_key ON documents(doc_key);

        CREATE TABLE sentences (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            PRIMARY KEY (doc_id, idx)
        ) WITHOUT ROWID;

        CREATE TABLE entities (              -- document entities (one thing in one document)
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            local_id TEXT NOT NULL,           -- e1, e2 ... as in the JSON output
            name TEXT NOT NULL, label TEXT NOT NULL,
            mention_count INTEGER NOT NULL,
            UNIQUE (doc_id, local_id)
        );
        CREATE INDEX entities_name ON entities(name COLLATE NOCASE);

        CREATE TABLE aliases (
            entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            alias TEXT NOT NULL,
            PRIMARY KEY (entity_id, alias)
        ) WITHOUT ROWID;
        CREATE INDEX aliases_alias ON aliases(alias COLLATE NOCASE);

        CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            entity_id INTEGER REFERENCES entities(id) ON DELETE CASCADE,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL, label TEXT NOT NULL,
            sentence_idx INTEGER
        );
        CREATE INDEX mentions_doc ON mentions(doc_id, start);
        CREATE INDEX mentions_entity ON mentions(entity_id);

        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, content='documents', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
"""

V2_STORIES = """
        ALTER TABLE documents ADD COLUMN story_id INTEGER;   -- id of the story's first copy
        UPDATE documents SET story_id = id;
        CREATE INDEX documents_story ON documents(story_id);
        CREATE TABLE doc_signatures (      -- MinHash of the clean text's word shingles
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            signature BLOB NOT NULL
        );
        CREATE TABLE doc_bands (           -- LSH band keys: candidates for copies
            band_key INTEGER NOT NULL,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE
        );
        CREATE INDEX doc_bands_key ON doc_bands(band_key);
        CREATE INDEX doc_bands_doc ON doc_bands(doc_id);
"""

V3_ATTRIBUTION = """
        -- Quotes (kind 'quote') and claims (kind 'claim'); spans and all parts in data (JSON).
        CREATE TABLE attributions (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            local_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            speaker TEXT,                       -- the speaker/holder as written
            entity_id INTEGER REFERENCES entities(id) ON DELETE SET NULL,
            content_start INTEGER NOT NULL, content_end INTEGER NOT NULL,
            data TEXT NOT NULL,
            UNIQUE (doc_id, local_id)
        );
        CREATE INDEX attributions_entity ON attributions(entity_id);
        CREATE TABLE quantities (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            attribution_id INTEGER REFERENCES attributions(id) ON DELETE SET NULL,
            value REAL, low REAL, high REAL, unit TEXT,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX quantities_unit ON quantities(unit COLLATE NOCASE);
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            local_id TEXT NOT NULL,
            relation TEXT NOT NULL,
            subject_entity_id INTEGER REFERENCES entities(id) ON DELETE SET NULL,
            object_entity_id INTEGER REFERENCES entities(id) ON DELETE SET NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX relations_subject ON relations(subject_entity_id);
        CREATE INDEX relations_object ON relations(object_entity_id);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            local_id TEXT NOT NULL,
            date TEXT, date_end TEXT, uncertain INTEGER NOT NULL DEFAULT 0,
            data TEXT NOT NULL
        );
        CREATE INDEX events_date ON events(date);
        CREATE TABLE event_entities (
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            PRIMARY KEY (event_id, entity_id)
        ) WITHOUT ROWID;
"""

V4_RESOLUTION = """
        -- Names an article itself says are the same ("X, known as Y"; "the X (ABBR)").
        CREATE TABLE alias_links (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            entity_id INTEGER REFERENCES entities(id) ON DELETE CASCADE,
            name TEXT NOT NULL, alias TEXT NOT NULL, kind TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            evidence_start INTEGER NOT NULL, evidence_end INTEGER NOT NULL
        );
        CREATE INDEX alias_links_entity ON alias_links(entity_id);
        -- Global entities: document entities resolved across documents.
        ALTER TABLE entities ADD COLUMN global_id TEXT;
        ALTER TABLE documents ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX entities_global ON entities(global_id);
        CREATE TABLE global_entities (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, label TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]', documents INTEGER NOT NULL, mentions INTEGER NOT NULL
        );
        CREATE INDEX global_entities_name ON global_entities(name COLLATE NOCASE);
        -- Mentions whose global entity differs from their document entity's (an alias split off).
        CREATE TABLE mention_overrides (
            mention_id INTEGER PRIMARY KEY REFERENCES mentions(id) ON DELETE CASCADE,
            global_id TEXT
        );
        -- The resolver's state (JSON), so new documents attach without re-running everything.
        CREATE TABLE resolver_state (key TEXT PRIMARY KEY, data TEXT NOT NULL);
        -- Analyst judgements, replayed by every resolution run; undone ones are kept, marked.
        CREATE TABLE judgements (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,              -- merge | split | reject
            a TEXT NOT NULL, b TEXT,         -- member ids ("<doc id>#<local id>"), names, aliases
            note TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            undone_at TEXT
        );
"""

V5_SEARCH_FILTERS = """
        -- The desk's "articles with an entity of type X" filter: one index probe per article.
        CREATE INDEX entities_doc_label ON entities(doc_id, label);
"""

V6_ENTITY_PAGE = """
        -- The entity page (entity_page.entity). Events of an entity: without this every page scans
        -- event_entities whole (its key starts with event_id).
        CREATE INDEX event_entities_entity ON event_entities(entity_id);
        -- Co-mentioned entities: the global ids named in a document, read from the index alone.
        CREATE INDEX entities_doc_global ON entities(doc_id, global_id);
        -- Evidence anchors: the last sentence starting at or before an offset is one probe
        -- instead of a walk over the document's sentences.
        CREATE INDEX sentences_doc_start ON sentences(doc_id, start);
"""

# Each entry is one SQL script; index + 1 is the schema version it produces.
MIGRATIONS: list[str] = [V1_CORE, V2_STORIES, V3_ATTRIBUTION, V4_RESOLUTION, V5_SEARCH_FILTERS, V6_ENTITY_PAGE]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration the database lacks, each in its own transaction; return the version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {current} is newer than this Watchdesk ({SCHEMA_VERSION}); upgrade Watchdesk"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock: check again.
            if conn.execute("PRAGMA user_version").fetchone()[0] < version:
                for statement in _statements(MIGRATIONS[version - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """The SQL statements of a script (trigger bodies and comments with ';' kept whole)."""
    statements, buffer = [], ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                statements.append(buffer)
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        statements.append(buffer)
    return statements
