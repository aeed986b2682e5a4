"""The shared CSV cell readers: encodings, delimiters, money and dates (FORMATS.md §5)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from homebody.connectors.bank_csv.money import (
    DATE_FORMATS,
    decode_bytes,
    infer_decimal,
    infer_format,
    parse_amount,
    read_rows,
    sniff_delimiter,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("raw", "decimal", "value", "currency"),
    [
        ("-4.75", ".", "-4.75", None),
        ("$1,036.47", ".", "1036.47", "USD"),
        ("+ $18.50", ".", "18.50", "USD"),
        ("- $1,250.00", ".", "-1250.00", "USD"),
        ("$-4.75", ".", "-4.75", "USD"),
        ("(4.75)", ".", "-4.75", None),
        ("($1,000.00)", ".", "-1000.00", "USD"),
        ("2.750,00", ",", "2750.00", None),
        ("-98,76", ",", "-98.76", None),
        ("1 234,56 €", ",", "1234.56", "EUR"),
        ("11'373.94", ".", "11373.94", None),
        ("CHF 1'000.50", ".", "1000.50", "CHF"),
        ("3,75-", ",", "-3.75", None),
        ("\u22124.75", ".", "-4.75", None),
        ("- $0.00", ".", "0.00", "USD"),
        ("50000", ".", "50000", None),
        ("1,000", ".", "1000", None),
    ],
)
def test_amounts(raw: str, decimal: str, value: str, currency: str | None) -> None:
    assert parse_amount(raw, decimal) == (Decimal(value), currency)
    assert str(parse_amount(raw, decimal)[0]) == value


@pytest.mark.parametrize(
    ("raw", "decimal"),
    [("", "."), ("abc", "."), ("--5", "."), ("-(5)", "."), ("1.234,56", "."), ("1,2,3", "."), ("4.75.", ".")],
)
def test_not_amounts(raw: str, decimal: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(raw, decimal)


@pytest.mark.parametrize(
    ("values", "decimal"),
    [
        (["-4.75", "2750.00"], "."),
        (["-3,75", "2.750,00"], ","),
        (["1.234.567", "1,000"], ","),
        (['"1,000.00"', "1,500.00"], "."),
        (["1,000", "2,000"], "."),  # ambiguous alone: the US reading
        (["11'373.94"], "."),
    ],
)
def test_decimal_mark_is_inferred_over_the_column(values: list[str], decimal: str) -> None:
    assert infer_decimal(values) == decimal


@pytest.mark.parametrize(
    ("values", "dayfirst", "fmt"),
    [
        (["03/08/2024", "02/27/2024"], False, "%m/%d/%Y"),
        (["24/03/2022", "08/04/2022"], False, "%d/%m/%Y"),
        (["03/04/2024"], False, "%m/%d/%Y"),
        (["03/04/2024"], True, "%d/%m/%Y"),
        (["07.03.24", "01.03.24"], False, "%d.%m.%y"),
        (["10.10.2017"], False, "%d.%m.%Y"),
        (["6/12/15", "6/13/15"], False, "%m/%d/%y"),
        (["23-Jan-15", "14-Feb-15"], False, "%d-%b-%y"),
        (["2024-03-07", "pending"], False, "%Y-%m-%d"),
        (["2021-02-03 13:12"], False, "%Y-%m-%d %H:%M"),
        (["pending", ""], False, None),
    ],
)
def test_date_order_is_inferred_over_the_file(values: list[str], dayfirst: bool, fmt: str | None) -> None:
    assert infer_format(values, DATE_FORMATS, dayfirst=dayfirst) == fmt


@pytest.mark.parametrize(
    ("name", "encoding", "word"),
    [
        ("synthetic/encoding_utf8_bom.csv", "utf-8-sig", "Müller GmbH Überweisung"),
        ("synthetic/encoding_utf16le_bom.csv", "utf-16", "Café Lumière — croissant"),
        ("synthetic/encoding_windows1252.csv", "cp1252", "Remboursement €"),
        ("synthetic/de_sparkasse_style_semicolon_latin1.csv", "cp1252", "Gehalt März"),
        ("csv2ofx/gls.csv", "cp1252", "Auftraggeber/Empfänger"),
        ("csv2ofx/ubs-ch-fr_trimmed.csv", "utf-8", "Crédit"),
    ],
)
def test_encodings(name: str, encoding: str, word: str) -> None:
    text, used = decode_bytes((FIXTURES / name).read_bytes())
    assert (used, word in text) == (encoding, True)


def test_central_european_text_is_not_forced_into_cp1252() -> None:
    data = "Data;Opis;Kwota\n2024-03-01;Zakupy w sklepie Łódź, żółć gęślą jaźń;-12,50\n".encode("cp1250")
    text, used = decode_bytes(data)
    assert used == "cp1250"
    assert "Łódź" in text


@pytest.mark.parametrize(
    ("name", "delimiter"),
    [
        ("synthetic/chase_checking_trailing_comma.csv", ","),
        ("synthetic/bofa_checking_with_summary.csv", ","),
        ("synthetic/de_sparkasse_style_semicolon_latin1.csv", ";"),
        ("csv2ofx/gls.csv", ";"),
        ("csv2ofx/outbank.csv", ";"),
        ("csv2ofx/ubs-ch-fr_trimmed.csv", ";"),
        ("csv2ofx/mint.csv", ","),
    ],
)
def test_delimiter(name: str, delimiter: str) -> None:
    assert sniff_delimiter(decode_bytes((FIXTURES / name).read_bytes())[0]) == delimiter


def test_cr_only_lines_and_quoted_line_breaks_are_records() -> None:
    rows = read_rows('a,b\r1,"x\r\ny"\r2,z\r', ",")
    assert rows == [(1, ["a", "b"]), (2, ["1", "x\ny"]), (3, ["2", "z"])]
