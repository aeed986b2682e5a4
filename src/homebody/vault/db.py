"""Open the vault: one SQLCipher-encrypted SQLite database per home folder, WAL, migrated forward."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from homebody.errors import MigrationError, VaultError, VaultLocked
from homebody.vault.keys import VaultKey, create_key, find_key
from homebody.vault.migrations import MIGRATIONS

log = logging.getLogger(__name__)

Connection = Any  # sqlcipher3's connection class has no type stubs
DatabaseError = sqlcipher.DatabaseError
IntegrityError = sqlcipher.IntegrityError


def connect(path: Path, *, create: bool = True, key: VaultKey | None = None) -> Connection:
    """An open, unlocked, migrated connection to the vault at `path`."""
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise VaultError(f"no vault at {path}: run `homebody add` or `homebody sync` first")
    if not exists:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
    key = key or (find_key(path) if exists else create_key(path))
    try:
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlcipher.Error as err:
        raise VaultError(f"cannot open the vault {path}: {err}") from err
    conn.row_factory = sqlcipher.Row
    conn.execute(f"PRAGMA key = {key.pragma()}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as err:
        conn.close()
        raise VaultLocked(f"the {key.origin} does not unlock the vault {path}") from err
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    if not exists:
        path.chmod(0o600)
    migrate(conn)
    return conn


def migrate(conn: Connection) -> int:
    """Apply every migration newer than the database; return the resulting schema version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise MigrationError(
            f"the vault has schema version {version}, newer than this homebody knows "
            f"({len(MIGRATIONS)}): upgrade homebody"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        try:
            conn.execute("BEGIN IMMEDIATE")
            _run(conn, script)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except sqlcipher.Error as err:
            conn.execute("ROLLBACK")
            raise MigrationError(f"migration {number} failed: {err}") from err
        log.info("vault migrated to schema version %d", number)
    return len(MIGRATIONS)


def _run(conn: Connection, script: str) -> None:
    """Run a script statement by statement inside the caller's transaction.

    `executescript` would COMMIT first, breaking the all-or-nothing migration.
    """
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlcipher.complete_statement(statement):
            if statement.strip(" \n\t;"):
                conn.execute(statement)
            statement = ""
