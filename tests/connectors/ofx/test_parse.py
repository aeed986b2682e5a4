"""The OFX parser on recorded statements: SGML and XML, charsets, accounts, investments, refusals."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.ofx.markup import decode_ofx
from homebody.connectors.ofx.parse import parse_ofx
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
ALL_FILES = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*.*fx"))
NEW_YORK = ZoneInfo("America/New_York")


def _parse(name: str, zone: ZoneInfo = NEW_YORK, data: bytes | None = None) -> list[Item | BadRecord]:
    raw = (FIXTURES / name).read_bytes() if data is None else data
    return list(parse_ofx(raw, file_name=Path(name).name, tz=zone))


def _items(name: str, zone: ZoneInfo = NEW_YORK) -> list[Item]:
    return [p for p in _parse(name, zone) if isinstance(p, Item)]


def _bad(name: str) -> list[tuple[str, str]]:
    return [(p.position, p.reason) for p in _parse(name) if isinstance(p, BadRecord)]


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Case:
    amounts: list[str | None]
    first: tuple[str, datetime, str, str] | None = None  # native_id, ts, tz, title
    bad: list[tuple[str, str]] = field(default_factory=list)


NO_DATE = "DTPOSTED is missing"
CASES = {
    "actual/1252.qfx": Case(
        ["-20.00"], ("999-12345-0055666-EOP:cafe1252xx", _utc(2022, 10, 19, 4), "date", "Café Métro €uro")
    ),
    "actual/8859-1.qfx": Case(
        ["-20.00"],
        ("999-12345-0055666-EOP:wSoKuCS77", _utc(2022, 10, 19, 4), "date", "Paiement facture/Carte prépayée"),
    ),
    "actual/utf-8.qfx": Case(
        ["-20.00"], ("999-12345-0055666-EOP:cafeUtf8xx", _utc(2022, 10, 19, 4), "date", "Café Métro €uro")
    ),
    "actual/data-multi-decimal.ofx": Case(
        ["-30.000", "-3.77000"],
        (
            "123456789123:00092990122-30.00019012312798.01",
            _utc(2019, 1, 23, 5),
            "date",
            "PATIENT FIRST TOKEN 01/22 PURCHA",
        ),
    ),
    "actual/html-vals.qfx": Case(
        ["-1.00", "-1.00"],
        ("00000 00-00000:23129130032333396279270000", _utc(2023, 5, 9, 4), "date", "000000000000000"),
    ),
    "csv2ofx/schwab-checking-msmoney.ofx": Case(
        ["20.00", "-103.00", "-75.00", "-57.27"],
        ("12345:d68ff9d88e633aaf2421a50077f848fe", _utc(2022, 8, 17, 4), "date", "Deposit Mobile Banking"),
    ),
    "csv2ofx/transfer_example.ofx": Case([]),  # a transfer confirmation, no statement
    "ofxparse/account_listing_aggregation.ofx": Case([]),  # an account list, no statement
    "ofxparse/anzcc.ofx": Case(
        ["-5.50"], ("1234123412341234:201705080001", _utc(2017, 5, 8, 4), "date", "SOME MEMO")
    ),
    "ofxparse/bank_medium.ofx": Case(
        ["-6.60", "-316.67", "-22.00"],
        (
            "12300 000012345678:0000123456782009040100001",
            _utc(2009, 4, 1, 17, 20, 17),
            "-05:00",
            "MCDONALD'S #112",
        ),
    ),
    "ofxparse/bank_small.ofx": Case([]),
    "ofxparse/checking.ofx": Case(
        ["0.01", "-34.51", "-25.00"],
        ("1452687~7:0000486", _utc(2011, 3, 31, 4), "date", "DIVIDEND EARNED FOR PERIOD OF 03"),
    ),
    "ofxparse/error_message.ofx": Case(
        [], bad=[("statement response 1", "the bank returned an error (code 2000), no statement")]
    ),
    "ofxparse/fail_nice_date_missing.ofx": Case(
        [],
        bad=[
            ("statement 1, transaction 1", NO_DATE),
            ("statement 1, transaction 2", NO_DATE),  # <DTPOSTED></DTPOSTED>
            ("statement 1, transaction 3", "DTPOSTED is not a valid date (ValueError)"),  # Feb 31
        ],
    ),
    "ofxparse/fail_nice_decimal_error.ofx": Case(
        [], bad=[("statement 1, transaction 1", "DTPOSTED is not an OFX date")]
    ),
    "ofxparse/fail_nice_empty_balance.ofx": Case(
        ["120"], ("192639749:2000957249", _utc(2011, 3, 8, 7), "America/New_York", "Foobar")
    ),
    "ofxparse/fidelity-savings.ofx": Case(
        ["-1500.0000", "115.8331", "-197.1063", "-197.1220"],
        ("X0000001:X0000000000000000000001", _utc(2012, 7, 20, 4), "date", "Check Paid #0000001001"),
    ),
    "ofxparse/fidelity.ofx": Case(
        # 8 buys, 4 dividends, 2 sells, then 3 cash transactions, in file order
        [
            *["-2571.4500", "-5049.9900", "-1991.7000", "-1006.3700", "-1007.1900", "-14.4700"],
            *["-22.4300", "-22.5000", "5.5300", "15.4400", "22.4300", "22.5000", "1089.3000"],
            *["4.8000", "0.2400", "-0.9700", "0.1600"],
        ],
        ("01234567890:0123456789020201120120720", _utc(2012, 7, 20, 4), "date", "INTEL CORP"),
    ),
    "ofxparse/investment_401k.ofx": Case(
        ["-197.2", None, None], ("12345678.123456-01:1", _utc(2014, 6, 17, 4), "date", "Foo Index Fund")
    ),
    "ofxparse/investment_medium.ofx": Case(
        ["-3.65", "3.35", "-3.65"],
        (
            "ABC123:20091215.U489357.e.USD.1510480481",
            _utc(2009, 12, 16, 0, 20),
            "-04:00",
            "CASH TRADE: AUD.USD",
        ),
    ),
    "ofxparse/multiple_accounts.ofx": Case([]),  # two accounts, balances only
    "ofxparse/multiple_accounts2.ofx": Case([]),
    "ofxparse/ofx-v102-empty-tags.ofx": Case(
        ["12.34"], ("12345678:hash-3329d3b11396192019052bd3", _utc(2018, 5, 7, 4), "date", "CBA:Transfer")
    ),
    "ofxparse/signon_fail.ofx": Case(
        [], bad=[("sign-on", "the bank refused the sign-on (code 15500), no statement")]
    ),
    "ofxparse/signon_success.ofx": Case([]),
    "ofxparse/signon_success_no_message.ofx": Case([]),
    "ofxparse/suncorp.ofx": Case(
        ["-16.85"], ("123456789:1", _utc(2013, 12, 15, 5), "date", "EFTPOS WDL HANDYWAY ALDI STORE")
    ),
    "ofxparse/td_ameritrade.ofx": Case([]),  # positions only
    "ofxparse/tiaacref.ofx": Case(
        [None],
        (
            "111A1111 22B222 33C333:TIAA#20170307160000.000[-4:EDT]160000.000[-4:EDT]",
            _utc(2017, 3, 7, 20),
            "-05:00",
            "TIAA Traditional",
        ),
    ),
    "ofxparse/vanguard.ofx": Case(
        ["4212.3"],
        ("01234567890:01234567890.0123.07152011.0", _utc(2011, 7, 15, 21), "-05:00", "Name of share"),
    ),
    "ofxparse/vanguard401k.ofx": Case(
        ["-673.0", "-336.5", "-673.0", "-336.5", None],
        (
            "0123456:1234567890123456790AAA",
            _utc(2014, 9, 26, 21),
            "-05:00",
            "Target Retirement 2050 Trust Plus",
        ),
    ),
    "synthetic/bad_amount_in_middle.ofx": Case(
        ["-4.80", "-12.50"],
        ("DE00123456780000004321:M-0001", _utc(2024, 5, 3, 4), "date", "Café Example"),
        bad=[("statement 1, transaction 2", "TRNAMT is not a decimal number")],
    ),
    "synthetic/cdata_one_line.ofx": Case(
        ["-9.95"], ("063000123456:C-1", _utc(2024, 6, 12, 4), "date", "Fish & Chips <Example>")
    ),
    "synthetic/no_fitid_repeats.ofx": Case(
        ["-3.20", "-3.20", "-45.00"],
        ("55501234:hash-b1a28a447b1722fdc5e10fba", _utc(2024, 1, 15, 5), "date", "Example Coffee Co"),
    ),
    "synthetic/one_account_refused.ofx": Case(
        ["-64.90"],
        ("5100000000001111:CARD-3320", _utc(2024, 3, 20, 13, 30), "+01:00", "Example Books Berlin"),
        bad=[("statement response 1", "the bank returned an error (code 2003), no statement")],
    ),
    "synthetic/two_accounts_bank_and_card.ofx": Case(
        ["1.27", "-250.00", "-42.10", "-18.00"],
        ("000111222333:SAV-2024030101", _utc(2024, 3, 1, 5), "date", "Interest paid"),
    ),
    "synthetic/zones.ofx": Case(
        ["-1.00", "-2.00", "-3.00", "-4.00", "-5.00", "-6.00", "-7.00"],
        ("7777000011:Z1", _utc(2024, 1, 5, 5), "date", "date only"),
        bad=[
            ("statement 1, transaction 8", "DTPOSTED is not a valid date (ValueError)"),
            ("statement 1, transaction 9", "DTPOSTED is not a valid date (ValueError)"),
        ],
    ),
}


def test_every_fixture_has_a_case() -> None:
    assert sorted(CASES) == ALL_FILES


@pytest.mark.parametrize("name", ALL_FILES)
def test_fixture(name: str) -> None:
    case = CASES[name]
    items = _items(name)
    assert [i.meta["amount"] for i in items] == case.amounts
    assert _bad(name) == case.bad
    assert all(i.kind is Kind.TRANSACTION and i.author is None for i in items)
    if case.first is not None:
        first = items[0]
        assert (first.native_id, first.ts, first.tz, first.title) == case.first


@pytest.mark.parametrize(
    ("name", "title", "memo"),
    [
        ("actual/1252.qfx", "Café Métro €uro", "Paiement 5€ — débit"),
        ("actual/8859-1.qfx", "Paiement facture/Carte prépayée", "PWW"),
        ("actual/utf-8.qfx", "Café Métro €uro", "Paiement 5€ — débit"),
        ("synthetic/bad_amount_in_middle.ofx", "Café Example", None),
    ],
)
def test_declared_charset_is_honoured(name: str, title: str, memo: str | None) -> None:
    item = _items(name)[0]
    assert (item.title, item.meta["counterparty"], item.meta["memo"]) == (title, title, memo)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        # CHARSET:1252 declared, UTF-8 sent: the bytes win
        (b"OFXHEADER:100\nCHARSET:1252\n<OFX><NAME>Caf\xc3\xa9</OFX>", "Café"),
        # no header at all: cp1252, the usual OFX 1.x charset
        (b"<OFX><NAME>Caf\xe9 \x80</OFX>", "Café €"),
        # ISO-8859-1 read as the WHATWG standard does, so 0x80 is the euro sign
        (b"OFXHEADER:100\nCHARSET:8859-1\n<OFX><NAME>5\x80</OFX>", "5€"),
        # a Windows code page given by number
        (b"OFXHEADER:100 ENCODING:USASCII CHARSET:1250 <OFX><NAME>\x8akoda</OFX>", "Škoda"),
        (b"\xef\xbb\xbf<OFX><NAME>Caf\xc3\xa9</OFX>", "Café"),
        # codecs that are not text encodings fall back to cp1252
        (b"OFXHEADER:100\nCHARSET:BASE64\n<OFX><NAME>Caf\xe9</OFX>", "Café"),
        (b'<?xml version="1.0" encoding="rot13"?><OFX><NAME>Caf\xe9</OFX>', "Café"),
        (b"OFXHEADER:100\nCHARSET:IDNA\n<OFX><NAME>Caf\xe9</OFX>", "Café"),
        (b"OFXHEADER:100\nCHARSET:12\x0052\n<OFX><NAME>Caf\xe9</OFX>", "Café"),
    ],
)
def test_decoding(data: bytes, text: str) -> None:
    assert text in decode_ofx(data)


def test_entities_are_decoded_once() -> None:
    first, second = _items("actual/html-vals.qfx")
    assert first.meta["memo"] == "PREAUTHORIZED DEBIT;B.C. HYDRO & POWER AUTHORITY;Electronic Funds Transfer"
    assert second.title == "TPAY &lt;DEFTPYMT&gt;"  # written `&amp;lt;` in the file


def test_cdata_is_taken_literally_and_two_on_one_line_stay_apart() -> None:
    [item] = _items("synthetic/cdata_one_line.ofx")
    assert (item.title, item.meta["memo"]) == ("Fish & Chips <Example>", "Card 1234 &amp; more")


def test_a_bank_transaction_in_full() -> None:
    second = _items("ofxparse/bank_medium.ofx")[1]
    assert second.meta == {
        "amount": "-316.67",
        "currency": "CAD",
        "counterparty": "Joe's Bald Hairstyles",
        "memo": "MISCELLANEOUS PAYMENTS;Joe's Bald Hairstyles",
        "type": "CHECK",
        "account": {"id": "12300 000012345678", "type": "checking", "bank": "160000100"},
        "fitid": "0000123456782009040200004",
        "date": "2009-04-02",
        "check_number": "0",
    }
    assert second.text == (
        "Joe's Bald Hairstyles · MISCELLANEOUS PAYMENTS;Joe's Bald Hairstyles · -316.67 CAD · CHECK"
        " · checking account ending 5678"
    )
    assert second.origin == "bank_medium.ofx, account 5678, transaction 2"
    assert second.ts == _utc(2009, 4, 2, 17, 20, 17)
    json.dumps(second.meta)  # JSON-safe


@pytest.mark.parametrize("name", [n for n in ALL_FILES if CASES[n].amounts])
def test_account_number_is_masked_in_the_text_but_kept_in_meta(name: str) -> None:
    for item in _items(name):
        account = item.meta["account"]["id"]
        assert account not in item.text
        assert item.native_id.startswith(f"{account}:")


def test_two_accounts_in_one_file() -> None:
    items = _items("synthetic/two_accounts_bank_and_card.ofx")
    accounts = [
        (i.meta["account"]["id"], i.meta["account"]["type"], i.meta["account"]["bank"]) for i in items
    ]
    assert accounts == [
        ("000111222333", "savings", "011000015"),
        ("000111222333", "savings", "011000015"),
        ("4000123412349876", "creditcard", "Example Credit Union"),  # no BANKID: the FI's name
        ("4000123412349876", "creditcard", "Example Credit Union"),
    ]
    rent, card_abroad = items[1], items[3]
    assert (rent.title, rent.meta["memo"]) == ("Sam Chen Rent Share", "March rent & utilities")  # PAYEE
    assert (rent.ts, rent.tz) == (_utc(2024, 3, 5, 14, 30, 15), "-05:00")
    assert card_abroad.meta["currency"] == "EUR"  # CURRENCY/CURSYM, not the statement's CURDEF
    assert card_abroad.text.endswith("-18.00 EUR · DEBIT · credit card account ending 9876")


@pytest.mark.parametrize(
    ("fitid", "ts", "tz", "assumed"),
    [
        ("Z1", _utc(2024, 1, 5, 5), "date", False),
        ("Z2", _utc(2024, 1, 5, 13, 30), "America/New_York", True),
        ("Z3", _utc(2024, 1, 5, 3), "+05:30", False),
        ("Z4", _utc(2024, 1, 5, 12), "-03:30", False),
        ("Z5", _utc(2024, 1, 5, 8, 30), "UTC", False),
        ("Z6", _utc(2024, 1, 5, 5), "date", False),  # midnight is a date marker too
        ("Z7", _utc(2024, 1, 5, 13, 30), "-05:00", False),  # `[-:EST]`
    ],
)
def test_datetimes(fitid: str, ts: datetime, tz: str, assumed: bool) -> None:
    [item] = [i for i in _items("synthetic/zones.ofx") if i.meta["fitid"] == fitid]
    assert (item.ts, item.tz, item.meta.get("tz_assumed", False)) == (ts, tz, assumed)
    assert item.meta["date"] == "2024-01-05"


def test_a_date_is_midnight_in_the_users_zone() -> None:
    [item] = _items("actual/1252.qfx", ZoneInfo("Asia/Tokyo"))
    assert (item.ts, item.tz) == (_utc(2022, 10, 18, 15), "date")


def test_investment_trades_are_named_from_the_security_list() -> None:
    items = _items("ofxparse/fidelity.ofx")
    kinds = [i.meta["type"] for i in items]
    assert kinds == ["BUYSTOCK"] * 8 + ["INCOME"] * 4 + ["SELLSTOCK"] * 2 + ["DEP", "OTHER", "DEP"]
    buy = items[0]
    assert buy.meta["security"] == {"id": "458140100", "name": "INTEL CORP", "ticker": "INTC"}
    assert (buy.meta["units"], buy.meta["unit_price"], buy.meta["action"]) == (
        "100.00000",
        "25.635000000",
        "BUY",
    )
    assert buy.text == "INTEL CORP · YOU BOUGHT · -2571.4500 USD · BUYSTOCK · investment account ending 7890"
    assert items[8].meta["action"] == "DIV"
    assert items[14].meta["check_number"] is None  # a cash line reads like a bank transaction


def test_a_transfer_of_units_has_no_amount() -> None:
    transfer = _items("ofxparse/investment_401k.ofx")[1]
    assert (transfer.meta["amount"], transfer.meta["units"], transfer.meta["action"]) == (
        None,
        "6.800992",
        "IN",
    )
    assert transfer.text == "BAR Index Fund · TRANSFER · investment account ending 5601"


def test_transactions_without_fitid_get_hashes_and_repeat_counters() -> None:
    ids = [i.native_id for i in _items("synthetic/no_fitid_repeats.ofx")]
    assert ids[1] == f"{ids[0]}#2"
    assert ids[0].startswith("55501234:hash-") and ids[2].startswith("55501234:hash-")
    assert len(set(ids)) == 3


@pytest.mark.parametrize("name", ALL_FILES)
def test_reading_again_gives_the_same_items(name: str) -> None:
    first = [(i.native_id, i.content_hash()) for i in _items(name)]
    assert first == [(i.native_id, i.content_hash()) for i in _items(name)]
    assert len({native_id for native_id, _ in first}) == len(first)


def test_the_same_transaction_in_a_later_download_is_the_same_record() -> None:
    """Overlapping downloads: a new balance and server time must not make the items differ."""
    data = (FIXTURES / "ofxparse/checking.ofx").read_bytes()
    later = data.replace(b"<BALAMT>100.99", b"<BALAMT>55.00").replace(b"20130525225731", b"20130601080000")
    assert later != data
    before = [
        (i.native_id, i.content_hash()) for i in _parse("checking.ofx", data=data) if isinstance(i, Item)
    ]
    after = [
        (i.native_id, i.content_hash()) for i in _parse("checking.ofx", data=later) if isinstance(i, Item)
    ]
    assert before == after


def test_refusals_do_not_quote_the_banks_message() -> None:
    [bad] = _parse("synthetic/one_account_refused.ofx")[:1]
    assert isinstance(bad, BadRecord)
    assert "Alex" not in bad.reason and "000999888777" not in bad.reason


def test_a_lost_end_tag_costs_nothing() -> None:
    data = (FIXTURES / "ofxparse/bank_medium.ofx").read_bytes()
    damaged = data.replace(b"Joe's Bald Hairstyles</STMTTRN>", b"Joe's Bald Hairstyles", 1)
    assert damaged != data
    items = [p for p in _parse("bank_medium.ofx", data=damaged) if isinstance(p, Item)]
    assert [i.meta["amount"] for i in items] == ["-6.60", "-316.67", "-22.00"]


def test_an_empty_sgml_leaf_does_not_swallow_its_siblings() -> None:
    data = (FIXTURES / "ofxparse/bank_medium.ofx").read_bytes()
    damaged = data.replace(b"<NAME>MCDONALD'S #112", b"<NAME>", 1)
    first = next(p for p in _parse("bank_medium.ofx", data=damaged) if isinstance(p, Item))
    assert (first.title, first.meta["counterparty"]) == ("POS MERCHANDISE;MCDONALD'S #112", None)


@pytest.mark.parametrize(
    "data",
    [b"", b"not an ofx file", b"OFXHEADER:100\nDATA:OFXSGML\n\n", b"\x00\xff\xfe<html></html>"],
)
def test_not_ofx_is_one_bad_record(data: bytes) -> None:
    assert _bad_of(data) == [("whole file", "no <OFX> element: not an OFX or QFX file")]


def _bad_of(data: bytes) -> list[tuple[str, str]]:
    return [(p.position, p.reason) for p in _parse("x.ofx", data=data) if isinstance(p, BadRecord)]


# What a BadRecord may say: a field and what is wrong with it, a bank's status code, or an
# exception's type; never a value from the file.
_REASON = re.compile(
    r"((DTPOSTED|DTTRADE) is (missing|not an OFX date|not a valid date \(\w+\))"
    r"|(TRNAMT|TOTAL) is (missing|not a decimal number)"
    r"|INVBANKTRAN without STMTTRN"
    r"|the bank (refused the sign-on|returned an error) \((code \d{1,6}|no code)\), no statement"
    r"|no <OFX> element: not an OFX or QFX file"
    r"|unreadable transaction \(\w+\))"
)
_MUTATION = st.tuples(
    st.floats(min_value=0, max_value=1),
    st.sampled_from(["delete", "insert", "replace"]),
    st.sampled_from(
        [b"<", b">", b"</STMTTRN>", b"<STMTTRN>", b"<TRNAMT>", b"<DTPOSTED>", b"[-99:X]", b"&amp;", b"\x80"]
        + [b"<![CDATA[", b"]]>", b"</OFX>", b"<NAME/>", b"<INVTRAN>", b"9999999999", b"\xff\xfe", b"E999"]
        + [b"\nCHARSET:BASE64\n", b"\nCHARSET:UTF-16\n", b"\x00", b"\xef\xbb\xbf", b"<OFX>"]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(ALL_FILES), mutations=st.lists(_MUTATION, min_size=1, max_size=6))
def test_nothing_escapes_the_parser(name: str, mutations: list[tuple[float, str, bytes]]) -> None:
    data = bytearray((FIXTURES / name).read_bytes())
    for where, how, chunk in mutations:
        at = int(where * len(data))
        if how == "delete":
            del data[at : at + len(chunk) * 3]
        elif how == "insert":
            data[at:at] = chunk
        else:
            data[at : at + len(chunk)] = chunk
    for parsed in _parse(name, data=bytes(data)):
        if isinstance(parsed, BadRecord):
            assert _REASON.fullmatch(parsed.reason), parsed.reason
            continue
        assert parsed.ts is not None and parsed.ts.utcoffset() is not None
        assert parsed.ts.tzinfo is UTC
        json.dumps(parsed.meta)
        if parsed.meta["amount"] is not None:
            Decimal(parsed.meta["amount"])
