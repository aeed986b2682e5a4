"""The Venmo connector on real files: one statement, folders, overlapping statements in a vault."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import Registry, SyncContext
from homebody.connectors.venmo.connector import VenmoConnector, register
from homebody.errors import BadRecord, SourceError
from homebody.sync import sync_all
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

FIXTURES = Path(__file__).parent / "fixtures"
CURRENT = FIXTURES / "synthetic/venmo_statement_2024-03.csv"
LEGACY = FIXTURES / "synthetic/venmo_statement_legacy_2019-06.csv"
CONTEXT = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="Europe/London")


def _read(path: Path) -> list[Item | BadRecord]:
    connector = VenmoConnector()
    return [p for file in connector.files(path) for p in connector.read(file, CONTEXT)]


def _registry() -> Registry:
    registry = Registry()
    register(registry)
    return registry


def test_register_adds_the_venmo_kind() -> None:
    connector = _registry().get("venmo")
    assert (connector.kind, connector.provides) == ("venmo", frozenset({Kind.TRANSACTION}))


def test_one_statement(tmp_path: Path) -> None:
    file = tmp_path / "VenmoStatement_March_2024.csv"
    shutil.copy(CURRENT, file)
    assert VenmoConnector().files(file) == [file]
    items = [p for p in _read(file) if isinstance(p, Item)]
    assert len(items) == 7
    assert items[0].origin == "VenmoStatement_March_2024.csv, row 5"


def test_folder_takes_only_venmo_statements(tmp_path: Path) -> None:
    (tmp_path / "2019").mkdir()
    current, legacy = tmp_path / "march.csv", tmp_path / "2019" / "june.CSV"
    shutil.copy(CURRENT, current)
    shutil.copy(LEGACY, legacy)
    (tmp_path / "chase.csv").write_bytes(b"Date,Description,Amount\r\n03/07/2024,COFFEE,4.75\r\n")
    (tmp_path / "notes.txt").write_text("Datetime Amount (total) ID")
    assert VenmoConnector().files(tmp_path) == sorted([legacy, current])
    assert len(_read(tmp_path)) == 10


def test_missing_path_and_other_files_are_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        VenmoConnector().files(tmp_path / "nowhere")
    chase = tmp_path / "chase.csv"
    chase.write_bytes(b"Date,Description,Amount\r\n")
    with pytest.raises(SourceError, match="not a Venmo statement"):
        VenmoConnector().files(chase)
    sheet = tmp_path / "venmo.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    with pytest.raises(SourceError, match="not a CSV file"):
        VenmoConnector().files(sheet)


def test_corrupted_row_in_the_middle_yields_one_bad_record(tmp_path: Path) -> None:
    lines = CURRENT.read_bytes().split(b"\r\n")
    lines[6] = lines[6].replace(b"+ $65.00", b"+ $6x5.00")
    file = tmp_path / "march.csv"
    file.write_bytes(b"\r\n".join(lines))
    parsed = _read(file)
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    assert [(b.file, b.position, b.reason) for b in bad] == [("march.csv", "row 7", "unreadable amount")]
    assert parsed.index(bad[0]) == 2
    assert [p.native_id for p in parsed[3:] if isinstance(p, Item)][-1] == "venmo:3981234567890123462"


def test_overlapping_statements_add_nothing_twice(tmp_path: Path) -> None:
    lines = CURRENT.read_bytes().split(b"\r\n")
    folder = tmp_path / "statements"
    folder.mkdir()
    # Four payments in one statement; the next one repeats two of them and brings three more.
    (folder / "feb-mar.csv").write_bytes(b"\r\n".join([*lines[:4], *lines[4:8], lines[-2]]))
    with Vault.open(tmp_path / "home" / "vault.db") as vault:
        vault.add_source("venmo", "venmo", str(folder))
        [report] = sync_all(vault, _registry(), CONTEXT)
        assert (report.added, report.errors) == (4, [])
        (folder / "mar.csv").write_bytes(b"\r\n".join([*lines[:4], *lines[6:]]))
        [report] = sync_all(vault, _registry(), CONTEXT)
        assert (report.added, report.updated, report.unchanged, report.errors) == (3, 0, 2, [])
        assert vault.count() == 7
