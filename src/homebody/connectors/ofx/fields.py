"""Reading OFX values: text with entities, signed amounts, datetimes with their offsets, statuses.

Value rules from FORMATS.md §5 "OFX / QFX" and the OFX spec §3.2 (data types). A value that
cannot be read raises `Unreadable` with a reason that names the field, never its content.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from ofxtools import Types, utils

# OFX spec §2.3 names &lt; &gt; &amp; &nbsp;; XML adds &quot; &apos; and numeric references.
_ENTITY = re.compile(r"&(?:amp|lt|gt|nbsp|quot|apos|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
# An OFX amount: signed digits with one decimal separator (a comma from European banks is read
# by ofxtools). Exponents are refused before Decimal sees them: `1E999999999` is not money.
_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_DECIMAL = Types.Decimal()
# Times banks write to mean "this date, no time" (FORMATS.md §5: noon is the common marker;
# midnight is the other, e.g. Fidelity's `20120720000000.000[-4:EDT]`).
_DATE_MARKERS = frozenset({(0, 0, 0, 0), (12, 0, 0, 0)})


class Unreadable(ValueError):
    """A record cannot be read; the message is a reason fit for a BadRecord (no personal content)."""


def unescape(value: str) -> str:
    """Decode character entities once: `&amp;lt;` becomes `&lt;`, as FORMATS.md §5 asks."""
    if "&" not in value:  # most values: nothing to decode
        return value
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), value)


def leaf(parent: ET.Element | None, path: str) -> str | None:
    """The text of the element at `path` under `parent`, entities decoded and stripped; None if empty."""
    node = parent.find(path) if parent is not None else None
    if node is None or not node.text:
        return None
    value = node.text if node.get("cdata") else unescape(node.text)  # CDATA holds no entities
    return value.strip() or None


def amount(raw: str | None, field: str) -> str:
    """A signed decimal string as the statement gives it, normalized: `-00030.000` is `-30.000`."""
    if raw is None:
        raise Unreadable(f"{field} is missing")
    if _AMOUNT.fullmatch(raw) is None:
        raise Unreadable(f"{field} is not a decimal number")
    value: Decimal = _DECIMAL.convert(raw)
    return format(value, "f")


def optional_amount(raw: str | None) -> str | None:
    """An amount that may be absent or unreadable without spoiling its record (units, balances)."""
    try:
        return amount(raw, "amount") if raw is not None else None
    except Unreadable:
        return None


@dataclass(frozen=True)
class When:
    """An OFX datetime read: the UTC instant, `Item.tz`, and the wall-clock value as written."""

    ts: datetime
    tz: str
    local: str  # "2023-05-09", or "2011-03-08T02:00:00" for a real time
    assumed: bool = False  # no zone in the file: read in the user's zone


def _offset_name(offset: timedelta) -> str:
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


@lru_cache(maxsize=256)
def _gmt_offset(hours: str | None, minutes: str | None, name: str | None) -> timedelta:
    """The offset in an OFX datetime's brackets, read as ofxtools' `DateTime` reads it (cached).

    Raises ValueError for an offset out of range, or for hours that are no number and a zone name
    ofxtools does not know (Interactive Brokers writes `[-:EST]`).
    """
    try:
        offset_hours = int(hours or 0)
    except ValueError:
        if name not in utils.TZS:
            raise ValueError("unknown zone name") from None
        offset_hours = utils.TZS[name]
    return utils.gmt_offset(offset_hours, int(minutes or 0))


def when(raw: str | None, field: str, zone: ZoneInfo) -> When:
    """Read `YYYYMMDD[HHMMSS[.XXX]][[±H[.MM]][:TZ]]` (OFX spec §3.2.8.2) into a `When`.

    A date, or a time of exactly noon or midnight, is a posting date (`tz="date"`, midnight in the
    user's zone like an all-day event); a time without a zone is GMT by the spec, but banks mean
    local time (FORMATS.md §5), so it is read in the user's zone with `assumed=True`.
    """
    if raw is None:
        raise Unreadable(f"{field} is missing")
    match = Types.DT_REGEX.match(raw)
    if match is None:
        raise Unreadable(f"{field} is not an OFX date")
    parts = match.groupdict()
    try:
        day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        clock = tuple(int(parts[k] or 0) for k in ("hour", "minute", "second", "millisecond"))
        if parts["hour"] is None or clock in _DATE_MARKERS:
            ts = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
            return When(ts, "date", day.isoformat())
        wall = datetime.combine(day, time(clock[0], clock[1], clock[2], clock[3] * 1000))
        local = wall.isoformat(timespec="seconds")
        if parts["gmt_offset_hours"] is None:
            return When(wall.replace(tzinfo=zone).astimezone(UTC), zone.key, local, assumed=True)
        # ofxtools' reading of the offset (or of EST/PDT names), as `DateTime.convert` applies it.
        offset = _gmt_offset(parts["gmt_offset_hours"], parts["gmt_offset_minutes"], parts["tz_name"])
        ts = (wall - offset).replace(tzinfo=UTC)
        return When(ts, _offset_name(wall - ts.replace(tzinfo=None)), local)
    except (ValueError, OverflowError) as err:  # Feb 31, second 60, a 40-hour offset, year 0
        raise Unreadable(f"{field} is not a valid date ({type(err).__name__})") from err


def status_error(parent: ET.Element) -> str | None:
    """Why a response carries an error STATUS (OFX spec §3.1.5), or None if it does not."""
    code = leaf(parent, "STATUS/CODE")
    severity = (leaf(parent, "STATUS/SEVERITY") or "").upper()
    if severity != "ERROR" and (severity or code in (None, "0")):
        return None
    return f"code {code}" if code and code.isdigit() and len(code) <= 6 else "no code"


def last4(account_id: str) -> str:
    """The end of an account number that may be shown: its last 4 digits (or characters)."""
    digits = "".join(c for c in account_id if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else account_id[-4:]
