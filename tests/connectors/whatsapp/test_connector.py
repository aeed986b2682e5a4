"""The WhatsApp connector on real files: Android .txt, iOS .zip, bare _chat.txt, folders."""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import Gone, Registry, SyncContext
from homebody.connectors.whatsapp.connector import WhatsAppConnector, register
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
GB = FIXTURES / "synthetic/android_en-GB_24h_group.txt"
IOS = FIXTURES / "synthetic/ios_en-US_12h_nnbsp_crlf.txt"
LONDON = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="Europe/London")
NEW_YORK = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="America/New_York")


def _ios_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", IOS.read_bytes())
        archive.writestr("00000012-PHOTO-2024-01-04-19-04-09.jpg", b"\xff\xd8\xff")
    return path


def _read(path: Path, context: SyncContext = LONDON) -> list[Item | BadRecord]:
    connector = WhatsAppConnector()
    # The read ends by saying which time it covers (`Gone`); these tests look at what it parsed.
    return [
        p for file in connector.files(path) for p in connector.read(file, context) if not isinstance(p, Gone)
    ]


def test_register_adds_the_whatsapp_kind() -> None:
    registry = Registry()
    register(registry)
    connector = registry.get("whatsapp")
    assert connector.provides == frozenset({Kind.MESSAGE})
    assert registry.providers_of(Kind.MESSAGE) == ["whatsapp"]


def test_android_txt(tmp_path: Path) -> None:
    file = tmp_path / "WhatsApp Chat with Ski Trip 2024.txt"
    shutil.copy(GB, file)
    assert WhatsAppConnector().files(file) == [file]
    items = [p for p in _read(file) if isinstance(p, Item)]
    assert len(items) == 16
    assert {i.thread for i in items} == {"whatsapp:Ski Trip 2024"}
    assert items[3].origin == "WhatsApp Chat with Ski Trip 2024.txt, line 5"
    assert items[3].author == "Sam Chen"
    assert items[3].participants == ("Sam Chen", "+44 7700 900123", "Alex Rivera", "Jordan Lee")


def test_ios_zip_with_chat_txt(tmp_path: Path) -> None:
    file = _ios_zip(tmp_path / "WhatsApp Chat - Sam Chen.zip")
    assert WhatsAppConnector().files(file) == [file]
    items = _read(file, NEW_YORK)
    assert len(items) == 12
    first, last = items[0], items[-1]
    assert isinstance(first, Item)
    assert isinstance(last, Item)
    assert first.origin == "WhatsApp Chat - Sam Chen.zip/_chat.txt, line 2"
    assert (first.author, first.ts) == ("Sam Chen", datetime(2024, 1, 5, 0, 3, 40, tzinfo=UTC))
    assert first.thread == "whatsapp:Sam Chen"
    # The chat's own name on a marked line is a system event (FORMATS.md §3).
    assert (last.author, last.meta.get("system")) == (None, True)


def test_android_zip_skips_macos_resource_forks(tmp_path: Path) -> None:
    file = tmp_path / "WhatsApp Chat mit Lena Vogel.zip"
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr("__MACOSX/._WhatsApp Chat mit Lena Vogel.txt", b"\x00\x05\x16\x07")
        archive.writestr(
            "WhatsApp Chat mit Lena Vogel.txt", (FIXTURES / "synthetic/android_de_24h.txt").read_bytes()
        )
        archive.writestr("IMG-20240105-WA0001.jpg", b"\xff\xd8\xff")
    items = _read(file)
    assert [i.author for i in items if isinstance(i, Item)] == ["Lena Vogel", "Alex Rivera", "Lena Vogel"]
    assert {i.thread for i in items if isinstance(i, Item)} == {"whatsapp:Lena Vogel"}
    # A re-zipped export whose only chat text has no title is still found.
    rezipped = tmp_path / "lena backup.zip"
    with zipfile.ZipFile(rezipped, "w") as archive:
        archive.writestr("__MACOSX/._lena.txt", b"\x00\x05\x16\x07")
        archive.writestr("lena.txt", (FIXTURES / "synthetic/android_de_24h.txt").read_bytes())
    assert len(_read(rezipped)) == 3


