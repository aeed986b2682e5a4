"""The CalDAV connector against a real Radicale on loopback: sync, re-sync, changes, logins, URLs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from caldav.collection import Calendar

from homebody.connectors.base import Gone, Registry, SourceState, SyncContext, load_registry
from homebody.connectors.caldav import server
from homebody.connectors.caldav.connector import CaldavConnector, register
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.sync import sync_all
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

CONTEXT = SyncContext(now=datetime(2025, 1, 1, tzinfo=UTC), timezone="Europe/Berlin")
WORK = "outlook_windows_tzid.ics"
HOME = "apple_floating_and_todo.ics"
# The login the `radicale` fixture (conftest.py) sets up.
USER = "alice"
PASSWORD = "correct horse battery"
PASSWORD_ENV = "HOMEBODY_CALDAV_PASSWORD_ALICE"


@pytest.fixture
def vault(tmp_path: Path):
    with Vault.open(tmp_path / "home" / "vault.db") as v:
        yield v


def _items(vault: Vault) -> list[Item]:
    return [stored.item for stored in vault.iter_items()]


def _read(url: str) -> list[Item | BadRecord]:
    """Items and bad records of a first read of every calendar at the URL, as a sync would read them."""
    connector = CaldavConnector()
    context = replace(CONTEXT, root=Path(url), state=SourceState())
    read = [p for file in connector.files(Path(url)) for p in connector.read(file, context)]
    return [p for p in read if not isinstance(p, Gone)]


def test_registers_as_caldav_providing_events_and_notes() -> None:
    registry = Registry()
    register(registry)
    assert registry.get("caldav").provides == frozenset({Kind.EVENT, Kind.NOTE})
    assert "caldav" in load_registry().kinds()


def test_sync_reads_every_calendar_and_occurrence_once(radicale, vault: Vault) -> None:
    radicale.calendar("work", "Work", WORK)
    radicale.calendar("home", "Home", HOME)
    # What `homebody add caldav URL` stores and `sync` hands back: the URL as a Path.
    vault.add_source("calendars", "caldav", str(Path(radicale.home)))
    registry = load_registry()
    [first] = sync_all(vault, registry, CONTEXT)
    assert (first.failure, first.files, first.added, first.errors) == (None, 2, 4 + 1 + 2, [])
    items = _items(vault)
    planning = sorted(i.ts for i in items if i.title == "Quarterly planning")
    assert planning == [
        datetime(2024, 1, 15, 18, tzinfo=UTC),
        datetime(2024, 4, 15, 17, tzinfo=UTC),
        datetime(2024, 7, 15, 17, tzinfo=UTC),
        datetime(2024, 10, 21, 17, tzinfo=UTC),
    ]
    dinner = next(i for i in items if i.kind is Kind.EVENT and i.tz == "floating")
    assert dinner.ts == datetime(2024, 2, 10, 17, tzinfo=UTC)  # 18:00 on the Berlin wall clock
    href = "/alice/home/9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A.ics"
    assert dinner.origin == f"Home, {href}"
    assert dinner.meta["caldav"] == {"calendar": "Home", "href": href}
    todo = next(i for i in items if i.kind is Kind.NOTE)
    assert (todo.title, todo.meta["due"]) == ("Renew passport", "2024-02-15")

    [second] = sync_all(vault, registry, CONTEXT)
    assert (second.failure, second.files_read, second.added, second.updated) == (None, 0, 0, 0)
    assert vault.count() == 7


def test_an_event_changed_on_the_server_is_updated(radicale, vault: Vault) -> None:
    url = radicale.calendar("work", "Work", WORK)
    vault.add_source("work", "caldav", str(Path(radicale.home)))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    with radicale.client() as client:
        event = Calendar(client=client, url=url).get_event_by_uid("zero-length-all-day@example.com")
        event.data = event.data.replace("SUMMARY:Memorial Day", "SUMMARY:Memorial Day BBQ")
        event.save()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.files_read, report.added, report.updated) == (1, 0, 1)
    titles = sorted(i.title or "" for i in _items(vault))
    assert any(t.startswith("Memorial Day BBQ") for t in titles)
    assert vault.count() == 5


def test_the_url_of_one_calendar_reads_only_it(radicale) -> None:
    radicale.calendar("work", "Work", WORK)
    radicale.calendar("home", "Home", HOME)
    parsed = _read(radicale.home + "home/")
    assert sorted(p.title or "" for p in parsed if isinstance(p, Item))[1] == "Renew passport"
    assert len(parsed) == 2
    assert all(isinstance(p, Item) and p.origin.startswith("Home, ") for p in parsed)


def test_a_wrong_password_is_a_source_error_without_the_password(
    radicale, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not the password")
    with pytest.raises(SourceError, match="refused the login of alice") as caught:
        _read(radicale.home)
    assert "not the password" not in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_a_wrong_password_fails_only_that_source_in_a_sync(
    radicale, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    vault.add_source("work", "caldav", str(Path(radicale.home)))
    [report] = sync_all(vault, load_registry(), CONTEXT)
    assert report.failure is not None
    assert "refused the login" in report.failure
    assert vault.count() == 0


def test_no_password_anywhere_names_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(ConfigError, match=f"{PASSWORD_ENV}.*'homebody-caldav'.*'alice@127.0.0.1'"):
        CaldavConnector().files(Path("http://alice@127.0.0.1:9/alice/"))


def test_a_server_that_is_not_there_is_a_source_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with pytest.raises(SourceError, match="CalDAV server 127.0.0.1"):
        CaldavConnector(timeout=5).files(Path(f"http://{USER}@127.0.0.1:9/alice/"))


def test_an_empty_calendar_home_is_a_source_error(radicale) -> None:
    with radicale.client() as client:
        client.principal()  # Radicale creates the home on first login
    with pytest.raises(SourceError, match="no calendars found"):
        _read(radicale.home)


@pytest.mark.parametrize(
    "url",
    [
        "http://alice@dav.example.com/dav/calendars/alice/",
        "http://alice@8.8.8.8:5232/alice/",
        "HTTP://alice@caldav.fastmail.com/",
    ],
)
def test_plain_http_to_the_internet_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="unencrypted"):
        CaldavConnector().files(Path(url))


UNUSABLE = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//homebody tests//EN\r
BEGIN:VTODO\r
UID:empty@example.com\r
DTSTAMP:20240110T170000Z\r
END:VTODO\r
END:VCALENDAR\r
"""


