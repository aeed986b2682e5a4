"""The vault: encryption at rest, keys, idempotent upserts, migrations, full-text search."""

from __future__ import annotations

import logging
import stat
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from homebody.errors import MigrationError, NotFound, VaultLocked
from homebody.retrieval.search import search
from homebody.vault import migrations
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

SECRET = "zebra-quartz-7731 the pharmacy renewed the prescription"


def _item(native_id: str = "m1@example.com", text: str = SECRET) -> Item:
    return Item(
        kind=Kind.EMAIL,
        native_id=native_id,
        text=text,
        ts=datetime(2026, 10, 2, 9, 14, tzinfo=UTC),
        tz="+01:00",
        author="Harbour Dental <reception@harbourdental.example.com>",
        participants=("maya@example.com",),
        thread="t1",
        title="Your prescription",
        origin="inbox.mbox, message 1 at byte 0",
        meta={"labels": ["Inbox"]},
    )


def _all_bytes(folder) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("vault.db"))


def test_distinctive_text_never_appears_in_database_files(tmp_path):
    path = tmp_path / "vault.db"
    with Vault.open(path) as vault:
        source = vault.add_source("mail", "mbox", "/x")
        vault.upsert(source, _item(), "/x/inbox.mbox")
        # While open, the write-ahead log holds recent pages: it must be encrypted too.
        assert b"zebra-quartz" not in _all_bytes(tmp_path)
        assert b"Harbour Dental" not in _all_bytes(tmp_path)
    data = _all_bytes(tmp_path)
    assert data, "the vault files exist"
    assert b"zebra-quartz" not in data
    assert b"SQLite format 3" not in data[:16]
    with Vault.open(path) as vault:
        assert [h.stored.item.text for h in search(vault, "zebra quartz")] == [SECRET]


def test_key_file_is_private_and_warned_about(tmp_path, caplog):
    with caplog.at_level(logging.WARNING), Vault.open(tmp_path / "vault.db"):
        pass
    key_file = tmp_path / "vault.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "vault.key" in caplog.text
    assert key_file.read_text().strip() not in caplog.text


def test_passphrase_unlocks_and_a_wrong_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEBODY_PASSPHRASE", "correct horse battery staple")
    with Vault.open(tmp_path / "vault.db") as vault:
        vault.add_source("mail", "mbox", "/x")
    assert not (tmp_path / "vault.key").exists()
    monkeypatch.setenv("HOMEBODY_PASSPHRASE", "wrong")
    with pytest.raises(VaultLocked, match="does not unlock"):
        Vault.open(tmp_path / "vault.db")
    monkeypatch.delenv("HOMEBODY_PASSPHRASE")
    with pytest.raises(VaultLocked, match="no key"):
        Vault.open(tmp_path / "vault.db")


def test_reingesting_the_same_record_adds_nothing(tmp_path):
    with Vault.open(tmp_path / "vault.db") as vault:
        source = vault.add_source("mail", "mbox", "/x")
        assert vault.upsert(source, _item(), None) == "added"
        first = vault.get(next(vault.iter_items()).id)
        assert vault.upsert(source, _item(), None) == "unchanged"
        assert vault.upsert(source, _item(text="changed text"), None) == "updated"
        assert vault.count() == 1
        again = vault.get(first.id)
        assert again.item.text == "changed text"
        assert again.id == first.id
        assert search(vault, "changed") and not search(vault, "zebra")


def test_item_round_trips_every_field(tmp_path):
    with Vault.open(tmp_path / "vault.db") as vault:
        source = vault.add_source("mail", "mbox", "/x")
        vault.upsert(source, _item(), "/x/inbox.mbox")
        stored = next(vault.iter_items())
        assert stored.item == _item()
        assert stored.source == "mail"
        assert vault.get(stored.id[:8]).id == stored.id
        with pytest.raises(NotFound):
            vault.get("ffffffffffff")


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "vault.db"
    with Vault.open(path) as vault:
        vault.conn.execute(f"PRAGMA user_version = {len(migrations.MIGRATIONS) + 1}")
    with pytest.raises(MigrationError, match="newer"):
        Vault.open(path)


