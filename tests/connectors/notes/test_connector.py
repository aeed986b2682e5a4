"""The notes connector on real folders: nesting, hidden files, size cap, bad files, edits, sync."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import Registry, SyncContext
from homebody.connectors.notes.connector import NotesConnector, register
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.sync import sync_all
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

FIXTURES = Path(__file__).parent / "fixtures"
LONDON = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="Europe/London")
# 2024-05-04 10:20:30 UTC, as a file's modification time.
MTIME = 1714818030


def _read(connector: NotesConnector, path: Path) -> list[Item | BadRecord]:
    context = replace(LONDON, root=path)  # what the sync hands over: the path the source was added with
    return [p for file in connector.files(path) for p in connector.read(file, context)]


def _copy(name: str, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, to)
    return to


def _vault_folder(root: Path) -> Path:
    """An Obsidian-like vault: nested folders, the app's hidden folders, files that are not notes."""
    _copy("garden_plan.md", root / "Projects" / "Garden" / "garden_plan.md")
    _copy("journal.md", root / "Journal" / "2024" / "journal.md")
    _copy("shopping_cp1252.txt", root / "shopping_cp1252.txt")
    _copy("text.pdf", root / "Documents" / "Allotment plan.pdf")
    _copy("scratch.markdown", root / "scratch.markdown")
    (root / ".obsidian").mkdir()
    (root / ".obsidian" / "workspace.md").write_text("# not a note", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "COMMIT_EDITMSG.txt").write_text("Add notes", encoding="utf-8")
    (root / ".trash").mkdir()
    (root / ".trash" / "deleted.md").write_text("# deleted", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "Projects" / ".hidden note.md").write_text("# hidden", encoding="utf-8")
    (root / "Documents" / "._Allotment plan.pdf").write_bytes(b"\x00\x05\x16\x07")
    (root / "Projects" / "Garden" / "plot-map.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "Projects" / "board.canvas").write_text("{}", encoding="utf-8")
    return root


def test_register_adds_the_notes_kind() -> None:
    registry = Registry()
    register(registry)
    assert registry.get("notes").provides == frozenset({Kind.NOTE})
    assert registry.providers_of(Kind.NOTE) == ["notes"]


def test_folder_is_read_recursively_without_hidden_files(tmp_path: Path) -> None:
    root = _vault_folder(tmp_path / "vault")
    connector = NotesConnector()
    files = connector.files(root)
    assert [f.relative_to(root).as_posix() for f in files] == [
        "Documents/Allotment plan.pdf",
        "Journal/2024/journal.md",
        "Projects/Garden/garden_plan.md",
        "scratch.markdown",
        "shopping_cp1252.txt",
    ]
    items = _read(connector, root)
    assert all(isinstance(i, Item) for i in items)
    by_id = {i.native_id: i for i in items if isinstance(i, Item)}
    assert sorted(by_id) == [f.relative_to(root).as_posix() for f in files]
    plan = by_id["Projects/Garden/garden_plan.md"]
    assert (plan.title, plan.origin, plan.meta["path"]) == (
        "Garden plan 2024",
        "Projects/Garden/garden_plan.md",
        "Projects/Garden/garden_plan.md",
    )
    pdf = by_id["Documents/Allotment plan.pdf"]
    assert (pdf.title, pdf.meta["pages"], pdf.ts) == (
        "Allotment plan",
        2,
        datetime(2023, 4, 15, 12, 30, tzinfo=UTC),
    )


def test_single_file_is_named_by_its_file_name(tmp_path: Path) -> None:
    file = _copy("shopping_cp1252.txt", tmp_path / "lists" / "Shopping.TXT")
    os.utime(file, (MTIME, MTIME))
    connector = NotesConnector()
    assert connector.files(file) == [file]
    [item] = _read(connector, file)
    assert isinstance(item, Item)
    assert (item.native_id, item.title, item.meta["format"]) == ("Shopping.TXT", "Shopping", "text")
    # Plain text has no date of its own: the file's modification time, in UTC.
    assert (item.ts, item.tz) == (datetime(2024, 5, 4, 10, 20, 30, tzinfo=UTC), "UTC")
    assert "cr\u00e8me br\u00fbl\u00e9e" in item.text


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        NotesConnector().files(tmp_path / "nowhere")


def test_a_file_that_is_not_a_note_is_a_source_error(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    with pytest.raises(SourceError, match="not a notes file"):
        NotesConnector().files(photo)


def test_empty_folder_has_no_files(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "notes.md").write_text("x", encoding="utf-8")
    assert NotesConnector().files(tmp_path) == []


def test_a_bad_file_in_the_middle_is_one_bad_record(tmp_path: Path) -> None:
    _copy("journal.md", tmp_path / "a.md")
    _copy("scanned.pdf", tmp_path / "b scan.pdf")
    (tmp_path / "c.pdf").write_bytes((FIXTURES / "text.pdf").read_bytes()[:300])
    _copy("encrypted.pdf", tmp_path / "d.pdf")
    _copy("evening.md", tmp_path / "e.md")
    parsed = _read(NotesConnector(), tmp_path)
    assert [p.native_id for p in parsed if isinstance(p, Item)] == ["a.md", "e.md"]
    assert [(p.file, p.reason) for p in parsed if isinstance(p, BadRecord)] == [
        ("b scan.pdf", "PDF has no text layer (scanned?)"),
        ("c.pdf", "unreadable PDF (PdfStreamError)"),
        ("d.pdf", "PDF is encrypted (a password is needed to open it)"),
    ]
    # Order is kept: the notes after the bad files still come out.
    assert isinstance(parsed[-1], Item)


def test_file_over_the_size_cap_is_a_bad_record(tmp_path: Path) -> None:
    _copy("garden_plan.md", tmp_path / "big.md")
    _copy("evening.md", tmp_path / "small.md")
    connector = NotesConnector(max_bytes=200)
    parsed = _read(connector, tmp_path)
    assert isinstance(parsed[0], BadRecord)
    assert (parsed[0].file, parsed[0].position) == ("big.md", "whole file")
    assert parsed[0].reason == "too large (517 bytes; limit 200)"
    assert isinstance(parsed[1], Item)
    assert parsed[1].title == "Choir rehearsal"


def test_default_size_cap_is_20_mb() -> None:
    assert NotesConnector().max_bytes == 20 * 1024 * 1024


def test_edited_note_is_re_read_under_the_same_id(tmp_path: Path) -> None:
    note = tmp_path / "Ideas" / "shed.md"
    note.parent.mkdir()
    note.write_text("# Shed\n\nPaint it green.\n", encoding="utf-8")
    connector = NotesConnector()
    [before] = _read(connector, tmp_path)
    note.write_text("# Shed\n\nPaint it blue. #diy\n", encoding="utf-8")
    [after] = _read(connector, tmp_path)
    assert isinstance(before, Item)
    assert isinstance(after, Item)
    assert before.native_id == after.native_id == "Ideas/shed.md"
    assert (before.text, after.text) == ("# Shed\n\nPaint it green.", "# Shed\n\nPaint it blue. #diy")
    assert after.meta["tags"] == ["diy"]


def test_unknown_time_zone_is_a_config_error(tmp_path: Path) -> None:
    file = _copy("evening.md", tmp_path / "e.md")
    connector = NotesConnector()
    with pytest.raises(ConfigError, match="unknown time zone"):
        list(connector.read(file, SyncContext(now=LONDON.now, timezone="Mars/Olympus")))


def test_sync_updates_an_edited_note_instead_of_adding_one(tmp_path: Path) -> None:
    root = _vault_folder(tmp_path / "vault")
    registry = Registry()
    register(registry)
    with Vault.open(tmp_path / "home" / "vault.db") as vault:
        vault.add_source("notes", "notes", str(root))
        [first] = sync_all(vault, registry, LONDON)
        assert (first.added, first.errors, vault.count()) == (5, [], 5)
        journal = root / "Journal" / "2024" / "journal.md"
        journal.write_text(journal.read_text(encoding="utf-8") + "\nAlso: fed the ducks.\n", encoding="utf-8")
        [second] = sync_all(vault, registry, LONDON)
        assert (second.files_read, second.added, second.updated) == (1, 0, 1)
        assert vault.count() == 5
