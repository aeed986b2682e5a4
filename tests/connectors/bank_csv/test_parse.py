"""The bank CSV parser on recorded exports: one case per fixture file (FORMATS.md §5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.bank_csv.parse import parse_bank_csv
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
NEW_YORK = ZoneInfo("America/New_York")


def _parse(name: str, mapping: object = None, data: bytes | None = None) -> list[Item | BadRecord]:
    raw = (FIXTURES / name).read_bytes() if data is None else data
    return list(parse_bank_csv(raw, file_name=Path(name).name, tz=NEW_YORK, mapping=mapping))


def _items(name: str, mapping: object = None, data: bytes | None = None) -> list[Item]:
    parsed = _parse(name, mapping, data)
    assert [p for p in parsed if isinstance(p, BadRecord)] == []
    return [p for p in parsed if isinstance(p, Item)]


def _day(item: Item) -> str:
    """The transaction's date as the user sees it."""
    assert item.ts is not None
    zone = NEW_YORK if item.tz == "date" else ZoneInfo(item.tz or "UTC")
    return item.ts.astimezone(zone).date().isoformat()


# fixture, profile, count, (first date, amount), (last date, amount), currency
CASES = [
    ("synthetic/chase_checking_trailing_comma.csv", "chase-checking", 4,
     ("2024-03-08", "-4.75"), ("2024-02-27", "-120.00"), "USD"),
    ("synthetic/chase_credit_card.csv", "chase-card", 4,
     ("2024-03-07", "-4.75"), ("2024-03-02", "23.99"), "USD"),
    ("synthetic/bofa_checking_with_summary.csv", "bofa-checking", 4,
     ("2024-03-01", "2750.00"), ("2024-03-08", "-125.00"), "USD"),
    ("synthetic/wells_fargo_headerless.csv", "wells-fargo", 3,
     ("2024-03-08", "-4.75"), ("2024-02-27", "-120.00"), "USD"),
    ("synthetic/apple_card.csv", "apple-card", 3,
     ("2024-03-07", "-4.75"), ("2024-03-03", "0.26"), "USD"),
    ("synthetic/amex.csv", "amex", 2, ("2024-03-07", "-4.75"), ("2024-03-04", "500.00"), "USD"),
    ("synthetic/de_sparkasse_style_semicolon_latin1.csv", "sparkasse", 2,
     ("2024-03-07", "-3.75"), ("2024-03-01", "2750.00"), "EUR"),
    ("synthetic/encoding_utf8_bom.csv", "generic", 3, ("2024-03-07", "-3.75"), ("2024-03-09", "15.00"), None),
    ("synthetic/encoding_utf16le_bom.csv", "generic", 3,
     ("2024-03-07", "-3.75"), ("2024-03-09", "15.00"), None),
    ("synthetic/encoding_windows1252.csv", "generic", 3,
     ("2024-03-07", "-3.75"), ("2024-03-09", "15.00"), None),
    ("csv2ofx/amazon.csv", "amazon-orders", 3, ("2022-12-20", "-4.22"), ("2022-10-11", "-34.12"), "USD"),
    ("csv2ofx/capitalone.csv", "capital-one", 2,
     ("2015-12-31", "-1000.00"), ("2015-12-31", "1000.00"), "USD"),
    ("csv2ofx/creditunion.csv", "generic", 8, ("2015-02-08", "50000"), ("2015-03-25", "50000"), None),
    ("csv2ofx/default.csv", "generic", 8, ("2015-02-08", "50000"), ("2015-03-25", "50000"), None),
    ("csv2ofx/gls.csv", "gls", 1, ("2017-10-10", "-98.76"), ("2017-10-10", "-98.76"), "EUR"),
    ("csv2ofx/ingesp.csv", "ing-es", 10, ("2022-03-24", "2.83"), ("2022-11-13", "500.00"), "EUR"),
    ("csv2ofx/mint.csv", "mint", 4, ("2015-06-12", "-1000.00"), ("2015-06-14", "-2500.00"), "USD"),
    ("csv2ofx/mint_extra.csv", "mint", 4, ("2015-06-12", "-1000.00"), ("2015-06-14", "-2500.00"), "USD"),
    ("csv2ofx/n26-fr.csv", "n26", 2, ("2020-03-07", "328.00"), ("2020-03-07", "-328.00"), "EUR"),
    ("csv2ofx/outbank.csv", "outbank", 4, ("2019-02-20", "100.00"), ("2019-01-05", "-25.00"), "EUR"),
    ("csv2ofx/payoneer.csv", "payoneer", 2, ("2021-05-03", "-100"), ("2021-05-03", "120"), "USD"),
    ("csv2ofx/pcmastercard.csv", "pc-mastercard", 2,
     ("2019-01-10", "-36.33"), ("2018-12-15", "-13.98"), "CAD"),
    ("csv2ofx/schwab-checking.csv", "schwab-checking", 4,
     ("2022-08-17", "20.00"), ("2022-08-04", "-57.27"), "USD"),
    ("csv2ofx/schwab-checking-baltest-case1.csv", "schwab-checking", 4,
     ("2022-08-17", "20.00"), ("2022-08-04", "-57.27"), "USD"),
    ("csv2ofx/schwab-checking-baltest-case7.csv", "schwab-checking", 2,
     ("2022-08-17", "-20.00"), ("2022-08-17", "20.00"), "USD"),
    ("csv2ofx/stripe-all.csv", "stripe", 5, ("2021-02-03", "25.00"), ("2021-03-16", "10.00"), "CAD"),
    ("csv2ofx/stripe-default.csv", "stripe", 5, ("2021-02-03", "25.00"), ("2021-03-16", "10.00"), "CAD"),
    ("csv2ofx/ubs-ch-fr_trimmed.csv", "ubs-fr", 3,
     ("2019-03-31", "-10.00"), ("2019-04-27", "-200.00"), "CHF"),
    ("csv2ofx/xero.csv", "xero-journal", 13, ("2015-01-23", "-36000"), ("2015-02-14", "-209000"), None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "profile", "count", "first", "last", "currency"), CASES)
