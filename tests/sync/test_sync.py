"""Sync: incremental, bad records skipped and counted, failing sources isolated, plugins loaded."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import SyncContext, load_registry
from homebody.errors import ConfigError
from homebody.sync import sync_all
from homebody.vault.store import Vault

CONTEXT = SyncContext(now=datetime(2026, 11, 21, 12, tzinfo=UTC), timezone="Europe/London")


def _note(n: int, text: str | None = None) -> str:
    return json.dumps({"id": n, "text": text or f"note number {n}", "ts": f"2026-10-{n:02d}T09:00:00+00:00"})


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    return load_registry(["jsonl_plugin"])


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "home" / "vault.db") as v:
        yield v


def test_second_sync_reads_nothing_and_adds_nothing(tmp_path, vault, registry):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("\n".join(_note(n) for n in range(1, 6)))
    vault.add_source("notes", "jsonl", str(notes))
    [first] = sync_all(vault, registry, CONTEXT)
    assert (first.added, first.files_read) == (5, 1)
    [second] = sync_all(vault, registry, CONTEXT)
    assert (second.added, second.updated, second.files_read) == (0, 0, 0)
    # Touched but identical: hashed, not parsed.
    os.utime(notes, ns=(1, 1))
    [third] = sync_all(vault, registry, CONTEXT)
    assert (third.added, third.files_read) == (0, 0)
    assert vault.count() == 5


def test_changed_file_brings_only_new_and_changed_records(tmp_path, vault, registry):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("\n".join(_note(n) for n in range(1, 4)))
    vault.add_source("notes", "jsonl", str(notes))
    sync_all(vault, registry, CONTEXT)
    notes.write_text("\n".join([_note(1), _note(2, "edited note"), _note(3), _note(4)]))
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.added, report.updated, report.unchanged) == (1, 1, 2)
    assert vault.count() == 4


def test_bad_record_is_reported_counted_and_skipped(tmp_path, vault, registry):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("\n".join([_note(1), "{not json", _note(3)]))
    vault.add_source("notes", "jsonl", str(notes))
    [report] = sync_all(vault, registry, CONTEXT)
    assert report.added == 2
    assert [(e.file, e.position) for e in report.errors] == [("notes.jsonl", "line 2")]
    [stats] = vault.source_stats()
    assert (stats.items, stats.errors) == (2, 1)
    # Fixing the file clears the error and keeps what was stored.
    notes.write_text("\n".join([_note(1), _note(2), _note(3)]))
    sync_all(vault, registry, CONTEXT)
    [stats] = vault.source_stats()
    assert (stats.items, stats.errors) == (3, 0)


def test_a_source_that_cannot_be_read_does_not_stop_the_others(tmp_path, vault, registry):
    good = tmp_path / "good.jsonl"
    good.write_text(_note(1))
    vault.add_source("gone", "jsonl", str(tmp_path / "missing.jsonl"))
    vault.add_source("good", "jsonl", str(good))
    gone, ok = sync_all(vault, registry, CONTEXT)
    assert gone.failure and "does not exist" in gone.failure
    assert ok.added == 1 and ok.failure is None
    by_name = {s.source.name: s for s in vault.source_stats()}
    assert by_name["gone"].source.last_error and by_name["gone"].source.last_ok_at is None
    assert by_name["good"].source.last_ok_at == CONTEXT.now


def test_stats_show_time_span(tmp_path, vault, registry):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("\n".join(_note(n) for n in (3, 1, 9)))
    vault.add_source("notes", "jsonl", str(notes))
    sync_all(vault, registry, CONTEXT)
    [stats] = vault.source_stats()
    assert stats.first == datetime(2026, 10, 1, 9, tzinfo=UTC)
    assert stats.last == datetime(2026, 10, 9, 9, tzinfo=UTC)


def test_unknown_plugin_is_a_config_error():
    with pytest.raises(ConfigError, match="no_such_plugin"):
        load_registry(["no_such_plugin"])


def test_plugin_cannot_claim_a_builtin_kind(monkeypatch, tmp_path):
    plugin = tmp_path / "clash_plugin.py"
    plugin.write_text(
        "from homebody.connectors.whatsapp.connector import register as _r\n"
        "def register(registry):\n    _r(registry)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match="whatsapp"):
        load_registry(["clash_plugin"])


def test_two_records_sharing_a_native_id_are_both_kept(tmp_path, vault, registry):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.jsonl").write_text(_note(1, "first note with id 1"))
    (folder / "b.jsonl").write_text(
        "\n".join([_note(1, "a different note with id 1"), _note(1, "first note with id 1")])
    )
    vault.add_source("notes", "jsonl", str(folder))
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.added, report.updated) == (2, 0)
    texts = sorted(s.item.text for s in vault.iter_items())
    assert texts == ["a different note with id 1", "first note with id 1"]
    assert sorted(s.item.native_id for s in vault.iter_items()) == ["1", "1#2"]
    [again] = sync_all(vault, registry, CONTEXT)
    assert (again.added, again.updated) == (0, 0)


def test_a_change_only_in_the_write_ahead_log_is_seen(tmp_path, vault, registry):
    notes = tmp_path / "notes.jsonl"
    notes.write_text(_note(1))
    vault.add_source("notes", "jsonl", str(notes))
    sync_all(vault, registry, CONTEXT)
    stat = notes.stat()
    (tmp_path / "notes.jsonl-wal").write_bytes(b"new rows waiting for a checkpoint")
    os.utime(notes, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    [report] = sync_all(vault, registry, CONTEXT)
    assert report.files_read == 1, "the log changed, so the database is read again"


def test_a_source_needing_configuration_does_not_stop_the_others(tmp_path, vault, registry, monkeypatch):
    good = tmp_path / "good.jsonl"
    good.write_text(_note(1))
    vault.add_source("locked", "jsonl", str(tmp_path / "locked.jsonl"))
    vault.add_source("good", "jsonl", str(good))
    plugin = registry.get("jsonl")
    real_files = plugin.files

    def files(path):
        if path.name == "locked.jsonl":
            raise ConfigError("set HOMEBODY_TEST_PASSWORD")
        return real_files(path)

    monkeypatch.setattr(plugin, "files", files)
    locked, ok = sync_all(vault, registry, CONTEXT)
    assert locked.failure == "set HOMEBODY_TEST_PASSWORD"
    assert ok.added == 1


def _email(n: int, sender: str) -> str:
    name, address = sender.split(" <")
    return (
        f"From {address[:-1]} Mon Oct {n:2d} 09:00:00 2026\n"
        f"Message-ID: <m{n}@example.com>\nDate: Mon, {n} Oct 2026 09:00:00 +0000\n"
        f"From: {sender}\nTo: me@example.org\nSubject: Note {n}\n\nBody {n}\n\n"
    )


def test_the_people_graph_catches_up_after_a_sync_killed_before_it(tmp_path, vault, monkeypatch):
    from homebody.vault import people
    from homebody.vault.persons import lookup

    mbox = tmp_path / "all.mbox"
    mbox.write_text(_email(1, "Sam Okafor <sam@example.com>"))
    vault.add_source("mail", "mbox", str(mbox))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    mbox.write_text(_email(1, "Sam Okafor <sam@example.com>") + _email(2, "Kim Lee <kim@example.net>"))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after the items were committed

    monkeypatch.setattr(people, "update", killed)
    with pytest.raises(KeyboardInterrupt):
        sync_all(vault, registry, CONTEXT)
    monkeypatch.undo()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.added, report.files_read) == (0, 0), "the file was stored in full before"
    assert lookup(vault, "Kim Lee").items == 1
