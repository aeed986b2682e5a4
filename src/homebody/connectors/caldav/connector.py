"""The `caldav` source: every calendar under a CalDAV collection, its events and to-dos as items.

`homebody add caldav https://user@host/dav/calendars/user/` reads every calendar in that home;
the URL of one calendar reads just it. A source's parts are its calendars, by their path on the
server. `versions` lists each calendar's objects with their etags (one PROPFIND each; RFC 4791
section 5.3.4: an etag changes when the object does), so a calendar with no change is not read.
`read` compares the etags with the ones it stored in the source's state and fetches only the objects
that are new or changed (calendar-multiget), handing each one's iCalendar data to the `ics` parser,
so recurrences, zones and to-dos are read exactly as in .ics files. An object deleted on the server,
and an occurrence a changed event no longer has, are yielded as `Gone`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homebody.connectors.base import Gone, Read, Registry, SyncContext
from homebody.connectors.caldav import server
from homebody.connectors.caldav.account import Account, find_password, parse_location
from homebody.connectors.ics.connector import window
from homebody.connectors.ics.parse import parse_calendar
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Kind

logger = logging.getLogger(__name__)


def _origin(name: str, href: str) -> str:
    """Where an object's items come from, as their `origin` says it."""
    return f"{name}, {href}"


class CaldavConnector:
    """Calendars on a CalDAV server (Nextcloud, Fastmail, iCloud, Radicale...): events and to-dos."""

    kind = "caldav"
    provides = frozenset({Kind.EVENT, Kind.NOTE})
    description = (
        "CalDAV calendars: https://USER@HOST/PATH/ (a calendar home or one calendar); the password "
        "comes from HOMEBODY_CALDAV_PASSWORD_<USER> or the OS keyring (service homebody-caldav)"
    )
    incremental = True

    def __init__(self, *, timeout: int = server.TIMEOUT) -> None:
        self._timeout = timeout

    def versions(self, path: Path) -> dict[Path, str]:
        """Each calendar the URL names, by its path, with a digest of its name and etags as the version."""
        account = parse_location(str(path))
        password = find_password(account)
        found: dict[Path, str] = {}
        with server.connect(account, password, timeout=self._timeout) as client:
            for url, name in server.calendars(client, account.url):
                listing = json.dumps([name, server.etags(client, url)], sort_keys=True)
                found[_part(url)] = hashlib.sha256(listing.encode()).hexdigest()
        if not found:
            raise SourceError(f"no calendars found on {account.host} under {account.path}")
        logger.debug("caldav: %d calendars", len(found))
        return found

    def files(self, path: Path) -> list[Path]:
        """The calendars the URL names (their paths on the server)."""
        return list(self.versions(path))

    def read(self, file: Path, context: SyncContext) -> Iterator[Read]:
        """Fetch the calendar's new and changed objects as event and to-do items; say which went."""
        try:
            user_zone = ZoneInfo(context.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ConfigError(f"unknown time zone {context.timezone!r} in the settings") from err
        if context.root is None:
            raise ConfigError(
                "the CalDAV connector reads a calendar of the account the source was added with"
            )
        account = parse_location(str(context.root))
        url = _url(account, file)
        key = str(file)
        stored = _stored(context.state.get(key))
        password = find_password(account)
        span = window(context.now)
        with server.connect(account, password, timeout=self._timeout) as client:
            [(_, name)] = server.calendars(client, url) or [(url, url)]
            listed = server.etags(client, url)
            if stored is None or stored[0] != name:
                # First read, or the calendar was renamed (its items' origins name it): all again.
                fetched = server.objects(client, url)
                changed = set(listed)
            else:
                changed = {href for href, etag in listed.items() if stored[1].get(href) != etag}
                fetched = server.objects(client, url, changed)
        old_name, old_etags = stored or (name, {})
        logger.debug("caldav: %d objects fetched, %d listed", len(fetched), len(listed))
        # Deleted on the server; or, when the calendar was renamed, every origin under the old name.
        for href in sorted(old_etags if old_name != name else set(old_etags) - set(listed)):
            yield Gone(_origin(old_name, href))
        etags = {href: etag for href, etag in old_etags.items() if href in listed and href not in changed}
        for n, obj in enumerate(fetched, start=1):
            etags[obj.href] = obj.etag
            # What the object no longer has goes, but not its occurrences from before the window.
            yield Gone(_origin(name, obj.href), after=span[0])
            if not obj.data:
                yield BadRecord(name, f"object {n}", "the server sent no calendar data")
                continue
            for parsed in parse_calendar(obj.data.encode("utf-8"), file_name=name, window=span, tz=user_zone):
                if isinstance(parsed, BadRecord):
                    yield BadRecord(name, f"object {n} ({parsed.position})", parsed.reason)
                else:
                    meta = {**parsed.meta, "caldav": {"calendar": name, "href": obj.href}}
                    yield replace(parsed, origin=_origin(name, obj.href), meta=meta)
        context.state.set(key, {"name": name, "etags": etags})


def _part(url: str) -> Path:
    """A calendar's part name: its path on the server."""
    return Path(urlsplit(url).path)


def _url(account: Account, part: Path) -> str:
    """The URL of the calendar at a part's path, on the account's server."""
    return replace(account, path=str(part).rstrip("/") + "/").url


def _stored(data: Any) -> tuple[str, dict[str, str]] | None:
    """(calendar name, href -> etag) as the last read stored them, or None."""
    if not isinstance(data, dict) or not isinstance(data.get("etags"), dict):
        return None
    return str(data.get("name")), {str(k): str(v) for k, v in data["etags"].items()}


def register(registry: Registry) -> None:
    """Register the CalDAV connector under the source kind "caldav"."""
    registry.register(CaldavConnector())