def test_fixture(
    name: str, profile: str, count: int, first: tuple[str, str], last: tuple[str, str], currency: str | None
) -> None:
    items = _items(name)
    assert len(items) == count
    assert {i.meta["profile"] for i in items} == {profile}
    assert (_day(items[0]), items[0].meta["amount"]) == first
    assert (_day(items[-1]), items[-1].meta["amount"]) == last
    assert {i.meta["currency"] for i in items} == {currency}
    assert {i.kind for i in items} == {Kind.TRANSACTION}
    assert len({i.native_id for i in items}) == count
    for item in items:
        json.dumps(item.meta)
        assert item.ts is not None and item.ts.tzinfo is UTC
        assert item.text.startswith(item.title or "")


def test_every_fixture_has_a_case() -> None:
    names = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.csv")}
    assert names - {c[0] for c in CASES} == {"csv2ofx/mint_headerless.csv"}


@pytest.mark.parametrize(
    ("name", "title", "amount"),
    [
        ("synthetic/chase_checking_trailing_comma.csv", "CORNER COFFEE CO 1234 SEATTLE WA 03/07", "-4.75"),
        ("synthetic/chase_credit_card.csv", "CORNER COFFEE CO", "-4.75"),
        ("synthetic/bofa_checking_with_summary.csv", "CORNER COFFEE CO 03/07 PURCHASE SEATTLE WA", "-4.75"),
        ("synthetic/apple_card.csv", "CORNER COFFEE CO 123 MAIN ST SEATTLE 98101 WA USA", "-4.75"),
        ("synthetic/apple_card.csv", "DAILY CASH ADJUSTMENT", "0.26"),
        ("synthetic/amex.csv", "CORNER COFFEE CO SEATTLE WA", "-4.75"),
        ("synthetic/amex.csv", "AUTOPAY PAYMENT - THANK YOU", "500.00"),
        ("synthetic/de_sparkasse_style_semicolon_latin1.csv", "Café Lumière München", "-3.75"),
        ("csv2ofx/capitalone.csv", "Airplanes R Us", "-1000.00"),
        ("csv2ofx/schwab-checking.csv", "BMO HARRIS BANK", "-103.00"),
        ("csv2ofx/mint.csv", "Transfer to Savings", "2000.00"),
        ("csv2ofx/pcmastercard.csv", "Mobil", "-36.33"),
        ("csv2ofx/ubs-ch-fr_trimmed.csv", "Virement postal", "240.00"),
    ],
)
def test_money_out_is_negative_whatever_the_issuer_writes(name: str, title: str, amount: str) -> None:
    (item,) = [i for i in _items(name) if i.title == title]
    assert item.meta["amount"] == amount


