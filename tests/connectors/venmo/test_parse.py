"""The Venmo parser on recorded statements: current and legacy layouts (FORMATS.md §5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.venmo.parse import looks_like_statement, parse_venmo
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
CURRENT = "synthetic/venmo_statement_2024-03.csv"
LEGACY = "synthetic/venmo_statement_legacy_2019-06.csv"


def _parse(name: str, data: bytes | None = None) -> list[Item | BadRecord]:
    raw = (FIXTURES / name).read_bytes() if data is None else data
    return list(parse_venmo(raw, file_name=Path(name).name))


def _items(name: str, data: bytes | None = None) -> list[Item]:
    parsed = _parse(name, data)
    assert [p for p in parsed if isinstance(p, BadRecord)] == []
    return [p for p in parsed if isinstance(p, Item)]


# fixture, profile, ids, amounts, (first UTC time, last UTC time)
CASES = [
    (
        CURRENT,
        "venmo",
        [f"venmo:39812345678901234{n}" for n in range(56, 63)],
        ["18.50", "-1250.00", "65.00", "-4.75", "-60.00", "-12.00", "-30.00"],
        (datetime(2024, 3, 1, 18, 22, 5, tzinfo=UTC), datetime(2024, 3, 10, 8, tzinfo=UTC)),
    ),
    (
        LEGACY,
        "venmo-legacy",
        ["venmo:2891234567890123456", "venmo:2891234567890123457", "venmo:2891234567890123458"],
        ["14.00", "-38.27", "0.00"],
        (datetime(2019, 6, 14, 23, 5, 11, tzinfo=UTC), datetime(2019, 6, 25, 10, tzinfo=UTC)),
    ),
]


@pytest.mark.parametrize(("name", "profile", "ids", "amounts", "times"), CASES)
def test_statement(
    name: str, profile: str, ids: list[str], amounts: list[str], times: tuple[datetime, datetime]
) -> None:
    items = _items(name)
    # Balance rows and the summary/disclaimer row are not transactions; 19-digit ids are intact.
    assert [i.native_id for i in items] == ids
    assert [i.meta["amount"] for i in items] == amounts
    assert (items[0].ts, items[-1].ts) == times
    for item in items:
        assert (item.kind, item.tz, item.meta["tz_assumed"]) == (Kind.TRANSACTION, "UTC", True)
        assert (item.meta["profile"], item.meta["account"], item.meta["currency"]) == (
            profile,
            "@Alex-Rivera-7",
            "USD",
        )
        json.dumps(item.meta)


def test_fields_a_user_sees() -> None:
    pizza, rent, charge, coffee, instant, pending, _standard = _items(CURRENT)
    assert pizza.text == "🍕 pizza night (Sam Chen) 18.50 USD 2024-03-01"
    assert (pizza.title, pizza.meta["counterparty"], pizza.participants) == (
        "🍕 pizza night",
        "Sam Chen",
        ("Sam Chen",),
    )
    assert pizza.origin == "venmo_statement_2024-03.csv, row 5"
    assert (rent.meta["note"], rent.meta["counterparty"]) == ("Rent, March 🏠", "Jordan Lee")
    # The owner charged Sam: money in, although the owner is in `From` (use the sign, not Type).
    assert (charge.meta["type"], charge.meta["amount"], charge.meta["counterparty"]) == (
        "Charge",
        "65.00",
        "Sam Chen",
    )
    assert (coffee.title, coffee.meta["counterparty"]) == (
        "Merchant Transaction: Corner Coffee Co",
        "Corner Coffee Co",
    )
    assert (instant.meta["fee"], instant.meta["status"], "counterparty" in instant.meta) == (
        "-1.05",
        "Issued",
        False,
    )
    assert instant.meta["destination"] == "Synthetic Bank Checking *0000"
    assert (pending.meta["status"], pending.meta["note"]) == ("Pending", 'Multi-line\nnote with "quotes"')
    assert pending.title == 'Multi-line note with "quotes"'
    assert pending.origin == "venmo_statement_2024-03.csv, row 10"


def test_legacy_owner_comes_from_the_username_row() -> None:
    tacos, utilities, _transfer = _items(LEGACY)
    assert (tacos.meta["counterparty"], utilities.meta["counterparty"]) == ("Sam Chen", "Jordan Lee")


def test_owner_with_a_single_payment_partner_is_told_by_the_handle() -> None:
    lines = (FIXTURES / CURRENT).read_bytes().split(b"\r\n")
    # Keep only the payments with Sam: both names appear equally often.
    others = (b"Jordan", b"Casey", b"Multi-line", b"Corner Coffee")
    data = b"\r\n".join(line for line in lines if not any(name in line for name in others))
    pizza, charge = (i for i in _items("x.csv", data) if "counterparty" in i.meta)
    assert (pizza.meta["counterparty"], charge.meta["counterparty"]) == ("Sam Chen", "Sam Chen")


def test_spreadsheet_rounded_id_and_bad_cells_are_bad_records() -> None:
    lines = (FIXTURES / CURRENT).read_bytes().split(b"\r\n")
    lines[4] = lines[4].replace(b"3981234567890123456", b"3.98123E+18")
    lines[6] = lines[6].replace(b"2024-03-05T15:00:00", b"2024-03-05T25:00:00")
    lines[7] = lines[7].replace(b"- $4.75", b"- $4.7.5")
    lines[8] = lines[8].replace(b"2024-03-08T12:00:00", b"0001-01-01T00:00:00+05:00")
    parsed = _parse("s.csv", b"\r\n".join(lines))
    assert [(p.position, p.reason) for p in parsed if isinstance(p, BadRecord)] == [
        ("row 5", "ID is not a whole number (rounded by a spreadsheet?)"),
        ("row 7", "unreadable Datetime"),
        ("row 8", "unreadable amount"),
        ("row 9", "Datetime out of range"),
    ]
    assert len([p for p in parsed if isinstance(p, Item)]) == 3


def test_a_bank_export_is_not_a_statement() -> None:
    data = b"Date,Description,Amount\r\n03/07/2024,COFFEE,4.75\r\n"
    [bad] = _parse("amex.csv", data)
    assert isinstance(bad, BadRecord)
    assert (bad.position, bad.reason) == (
        "header",
        "not a Venmo statement: no ID, Datetime and Amount (total) columns",
    )
    assert not looks_like_statement(data)
    assert looks_like_statement((FIXTURES / LEGACY).read_bytes())


_NAMES = [CURRENT, LEGACY]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_NAMES),
    st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=4), st.integers(0, 4)), max_size=8),
)
def test_mutated_statements_never_raise(name: str, edits: list[tuple[float, bytes, int]]) -> None:
    data = bytearray((FIXTURES / name).read_bytes())
    for where, insert, cut in edits:
        at = int(where * len(data))
        data[at : at + cut] = insert
    for parsed in parse_venmo(bytes(data), file_name=name):
        assert isinstance(parsed, Item | BadRecord)
        if isinstance(parsed, Item):
            assert parsed.native_id[len("venmo:") :].isdigit()
            Decimal(parsed.meta["amount"])
            json.dumps(parsed.meta)
            assert parsed.ts is not None and parsed.ts.utcoffset() is not None
