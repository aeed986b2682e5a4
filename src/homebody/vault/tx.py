"""Write transactions on the vault that are safe across threads and processes.

Threads share the vault's one connection, so a transaction holds the vault's lock from BEGIN to COMMIT
(statements of another thread would otherwise land inside it). Processes are kept apart by SQLite
itself: `BEGIN IMMEDIATE` takes the database's write lock at once, waiting up to the busy timeout, so a
read-then-write (the ledger's next seq, an approval's state) cannot interleave with another writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from homebody.errors import VaultError
from homebody.vault.db import Connection, DatabaseError

if TYPE_CHECKING:
    from homebody.vault.store import Vault


@contextmanager
def transaction(vault: Vault) -> Iterator[Connection]:
    """One write transaction: committed if the block ends, rolled back if it raises.

    A transaction opened inside another (same thread) joins the outer one, so an approval's change and
    its ledger entry commit together or not at all.
    """
    with vault.lock:
        conn = vault.conn
        if conn.in_transaction:
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except DatabaseError as err:
            raise VaultError(f"the vault is busy (another homebody is writing): {err}") from err
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
