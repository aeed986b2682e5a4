"""Forward-only schema migrations, one SQL script per version (`PRAGMA user_version` counts them).

Never edit a script that has shipped: add the next one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: sources, items with full-text search, sync cursors and bad records.
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        added_at TEXT NOT NULL,
        last_sync_at TEXT,
        last_ok_at TEXT,
        last_error TEXT
    );
    CREATE TABLE items (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        native_id TEXT NOT NULL,
        ts TEXT,
        tz TEXT,
        author TEXT,
        participants TEXT NOT NULL DEFAULT '[]',
        thread TEXT,
        title TEXT,
        text TEXT NOT NULL,
        file TEXT,
        origin TEXT NOT NULL DEFAULT '',
        meta TEXT NOT NULL DEFAULT '{}',
        content_hash TEXT NOT NULL,
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (source_id, native_id)
    );
    CREATE INDEX items_ts ON items (ts);
    CREATE INDEX items_kind_ts ON items (kind, ts);
    CREATE INDEX items_thread ON items (thread, ts);
    CREATE VIRTUAL TABLE items_fts USING fts5 (
        title, text, author, participants,
        content = 'items', content_rowid = 'rowid',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
        INSERT INTO items_fts (rowid, title, text, author, participants)
        VALUES (new.rowid, new.title, new.text, new.author, new.participants);
    END;
    CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text, author, participants)
        VALUES ('delete', old.rowid, old.title, old.text, old.author, old.participants);
    END;
    CREATE TRIGGER items_au AFTER UPDATE ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text, author, participants)
        VALUES ('delete', old.rowid, old.title, old.text, old.author, old.participants);
        INSERT INTO items_fts (rowid, title, text, author, participants)
        VALUES (new.rowid, new.title, new.text, new.author, new.participants);
    END;
    CREATE TABLE sync_files (
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        file TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        synced_at TEXT NOT NULL,
        items INTEGER NOT NULL,
        PRIMARY KEY (source_id, file)
    );
    CREATE TABLE sync_errors (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        file TEXT NOT NULL,
        position TEXT NOT NULL,
        reason TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    CREATE INDEX sync_errors_source ON sync_errors (source_id, file);
    """,
    # 2: the people graph: identities seen on every channel, the persons they join into and why,
    # the user's own merges and splits, and which identities each item involves.
    """
    CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE identities (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        display TEXT NOT NULL,
        person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
        UNIQUE (kind, value)
    );
    CREATE TABLE identity_links (
        a INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        b INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        PRIMARY KEY (a, b)
    );
    CREATE TABLE person_overrides (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL CHECK (action IN ('merge', 'split')),
        a_kind TEXT NOT NULL,
        a_value TEXT NOT NULL,
        b_kind TEXT,
        b_value TEXT,
        made_at TEXT NOT NULL
    );
    CREATE TABLE item_people (
        item_rowid INTEGER NOT NULL REFERENCES items(rowid) ON DELETE CASCADE,
        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        PRIMARY KEY (item_rowid, identity_id, role)
    );
    CREATE INDEX item_people_identity ON item_people (identity_id);
    CREATE INDEX identities_person ON identities (person_id);
    """,
    # 3: agency. The audit ledger (a hash chain: each entry's hash covers the one before), its head
    # anchor (the last seq and hash, written in the same transaction as each append, so deleting the
    # newest entries is caught), and the approvals queue of proposed side effects.
    """
    CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        run_id TEXT,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX ledger_run ON ledger (run_id, seq);
    CREATE TABLE ledger_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        args TEXT NOT NULL,
        origins TEXT NOT NULL DEFAULT '{}',
        preview TEXT NOT NULL,
        verdict TEXT NOT NULL DEFAULT '{}',
        effects TEXT NOT NULL DEFAULT '[]',
        run_id TEXT,
        state TEXT NOT NULL CHECK (state IN
            ('pending', 'approved', 'denied', 'expired', 'cancelled', 'running', 'done', 'failed')),
        proposed_seq INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        decided_at TEXT,
        not_before TEXT,
        reason TEXT,
        started_at TEXT,
        finished_at TEXT,
        result TEXT,
        error TEXT
    );
    CREATE INDEX approvals_state ON approvals (state, not_before);
    """,
    # 4: the people graph kept up to date item by item instead of rebuilt from every item after each
    # sync (vault/people.py `update`): how often each identity shows each display name (persons are
    # named from these counts), how far the graph has read, and the items changed since it read them,
    # as they were then. Triggers note changes in the same transaction as the change itself.
    """
    CREATE TABLE identity_displays (
        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        display TEXT NOT NULL,
        seen INTEGER NOT NULL,
        UNIQUE (identity_id, display)
    );
    CREATE TABLE people_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        item_rowid INTEGER NOT NULL,
        override_id INTEGER NOT NULL,
        stale INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE people_changes (
        item_rowid INTEGER NOT NULL,
        kind TEXT NOT NULL,
        author TEXT,
        participants TEXT NOT NULL,
        meta TEXT NOT NULL
    );
    CREATE TRIGGER items_people_au AFTER UPDATE OF kind, author, participants, meta ON items
    WHEN old.rowid <= (SELECT item_rowid FROM people_state)
      AND (old.kind IS NOT new.kind OR old.author IS NOT new.author
           OR old.participants IS NOT new.participants OR old.meta IS NOT new.meta)
    BEGIN
        INSERT INTO people_changes VALUES (old.rowid, old.kind, old.author, old.participants, old.meta);
    END;
    CREATE TRIGGER items_people_ad AFTER DELETE ON items
    WHEN old.rowid <= (SELECT item_rowid FROM people_state)
    BEGIN
        UPDATE people_state SET stale = 1 WHERE stale = 0;
    END;
    """,
    # 5: vectors for hybrid search. Each item is cut into chunks (character spans of its text, one
    # for a short item); each chunk has a unit vector from the embedding model (float16) and a
    # 1-bit-per-dimension code of it for the fast first pass. `embedding_model` names the model the
    # vectors came from: a different model means every vector is dropped and computed again.
    # An item whose content changes loses its chunks (trigger) and is embedded again; `deleted`
    # counts dropped chunks so a search index held in memory knows when to reload.
    # `item_keys` repeats each item's kind, time and source in rows of ~40 bytes, kept by triggers:
    # search filters thousands of candidates, and reading the items' own rows (text inline, a page
    # each, decrypted) to do it cost 5x the ranking itself.
    """
    CREATE TABLE IF NOT EXISTS embedding_model (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        dim INTEGER NOT NULL,
        centre BLOB,
        started_at TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        item_rowid INTEGER NOT NULL REFERENCES items(rowid) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        code BLOB NOT NULL,
        UNIQUE (item_rowid, n)
    );
    CREATE TABLE IF NOT EXISTS chunk_vectors (
        chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
        vector BLOB NOT NULL
    );
    CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
        UPDATE embedding_model SET deleted = deleted + 1 WHERE id = 1;
    END;
    CREATE TRIGGER IF NOT EXISTS items_au_chunks AFTER UPDATE OF content_hash ON items
    WHEN old.content_hash IS NOT new.content_hash BEGIN
        DELETE FROM chunks WHERE item_rowid = new.rowid;
    END;
    CREATE TABLE IF NOT EXISTS item_keys (
        item_rowid INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        ts TEXT,
        source_id INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO item_keys (item_rowid, kind, ts, source_id)
        SELECT rowid, kind, ts, source_id FROM items;
    CREATE TRIGGER IF NOT EXISTS items_ai_keys AFTER INSERT ON items BEGIN
        INSERT INTO item_keys (item_rowid, kind, ts, source_id)
        VALUES (new.rowid, new.kind, new.ts, new.source_id);
    END;
    CREATE TRIGGER IF NOT EXISTS items_au_keys AFTER UPDATE OF kind, ts, source_id ON items BEGIN
        UPDATE item_keys SET kind = new.kind, ts = new.ts, source_id = new.source_id
        WHERE item_rowid = new.rowid;
    END;
    CREATE TRIGGER IF NOT EXISTS items_ad_keys AFTER DELETE ON items BEGIN
        DELETE FROM item_keys WHERE item_rowid = old.rowid;
    END;
    """,
    # 6: what each source holds and its connector's own state. `sync_records` says which part of a
    # source (a file, a mailbox, a calendar) holds which item, and where in it (`origin`, for
    # incremental connectors: IMAP's "host/INBOX, UID 7"; '' otherwise): an item leaves the vault when
    # no part holds it any more. `source_state` is the connector's JSON (cursors, etags), written in
    # the same transaction as the items it covers. Existing items are entered from their `file`; IMAP
    # and CalDAV items, whose parts were state files, from the mailbox or calendar in their meta.
    # A record two files share was entered for the first file only, so every file is read once more
    # by the next sync (its cursor cleared) to enter what it holds before anything is deleted.
    # A deleted item is noted in people_changes as it was, so the people graph can take it out
    # without a rebuild (vault/people.py `_forget`).
    """
    UPDATE sync_files SET sha256 = '', mtime_ns = -1;
    DROP TRIGGER items_people_ad;
    CREATE TRIGGER items_people_ad AFTER DELETE ON items
    WHEN old.rowid <= (SELECT item_rowid FROM people_state)
    BEGIN
        INSERT INTO people_changes VALUES (old.rowid, old.kind, old.author, old.participants, old.meta);
    END;
    CREATE TABLE source_state (
        source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE sync_records (
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        part TEXT NOT NULL,
        native_id TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (source_id, part, native_id, origin)
    ) WITHOUT ROWID;
    CREATE INDEX sync_records_item ON sync_records (source_id, native_id);
    CREATE INDEX sync_records_origin ON sync_records (source_id, origin) WHERE origin != '';
    INSERT OR IGNORE INTO sync_records (source_id, part, native_id, origin)
        SELECT i.source_id,
               CASE s.kind
                   WHEN 'imap' THEN json_extract(i.meta, '$.imap.mailbox')
                   WHEN 'caldav' THEN rtrim(rtrim(
                       json_extract(i.meta, '$.caldav.href'),
                       replace(json_extract(i.meta, '$.caldav.href'), '/', '')
                   ), '/')
                   ELSE i.file END,
               i.native_id,
               CASE WHEN s.kind IN ('imap', 'caldav') THEN i.origin ELSE '' END
        FROM items i JOIN sources s ON s.id = i.source_id
        WHERE CASE s.kind
                  WHEN 'imap' THEN json_extract(i.meta, '$.imap.mailbox')
                  WHEN 'caldav' THEN json_extract(i.meta, '$.caldav.href')
                  ELSE i.file END IS NOT NULL;
    """,
    # 7: search without random reads. A person's items are read from an index holding both the
    # identity and the item (index-only: the old index pointed at table rows, one page read each,
    # 15 ms for a person's 500 items in a million). `item_keys_state.changes` counts item_keys rows
    # changed or deleted, so a copy of item_keys held in memory (retrieval/keys.py) knows to reload;
    # rows added it picks up by rowid.
    """
    CREATE INDEX item_people_person ON item_people (identity_id, item_rowid);
    DROP INDEX item_people_identity;
    CREATE TABLE item_keys_state (id INTEGER PRIMARY KEY CHECK (id = 1), changes INTEGER NOT NULL);
    INSERT INTO item_keys_state VALUES (1, 0);
    CREATE TRIGGER item_keys_au AFTER UPDATE ON item_keys
    WHEN old.kind IS NOT new.kind OR old.ts IS NOT new.ts OR old.source_id IS NOT new.source_id
    BEGIN
        UPDATE item_keys_state SET changes = changes + 1 WHERE id = 1;
    END;
    CREATE TRIGGER item_keys_ad AFTER DELETE ON item_keys BEGIN
        UPDATE item_keys_state SET changes = changes + 1 WHERE id = 1;
    END;
    """,
)
