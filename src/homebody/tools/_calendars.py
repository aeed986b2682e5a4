"""Where the calendar tools write: a local `.ics` file, or one calendar on a CalDAV server.

`[tools] calendar` in config.toml is a path (`~/homebody.ics`, created if missing) or a CalDAV
calendar's URL as the caldav connector reads it (`https://user@host/path/`; the password from
`HOMEBODY_CALDAV_PASSWORD_<USER>` or the keyring). Each event is one VEVENT known by its UID. On
CalDAV a new event is PUT as `<uid>.ics` with `If-None-Match: *`, and a changed one back to where
it was found with `If-Match` on its etag, so a change made meanwhile elsewhere is never overwritten
(RFC 4791 section 5.3.2, RFC 9110 section 13.1).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import icalendar
from caldav.collection import Calendar as DavCalendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from homebody.config import Settings
from homebody.connectors.caldav.account import Account, find_password, parse_location
from homebody.errors import ConfigError, ToolError, ToolUnavailable
from homebody.tools._store import locked, write_atomic

log = logging.getLogger(__name__)

PRODID = "-//homebody//tools//EN"
TIMEOUT = 60


class CalendarStore(Protocol):
    """A place events are kept."""

    @property
    def where(self) -> str:
        """Where the events are kept, for previews (never with a password)."""

    def add(self, calendar: icalendar.Calendar) -> None:
        """Store a new event (a VCALENDAR holding one VEVENT and its zones)."""

    def get(self, uid: str) -> icalendar.Calendar:
        """The VCALENDAR holding the event with this UID, or a ToolError."""

    def replace(self, uid: str, calendar: icalendar.Calendar) -> None:
        """Store the changed event in place of the one with this UID."""


def new_calendar() -> icalendar.Calendar:
    """An empty VCALENDAR with homebody's PRODID (RFC 5545 section 3.6 requires PRODID and VERSION)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    return calendar


def event_of(calendar: icalendar.Calendar, uid: str) -> icalendar.Event:
    """The master VEVENT with this UID in the calendar, or a ToolError."""
    for component in calendar.walk("VEVENT"):
        if str(component.get("UID")) == uid and "RECURRENCE-ID" not in component:
            assert isinstance(component, icalendar.Event)
            return component
    raise ToolError(f"no event with id {uid!r} in the calendar")


@dataclass
class IcsFile:
    """A local iCalendar file holding all of homebody's events."""

    path: Path

    @property
    def where(self) -> str:
        """Where the events are kept, for previews."""
        return str(self.path)

    def _read(self) -> icalendar.Calendar:
        if not self.path.exists():
            return new_calendar()
        try:
            return icalendar.Calendar.from_ical(self.path.read_bytes())
        except (ValueError, IndexError, KeyError) as err:
            raise ConfigError(
                f"the calendar file {self.path} is not valid iCalendar; fix or move it"
            ) from err

    def _write(self, calendar: icalendar.Calendar) -> None:
        calendar.add_missing_timezones()
        write_atomic(self.path, calendar.to_ical())

    def add(self, calendar: icalendar.Calendar) -> None:
        """Add the event to the file."""
        with locked(self.path):
            whole = self._read()
            for component in calendar.subcomponents:
                if component.name == "VEVENT":
                    whole.add_component(component)
            self._write(whole)

    def get(self, uid: str) -> icalendar.Calendar:
        """The event as a calendar of its own."""
        single = new_calendar()
        single.add_component(event_of(self._read(), uid))
        return single

    def replace(self, uid: str, calendar: icalendar.Calendar) -> None:
        """Put the changed event where the old one was."""
        changed = event_of(calendar, uid)
        with locked(self.path):
            whole = self._read()
            old = event_of(whole, uid)
            whole.subcomponents[whole.subcomponents.index(old)] = changed
            self._write(whole)


@dataclass
class Caldav:
    """One calendar collection on a CalDAV server."""

    account: Account

    @property
    def where(self) -> str:
        """Where the events are kept, for previews: the calendar's URL, without credentials."""
        return self.account.url

    def _client(self) -> DAVClient:
        return DAVClient(
            url=self.account.url,
            username=self.account.user,
            password=find_password(self.account),
            timeout=TIMEOUT,
            require_tls=self.account.scheme == "https",
            enable_rfc6764=False,
        )

    def _guard(self, what: str, err: Exception) -> Exception:
        host = self.account.host
        if isinstance(err, dav_error.AuthorizationError):
            return ConfigError(f"the CalDAV server {host} refused the login of {self.account.user}")
        if isinstance(err, dav_error.NotFoundError):
            return ToolError(f"{what}: not found on the CalDAV server {host}")
        if isinstance(err, dav_error.DAVError):
            return ToolError(f"{what}: the CalDAV server {host} refused ({type(err).__name__})")
        return ToolUnavailable(f"{what}: cannot reach the CalDAV server {host} ({type(err).__name__})")

    def _put(
        self, client: DAVClient, url: str, calendar: icalendar.Calendar, condition: dict[str, str]
    ) -> None:
        calendar.add_missing_timezones()
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        response = client.put(url, calendar.to_ical().decode("utf-8"), headers)
        if response.status == 412:
            raise ToolError("the event changed on the server meanwhile; read it again before changing it")
        if response.status >= 400:
            raise dav_error.PutError(f"PUT status {response.status}")

    def add(self, calendar: icalendar.Calendar) -> None:
        """PUT the event as a new resource; never over an existing one."""
        uid = str(next(iter(calendar.walk("VEVENT"))).get("UID"))
        url = self.account.url + quote(re.sub(r"[^A-Za-z0-9@._-]", "_", uid)) + ".ics"
        try:
            with self._client() as client:
                self._put(client, url, calendar, {"If-None-Match": "*"})
        except (dav_error.DAVError, OSError, ValueError) as err:
            raise self._guard("adding the event", err) from err

    def _find(self, client: DAVClient, uid: str) -> Any:
        calendar = DavCalendar(client=client, url=self.account.url)
        return calendar.get_event_by_uid(uid)

    def get(self, uid: str) -> icalendar.Calendar:
        """The event's calendar object as stored on the server."""
        try:
            with self._client() as client:
                found = self._find(client, uid)
                return icalendar.Calendar.from_ical(found.data)
        except dav_error.NotFoundError:
            raise ToolError(f"no event with id {uid!r} in the calendar") from None
        except (dav_error.DAVError, OSError, ValueError) as err:
            raise self._guard("reading the event", err) from err

    def replace(self, uid: str, calendar: icalendar.Calendar) -> None:
        """PUT the changed event back where it was found, only if it did not change meanwhile."""
        try:
            with self._client() as client:
                found = self._find(client, uid)
                etag = found.props.get("{DAV:}getetag") if hasattr(found, "props") else None
                self._put(client, str(found.url), calendar, {"If-Match": etag} if etag else {})
        except dav_error.NotFoundError:
            raise ToolError(f"no event with id {uid!r} in the calendar") from None
        except (dav_error.DAVError, OSError, ValueError) as err:
            raise self._guard("changing the event", err) from err


def open_store(settings: Settings) -> CalendarStore:
    """The calendar `[tools] calendar` names, or a ConfigError saying how to name one."""
    target = settings.tools.calendar
    if not target:
        raise ConfigError(
            "no calendar to write to: set [tools] calendar in config.toml to a .ics file or a CalDAV URL"
        )
    if re.match(r"^https?://", target, re.IGNORECASE):
        return Caldav(parse_location(target))
    path = Path(target).expanduser()
    if not path.is_absolute():
        path = settings.home / path
    return IcsFile(path)
