"""The OFX connector on real files: one statement, a folder of downloads, damage, and re-import."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import Registry, SyncContext
from homebody.connectors.ofx.connector import OfxConnector, register
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.sync import sync_all
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

FIXTURES = Path(__file__).parent / "fixtures"
CONTEXT = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="America/New_York")


def _copy(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    return target


def _read(path: Path) -> list[Item | BadRecord]:
    connector = OfxConnector()
    return [p for file in connector.files(path) for p in connector.read(file, CONTEXT)]


def test_register_adds_the_ofx_kind() -> None:
    registry = Registry()
    register(registry)
    connector = registry.get("ofx")
    assert connector.provides == frozenset({Kind.TRANSACTION})
    assert registry.providers_of(Kind.TRANSACTION) == ["ofx"]


def test_one_statement(tmp_path: Path) -> None:
    file = _copy("ofxparse/checking.ofx", tmp_path / "Checking Jan.ofx")
    assert OfxConnector().files(file) == [file]
    items = _read(file)
    assert [i.meta["amount"] for i in items if isinstance(i, Item)] == ["0.01", "-34.51", "-25.00"]
    assert isinstance(items[2], Item)
    assert items[2].origin == "Checking Jan.ofx, account 6877, transaction 3"


def test_a_folder_of_downloads(tmp_path: Path) -> None:
    _copy("actual/1252.qfx", tmp_path / "2022" / "quicken.qfx")
    _copy("ofxparse/bank_medium.ofx", tmp_path / "bank.OFX")
    _copy("synthetic/two_accounts_bank_and_card.ofx", tmp_path / "2024" / "web-connect.qbo")
    _copy("ofxparse/signon_fail.ofx", tmp_path / "refused.ofx")
    (tmp_path / "export.csv").write_text("Date,Amount\n2024-01-01,1.00\n")
    (tmp_path / "notes.txt").write_text("OFXHEADER:100 but not a statement folder member\n")
    files = OfxConnector().files(tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "2022/quicken.qfx",
        "2024/web-connect.qbo",
        "bank.OFX",
        "refused.ofx",
    ]
    parsed = _read(tmp_path)
    assert sum(isinstance(p, Item) for p in parsed) == 1 + 4 + 3
    [refused] = [p for p in parsed if isinstance(p, BadRecord)]
    assert (refused.file, refused.position) == ("refused.ofx", "sign-on")


def test_a_file_named_otherwise_is_read_if_it_is_ofx(tmp_path: Path) -> None:
    file = _copy("ofxparse/suncorp.ofx", tmp_path / "download.xml")
    assert OfxConnector().files(file) == [file]
    other = tmp_path / "statement.csv"
    other.write_text("Date,Amount\n2024-01-01,1.00\n")
    with pytest.raises(SourceError, match="not an OFX statement"):
        OfxConnector().files(other)


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        OfxConnector().files(tmp_path / "nowhere.ofx")


def test_a_file_that_vanishes_before_reading_is_a_source_error(tmp_path: Path) -> None:
    file = _copy("ofxparse/checking.ofx", tmp_path / "c.ofx")
    [found] = OfxConnector().files(file)
    file.unlink()
    with pytest.raises(SourceError, match="cannot read"):
        list(OfxConnector().read(found, CONTEXT))


def test_unknown_time_zone_is_a_config_error(tmp_path: Path) -> None:
    file = _copy("ofxparse/checking.ofx", tmp_path / "c.ofx")
    with pytest.raises(ConfigError, match="unknown time zone"):
        list(OfxConnector().read(file, SyncContext(now=CONTEXT.now, timezone="Mars/Olympus")))


def test_a_corrupted_transaction_in_the_middle_is_one_bad_record(tmp_path: Path) -> None:
    data = (FIXTURES / "ofxparse/bank_medium.ofx").read_bytes()
    damaged = data.replace(b"<TRNAMT>-316.67", b"<TRNAMT>-31#6.67", 1).replace(
        b"<DTPOSTED>20090402122017.000[-5:EST]", b"<DTPOSTED>2009O402", 1
    )
    file = tmp_path / "bank.ofx"
    file.write_bytes(damaged)
    parsed = _read(file)
    assert [type(p).__name__ for p in parsed] == ["Item", "BadRecord", "Item"]
    bad = parsed[1]
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position, bad.reason) == (
        "bank.ofx",
        "statement 1, transaction 2",
        "DTPOSTED is not an OFX date",
    )
    last = parsed[2]
    assert isinstance(last, Item)
    assert (last.title, last.meta["amount"]) == ("CONNIE'S HAIR D", "-22.00")


def test_sync_twice_and_an_overlapping_download_add_nothing_twice(tmp_path: Path) -> None:
    """Re-import is idempotent (FITID), and a later download overlapping the first adds only what is new."""
    folder = tmp_path / "statements"
    first_download = _copy("ofxparse/checking.ofx", folder / "2013-05.ofx")
    registry = Registry()
    register(registry)
    with Vault.open(tmp_path / "home" / "vault.db") as vault:
        vault.add_source("bank", "ofx", str(folder))
        [first] = sync_all(vault, registry, CONTEXT)
        assert (first.added, first.errors, vault.count()) == (3, [], 3)

        # The bank re-sends the file with a new server time: parsed again, nothing new.
        first_download.write_bytes(
            first_download.read_bytes().replace(b"20130525225731.258", b"20130526080000")
        )
        [again] = sync_all(vault, registry, CONTEXT)
        assert (again.files_read, again.added, again.updated, again.unchanged) == (1, 0, 0, 3)

        # A later download overlaps the first: two old transactions, a new balance, one new one.
        later = (FIXTURES / "ofxparse/checking.ofx").read_bytes()
        later = later.replace(b"<BALAMT>100.99", b"<BALAMT>90.99").replace(
            b"<FITID>0000486", b"<FITID>0000489", 1
        )
        (folder / "2013-06.ofx").write_bytes(later)
        [overlap] = sync_all(vault, registry, CONTEXT)
        assert (overlap.added, overlap.errors) == (1, [])
        assert vault.count() == 4
