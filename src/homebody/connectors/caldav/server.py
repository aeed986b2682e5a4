"""Talking to a CalDAV server through the `caldav` library: find calendars, list etags, fetch objects.

Every library or socket failure leaves this module as a SourceError whose message names the host
and what failed, never the password or the server's own words (they may quote the request).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote
from xml.sax.saxutils import escape

from caldav.collection import Calendar, CalendarSet
from caldav.davclient import DAVClient
from caldav.elements import cdav, dav
from caldav.lib import error

from homebody.connectors.caldav.account import Account
from homebody.errors import SourceError

TIMEOUT = 60

# RFC 3986 section 3.3: what a path may hold unencoded ("/" between segments, pchar in them).
_PCHAR = "/:@!$&'()*+,;=-._~"
_CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"
_ETAG = "{DAV:}getetag"
_DATA = "{urn:ietf:params:xml:ns:caldav}calendar-data"
# RFC 4791 section 7.8: a calendar-query whose filter is just VCALENDAR matches every object
# (VEVENT, VTODO, VJOURNAL), and asks for its etag and data in the one round trip.
_EVERY_OBJECT = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
    "</C:calendar-query>"
)


@dataclass(frozen=True)
class CalendarObject:
    """One calendar object resource (RFC 4791 section 4.1): its href, etag and iCalendar text."""

    href: str
    etag: str
    data: str


@contextlib.contextmanager
def connect(account: Account, password: str, *, timeout: int = TIMEOUT) -> Iterator[DAVClient]:
    """A client logged in to the account's server; any failure inside becomes a SourceError."""
    try:
        with DAVClient(
            url=account.url,
            username=account.user,
            password=password,
            timeout=timeout,
            require_tls=account.scheme == "https",
            enable_rfc6764=False,  # the user gave the URL: no DNS discovery (RFC 6764)
        ) as client:
            yield client
    except error.AuthorizationError as err:
        raise SourceError(
            f"the CalDAV server {account.host} refused the login of {account.user}: check the "
            f"password in {account.password_env} or the keyring"
        ) from err
    except error.NotFoundError as err:
        raise SourceError(f"the CalDAV server {account.host} has no collection at {account.path}") from err
    except (error.DAVError, OSError, SyntaxError, ValueError) as err:
        # requests/niquests errors are OSErrors; lxml's XMLSyntaxError (a non-XML answer) a SyntaxError.
        raise SourceError(
            f"cannot read calendars from the CalDAV server {account.host}: {type(err).__name__}"
        ) from err


def calendars(client: DAVClient, url: str) -> list[tuple[str, str]]:
    """(URL, display name) of the calendar at URL, or of every calendar directly under it."""
    here = Calendar(client=client, url=url)
    # A sync client answers at once: never the coroutine the library's types also allow.
    props = cast(dict[str, Any], here.get_properties([dav.ResourceType(), dav.DisplayName()]))
    if _CALENDAR in (props.get("{DAV:}resourcetype") or []):
        return [(str(here.url), str(props.get("{DAV:}displayname") or _last(str(here.url))))]
    found = cast(list[Calendar], CalendarSet(client=client, url=url).get_calendars())
    return sorted((str(c.url), str(c.get_display_name() or _last(str(c.url)))) for c in found)


def etags(client: DAVClient, url: str) -> dict[str, str]:
    """Href -> etag of every object in the calendar (one PROPFIND, Depth: 1), not the calendar's own."""
    response = client.propfind(url, props=[_ETAG], depth=1)
    if response.status >= 400:
        raise error.DAVError(f"PROPFIND status {response.status}")
    props = response.expand_simple_props([dav.GetEtag()])
    # The collection answers for itself too (its href ends in "/"): it is not an object.
    return {href: str(p.get(_ETAG) or "") for href, p in sorted(props.items()) if not href.endswith("/")}


def objects(client: DAVClient, url: str, hrefs: Iterable[str] | None = None) -> list[CalendarObject]:
    """The calendar's events, to-dos and journals with their etags and iCalendar data: every one, or
    those at `hrefs` (RFC 4791 section 7.9, calendar-multiget: one round trip for the changed few)."""
    if hrefs is None:
        body = _EVERY_OBJECT
    else:
        # The library hands hrefs over decoded; on the wire they are URL paths again (RFC 4918 8.3).
        wanted = "".join(f"<D:href>{escape(quote(href, safe=_PCHAR))}</D:href>" for href in sorted(hrefs))
        if not wanted:
            return []
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:prop><D:getetag/><C:calendar-data/></D:prop>{wanted}</C:calendar-multiget>"
        )
    response = client.report(url, body, depth=1)
    if response.status >= 400:
        raise error.DAVError(f"REPORT status {response.status}")
    props = response.expand_simple_props([dav.GetEtag(), cdav.CalendarData()])
    return [
        CalendarObject(href, str(p.get(_ETAG) or ""), str(p.get(_DATA) or ""))
        for href, p in sorted(props.items())
    ]


def _last(url: str) -> str:
    return url.rstrip("/").rpartition("/")[2] or url