def test_fields_a_user_sees() -> None:
    coffee, payroll, _zelle, check = _items("synthetic/chase_checking_trailing_comma.csv")
    assert coffee.origin == "chase_checking_trailing_comma.csv, row 2"
    assert coffee.text == "CORNER COFFEE CO 1234 SEATTLE WA 03/07 -4.75 USD 2024-03-08"
    assert (coffee.meta["balance"], coffee.meta["type"]) == ("2480.11", "DEBIT_CARD")
    assert (coffee.ts, coffee.tz) == (datetime(2024, 3, 8, 5, tzinfo=UTC), "date")
    assert check.meta["reference"] == "1042"
    assert payroll.meta["account"] == "chase-checking"

    cafe, salary = _items("synthetic/de_sparkasse_style_semicolon_latin1.csv")
    assert cafe.text == "Café Lumière München (CAFE LUMIERE) -3.75 EUR 2024-03-07"
    assert cafe.meta["counterparty"] == "CAFE LUMIERE"
    assert (salary.title, salary.meta["account"]) == ("Gehalt März", "DE00123456780000000000")

    (gls,) = _items("csv2ofx/gls.csv")
    assert (gls.meta["counterparty"], gls.meta["balance"]) == ("Drillisch Online AG", "1234.56")
    assert gls.title == "B4658645 U123456789 B123456 987 SIMply Rechnung"

    apple = _items("synthetic/apple_card.csv")[0]
    assert (apple.meta["counterparty"], apple.meta["category"]) == ("Corner Coffee Co", "Restaurants")

    ubs = _items("csv2ofx/ubs-ch-fr_trimmed.csv")[0]
    assert (ubs.meta["balance"], ubs.meta["account"]) == ("11373.94", "0123 45678901.23A")

    bofa = _items("synthetic/bofa_checking_with_summary.csv")
    # The summary block and the "Beginning balance" pseudo-row are not transactions.
    assert bofa[0].origin == "bofa_checking_with_summary.csv, row 9"
    assert bofa[0].meta["balance"] == "3984.56"


@pytest.mark.parametrize(
    ("name", "ts", "tz", "assumed"),
    [
        ("csv2ofx/stripe-default.csv", datetime(2021, 2, 3, 13, 12, tzinfo=UTC), "UTC", False),
        ("csv2ofx/payoneer.csv", datetime(2021, 5, 3, 12, 31, 46, tzinfo=UTC), "UTC", False),
        # A time with no zone is the user's local time.
        ("csv2ofx/pcmastercard.csv", datetime(2019, 1, 10, 23, 50, tzinfo=UTC), "America/New_York", True),
        ("synthetic/amex.csv", datetime(2024, 3, 7, 5, tzinfo=UTC), "date", False),
    ],
)
def test_times(name: str, ts: datetime, tz: str, assumed: bool) -> None:
    first = _items(name)[0]
    assert (first.ts, first.tz, first.meta.get("tz_assumed", False)) == (ts, tz, assumed)


def test_own_ids_are_kept_where_the_export_has_them() -> None:
    assert [i.native_id for i in _items("csv2ofx/payoneer.csv")] == ["payoneer:123", "payoneer:1234"]
    assert _items("csv2ofx/stripe-all.csv")[0].native_id == "stripe:ch_1IGl9SBI9JK85yVZtjcU9OLJ"


def test_identical_rows_get_occurrence_counters() -> None:
    ids = [i.native_id for i in _items("csv2ofx/xero.csv")]
    # Journal 3 books the same charger twice on the same day.
    assert ids[5] + "#2" == ids[6]


def test_overlapping_export_gives_the_same_ids() -> None:
    lines = (FIXTURES / "synthetic/chase_checking_trailing_comma.csv").read_bytes().split(b"\r\n")
    header, rows = lines[0], lines[1:5]
    older = b"\r\n".join([header, *rows[1:]])
    newer = b"\r\n".join([header, rows[0], rows[1]])
    old_ids = {i.native_id for i in _items("Chase1234_Activity_20240301.CSV", data=older)}
    new_ids = {i.native_id for i in _items("Chase1234_Activity_20240401.CSV", data=newer)}
    all_ids = {i.native_id for i in _items("synthetic/chase_checking_trailing_comma.csv")}
    assert len(old_ids & new_ids) == 1
    assert old_ids | new_ids == all_ids


def test_unknown_layout_asks_for_a_mapping() -> None:
    [bad] = _parse("csv2ofx/mint_headerless.csv")
    assert isinstance(bad, BadRecord)
    assert (bad.position, bad.reason) == ("header", "unrecognised layout: add mint_headerless.mapping.json")


MINT_HEADERLESS = {
    "date": 0,
    "amount": 3,
    "description": 1,
    "direction": {"column": 4, "out": ["debit"]},
    "category": 5,
    "account": 6,
}


def test_user_mapping_on_a_headerless_file() -> None:
    items = _items("csv2ofx/mint_headerless.csv", MINT_HEADERLESS)
    assert [i.meta["amount"] for i in items] == ["-1000.00", "-1500.00", "2000.00", "-2500.00"]
    assert [_day(i) for i in items] == ["2015-06-12", "2015-06-12", "2015-06-13", "2015-06-14"]
    assert {i.meta["profile"] for i in items} == {"mapping"}
    assert items[0].meta["account"] == "Savings"
    # The same mapping on the file with a header: the header line is not a bad record.
    assert len(_items("csv2ofx/mint.csv", MINT_HEADERLESS)) == 4


