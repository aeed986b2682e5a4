"""The bank CSV connector on real files: one export, folders, mapping files, re-imports into a vault."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.bank_csv.connector import BankCsvConnector, register
from homebody.connectors.base import Registry, SyncContext
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.sync import sync_all
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

FIXTURES = Path(__file__).parent / "fixtures"
CHASE = FIXTURES / "synthetic/chase_checking_trailing_comma.csv"
CONTEXT = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="America/New_York")


def _read(path: Path, context: SyncContext = CONTEXT) -> list[Item | BadRecord]:
    connector = BankCsvConnector()
    return [p for file in connector.files(path) for p in connector.read(file, context)]


def _registry() -> Registry:
    registry = Registry()
    register(registry)
    return registry


def test_register_adds_the_bank_csv_kind() -> None:
    registry = _registry()
    assert registry.get("bank-csv").provides == frozenset({Kind.TRANSACTION})
    assert registry.providers_of(Kind.TRANSACTION) == ["bank-csv"]


def test_one_export(tmp_path: Path) -> None:
    file = tmp_path / "Chase1234_Activity_20240308.CSV"
    shutil.copy(CHASE, file)
    assert BankCsvConnector().files(file) == [file]
    items = [p for p in _read(file) if isinstance(p, Item)]
    assert [i.meta["amount"] for i in items] == [
        "-4.75",
        "2750.00",
        "-1250.00",
        "-120.00",
    ]
    assert items[0].origin == "Chase1234_Activity_20240308.CSV, row 2"


def test_folder_finds_every_csv_recursively(tmp_path: Path) -> None:
    (tmp_path / "2024" / "03").mkdir(parents=True)
    chase = tmp_path / "2024" / "03" / "chase.csv"
    shutil.copy(CHASE, chase)
    bofa = tmp_path / "bofa.CSV"
    shutil.copy(FIXTURES / "synthetic/bofa_checking_with_summary.csv", bofa)
    (tmp_path / "notes.txt").write_text("not an export")
    (tmp_path / "rules.json").write_text("{}")
    assert BankCsvConnector().files(tmp_path) == sorted([chase, bofa])
    assert len([p for p in _read(tmp_path) if isinstance(p, Item)]) == 8


def test_missing_path_and_other_files_are_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        BankCsvConnector().files(tmp_path / "nowhere.csv")
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    with pytest.raises(SourceError, match="not a CSV file"):
        BankCsvConnector().files(pdf)


def test_unreadable_file_is_a_source_error(tmp_path: Path) -> None:
    file = tmp_path / "gone.csv"
    with pytest.raises(SourceError, match="cannot read"):
        list(BankCsvConnector().read(file, CONTEXT))


def test_unknown_time_zone_is_a_config_error(tmp_path: Path) -> None:
    context = SyncContext(now=CONTEXT.now, timezone="Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="time zone"):
        list(BankCsvConnector().read(CHASE, context))


def test_mapping_file_next_to_the_export(tmp_path: Path) -> None:
    file = tmp_path / "savings.csv"
    shutil.copy(FIXTURES / "csv2ofx/mint_headerless.csv", file)
    [bad] = _read(file)
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position, bad.reason) == (
        "savings.csv",
        "header",
        "unrecognised layout: add savings.mapping.json",
    )
    mapping = {"date": 0, "amount": 3, "description": 1, "direction": {"column": 4, "out": ["debit"]}}
    (tmp_path / "savings.mapping.json").write_text(json.dumps(mapping), encoding="utf-8")
    items = _read(file)
    assert [i.meta["amount"] for i in items if isinstance(i, Item)] == [
        "-1000.00",
        "-1500.00",
        "2000.00",
        "-2500.00",
    ]


def test_broken_mapping_file_is_one_bad_record(tmp_path: Path) -> None:
    file = tmp_path / "savings.csv"
    shutil.copy(CHASE, file)
    (tmp_path / "savings.mapping.json").write_text('{"date": 0,', encoding="utf-8")
    [bad] = _read(file)
    assert isinstance(bad, BadRecord)
    assert (bad.position, bad.reason) == ("mapping", "savings.mapping.json is not JSON (line 1)")


def test_corrupted_row_in_the_middle_yields_one_bad_record(tmp_path: Path) -> None:
    lines = (FIXTURES / "synthetic/bofa_checking_with_summary.csv").read_bytes().split(b"\r\n")
    lines[9] = lines[9].replace(b"03/02/2024", b"03/32/2024")
    file = tmp_path / "bofa.csv"
    file.write_bytes(b"\r\n".join(lines))
    parsed = _read(file)
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    assert [(b.file, b.position, b.reason) for b in bad] == [("bofa.csv", "row 10", "unreadable date")]
    assert parsed.index(bad[0]) == 1
    assert [p.meta["amount"] for p in parsed if isinstance(p, Item)] == ["2750.00", "-4.75", "-125.00"]


def _export(path: Path, rows: slice) -> None:
    """A Chase export covering some of the fixture's rows, as a later download would."""
    lines = CHASE.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([lines[0], *lines[1:5][rows], b""]))


def test_overlapping_re_export_adds_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "chase"
    folder.mkdir()
    _export(folder / "Chase1234_Activity_20240301.CSV", slice(1, 4))
    with Vault.open(tmp_path / "home" / "vault.db") as vault:
        vault.add_source("chase", "bank-csv", str(folder))
        [first] = sync_all(vault, _registry(), CONTEXT)
        assert (first.added, first.errors) == (3, [])
        # A newer download overlapping the first by two rows brings only the new one.
        _export(folder / "Chase1234_Activity_20240308.CSV", slice(0, 3))
        [second] = sync_all(vault, _registry(), CONTEXT)
        assert (second.added, second.updated, second.unchanged) == (1, 0, 2)
        # The very same export downloaded again under another name adds nothing either.
        shutil.copy(folder / "Chase1234_Activity_20240308.CSV", folder / "Chase1234_Activity (1).CSV")
        [third] = sync_all(vault, _registry(), CONTEXT)
        assert (third.added, third.updated) == (0, 0)
        assert vault.count() == 4


def test_identical_rows_in_overlapping_exports_are_kept_once_each(tmp_path: Path) -> None:
    coffee = b"03/07/2024,CORNER COFFEE CO,4.75\r\n"
    (tmp_path / "amex-march.csv").write_bytes(b"Date,Description,Amount\r\n" + coffee * 2)
    (tmp_path / "amex-q1.csv").write_bytes(
        b"Date,Description,Amount\r\n" + coffee * 2 + b"03/09/2024,BAKERY,3.10\r\n"
    )
    with Vault.open(tmp_path / "home" / "vault.db") as vault:
        vault.add_source("amex", "bank-csv", str(tmp_path))
        [report] = sync_all(vault, _registry(), CONTEXT)
        # Two coffees on one day are two transactions, in both files: 3, not 2 or 5.
        assert (report.added, report.errors, vault.count()) == (3, [], 3)
