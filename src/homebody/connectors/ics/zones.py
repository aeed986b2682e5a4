"""Turn a TZID into a time zone: IANA names, Windows names, Outlook display strings, VTIMEZONEs.

FORMATS.md §4 "Time values": TZIDs are not always IANA names. Outlook writes Windows names
("Pacific Standard Time", mapped with CLDR windowsZones, which icalendar ships) or display strings
("Canberra, Melbourne, Sydney"); Thunderbird and others prefix "/vendor/"; some files reference a
TZID with no VTIMEZONE block at all, others define a zone under a made-up name
("custom_America/New_York", "Екатеринбург"). RFC 5545 §3.6.5 makes the VTIMEZONE block the
definition; we still prefer the IANA database when the name maps to it, because exporters often
write only the current rules (Outlook's "1601" blocks) and the database knows the history.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from icalendar import Component
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

logger = logging.getLogger(__name__)

# "(UTC-03:00) Brasília", "UTC+11", "GMT-0500": a UTC offset written into the name.
_OFFSET_NAME = re.compile(r"^\(?\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?\s*\)?")
# Two instants to check a guessed IANA zone against the file's own VTIMEZONE: one in each half
# of the year, so both standard and daylight time are compared.
_PROBES = (datetime(2020, 1, 15, 12, tzinfo=UTC), datetime(2020, 7, 15, 12, tzinfo=UTC))


def iana(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone with exactly this name, or None."""
    if not name or name.startswith("/") or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _fold(text: str) -> str:
    """Lower-case ASCII with underscores, the way IANA spells city names ("São Paulo")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", "_", ascii_text.strip()).lower()


@functools.cache
def _cities() -> dict[str, str]:
    """IANA zone names by their last part, folded: "melbourne" -> "Australia/Melbourne"."""
    index: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones(), key=lambda n: (n.count("/"), n)):
        if "/" in name and not name.startswith(("Etc/", "SystemV/")):
            index.setdefault(_fold(name.rsplit("/", 1)[1]), name)
    return index


def _fixed_offset(tzid: str) -> tzinfo | None:
    """A fixed-offset zone from a name like "UTC+11" or "(UTC-03:00) ..."."""
    match = _OFFSET_NAME.match(tzid)
    if match is None or match.group(1) is None:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if match.group(1) == "-" else 1
    offset = timedelta(hours=hours, minutes=minutes) * sign
    return timezone(offset)


class Zones:
    """The time zones one calendar can name: its VTIMEZONE blocks plus everything the world knows."""

    def __init__(self, vtimezones: Mapping[str, Component]) -> None:
        self._vtimezones = dict(vtimezones)
        self._resolved: dict[str, tzinfo | None] = {}

    def resolve(self, tzid: str) -> tzinfo | None:
        """The zone a TZID means, or None if nothing defines it."""
        if tzid not in self._resolved:
            self._resolved[tzid] = self._resolve(tzid)
        return self._resolved[tzid]

    def _resolve(self, tzid: str) -> tzinfo | None:
        name = tzid.strip().strip('"').replace("\\", "").strip()
        block = self._vtimezones.get(tzid) or self._vtimezones.get(name)
        for candidate in self._iana_candidates(name, block):
            zone = iana(candidate)
            if zone is not None:
                return zone
        defined = self._from_block(block)
        guessed = self._guess_city(name)
        if guessed is not None and (defined is None or _same_offsets(guessed, defined)):
            return guessed
        if defined is not None:
            return defined
        fixed = _fixed_offset(name)
        if fixed is None:
            logger.debug("unknown TZID with no VTIMEZONE; times read as floating")
        return fixed

    @staticmethod
    def _iana_candidates(name: str, block: Component | None) -> list[str]:
        """Names to try in the IANA database, best first."""
        cleaned = name.strip("/")
        candidates = [cleaned]
        # Windows names, with or without the " Standard Time" Outlook sometimes drops.
        for windows in (cleaned, cleaned + " Standard Time"):
            if windows in WINDOWS_TO_OLSON:
                candidates.append(WINDOWS_TO_OLSON[windows])
        # RFC 5545 §3.2.19 globally unique TZIDs: "/freeassociation.sourceforge.net/Europe/Berlin".
        parts = cleaned.split("/")
        candidates.extend("/".join(parts[i:]) for i in range(1, len(parts)))
        # Lightning and Google name the IANA zone a custom block stands for.
        if block is not None and "X-LIC-LOCATION" in block:
            candidates.append(str(block["X-LIC-LOCATION"]).strip())
        return candidates

    @staticmethod
    def _guess_city(name: str) -> zoneinfo.ZoneInfo | None:
        """An IANA zone named after a city in an Outlook display string."""
        text = _OFFSET_NAME.sub("", name) if _OFFSET_NAME.match(name) else name
        for part in re.split(r"[,;/]| - ", text):
            city = _cities().get(_fold(part))
            if city is not None:
                return iana(city)
        return None

    @staticmethod
    def _from_block(block: Component | None) -> tzinfo | None:
        """The zone the file's own VTIMEZONE block defines."""
        if block is None:
            return None
        try:
            return tzp.create_timezone(block)
        except Exception:  # noqa: BLE001 - any broken VTIMEZONE just means "not defined here"
            logger.debug("unreadable VTIMEZONE block ignored")
            return None


def _same_offsets(zone: tzinfo, other: tzinfo) -> bool:
    """Whether two zones agree on UTC offsets in winter and in summer."""
    try:
        return all(
            probe.astimezone(zone).utcoffset() == probe.astimezone(other).utcoffset() for probe in _PROBES
        )
    except (ValueError, OverflowError):  # a zone that cannot answer does not agree
        return False