def test_user_mapping_by_header_names() -> None:
    data = "Export;;\nBuchung;Text;Soll;Haben\n03/04/2024;Miete;1.200,00;\n05/04/2024;Rückzahlung;;15,50\n"
    mapping = {
        "date": "buchung",
        "amount": {"debit": "Soll", "credit": "Haben"},
        "description": "Text",
        "date_format": "%d/%m/%Y",
        "decimal": ",",
        "currency": "EUR",
    }
    rent, refund = _items("konto.csv", mapping, data.encode("cp1252"))
    assert (rent.meta["amount"], _day(rent), rent.origin) == ("-1200.00", "2024-04-03", "konto.csv, row 3")
    assert (refund.title, refund.meta["amount"], refund.meta["currency"]) == ("Rückzahlung", "15.50", "EUR")


def test_user_mapping_overrides_a_profile() -> None:
    mapping = {"date": "Date", "amount": "Amount", "description": "Description", "sign": "as-is"}
    assert _items("synthetic/amex.csv", mapping)[0].meta["amount"] == "4.75"


@pytest.mark.parametrize(
    ("mapping", "position", "names"),
    [
        ({"date": "Date", "amount": "Amount"}, "mapping", "description"),
        ({"date": "Date", "amount": "Amount", "description": "x", "sign": "sideways"}, "mapping", "sign"),
        (
            {"date": "Date", "amount": "Amount", "description": "Description", "zone": "Mars/Base"},
            "mapping",
            "zone",
        ),
        (["not", "an", "object"], "mapping", "mapping"),
        ({"date": "Datum", "amount": "Betrag", "description": "Text"}, "header", "mapping's columns"),
    ],
)
def test_bad_mapping_is_one_bad_record(mapping: object, position: str, names: str) -> None:
    (bad,) = _parse("synthetic/amex.csv", mapping)
    assert isinstance(bad, BadRecord)
    assert bad.position == position
    assert names in bad.reason
    assert "sideways" not in bad.reason and "Mars" not in bad.reason


def test_corrupted_rows_are_bad_records_and_the_rest_is_read() -> None:
    lines = (FIXTURES / "synthetic/chase_checking_trailing_comma.csv").read_bytes().decode().split("\r\n")
    lines[2] = lines[2].replace("2750.00", "27x0.00")
    lines[3] = lines[3].replace("02/29/2024", "02/30/2024")
    parsed = _parse("chase.csv", data="\r\n".join(lines).encode())
    bad = [(p.position, p.reason) for p in parsed if isinstance(p, BadRecord)]
    assert bad == [("row 3", "unreadable amount"), ("row 4", "unreadable date")]
    assert [p.meta["amount"] for p in parsed if isinstance(p, Item)] == ["-4.75", "-120.00"]
    assert all("27x0" not in reason for _, reason in bad)


def test_dates_at_the_edge_of_the_calendar_are_bad_records() -> None:
    data = b"Date,Description,Amount\n0001-01-01,x,1\n2024-01-01,y,2\n"
    parsed = list(parse_bank_csv(data, file_name="a.csv", tz=ZoneInfo("Asia/Tokyo")))
    assert [(p.position, p.reason) for p in parsed if isinstance(p, BadRecord)] == [
        ("row 2", "date out of range")
    ]
    assert [p.ts for p in parsed if isinstance(p, Item)] == [datetime(2023, 12, 31, 15, tzinfo=UTC)]


_MUTABLE = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.csv"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_MUTABLE),
    st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=4), st.integers(0, 4)), max_size=8),
)
def test_mutated_exports_never_raise(name: str, edits: list[tuple[float, bytes, int]]) -> None:
    data = bytearray((FIXTURES / name).read_bytes())
    for where, insert, cut in edits:
        at = int(where * len(data))
        data[at : at + cut] = insert
    for parsed in parse_bank_csv(bytes(data), file_name=name, tz=NEW_YORK):
        assert isinstance(parsed, Item | BadRecord)
        if isinstance(parsed, Item):
            Decimal(parsed.meta["amount"])
            json.dumps(parsed.meta)
            assert parsed.ts is not None and parsed.ts.utcoffset() is not None


_KEYS = [*MINT_HEADERLESS, "sign", "decimal", "date_format", "zone", "debit", "credit", "column", "out", "id"]
_LEAVES = (
    st.none() | st.booleans() | st.integers(-3, 12) | st.sampled_from(["Date", "Amount", "Description", "%d"])
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=6),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["synthetic/amex.csv", "csv2ofx/mint_headerless.csv", "csv2ofx/pcmastercard.csv"]), _JSON
)
def test_any_mapping_never_raises(name: str, mapping: object) -> None:
    for parsed in _parse(name, mapping):
        assert isinstance(parsed, Item | BadRecord)
