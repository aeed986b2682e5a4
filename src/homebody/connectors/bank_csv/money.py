"""Reading the cells of bank and payment CSV exports: bytes to rows, money, dates. Pure.

Shared by the bank CSV and Venmo connectors (FORMATS.md §5 "Bank CSV exports", "Venmo statement
CSV"): encodings UTF-8 / UTF-8-BOM / UTF-16-BOM / cp1252 / Latin-1, `,` or `;` delimiters, CR-only line
endings, amounts like `$1,036.47`, `- $1,250.00`, `(4.75)`, `2.750,00`, `11'373.94`, and dates in
MM/DD, DD/MM, DD.MM.YY or ISO order, inferred over the whole file when a single value is ambiguous.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

import charset_normalizer

#: What `read_rows` yields: the 1-based record number in the file, and its cells (or None if the
#: csv module could not read that record).
Row = tuple[int, list[str] | None]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_ROWS = 25


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text of an export and the encoding it was read with (BOM, UTF-8, then a detected one)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _detect_single_byte(data)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        # cp1252 leaves five bytes undefined; Latin-1 decodes every byte.
        return data.decode("latin-1"), "latin-1"


def _detect_single_byte(data: bytes) -> str:
    # charset-normalizer cannot tell cp1250 from cp1252 on a few accented letters (both score zero
    # chaos on "Müller"), and Western bank exports are by far the common case (FORMATS.md §5): prefer
    # cp1252 whenever it reads the bytes as cleanly as the best guess.
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return "cp1252"
    best = matches[0]
    for match in matches:
        if match.chaos > best.chaos:
            break
        if "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return best.encoding


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the most rows of one common width."""
    # csv.Sniffer guesses from character frequencies and is thrown by a German `;` file whose cells
    # hold decimal commas; counting consistent row widths per candidate is sturdier.
    head = [line for line in _first_lines(text) if line.strip()][:_SNIFF_ROWS]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            widths = [len(cells) for cells in csv.reader(head, delimiter=delimiter)]
        except csv.Error:
            continue
        common = max(set(widths), key=widths.count, default=1)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_lines(text: str) -> list[str]:
    return io.StringIO(text[:65536], newline=None).readlines()[: _SNIFF_ROWS * 2]


def read_rows(text: str, delimiter: str) -> list[Row]:
    """Every CSV record with its 1-based number; CR, LF and CRLF line endings all end a record."""
    # newline="" hands the csv module the raw line endings, so quoted cells keep their line breaks
    # and old-Mac CR-only files split correctly (FORMATS.md §5, Xero/Mint).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error:
            # A cell beyond the csv module's size limit: that record is lost, the next one is read.
            rows.append((number, None))
            continue
        rows.append((number, [cell.replace("\r\n", "\n").replace("\r", "\n") for cell in cells]))


def normalize_name(name: str) -> str:
    """A header name folded for comparison: no case, accents, BOM, quotes or repeated spaces."""
    folded = name.replace("\ufeff", "").strip().strip('"').casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        folded = folded.replace(umlaut, spelled)
    folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(folded.split())


# --- money ---------------------------------------------------------------------------------------

_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_MINUS = "-\u2212"
_AMOUNT = re.compile(
    r"^(?P<s1>[+\-\u2212])?(?P<c1>[$€£¥]|[A-Z]{3})?(?P<s2>[+\-\u2212])?"
    r"(?P<num>\d[\d.,']*)(?P<c2>[$€£¥]|[A-Z]{3})?(?P<s3>[+\-\u2212])?$"
)
_GROUPED = re.compile(r"^\d{1,3}(?:(?P<sep>[,.'])\d{3})(?:(?P=sep)\d{3})*$")


def parse_amount(raw: str, decimal: str = ".") -> tuple[Decimal, str | None]:
    """The signed value of a money cell and the currency its symbol or code names (None if none)."""
    text = "".join(raw.split())  # spaces, NBSP and thin spaces: `+ $18.50`, `1 234,56`
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    m = _AMOUNT.match(text)
    if m is None:
        raise ValueError("not an amount")
    signs = [s for s in (m["s1"], m["s2"], m["s3"]) if s]
    if len(signs) > 1 or (negative and signs):
        raise ValueError("amount with two signs")
    negative = negative or (bool(signs) and signs[0] in _MINUS)
    value = Decimal(_plain_number(m["num"], decimal))
    if negative:
        value = -value
    if value == 0:
        value = abs(value)  # `- $0.00` is no money moving
    symbol = m["c1"] or m["c2"]
    return value, _SYMBOLS.get(symbol, symbol) if symbol else None


def _plain_number(number: str, decimal: str) -> str:
    """`1.234,56` with decimal "," → `1234.56`; thousands grouping must be regular."""
    whole, point, fraction = number.rpartition(decimal)
    if not point:
        whole, fraction = number, ""
    elif not fraction.isdigit() or not whole:
        raise ValueError("misplaced decimal separator")
    if not whole.isdigit() and _GROUPED.match(whole) is None:
        raise ValueError("irregular thousands separators")
    digits = re.sub(r"[,.']", "", whole)
    return f"{digits}.{fraction}" if fraction else digits


def infer_decimal(values: Iterable[str]) -> str:
    """The decimal separator a column of amounts uses: "," only when the cells say so."""
    votes = {",": 0, ".": 0}
    for raw in values:
        number = re.sub(r"[^\d.,]", "", raw)
        m = re.search(r"([.,])(\d*)$", number)
        if m is None:
            continue
        separator, tail = m.groups()
        other = "." if separator == "," else ","
        if number.count(separator) > 1:
            votes[other] += 1  # `1.234.567`: a repeated separator groups thousands
        elif len(tail) != 3 or other in number:
            votes[separator] += 1  # `4,75`, `1.234,567`; a lone `1,000` decides nothing
    return "," if votes[","] > votes["."] else "."


def format_amount(value: Decimal) -> str:
    """A decimal string for meta: no exponent, no `+`."""
    return format(value, "f")


# --- dates ---------------------------------------------------------------------------------------

#: Layouts seen in exports (FORMATS.md §5). Month-first comes before day-first: it wins a tie
#: unless the file also writes decimal commas.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%Y%m%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p")


def parse_date(raw: str, fmt: str) -> datetime:
    """A naive date(time) in the given strptime layout (ValueError if it does not fit)."""
    # strptime is locale-free for these numeric layouts and `%b` (English month abbreviations,
    # Xero's `23-Jan-15`); dateutil would guess each cell on its own instead of once per file.
    return datetime.strptime(raw.strip(), fmt)  # noqa: DTZ007 (the zone is decided by the caller)


def infer_format(values: Sequence[str], formats: Sequence[str], *, dayfirst: bool = False) -> str | None:
    """The layout that reads the most of the values; None if it reads none."""
    sample = [v.strip() for v in values if v.strip()][:2000]
    if dayfirst:
        formats = sorted(formats, key=lambda f: f.startswith("%m"))
    best, best_count = None, 0
    for fmt in formats:
        count = 0
        for value in sample:
            try:
                parse_date(value, fmt)
            except ValueError:
                continue
            count += 1
        if count > best_count:
            best, best_count = fmt, count
    return best
