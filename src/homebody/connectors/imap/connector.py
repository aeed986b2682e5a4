"""The `imap` source: an IMAP account's mailboxes, read incrementally by UIDVALIDITY and UID.

`homebody add imap imaps://user@host/INBOX` reads one mailbox, `imaps://user@host/` every mailbox
that can be opened. A source's parts are its mailboxes, by name. `versions` asks the server for each
mailbox's STATUS (UIDVALIDITY, UIDNEXT, MESSAGES) in one login: the sync reads a mailbox only when
that changed, so a mailbox with no new mail and nothing expunged costs one STATUS command. `read`
opens the mailbox read-only and fetches the messages past the cursor kept in the source's state
(state.py); when the mailbox's UIDVALIDITY changed, every UID is new again (RFC 3501 section
2.3.1.1), and since items are keyed by Message-ID nothing is stored twice.

Messages expunged on the server are found by UID SEARCH over the UIDs the vault holds, and yielded
as `Gone`: their items leave the vault unless another mailbox of the source still has them.

The cursor moves after each batch the sync has been handed, and the sync commits it with the items
it covers, so a killed sync fetches again what it had not committed and never skips a message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from homebody.connectors.base import Gone, Read, Registry, SyncContext
from homebody.connectors.imap.account import find_password, parse_location
from homebody.connectors.imap.parse import decode_mailbox, encode_mailbox, message_items
from homebody.connectors.imap.session import Session
from homebody.connectors.imap.state import Cursor, default_state_dir, legacy
from homebody.errors import ConfigError
from homebody.vault.items import Kind

logger = logging.getLogger(__name__)

TIMEOUT = 60.0


def origin(host: str, mailbox: str, uid: int) -> str:
    """Where a message sits, as its items' `origin` says it (parse.py `message_items`)."""
    return f"{host}/{mailbox}, UID {uid}"


class ImapConnector:
    """Mail on an IMAP server: one email item per message, fetched once, never changed on the server."""

    kind = "imap"
    provides = frozenset({Kind.EMAIL})
    description = (
        "an IMAP account: imaps://USER@HOST/MAILBOX, or imaps://USER@HOST/ for every mailbox; the "
        "password comes from HOMEBODY_IMAP_PASSWORD_<USER> or the OS keyring (service homebody-imap)"
    )
    incremental = True

    def __init__(self, state_dir: Path | None = None, *, timeout: float = TIMEOUT) -> None:
        self._state_dir = state_dir
        self._timeout = timeout

    @property
    def state_dir(self) -> Path:
        """Where earlier versions kept the mailboxes' cursors (read once, then ignored)."""
        return self._state_dir or default_state_dir()

    def versions(self, path: Path) -> dict[Path, str]:
        """Each mailbox the URL names, by name, with its STATUS as the version."""
        account = parse_location(str(path))
        password = find_password(account)
        with Session(account, password, timeout=self._timeout) as session:
            named = account.mailbox
            wires = [encode_mailbox(named)] if named is not None else session.mailboxes()
            found: dict[Path, str] = {}
            for wire in wires:
                status = session.status(wire)
                version = " ".join(str(status.get(k)) for k in ("UIDVALIDITY", "UIDNEXT", "MESSAGES"))
                found[Path(decode_mailbox(wire))] = version
        logger.debug("imap: %d mailboxes", len(found))
        return found

    def files(self, path: Path) -> list[Path]:
        """The mailboxes the URL names (their names)."""
        return list(self.versions(path))

    def read(self, file: Path, context: SyncContext) -> Iterator[Read]:
        """Fetch the mailbox's messages past the cursor as email items, and say which were expunged."""
        if context.root is None:
            raise ConfigError("the IMAP connector reads a mailbox of the account the source was added with")
        account = parse_location(str(context.root))
        mailbox = str(file)
        wire = encode_mailbox(mailbox)
        cursor = Cursor.from_json(context.state.get(mailbox)) or legacy(self.state_dir, account.url, wire)
        cursor = cursor or Cursor()
        password = find_password(account)
        started = time.monotonic()
        count = 0
        with Session(account, password, timeout=self._timeout) as session:
            uidvalidity, uidnext = session.examine(wire)
            same = uidvalidity is not None and uidvalidity == cursor.uidvalidity
            if same:
                after = cursor.last_uid
                present = session.uids(after)
                known = frozenset(present if cursor.uids is None else cursor.uids & present)
                expunged = set() if cursor.uids is None else cursor.uids - present
            else:
                if cursor.uidvalidity is not None:
                    logger.info("imap: a mailbox has a new UIDVALIDITY; reading it all")
                after, known, expunged = 0, frozenset(), set(cursor.uids or ())
            for uid in sorted(expunged):
                yield Gone(origin(account.host, mailbox, uid))
            newest = after
            fetched_uids: set[int] = set()
            for batch in session.batches(after, uidnext):
                for fetched in batch:
                    yield from message_items(fetched, host=account.host, mailbox=mailbox)
                    newest = max(newest, fetched.uid or 0)
                    if fetched.uid is not None:
                        fetched_uids.add(fetched.uid)
                count += len(batch)
                if same or not expunged:
                    # Committed with this batch's items. The expunged stay listed until the read ends,
                    # when their Gone is applied: a sync killed before that finds them again. (Under a
                    # new UIDVALIDITY the old UIDs go only at the end: the cursor waits for it.)
                    interim = Cursor(uidvalidity, newest, frozenset((cursor.uids or known) | fetched_uids))
                    context.state.set(mailbox, interim.to_json())
        if uidnext is not None:
            # Every UID below UIDNEXT was listed: messages expunged meanwhile are past, not pending.
            newest = max(newest, uidnext - 1)
        final = Cursor(uidvalidity, newest, frozenset(known | fetched_uids))
        context.state.set(mailbox, final.to_json())
        logger.debug(
            "imap: %d messages, %d expunged in %.1f s", count, len(expunged), time.monotonic() - started
        )


def register(registry: Registry) -> None:
    """Register the IMAP connector under the source kind "imap"."""
    registry.register(ImapConnector())