def test_folder_finds_every_export_recursively(tmp_path: Path) -> None:
    android = tmp_path / "phone" / "WhatsApp Chat mit Lena Vogel.txt"
    android.parent.mkdir()
    shutil.copy(FIXTURES / "synthetic/android_de_24h.txt", android)
    (tmp_path / "backup" / "2024").mkdir(parents=True)
    ios = _ios_zip(tmp_path / "backup" / "2024" / "WhatsApp Chat - Sam Chen.zip")
    unzipped = tmp_path / "WhatsApp Chat - 陈山姆" / "_chat.txt"
    unzipped.parent.mkdir()
    shutil.copy(FIXTURES / "synthetic/ios_zh_ymd_nocomma.txt", unzipped)
    (tmp_path / "notes.txt").write_text("not a chat", encoding="utf-8")
    (tmp_path / "phone" / "._WhatsApp Chat mit Lena Vogel.txt").write_bytes(b"\x00\x05")
    (tmp_path / "holiday.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)

    files = WhatsAppConnector().files(tmp_path)
    assert sorted(files) == sorted([android, ios, unzipped])
    threads = {p.thread for p in _read(tmp_path) if isinstance(p, Item)}
    assert threads == {"whatsapp:Lena Vogel", "whatsapp:Sam Chen", "whatsapp:陈山姆"}


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        WhatsAppConnector().files(tmp_path / "nowhere")


def test_a_file_that_is_not_an_export_is_a_source_error(tmp_path: Path) -> None:
    pdf = tmp_path / "chat.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    with pytest.raises(SourceError, match="not a WhatsApp export"):
        WhatsAppConnector().files(pdf)
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("a.jpg", b"x")
        archive.writestr("b.jpg", b"y")
    with pytest.raises(SourceError, match="no _chat.txt"):
        WhatsAppConnector().files(other_zip)


def test_corrupt_zip_is_a_source_error_on_read(tmp_path: Path) -> None:
    file = tmp_path / "WhatsApp Chat - Sam Chen.zip"
    file.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(SourceError, match="cannot read the zip"):
        list(WhatsAppConnector().read(file, LONDON))


def test_unknown_time_zone_is_a_config_error(tmp_path: Path) -> None:
    file = tmp_path / "WhatsApp Chat with Sam.txt"
    shutil.copy(GB, file)
    context = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="time zone"):
        list(WhatsAppConnector().read(file, context))


def test_corrupted_line_in_the_middle_yields_a_bad_record(tmp_path: Path) -> None:
    lines = GB.read_text(encoding="utf-8").split("\n")
    lines[12] = "32/01/2024, 09:23 - Jordan Lee: garbled"
    file = tmp_path / "WhatsApp Chat with Ski Trip 2024.txt"
    file.write_text("\n".join(lines), encoding="utf-8")
    parsed = _read(file)
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    items = [p for p in parsed if isinstance(p, Item)]
    assert [(b.file, b.position) for b in bad] == [(file.name, "line 13")]
    assert len(items) == 15
    assert items[-1].text.startswith("POLL:")
    assert parsed.index(bad[0]) == 7


def test_bom_and_windows_bytes_are_read(tmp_path: Path) -> None:
    file = tmp_path / "WhatsApp Chat with Sam.txt"
    file.write_bytes(b"\xef\xbb\xbf12/01/2024, 09:14 - Sam: caf\xe9 \xc3\xa9\n")
    (item,) = _read(file)
    assert isinstance(item, Item)
    assert (item.author, item.text) == ("Sam", "caf\ufffd é")


def test_a_folder_of_renamed_exports_is_found_by_content(tmp_path):
    from homebody.connectors.whatsapp.connector import WhatsAppConnector

    (tmp_path / "sam.txt").write_text("12/01/2024, 09:14 - Sam: hello\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("shopping list\n- milk\n", encoding="utf-8")
    assert [p.name for p in WhatsAppConnector().files(tmp_path)] == ["sam.txt"]
