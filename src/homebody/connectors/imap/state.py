"""Where each mailbox's sync stands: a small JSON file per mailbox in the user's state folder.

The file holds the cursor, `uidvalidity` and `last_uid` (RFC 3501 section 2.3.1.1: a UID stays valid
as long as the mailbox's UIDVALIDITY does not change), and what the server said the last time it was
asked (`server`: UIDVALIDITY and UIDNEXT), so a mailbox with nothing new is not read. It is also the
file the connector gives the sync for that mailbox: the sync reads a file again when it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from homebody.errors import SourceError

SUFFIX = ".json"


def default_state_dir() -> Path:
    """The user's state folder for IMAP cursors (`~/.local/state/homebody/imap` on Linux)."""
    return Path(platformdirs.user_state_dir("homebody", appauthor=False)) / "imap"


def state_path(directory: Path, account_url: str, mailbox: str) -> Path:
    """The state file of one mailbox of one account: named by a hash, so no name leaks into paths."""
    digest = hashlib.sha256(f"{account_url}\x00{mailbox}".encode()).hexdigest()
    return directory / f"{digest}{SUFFIX}"


@dataclass(frozen=True)
class MailboxState:
    """One mailbox's cursor: which account and mailbox (wire name), and how far the sync has read."""

    account: str
    mailbox: str
    uidvalidity: int | None = None
    last_uid: int = 0
    server: dict[str, int] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        """True when the server's last STATUS shows no message past the cursor (RFC 3501 7.2.4)."""
        uidvalidity = self.server.get("uidvalidity")
        uidnext = self.server.get("uidnext")
        return (
            self.uidvalidity is not None
            and uidvalidity == self.uidvalidity
            and uidnext is not None
            and uidnext - 1 <= self.last_uid
        )


def load(path: Path) -> MailboxState:
    """The state in a file; SourceError if it is missing or not a state file."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise SourceError(f"cannot read the IMAP sync state {path}: {err.strerror or err}") from err
    except ValueError as err:
        raise SourceError(f"the IMAP sync state {path} is damaged ({type(err).__name__})") from err
    try:
        server = data.get("server") or {}
        state = MailboxState(
            account=str(data["account"]),
            mailbox=str(data["mailbox"]),
            uidvalidity=None if data.get("uidvalidity") is None else int(data["uidvalidity"]),
            last_uid=int(data.get("last_uid") or 0),
            server={str(k): int(v) for k, v in server.items() if v is not None},
        )
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise SourceError(f"the IMAP sync state {path} is damaged ({type(err).__name__})") from err
    return state


def save(path: Path, state: MailboxState) -> None:
    """Write the state atomically: a crash leaves the old file or the new one, never half of one."""
    text = json.dumps(asdict(state), indent=2, sort_keys=True) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise SourceError(f"cannot write the IMAP sync state {path}: {err.strerror or err}") from err
