"""Where each mailbox's sync stands: a cursor per mailbox, kept in the source's state in the vault.

The cursor holds `uidvalidity` and `last_uid` (RFC 3501 section 2.3.1.1: a UID stays valid as long as
the mailbox's UIDVALIDITY does not change), and the UIDs the vault holds, as ranges ("1:500,502"),
so a message expunged on the server can be told apart and deleted from the vault.

Earlier versions kept the cursor in a JSON file per mailbox in the user's state folder; `legacy`
reads such a file once, for a mailbox the vault has no cursor for yet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

SUFFIX = ".json"


@dataclass(frozen=True)
class Cursor:
    """How far one mailbox has been read; `uids` is None when not known (a legacy state file)."""

    uidvalidity: int | None = None
    last_uid: int = 0
    uids: frozenset[int] | None = frozenset()

    def to_json(self) -> dict[str, Any]:
        """The cursor as the source's state stores it."""
        return {
            "uidvalidity": self.uidvalidity,
            "last_uid": self.last_uid,
            "uids": None if self.uids is None else ranges(self.uids),
        }

    @classmethod
    def from_json(cls, data: Any) -> Cursor | None:
        """The cursor stored under a mailbox, or None if there is none or it is damaged."""
        if not isinstance(data, dict):
            return None
        try:
            uidvalidity = data.get("uidvalidity")
            uids = data.get("uids")
            return cls(
                uidvalidity=None if uidvalidity is None else int(uidvalidity),
                last_uid=int(data.get("last_uid") or 0),
                uids=None if uids is None else expand(str(uids)),
            )
        except (TypeError, ValueError):
            return None


def ranges(uids: Iterable[int]) -> str:
    """UIDs as IMAP writes sets (RFC 3501 section 9, sequence-set): "1:5,7,9:12"."""
    out: list[str] = []
    start = end = None
    for uid in sorted(uids):
        if end is not None and uid == end + 1:
            end = uid
            continue
        if start is not None:
            out.append(f"{start}:{end}" if start != end else str(start))
        start = end = uid
    if start is not None:
        out.append(f"{start}:{end}" if start != end else str(start))
    return ",".join(out)


def expand(text: str) -> frozenset[int]:
    """The UIDs of a set written by `ranges`; ValueError if it is not one."""
    uids: set[int] = set()
    for piece in filter(None, text.split(",")):
        low, _, high = piece.partition(":")
        uids.update(range(int(low), int(high or low) + 1))
    return frozenset(uids)


def default_state_dir() -> Path:
    """Where earlier versions kept IMAP cursors (`~/.local/state/homebody/imap` on Linux)."""
    return Path(platformdirs.user_state_dir("homebody", appauthor=False)) / "imap"


def state_path(directory: Path, account_url: str, mailbox: str) -> Path:
    """The legacy state file of one mailbox of one account (named by a hash of both)."""
    digest = hashlib.sha256(f"{account_url}\x00{mailbox}".encode()).hexdigest()
    return directory / f"{digest}{SUFFIX}"


def legacy(directory: Path, account_url: str, mailbox: str) -> Cursor | None:
    """The cursor an earlier version's state file holds for a mailbox (wire name), if it is readable."""
    path = state_path(directory, account_url, mailbox)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if (data["account"], data["mailbox"]) != (account_url, mailbox):
            return None
        uidvalidity = data.get("uidvalidity")
        return Cursor(
            uidvalidity=None if uidvalidity is None else int(uidvalidity),
            last_uid=int(data.get("last_uid") or 0),
            uids=None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