def test_new_migration_applies_once_and_keeps_data(tmp_path, monkeypatch):
    path = tmp_path / "vault.db"
    with Vault.open(path) as vault:
        source = vault.add_source("mail", "mbox", "/x")
        vault.upsert(source, _item(), None)
    extra = (*migrations.MIGRATIONS, "CREATE TABLE notes_extra (id INTEGER PRIMARY KEY);")
    monkeypatch.setattr(migrations, "MIGRATIONS", extra)
    monkeypatch.setattr("homebody.vault.db.MIGRATIONS", extra)
    with Vault.open(path) as vault:
        assert vault.conn.execute("PRAGMA user_version").fetchone()[0] == len(extra)
        assert vault.conn.execute("SELECT count(*) FROM notes_extra").fetchone()[0] == 0
        assert vault.count() == 1
    with Vault.open(path) as vault:  # applying again is a no-op
        assert vault.conn.execute("PRAGMA user_version").fetchone()[0] == len(extra)


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "vault.db"
    Vault.open(path).close()
    broken = (*migrations.MIGRATIONS, "CREATE TABLE half (id INTEGER); CREATE TABLE items (x);")
    last = len(migrations.MIGRATIONS)
    monkeypatch.setattr("homebody.vault.db.MIGRATIONS", broken)
    with pytest.raises(MigrationError, match=f"migration {last + 1}"):
        Vault.open(path)
    monkeypatch.setattr("homebody.vault.db.MIGRATIONS", migrations.MIGRATIONS)
    with Vault.open(path) as vault:
        assert vault.conn.execute("PRAGMA user_version").fetchone()[0] == last
        tables = {r[0] for r in vault.conn.execute("SELECT name FROM sqlite_master")}
        assert "half" not in tables


def test_wal_mode(tmp_path):
    with Vault.open(tmp_path / "vault.db") as vault:
        assert vault.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migration_6_enters_what_each_part_holds_from_existing_items(tmp_path, monkeypatch):
    from homebody.vault import records

    path = tmp_path / "vault.db"
    monkeypatch.setattr("homebody.vault.db.MIGRATIONS", migrations.MIGRATIONS[:5])
    with Vault.open(path) as vault:
        mbox = vault.add_source("mail", "mbox", "/home/me/all.mbox")
        imap = vault.add_source("work", "imap", "imaps://me@mail.example.com/")
        caldav = vault.add_source("cal", "caldav", "https://me@dav.example.com/me/")
        vault.upsert(mbox, _item(), "/home/me/all.mbox")
        # IMAP and CalDAV items named a state file; their mailbox and calendar are in their meta.
        state_file = "/root/.local/state/homebody/imap/ab12.json"
        message = replace(
            _item(),
            native_id="<m1@x>",
            origin="mail.example.com/INBOX, UID 7",
            meta={"imap": {"mailbox": "INBOX"}},
        )
        vault.upsert(imap, message, state_file)
        event = replace(
            _item(),
            native_id="ev1",
            origin="Home, /me/home/ev1.ics",
            meta={"caldav": {"calendar": "Home", "href": "/me/home/ev1.ics"}},
        )
        vault.upsert(caldav, event, "/root/.local/state/homebody/caldav/cd34.json")
        vault.conn.execute(
            "INSERT INTO sync_files VALUES (?, ?, 1, 1, 'x', '2026-01-01T00:00:00+00:00', 1)",
            (imap.id, state_file),
        )
    monkeypatch.setattr("homebody.vault.db.MIGRATIONS", migrations.MIGRATIONS)
    with Vault.open(path) as vault:
        rows = sorted(
            tuple(r)
            for r in vault.conn.execute("SELECT source_id, part, native_id, origin FROM sync_records")
        )
        assert rows == [
            (mbox.id, "/home/me/all.mbox", _item().native_id, ""),
            (imap.id, "INBOX", "<m1@x>", "mail.example.com/INBOX, UID 7"),
            (caldav.id, "/me/home", "ev1", "Home, /me/home/ev1.ics"),
        ]
        cursors = vault.conn.execute("SELECT sha256, mtime_ns FROM sync_files").fetchall()
        assert [tuple(c) for c in cursors] == [("", -1)], (
            "every file is read once more to enter what it holds"
        )
        # The old state file is no part any more: forgetting it deletes nothing.
        assert records.forget_part(vault.conn, imap.id, state_file) == 0
        assert vault.count() == 3
