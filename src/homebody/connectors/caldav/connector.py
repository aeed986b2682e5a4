"""The `caldav` source: every calendar under a CalDAV collection, its events and to-dos as items.

`homebody add caldav https://user@host/dav/calendars/user/` reads every calendar in that home;
the URL of one calendar reads just it. The sync reads a file again only when it changed, so for
each calendar `files` returns a small state file (in the user's state folder, named by a hash)
holding the calendar's URL and its objects' etags (RFC 4791 section 5.3.4: an etag changes when
the object does): one PROPFIND per calendar, and a calendar with no change is not fetched.
`read` fetches the calendar's objects and hands each one's iCalendar data to the `ics` parser, so
recurrences, zones and to-dos are read exactly as in .ics files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.connectors.caldav import server
from homebody.connectors.caldav.account import Account, find_password, parse_location
from homebody.connectors.ics.connector import window
from homebody.connectors.ics.parse import parse_calendar
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Kind

logger = logging.getLogger(__name__)


def default_state_dir() -> Path:
    """The user's state folder for CalDAV calendars (`~/.local/state/homebody/caldav` on Linux)."""
    return Path(platformdirs.user_state_dir("homebody", appauthor=False)) / "caldav"


class CaldavConnector:
    """Calendars on a CalDAV server (Nextcloud, Fastmail, iCloud, Radicale...): events and to-dos."""

    kind = "caldav"
    provides = frozenset({Kind.EVENT, Kind.NOTE})
    description = (
        "CalDAV calendars: https://USER@HOST/PATH/ (a calendar home or one calendar); the password "
        "comes from HOMEBODY_CALDAV_PASSWORD_<USER> or the OS keyring (service homebody-caldav)"
    )

    def __init__(self, state_dir: Path | None = None, *, timeout: int = server.TIMEOUT) -> None:
        self._state_dir = state_dir
        self._timeout = timeout

    @property
    def state_dir(self) -> Path:
        """Where each calendar's state file is kept (the user's state folder unless given)."""
        return self._state_dir or default_state_dir()

    def files(self, path: Path) -> list[Path]:
        """One state file per calendar the URL names, refreshed with the calendar's etags."""
        account = parse_location(str(path))
        password = find_password(account)
        found: list[Path] = []
        with server.connect(account, password, timeout=self._timeout) as client:
            for url, _name in server.calendars(client, account.url):
                state = {"account": account.location, "calendar": url, "etags": server.etags(client, url)}
                found.append(self._save(state))
        if not found:
            raise SourceError(f"no calendars found on {account.host} under {account.path}")
        logger.debug("caldav: %d calendars", len(found))
        return found

    def _save(self, state: Mapping[str, object]) -> Path:
        """Write the state file only when it changed: an unchanged file is not read again."""
        key = f"{state['account']}\x00{state['calendar']}"
        path = self.state_dir / f"{hashlib.sha256(key.encode()).hexdigest()}.json"
        text = json.dumps(state, sort_keys=True, indent=1)
        try:
            if path.exists() and path.read_text(encoding="utf-8") == text:
                return path
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(temp).replace(path)
        except OSError as err:
            raise SourceError(f"cannot write the CalDAV sync state in {path.parent}: {err.strerror}") from err
        return path

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Fetch the calendar's objects and parse each into event and to-do items."""
        try:
            user_zone = ZoneInfo(context.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ConfigError(f"unknown time zone {context.timezone!r} in the settings") from err
        account, url = _load(file)
        password = find_password(account)
        span = window(context.now)
        with server.connect(account, password, timeout=self._timeout) as client:
            [(_, name)] = server.calendars(client, url) or [(url, url)]
            fetched = server.objects(client, url)
        logger.debug("caldav: calendar %s: %d objects", file.stem[:12], len(fetched))
        for n, obj in enumerate(fetched, start=1):
            origin = f"{name}, {obj.href}"
            if not obj.data:
                yield BadRecord(name, f"object {n}", "the server sent no calendar data")
                continue
            for parsed in parse_calendar(obj.data.encode("utf-8"), file_name=name, window=span, tz=user_zone):
                if isinstance(parsed, BadRecord):
                    yield BadRecord(name, f"object {n} ({parsed.position})", parsed.reason)
                else:
                    meta = {**parsed.meta, "caldav": {"calendar": name, "href": obj.href}}
                    yield replace(parsed, origin=origin, meta=meta)


def _load(file: Path) -> tuple[Account, str]:
    """The account and calendar URL a state file names."""
    try:
        state = json.loads(file.read_text(encoding="utf-8"))
        return parse_location(state["account"]), str(state["calendar"])
    except (OSError, ValueError, KeyError, TypeError, ConfigError) as err:
        raise SourceError(f"the CalDAV sync state {file.name} cannot be read: {type(err).__name__}") from err


def register(registry: Registry) -> None:
    """Register the CalDAV connector under the source kind "caldav"."""
    registry.register(CaldavConnector())
