"""The vCard connector on real files: one .vcf, a folder of them, missing and broken paths."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import Registry, SyncContext, builtin_modules
from homebody.connectors.vcard.connector import VCardConnector, register
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
APPLE = FIXTURES / "synthetic/apple_contacts_export_v3.vcf"
ANDROID = FIXTURES / "synthetic/android_contacts_export_v21_qp.vcf"
GROUP = FIXTURES / "synthetic/icloud_group_v3.vcf"
NEW_YORK = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="America/New_York")


@dataclass(frozen=True)
class _BritishContext(SyncContext):
    """A sync whose user lives in the UK: numbers without + are British."""

    region: str = "GB"


def _read(path: Path, context: SyncContext = NEW_YORK) -> list[Item | BadRecord]:
    connector = VCardConnector()
    return [p for file in connector.files(path) for p in connector.read(file, context)]


def test_register_adds_the_vcard_kind() -> None:
    registry = Registry()
    register(registry)
    assert registry.get("vcard").provides == frozenset({Kind.CONTACT})
    assert registry.providers_of(Kind.CONTACT) == ["vcard"]
    assert "homebody.connectors.vcard.connector" in builtin_modules()


def test_one_file_with_many_cards(tmp_path: Path) -> None:
    file = tmp_path / "Contacts.vcf"
    shutil.copy(APPLE, file)
    assert VCardConnector().files(file) == [file]
    items = [i for i in _read(file) if isinstance(i, Item)]
    assert [i.title for i in items] == ["Alex Rivera", "Corner Coffee Co", "Sam Chen"]
    assert items[2].origin == "Contacts.vcf, card 3, line 45"


def test_folder_finds_vcf_files_recursively(tmp_path: Path) -> None:
    (tmp_path / "icloud" / "groups").mkdir(parents=True)
    shutil.copy(APPLE, tmp_path / "icloud" / "all.vcf")
    shutil.copy(GROUP, tmp_path / "icloud" / "groups" / "ski.VCF")
    shutil.copy(ANDROID, tmp_path / "phone.vcard")
    (tmp_path / "notes.txt").write_text("BEGIN:VCARD\nFN:not mine\nEND:VCARD\n", encoding="utf-8")
    files = VCardConnector().files(tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "icloud/all.vcf",
        "icloud/groups/ski.VCF",
        "phone.vcard",
    ]
    titles = [i.title for i in _read(tmp_path) if isinstance(i, Item)]
    assert titles == ["Alex Rivera", "Corner Coffee Co", "Sam Chen", "Ski Trip", "陈山姆", "Lucía Gómez"]


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        VCardConnector().files(tmp_path / "nowhere.vcf")


def test_a_file_that_is_not_a_vcard_is_a_source_error(tmp_path: Path) -> None:
    pdf = tmp_path / "contacts.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(SourceError, match="not a vCard file"):
        VCardConnector().files(pdf)
    renamed = tmp_path / "contacts.txt"
    shutil.copy(APPLE, renamed)
    assert VCardConnector().files(renamed) == [renamed]


def test_a_corrupted_card_in_the_middle_is_one_bad_record(tmp_path: Path) -> None:
    data = APPLE.read_bytes().replace(
        b"ORG:Corner Coffee Co;\r\n", b"ORG:Corner Coffee Co;\r\n\x00garbled\r\n"
    )
    file = tmp_path / "contacts.vcf"
    file.write_bytes(data)
    parsed = _read(file)
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    assert [(b.file, b.position, b.reason) for b in bad] == [
        ("contacts.vcf", "card 2, line 41", "unreadable content line")
    ]
    assert [p.title for p in parsed if isinstance(p, Item)] == ["Alex Rivera", "Sam Chen"]
    assert parsed.index(bad[0]) == 1


def test_the_context_region_reads_numbers_without_plus(tmp_path: Path) -> None:
    file = tmp_path / "uk.vcf"
    file.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sam\r\nTEL;TYPE=CELL:07700 900123\r\nEND:VCARD\r\n")
    british = _BritishContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="Europe/London")
    (uk,) = _read(file, british)
    (us,) = _read(file, NEW_YORK)
    assert isinstance(uk, Item) and isinstance(us, Item)
    assert uk.meta["phones"][0]["e164"] == "+447700900123"
    assert us.meta["phones"][0]["e164"] is None


def test_ids_are_stable_when_the_same_file_is_imported_again(tmp_path: Path) -> None:
    file = tmp_path / "android.vcf"
    shutil.copy(ANDROID, file)
    first = [i.native_id for i in _read(file) if isinstance(i, Item)]
    file.write_bytes(ANDROID.read_bytes().replace(b"\r\n", b"\n"))  # re-saved with LF line ends
    assert [i.native_id for i in _read(file) if isinstance(i, Item)] == first
    assert len(set(first)) == 2


def test_unknown_time_zone_is_a_config_error(tmp_path: Path) -> None:
    file = tmp_path / "contacts.vcf"
    shutil.copy(APPLE, file)
    context = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="time zone"):
        list(VCardConnector().read(file, context))


def test_a_file_that_vanished_is_one_bad_record(tmp_path: Path) -> None:
    (bad,) = list(VCardConnector().read(tmp_path / "gone.vcf", NEW_YORK))
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position) == ("gone.vcf", "whole file")