def test_an_unusable_object_in_the_middle_is_one_bad_record(radicale) -> None:
    url = radicale.calendar("work", "Work", WORK)
    with radicale.client() as client:
        # A to-do with no time and no text: valid for RFC 5545 (and Radicale), nothing to keep for
        # homebody. PUT by hand, so its href sorts between the two good objects.
        response = client.put(f"{url}1-broken.ics", UNUSABLE, {"Content-Type": "text/calendar"})
    assert response.status in (201, 204)
    parsed = _read(radicale.home)
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    assert len(bad) == 1
    assert bad[0].file == "Work"
    assert bad[0].position.startswith("object 2")
    assert "no start and no text" in bad[0].reason
    assert len([p for p in parsed if isinstance(p, Item)]) == 5


def _planning(client, url: str):
    """The recurring "Quarterly planning" event of the Work calendar."""
    [event] = [e for e in Calendar(client=client, url=url).events() if "Quarterly planning" in e.data]
    return event


def _fts(vault: Vault, words: str) -> int:
    return vault.conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (words,)).fetchone()[
        0
    ]


def test_the_sync_state_is_in_the_vault_and_only_changed_objects_are_fetched(
    radicale, vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = radicale.calendar("work", "Work", WORK)
    vault.add_source("work", "caldav", radicale.home)
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    assert not (tmp_path / "state").exists(), "no state files in the user's state folder any more"
    fetches: list[object] = []
    real = server.objects

    def objects(client, url, hrefs=None):
        fetches.append(None if hrefs is None else sorted(hrefs))
        return real(client, url, hrefs)

    monkeypatch.setattr(server, "objects", objects)
    with radicale.client() as client:
        event = Calendar(client=client, url=url).get_event_by_uid("zero-length-all-day@example.com")
        event.data = event.data.replace("SUMMARY:Memorial Day", "SUMMARY:Memorial Day BBQ")
        event.save()
        href = unquote(str(event.url.path))
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.files_read, report.updated, report.deleted) == (1, 1, 0)
    assert fetches == [[href]], "one object changed: only it was fetched"


def test_an_event_deleted_on_the_server_leaves_the_vault(radicale, vault: Vault) -> None:
    url = radicale.calendar("work", "Work", WORK)
    radicale.calendar("home", "Home", HOME)
    vault.add_source("calendars", "caldav", radicale.home)
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    assert (vault.count(), _fts(vault, "quarterly")) == (7, 4)
    with radicale.client() as client:
        _planning(client, url).delete()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.files_read, report.deleted) == (None, 1, 4)
    assert (vault.count(), _fts(vault, "quarterly")) == (3, 0)
    [again] = sync_all(vault, registry, CONTEXT)
    assert (again.files_read, again.deleted) == (0, 0)


def test_occurrences_a_changed_event_no_longer_has_leave_the_vault(radicale, vault: Vault) -> None:
    url = radicale.calendar("work", "Work", WORK)
    vault.add_source("work", "caldav", radicale.home)
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    with radicale.client() as client:
        event = _planning(client, url)
        event.data = event.data.replace("COUNT=4", "COUNT=2")
        event.save()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.unchanged, report.deleted) == (2, 2)
    planning = sorted(s.item.ts for s in vault.iter_items() if s.item.title == "Quarterly planning")
    assert planning == [datetime(2024, 1, 15, 18, tzinfo=UTC), datetime(2024, 4, 15, 17, tzinfo=UTC)]


def test_a_deleted_calendar_takes_its_events_along(radicale, vault: Vault) -> None:
    radicale.calendar("work", "Work", WORK)
    home = radicale.calendar("home", "Home", HOME)
    vault.add_source("calendars", "caldav", radicale.home)
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    with radicale.client() as client:
        Calendar(client=client, url=home).delete()
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.files, report.deleted) == (None, 1, 2)
    assert vault.count() == 5


def test_an_unreachable_server_deletes_nothing(
    radicale, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = radicale.calendar("work", "Work", WORK)
    vault.add_source("work", "caldav", radicale.home)
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    with radicale.client() as client:
        Calendar(client=client, url=url).get_event_by_uid("zero-length-all-day@example.com").delete()
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    [refused] = sync_all(vault, registry, CONTEXT)
    assert refused.failure is not None
    assert (refused.deleted, vault.count()) == (0, 5)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.deleted, vault.count()) == (1, 4)
