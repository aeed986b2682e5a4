"""The `imap` source: an IMAP account's mailboxes, read incrementally by UIDVALIDITY and UID.

`homebody add imap imaps://user@host/INBOX` reads one mailbox, `imaps://user@host/` every mailbox
that can be opened. For each mailbox `files` returns its state file (state.py), refreshed with the
server's STATUS: the sync reads a file again only when it changed, so a mailbox with no new mail
costs one STATUS command. `read` opens the mailbox read-only and fetches the messages past the cursor;
when the mailbox's UIDVALIDITY changed, every UID is new again (RFC 3501 section 2.3.1.1), and since
items are keyed by Message-ID nothing is stored twice.

The cursor moves only when `read` has handed over every new message, just before the sync commits
them: the sync commits in batches, so a cursor moved earlier could run ahead of what the vault holds.
An interrupted read fetches the same messages again next time; it never skips one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.connectors.imap.account import Account, find_password, parse_location
from homebody.connectors.imap.parse import decode_mailbox, encode_mailbox, message_items
from homebody.connectors.imap.session import Session
from homebody.connectors.imap.state import MailboxState, default_state_dir, load, save, state_path
from homebody.errors import SourceError
from homebody.vault.items import Kind

logger = logging.getLogger(__name__)

TIMEOUT = 60.0


class ImapConnector:
    """Mail on an IMAP server: one email item per message, fetched once, never changed on the server."""

    kind = "imap"
    provides = frozenset({Kind.EMAIL})
    description = (
        "an IMAP account: imaps://USER@HOST/MAILBOX, or imaps://USER@HOST/ for every mailbox; the "
        "password comes from HOMEBODY_IMAP_PASSWORD_<USER> or the OS keyring (service homebody-imap)"
    )

    def __init__(self, state_dir: Path | None = None, *, timeout: float = TIMEOUT) -> None:
        self._state_dir = state_dir
        self._timeout = timeout

    @property
    def state_dir(self) -> Path:
        """Where the mailboxes' cursors are kept (the user's state folder unless given)."""
        return self._state_dir or default_state_dir()

    def files(self, path: Path) -> list[Path]:
        """One state file per mailbox the URL names, refreshed with the server's STATUS."""
        account = parse_location(str(path))
        password = find_password(account)
        with Session(account, password, timeout=self._timeout) as session:
            named = account.mailbox
            wires = [encode_mailbox(named)] if named is not None else session.mailboxes()
            found = [self._refresh(account, wire, session.status(wire)) for wire in wires]
        logger.debug("imap: %d mailboxes", len(found))
        return found

    def _refresh(self, account: Account, wire: str, status: dict[str, int]) -> Path:
        path = state_path(self.state_dir, account.url, wire)
        state: MailboxState | None = None
        if path.exists():
            try:
                state = load(path)
            except SourceError:
                logger.warning("imap: damaged sync state %s replaced; the mailbox is read again", path.stem)
        if state is None or (state.account, state.mailbox) != (account.url, wire):
            state = MailboxState(account=account.url, mailbox=wire)
            changed = True
        else:
            changed = False
        server = {key.lower(): status[key] for key in ("UIDVALIDITY", "UIDNEXT") if key in status}
        if changed or server != state.server:
            save(path, replace(state, server=server))
        return path

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Fetch the mailbox's messages past the cursor as email items, then move the cursor."""
        state = load(file)
        account = parse_location(state.account)
        if state.up_to_date:
            logger.debug("imap: mailbox %s has nothing new", file.stem[:12])
            return
        password = find_password(account)
        mailbox = decode_mailbox(state.mailbox)
        started = time.monotonic()
        count = 0
        with Session(account, password, timeout=self._timeout) as session:
            uidvalidity, uidnext = session.examine(state.mailbox)
            after = state.last_uid
            if uidvalidity is None or uidvalidity != state.uidvalidity:
                if state.uidvalidity is not None:
                    logger.info("imap: mailbox %s has a new UIDVALIDITY; reading it all", file.stem[:12])
                after = 0
            newest = after
            for batch in session.batches(after, uidnext):
                for fetched in batch:
                    yield from message_items(fetched, host=account.host, mailbox=mailbox)
                    newest = max(newest, fetched.uid or 0)
                count += len(batch)
        if uidnext is not None:
            # Every UID below UIDNEXT was listed: messages expunged meanwhile are past, not pending.
            newest = max(newest, uidnext - 1)
        server = {"uidvalidity": uidvalidity, "uidnext": uidnext}
        save(
            file,
            replace(
                state,
                uidvalidity=uidvalidity,
                last_uid=newest,
                server={k: v for k, v in server.items() if v is not None},
            ),
        )
        logger.debug(
            "imap: mailbox %s: %d messages in %.1f s", file.stem[:12], count, time.monotonic() - started
        )


def register(registry: Registry) -> None:
    """Register the IMAP connector under the source kind "imap"."""
    registry.register(ImapConnector())
