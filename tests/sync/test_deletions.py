"""Records deleted at the source leave the vault, with everything kept about them; failures delete nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from homebody.cli import cli
from homebody.connectors.base import SyncContext, load_registry
from homebody.errors import NotFound, SourceError
from homebody.retrieval.embed import embed_pending
from homebody.sync import sync_all
from homebody.vault import people
from homebody.vault.persons import lookup
from homebody.vault.store import Vault

CONTEXT = SyncContext(now=datetime(2026, 11, 21, 12, tzinfo=UTC), timezone="Europe/London")


class HashEmbedder:
    """Vectors from a hash of the text: enough to give every item its chunks and vectors."""

    name = "hash-16"
    dim = 16

    def _vector(self, text: str) -> np.ndarray:
        seed = np.frombuffer(hashlib.sha256(text.encode()).digest()[: self.dim], dtype=np.uint8)
        vector = seed.astype(np.float32) + 1.0
        return vector / np.linalg.norm(vector)

    def embed_passages(self, texts):
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    return load_registry(["jsonl_plugin"])


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "home" / "vault.db") as v:
        yield v


def _note(n: int, text: str | None = None) -> str:
    return json.dumps({"id": n, "text": text or f"note number {n}", "ts": f"2026-10-{n:02d}T09:00:00+00:00"})


def _email(n: int, sender: str, subject: str) -> str:
    address = sender.split(" <")[1][:-1]
    return (
        f"From {address} Mon Oct {n:2d} 09:00:00 2026\n"
        f"Message-ID: <m{n}@example.com>\nDate: Mon, {n} Oct 2026 09:00:00 +0000\n"
        f"From: {sender}\nTo: me@example.org\nSubject: {subject}\n\nAbout the {subject.lower()}.\n\n"
    )


def _count(vault: Vault, table: str) -> int:
    return vault.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - test tables


def _texts(vault: Vault) -> list[str]:
    return sorted(s.item.text for s in vault.iter_items())


def test_a_message_removed_from_the_mailbox_file_leaves_search_vectors_and_people(tmp_path, vault):
    mbox = tmp_path / "all.mbox"
    sam = _email(1, "Sam Okafor <sam@example.com>", "Allotment rota")
    kim = _email(2, "Kim Lee <kim@example.net>", "Harbour walk")
    mbox.write_text(sam + kim)
    vault.add_source("mail", "mbox", str(mbox))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    embed_pending(vault, HashEmbedder())
    assert (_count(vault, "chunks"), _count(vault, "chunk_vectors"), _count(vault, "item_keys")) == (2, 2, 2)
    assert lookup(vault, "Kim Lee").items == 1

    mbox.write_text(sam)
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.deleted, report.unchanged) == (None, 1, 1)
    assert [s.item.title for s in vault.iter_items()] == ["Allotment rota"]
    fts = vault.conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'harbour'").fetchone()[0]
    assert fts == 0
    assert (_count(vault, "chunks"), _count(vault, "chunk_vectors"), _count(vault, "item_keys")) == (1, 1, 1)
    with pytest.raises(NotFound):
        lookup(vault, "Kim Lee")
    assert lookup(vault, "Sam Okafor").items == 1
    deleted = vault.conn.execute("SELECT deleted FROM embedding_model").fetchone()[0]
    assert deleted == 1, "a search index held in memory learns that a chunk went"


def test_a_removed_file_takes_only_what_no_other_file_holds(tmp_path, vault, registry):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "march.jsonl").write_text("\n".join([_note(1), _note(2)]))
    (folder / "april.jsonl").write_text("\n".join([_note(2), _note(3)]))  # overlapping statements
    vault.add_source("notes", "jsonl", str(folder))
    [first] = sync_all(vault, registry, CONTEXT)
    assert (first.added, vault.count()) == (3, 3)

    (folder / "march.jsonl").unlink()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.files, report.deleted) == (1, 1)
    assert _texts(vault) == ["note number 2", "note number 3"]
    [kept] = [s for s in vault.iter_items() if s.item.native_id == "2"]
    assert kept.file == str(folder / "april.jsonl"), "the item now cites the file that still has it"
    (folder / "april.jsonl").write_text(_note(3))
    [report] = sync_all(vault, registry, CONTEXT)
    assert report.deleted == 1
    assert _texts(vault) == ["note number 3"]


def test_a_record_in_two_files_stays_while_either_has_it(tmp_path, vault, registry):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.jsonl").write_text(_note(1))
    (folder / "b.jsonl").write_text(_note(1))
    vault.add_source("notes", "jsonl", str(folder))
    sync_all(vault, registry, CONTEXT)
    (folder / "a.jsonl").write_text(_note(2))
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.added, report.deleted) == (1, 0)
    assert _texts(vault) == ["note number 1", "note number 2"]


def test_a_file_with_a_bad_record_deletes_nothing(tmp_path, vault, registry):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("\n".join(_note(n) for n in (1, 2, 3)))
    vault.add_source("notes", "jsonl", str(notes))
    sync_all(vault, registry, CONTEXT)
    # Note 2 became unreadable: it may be the very record that seems to be missing.
    notes.write_text("\n".join([_note(1), '{"id": 2, "text": "note num', _note(3)]))
    [report] = sync_all(vault, registry, CONTEXT)
    assert (len(report.errors), report.deleted, vault.count()) == (1, 0, 3)
    notes.write_text("\n".join([_note(1), _note(3)]))
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.errors, report.deleted, vault.count()) == ([], 1, 2)


def test_a_file_that_cannot_be_read_deletes_nothing(tmp_path, vault, registry, monkeypatch):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join([_note(1), _note(2)]))
    vault.add_source("notes", "jsonl", str(folder))
    sync_all(vault, registry, CONTEXT)
    (folder / "a.jsonl").write_text(_note(1))
    plugin = registry.get("jsonl")

    def unreadable(file, context):
        raise SourceError(f"cannot read {file}: Input/output error")

    monkeypatch.setattr(plugin, "read", unreadable)
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.deleted, vault.count()) == (None, 0, 2)
    assert [e.position for e in report.errors] == ["whole file"]


def test_a_missing_or_emptied_folder_deletes_nothing(tmp_path, vault, registry):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join([_note(1), _note(2)]))
    vault.add_source("notes", "jsonl", str(folder))
    sync_all(vault, registry, CONTEXT)
    (folder / "a.jsonl").unlink()
    # A folder that lists nothing at all (a cloud folder not synced yet, a mount point left empty).
    [empty] = sync_all(vault, registry, CONTEXT)
    assert "lists nothing now" in (empty.failure or "")
    assert (empty.deleted, vault.count()) == (0, 2)
    shutil.rmtree(folder)
    [missing] = sync_all(vault, registry, CONTEXT)
    assert "does not exist" in (missing.failure or "")
    assert (missing.deleted, vault.count()) == (0, 2)
    [stats] = vault.source_stats()
    assert stats.source.last_error is not None


def test_a_note_deleted_from_the_folder_leaves_the_vault(tmp_path, vault):
    folder = tmp_path / "Notes"
    (folder / "Garden").mkdir(parents=True)
    (folder / "Garden" / "plan.md").write_text("# Garden plan\n\nBeans along the south fence.\n")
    (folder / "shopping.txt").write_text("Seed potatoes, twine\n")
    vault.add_source("notes", "notes", str(folder))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    assert sorted(s.item.native_id for s in vault.iter_items()) == ["Garden/plan.md", "shopping.txt"]
    (folder / "Garden" / "plan.md").unlink()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.deleted, [s.item.native_id for s in vault.iter_items()]) == (1, ["shopping.txt"])


def test_sync_prints_what_was_deleted(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEBODY_HOME", str(tmp_path / "home"))
    notes = tmp_path / "notes.jsonl"
    folder = tmp_path / "plugins"
    folder.mkdir()
    shutil.copy(Path(__file__).parent / "jsonl_plugin.py", folder)
    monkeypatch.syspath_prepend(str(folder))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "config.toml").write_text('plugins = ["jsonl_plugin"]\n')
    notes.write_text("\n".join(_note(n) for n in (1, 2, 3)))
    runner = CliRunner()
    assert runner.invoke(cli, ["add", "jsonl", str(notes), "--name", "notes"]).exit_code == 0
    assert runner.invoke(cli, ["sync", "--quiet", "--no-embed"]).exit_code == 0
    notes.write_text(_note(1))
    result = runner.invoke(cli, ["sync", "--quiet", "--no-embed"])
    assert result.exit_code == 0, result.output
    assert "0 new, 0 changed, 1 unchanged from 1 of 1 file(s), 2 deleted" in result.output


def test_the_people_graph_forgets_a_person_whose_items_are_gone(tmp_path, vault, monkeypatch):
    mbox = tmp_path / "all.mbox"
    mbox.write_text(
        _email(1, "Sam Okafor <sam@example.com>", "Rota") + _email(2, "Kim Lee <kim@example.net>", "Walk")
    )
    vault.add_source("mail", "mbox", str(mbox))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    mbox.write_text(_email(1, "Sam Okafor <sam@example.com>", "Rota"))
    rebuilds = []
    real = people.rebuild
    monkeypatch.setattr(people, "rebuild", lambda *args: rebuilds.append(args) or real(*args))
    sync_all(vault, registry, CONTEXT)
    assert rebuilds == [], "the deleted email was taken out of the graph item by item"
    monkeypatch.undo()
    names = [r[0] for r in vault.conn.execute("SELECT name FROM persons ORDER BY name")]
    assert "Kim Lee" not in names and "Sam Okafor" in names
    people.rebuild(vault)
    assert [r[0] for r in vault.conn.execute("SELECT name FROM persons ORDER BY name")] == names


def _calendar(*events: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//homebody tests//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


WEEKLY = (
    "BEGIN:VEVENT\r\nUID:choir@example.com\r\nDTSTAMP:20150101T000000Z\r\nDTSTART:20150105T190000Z\r\n"
    "DTEND:20150105T210000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20251229T190000Z\r\n"
    "SUMMARY:Choir practice\r\nEND:VEVENT\r\n"
)
DENTIST = (
    "BEGIN:VEVENT\r\nUID:dentist@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20251103T093000Z\r\n"
    "DTEND:20251103T100000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\n"
)


def test_an_event_removed_from_a_calendar_file_goes_but_old_occurrences_stay(tmp_path, vault):
    calendar = tmp_path / "family.ics"
    calendar.write_text(_calendar(WEEKLY, DENTIST))
    vault.add_source("family", "ics", str(calendar))
    registry = load_registry()
    # Synced in 2020: the weekly choir is expanded from three years back, 2017.
    sync_all(vault, registry, replace(CONTEXT, now=datetime(2020, 6, 1, tzinfo=UTC)))
    choir = [s.item.ts for s in vault.iter_items() if s.item.title == "Choir practice"]
    assert min(choir).year == 2017
    # Six years on the dentist is removed from the file: the sync then expands from 2023 only.
    calendar.write_text(_calendar(WEEKLY))
    [report] = sync_all(vault, registry, replace(CONTEXT, now=datetime(2026, 6, 1, tzinfo=UTC)))
    assert report.deleted == 1
    titles = {s.item.title for s in vault.iter_items()}
    assert "Dentist" not in titles
    kept = [s.item.ts for s in vault.iter_items() if s.item.title == "Choir practice"]
    assert min(kept) == min(choir), "occurrences before the window are history, not deletions"
    assert max(kept).year == 2025


def _rss(*titles: str) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>https://news.example.org/{n}</link><guid>https://news.example.org/{n}</guid>"
        f"<pubDate>Mon, 0{n} Nov 2026 09:00:00 GMT</pubDate><description>{t} in full.</description></item>"
        for n, t in enumerate(titles, start=1)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Parish news</title>{items}</channel></rss>'
    )


def test_an_article_that_drops_off_a_feed_is_kept(tmp_path, vault):
    feed = tmp_path / "parish.xml"
    feed.write_text(_rss("Fete on Saturday", "Bells rehung"))
    vault.add_source("parish", "feed", str(feed))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    feed.write_text(_rss("Fete on Saturday"))  # a feed lists only its latest entries
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.files_read, report.deleted, vault.count()) == (1, 0, 2)


def test_a_file_still_on_disk_but_no_longer_listed_deletes_nothing(tmp_path, vault):
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "parish.xml").write_text(_rss("Fete on Saturday"))
    (folder / "school.xml").write_text(_rss("Sports day"))
    vault.add_source("feeds", "feed", str(folder))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    # Half-written by a download in progress: no longer recognised as a feed, but not deleted either.
    (folder / "school.xml").write_text("<html>")
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.files, report.deleted, vault.count()) == (1, 0, 2)
    (folder / "school.xml").unlink()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.deleted, [s.item.title for s in vault.iter_items()]) == (1, ["Fete on Saturday"])


def test_a_chat_export_that_starts_later_keeps_the_older_history(tmp_path, vault):
    # Exports hold only a chat's most recent messages (and phones purge old ones): what falls off
    # the start is history the file no longer covers; a message missing in between was deleted.
    chat = tmp_path / "WhatsApp Chat with Sam.txt"
    lines = [f"{day:02d}/10/2026, 09:00 - Sam: message on day {day}" for day in range(1, 11)]
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    registry = load_registry([])
    vault.add_source("sam", "whatsapp", str(chat))
    sync_all(vault, registry, CONTEXT)
    assert len(_texts(vault)) == 10
    later = [line for line in lines[4:] if not line.endswith("day 7")]  # days 1-4 fell off; day 7 deleted
    chat.write_text("\n".join(later) + "\n", encoding="utf-8")
    (report,) = sync_all(vault, registry, CONTEXT)
    texts = _texts(vault)
    assert report.deleted == 1 and report.failure is None
    assert "message on day 7" not in texts
    assert {f"message on day {d}" for d in (1, 2, 3, 4, 5, 10)} <= set(texts)
    assert len(texts) == 9
