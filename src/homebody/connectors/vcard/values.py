"""Read vCard property values: escapes, structured fields, birthdays, REV, phones, labels.

vobject's own value decoding (`VCardTextBehavior`) keeps only the text before the first unescaped
comma, so `FN:Doe, John` or a vCard 2.1 `ORG:Company, The` (2.1 does not escape commas) would lose
words; values are therefore read here from the raw text vobject's `parseLine` returns.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo

import phonenumbers
from dateutil.parser import isoparse

# RFC 6350 §3.4 / RFC 2426 §4: `\n` `\,` `\;` `\\`; Google also escapes colons in URLs (`http\://`).
_ESCAPE = re.compile(r"\\([nN,;:\\])")
_NEWLINES = re.compile(r"\r\n|\r")
# BDAY: `1991-07-30`, `19800321`, a date-time, or no year: `--0214` (RFC 6350 §4.3.1, also written
# by Google inside 3.0 cards) and `--02-14` (FORMATS.md §7).
_BDAY = re.compile(r"^(?:(?P<year>\d{4})-?|--)(?P<month>\d{2})-?(?P<day>\d{2})(?:T[0-9:.,Z+-]*)?$")
# Apple writes a birthday without a year as the year 1604 (`X-APPLE-OMIT-YEAR=1604`).
_APPLE_NO_YEAR = "1604"
# Apple's built-in labels: `_$!<HomePage>!$_` (FORMATS.md §7 "Apple/Google grouping").
_APPLE_LABEL = re.compile(r"^_\$!<(?P<name>.*)>!\$_$")
_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: TYPE values that name a phone's kind, most specific first (RFC 6350 §6.4.1, vCard 2.1 §2.3.3).
_PHONE_KINDS = {
    "iphone": "iPhone",
    "main": "main",
    "cell": "mobile",
    "pager": "pager",
    "fax": "fax",
    "car": "car",
    "video": "video",
    "textphone": "textphone",
    "isdn": "ISDN",
    "other": "other",
}
_PLACES = {"home": "home", "work": "work"}


def unescape(value: str) -> str:
    """A text value without its backslash escapes, with line breaks as `\\n`."""
    text = _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
    return _NEWLINES.sub("\n", text)


def split_escaped(value: str, separator: str) -> list[str]:
    """Split a value on separators not escaped by a backslash, then unescape each part."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [unescape(part).strip() for part in parts]


def fields(value: str, count: int) -> list[str]:
    """The components of a structured value (N, ADR, ORG), padded to at least `count`."""
    parts = split_escaped(value, ";")
    return parts + [""] * (count - len(parts))


def birthday(value: str, omit_year: bool) -> str | None:
    """ "YYYY-MM-DD", or "--MM-DD" when the year is left out; None if it is not a date."""
    match = _BDAY.match(value.strip())
    if match is None:
        return None
    year, month, day = match.group("year"), int(match.group("month")), int(match.group("day"))
    if omit_year or year == _APPLE_NO_YEAR:
        year = None
    try:
        date(int(year) if year else 2000, month, day)  # 2000 is a leap year: --02-29 stays valid
    except ValueError:
        return None
    return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def spoken_birthday(value: str) -> str:
    """A birthday for the card's text: ISO with a year, "February 14" without one."""
    if value.startswith("--"):
        return f"{_MONTHS[int(value[2:4]) - 1]} {int(value[5:7])}"
    return value


def revision(value: str, zone: tzinfo) -> tuple[datetime, str, bool] | None:
    """REV as (UTC time, original zone, zone assumed?); None if it is not a time.

    RFC 6350 §6.7.4 gives REV as a timestamp; one without a zone is read in the user's zone.
    """
    text = value.strip()
    try:
        parsed = isoparse(text)
    except (ValueError, OverflowError):
        return None
    if "T" not in text.upper():
        return parsed.replace(tzinfo=UTC), "date", False
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone).astimezone(UTC), str(getattr(zone, "key", zone)), True
    offset = parsed.utcoffset()
    if not offset:
        return parsed.astimezone(UTC), "UTC", False
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    label = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return parsed.astimezone(UTC), label, False


def e164(raw: str, region: str) -> str | None:
    """A phone number in E.164 (`+15555550101`); numbers without + are read in `region`."""
    number = raw.strip()
    if number[:4].lower() == "tel:":  # vCard 4 `VALUE=uri` (RFC 3966)
        number = number[4:]
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_key(raw: str, region: str) -> str:
    """What identifies a phone number for a content hash: E.164, else its digits."""
    return e164(raw, region) or "".join(c for c in raw if c.isdigit())


def plain_label(label: str) -> str:
    """A custom label in plain words: Apple's `_$!<HomePage>!$_` becomes "home page"."""
    match = _APPLE_LABEL.match(label.strip())
    if match is None:
        return label.strip()
    name = match.group("name")
    if name.lower() == "iphone":
        return "iPhone"
    return " ".join(word.lower() for word in _CAMEL_WORD.findall(name)) or name


def type_label(types: frozenset[str]) -> str | None:
    """A label from TYPE parameters: "mobile", "work fax", "home"; None if they name none."""
    place = next((word for key, word in _PLACES.items() if key in types), None)
    kind = next((word for key, word in _PHONE_KINDS.items() if key in types), None)
    words = [w for w in (place, kind) if w]
    return " ".join(words) if words else None
