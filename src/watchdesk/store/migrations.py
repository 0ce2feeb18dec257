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

V7_LANGUAGES = """
        -- The language each document was detected (or declared) in, and whether a pipeline ran.
        ALTER TABLE documents ADD COLUMN analysed INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE documents ADD COLUMN note TEXT;          -- "not analysed (no pipeline for de)"
        ALTER TABLE mentions ADD COLUMN lemma TEXT;          -- normal (nominative) form, inflecting languages
        CREATE INDEX documents_language ON documents(language);
"""

V8_STORY_ANCHORS = """
        -- Cross-language stories (resolve/anchors.py): each document's anchors (figures, dates,
        -- names as Latin skeletons, in text order), an inverted index over them for candidates,
        -- in how many stories each anchor occurs (its rarity), and the link that put a document
        -- into its story: kind 'copy' (MinHash), 'translation' (anchors, other language) or
        -- 'rewording' (anchors, same language: e.g. two translations of one original).
        CREATE TABLE doc_anchors (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            length INTEGER NOT NULL,
            anchors BLOB NOT NULL
        );
        CREATE TABLE anchor_index (
            anchor_key INTEGER NOT NULL,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE
        );
        CREATE INDEX anchor_index_key ON anchor_index(anchor_key);
        CREATE INDEX anchor_index_doc ON anchor_index(doc_id);
        CREATE TABLE anchor_df (anchor_key INTEGER PRIMARY KEY, stories INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE story_links (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            score REAL,
            PRIMARY KEY (doc_id, other_id)
        ) WITHOUT ROWID;
        CREATE INDEX story_links_other ON story_links(other_id);
"""

V9_STEMMED_SEARCH = """
        -- Full-text search over inflected forms: a second FTS5 index holding, for each document with
        -- a Cyrillic letter, the search key of every word of its title and text (store/stems.py:
        -- Russian case endings removed, other words as they are). Searches with a Cyrillic word use
        -- it; all others use documents_fts exactly as before, and English documents get no row.
        -- Contentless (the keys are not stored, only indexed): SQL cannot compute keys, so these
        -- queues are emptied from Python (store/stem_index.py) in the writer's transaction, and
        -- when a store is opened for documents stored before this version, in batches, resumably.
        CREATE VIRTUAL TABLE documents_stems USING fts5(
            title, text, content='', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TABLE stems_pending (doc_id INTEGER PRIMARY KEY);                 -- to be keyed
        CREATE TABLE stems_gone (doc_id INTEGER PRIMARY KEY, title TEXT, text TEXT);  -- keyed, to be removed
        CREATE TABLE stems_version (version INTEGER NOT NULL);                    -- stems.KEYS_VERSION indexed
        INSERT INTO stems_version (version) VALUES (1);
        INSERT INTO stems_pending (doc_id)
            SELECT id FROM documents WHERE text GLOB '*[Ѐ-ӿ]*' OR coalesce(title, '') GLOB '*[Ѐ-ӿ]*';
        CREATE TRIGGER documents_stems_insert AFTER INSERT ON documents
            WHEN new.text GLOB '*[Ѐ-ӿ]*' OR coalesce(new.title, '') GLOB '*[Ѐ-ӿ]*' BEGIN
            INSERT OR IGNORE INTO stems_pending (doc_id) VALUES (new.id);
        END;
        CREATE TRIGGER documents_stems_delete AFTER DELETE ON documents
            WHEN old.text GLOB '*[Ѐ-ӿ]*' OR coalesce(old.title, '') GLOB '*[Ѐ-ӿ]*' BEGIN
            INSERT OR REPLACE INTO stems_gone (doc_id, title, text) SELECT old.id, old.title, old.text
                WHERE NOT EXISTS (SELECT 1 FROM stems_pending WHERE doc_id = old.id);
            DELETE FROM stems_pending WHERE doc_id = old.id;
        END;
        CREATE TRIGGER documents_stems_update AFTER UPDATE OF title, text ON documents BEGIN
            INSERT OR REPLACE INTO stems_gone (doc_id, title, text) SELECT old.id, old.title, old.text
                WHERE (old.text GLOB '*[Ѐ-ӿ]*' OR coalesce(old.title, '') GLOB '*[Ѐ-ӿ]*')
                AND NOT EXISTS (SELECT 1 FROM stems_pending WHERE doc_id = old.id);
            DELETE FROM stems_pending WHERE doc_id = old.id;
            INSERT INTO stems_pending (doc_id) SELECT new.id
                WHERE new.text GLOB '*[Ѐ-ӿ]*' OR coalesce(new.title, '') GLOB '*[Ѐ-ӿ]*';
        END;
"""

V10_LATIN_NAMES = """
        -- Latin-script forms of each global entity (its Latin names, then transliterations of its
        -- Cyrillic names: resolve/translit.py), written with the entity by every resolution run.
        ALTER TABLE global_entities ADD COLUMN latin TEXT NOT NULL DEFAULT '[]';
        -- Entities so far resolved hold no Cyrillic names from a Russian pipeline: their Latin names.
        UPDATE global_entities SET latin = (SELECT json_group_array(value) FROM
            (SELECT value FROM json_each(global_entities.aliases) WHERE value NOT GLOB '*[Ѐ-ԯ]*' LIMIT 12));
        -- Normalised name keys (names.name_key) of every name and Latin form of a global entity, so an
        -- entity is found by a name in either script ("Цунэока" -> "tsuneoka" finds "Tsuneoka").
        -- Written by resolution runs (an older store gains them as its entities are next resolved).
        CREATE TABLE entity_keys (
            key TEXT NOT NULL, global_id TEXT NOT NULL, PRIMARY KEY (key, global_id)
        ) WITHOUT ROWID;
        CREATE INDEX entity_keys_global ON entity_keys(global_id);
"""

V11_ENTITY_ALIGNMENTS = """
        -- Entities of two wordings of one article (an original and its translation, two translations)
        -- found to name one thing (resolve/align.py), with the score and the evidence (JSON: why, aligned
        -- mentions, name similarity, closeness of their places, shared figures). Written by resolution
        -- runs, which put the two into one global entity unless a judgement or their names forbid it.
        CREATE TABLE entity_alignments (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            local_id TEXT NOT NULL,
            other_doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            other_local_id TEXT NOT NULL,
            score REAL NOT NULL,
            evidence TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (doc_id, local_id, other_doc_id, other_local_id)
        ) WITHOUT ROWID;
        CREATE INDEX entity_alignments_other ON entity_alignments(other_doc_id);
"""

# Each entry is one SQL script; index + 1 is the schema version it produces.
MIGRATIONS: list[str] = [V1_CORE, V2_STORIES, V3_ATTRIBUTION, V4_RESOLUTION, V5_SEARCH_FILTERS, V6_ENTITY_PAGE,
                         V7_LANGUAGES, V8_STORY_ANCHORS, V9_STEMMED_SEARCH, V10_LATIN_NAMES,
                         V11_ENTITY_ALIGNMENTS]
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
