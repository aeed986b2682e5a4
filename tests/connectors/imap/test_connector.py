"""The IMAP connector against a real dovecot on loopback: first sync, incremental syncs, UIDVALIDITY."""

from __future__ import annotations

import contextlib
import imaplib
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.base import Gone, Registry, SourceState, SyncContext, load_registry
from homebody.connectors.imap.account import parse_location
from homebody.connectors.imap.connector import ImapConnector, register
from homebody.connectors.imap.parse import message_items
from homebody.connectors.imap.session import Session
from homebody.connectors.imap.state import expand, ranges, state_path
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.sync import sync_all
from homebody.vault import records
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

FIXTURES = Path(__file__).parent / "fixtures"
CONTEXT = SyncContext(now=datetime(2026, 11, 22, 12, tzinfo=UTC), timezone="Europe/London")
INVITE = FIXTURES / "synthetic/calendar_invite_google.eml"
NEWSLETTER = FIXTURES / "synthetic/html_only_windows1252_qp.eml"
MALFORMED = FIXTURES / "synthetic/malformed_headers_latin1.eml"
PHOTOS = FIXTURES / "synthetic/multipart_related_rfc2231_attachments.eml"
FORWARD = FIXTURES / "synthetic/outlook_forward_message_rfc822.eml"
DIGEST = FIXTURES / "cpython/msg_02.txt"
NOT_EMAIL = FIXTURES / "cpython/msg_19.txt"
DELIVERED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _context(url: str) -> SyncContext:
    """What the sync hands a read: the account the source was added with, and a fresh state."""
    return replace(CONTEXT, root=Path(url), state=SourceState())


def _read(connector: ImapConnector, url: str) -> list[Item | BadRecord | Gone]:
    context = _context(url)
    return [p for file in connector.files(Path(url)) for p in connector.read(file, context)]


def _cursor(vault: Vault, name: str, mailbox: str = "INBOX") -> dict:
    """The mailbox's cursor as the vault keeps it in the source's state."""
    return records.load_state(vault.conn, vault.source(name).id)[mailbox]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_register_adds_the_imap_kind():
    registry = Registry()
    register(registry)
    assert registry.get("imap").provides == frozenset({Kind.EMAIL})
    assert registry.providers_of(Kind.EMAIL) == ["imap"]
    assert "imap" in load_registry().kinds()


@pytest.mark.parametrize(
    ("fixture", "count", "title", "author", "ts"),
    [
        (
            INVITE,
            1,
            "Invitation: Lease sync @ Wed Mar 20, 2024 10am - 10:30am (PDT) (alex.rivera@example.com)",
            "Sam Chen <sam.chen@example.net>",
            utc(2024, 3, 14, 12, 0),
        ),
        (
            NEWSLETTER,
            1,
            "Soldes d’hiver – jusqu’à 50 %",
            "Boutique Élan <news@store.example>",
            utc(2024, 3, 4, 13, 30),
        ),
        # No usable Date or Received time: INTERNALDATE, when the server got it, dates the message.
        (MALFORMED, 1, "Réunion demain", "François Lévêque <francois@example.fr>", DELIVERED),
        (
            PHOTOS,
            1,
            "Trip photos + itinerary",
            "Jordan Lee <jordan.lee@example.org>",
            utc(2024, 3, 17, 2, 5, 44),
        ),
        (FORWARD, 2, "FW: Q2 budget", "Patel, Priya <priya.patel@corp.example>", utc(2024, 4, 2, 15, 20, 31)),
        (DIGEST, 6, "Ppp digest, Vol 1 #2 - 5 msgs", "ppp-request@zzz.org", utc(2001, 4, 21, 0, 18)),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else None,
)
def test_each_kind_of_message(dovecot, tmp_path, fixture, count, title, author, ts):
    dovecot.append(fixture.read_bytes(), when=DELIVERED)
    items = _read(ImapConnector(tmp_path / "state"), dovecot.url())
    assert len(items) == count
    assert all(isinstance(i, Item) and i.kind == Kind.EMAIL for i in items)
    first = items[0]
    assert (first.title, first.author, first.ts) == (title, author, ts)
    assert first.origin == "127.0.0.1/INBOX, UID 1"
    assert all(i.meta["imap"] == {"mailbox": "INBOX", "uid": 1, "flags": []} for i in items)


def test_flags_are_kept_and_nothing_is_marked_read(dovecot, tmp_path):
    dovecot.append(INVITE.read_bytes(), flags="(\\Seen \\Flagged)")
    dovecot.append(NEWSLETTER.read_bytes())
    first, second = _read(ImapConnector(tmp_path / "state"), dovecot.url())
    assert first.meta["imap"]["flags"] == ["\\Flagged", "\\Seen"]
    assert second.meta["imap"]["flags"] == []
    # EXAMINE and BODY.PEEK[]: the unread newsletter is still unread on the server.
    with dovecot.client() as conn:
        conn.select("INBOX", readonly=True)
        _typ, data = conn.uid("FETCH", "2", "(FLAGS)")
    assert b"\\Seen" not in data[0]


def test_every_selectable_mailbox_of_the_account(dovecot, tmp_path):
    for mailbox in ("Sent Items", "Entw&APw-rfe", "Projects/2024"):
        dovecot.create(mailbox)
        dovecot.append(INVITE.read_bytes(), mailbox=mailbox)
    connector = ImapConnector(tmp_path / "state")
    files = connector.files(Path(dovecot.url("")))
    # "Projects" is only a level of the hierarchy (\Noselect): not a mailbox to read.
    assert sorted(str(f) for f in files) == ["Entwürfe", "INBOX", "Projects/2024", "Sent Items"]
    [drafts] = [f for f in files if str(f) == "Entwürfe"]
    [item] = connector.read(drafts, _context(dovecot.url("")))
    assert item.origin == "127.0.0.1/Entwürfe, UID 1"
    assert item.meta["imap"]["mailbox"] == "Entwürfe"


def test_a_named_mailbox_with_spaces_and_umlauts(dovecot, tmp_path):
    dovecot.create("Entw&APw-rfe")
    dovecot.append(PHOTOS.read_bytes(), mailbox="Entw&APw-rfe")
    [item] = _read(ImapConnector(tmp_path / "state"), dovecot.url("Entw%C3%BCrfe"))
    assert item.title == "Trip photos + itinerary"
    assert item.origin == "127.0.0.1/Entwürfe, UID 1"


def test_the_cli_path_forms_name_the_same_mailbox(dovecot, tmp_path):
    connector = ImapConnector(tmp_path / "state")
    url = dovecot.url()
    as_given = connector.files(Path(url))
    assert connector.files(Path(url).expanduser().resolve()) == as_given == [Path("INBOX")]
    assert (
        parse_location(str(Path(url).resolve())).url
        == f"imap://alice%40example.test@127.0.0.1:{dovecot.port}"
    )


def test_a_bad_message_in_the_middle(dovecot, tmp_path):
    for fixture in (INVITE, NOT_EMAIL, NEWSLETTER):
        dovecot.append(fixture.read_bytes())
    first, bad, last = _read(ImapConnector(tmp_path / "state"), dovecot.url())
    assert isinstance(first, Item)
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position) == ("127.0.0.1/INBOX", "UID 2")
    assert isinstance(last, Item)
    assert last.title == "Soldes d’hiver – jusqu’à 50 %"


def test_an_interrupted_read_fetches_again_and_skips_nothing(dovecot, tmp_path):
    for fixture in (INVITE, NEWSLETTER, PHOTOS):
        dovecot.append(fixture.read_bytes())
    connector = ImapConnector(tmp_path / "state")
    [file] = connector.files(Path(dovecot.url()))
    context = _context(dovecot.url())
    reading = connector.read(file, context)
    next(reading)
    reading.close()  # the sync was killed after the first message
    assert context.state.get("INBOX") is None
    assert len(list(connector.read(file, context))) == 3
    assert (context.state.get("INBOX")["last_uid"], context.state.get("INBOX")["uids"]) == (3, "1:3")


def test_a_mailbox_with_nothing_new_is_not_opened(dovecot, vault, monkeypatch):
    dovecot.append(INVITE.read_bytes())
    vault.add_source("mail", "imap", dovecot.url())
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)

    def examine(*args):
        raise AssertionError("the mailbox was opened")

    # The STATUS says nothing arrived and nothing went: the mailbox is not even opened.
    monkeypatch.setattr(Session, "examine", examine)
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.files_read, report.errors) == (None, 0, [])


class _RefusingServer:
    """Stands in for imaplib's connection: lists two messages, then answers FETCH with NO and one."""

    message = INVITE.read_bytes()

    def uid(self, command, uids, items):
        if "RFC822.SIZE" in items:
            return "OK", [b"1 (UID 1 RFC822.SIZE 2656)", b"2 (UID 2 RFC822.SIZE 980)"]
        head = f"1 (UID 1 FLAGS () BODY[] {{{len(self.message)}}}".encode()
        return "NO", [(head, self.message), b")"]


def test_a_message_the_server_will_not_send_is_a_bad_record():
    session = Session(parse_location("imap://alice@127.0.0.1/INBOX"), "pw", timeout=1)
    session._conn = _RefusingServer()
    [batch] = session.batches(0, 3)
    parsed = [p for f in batch for p in message_items(f, host="127.0.0.1", mailbox="INBOX")]
    assert [type(p) for p in parsed] == [Item, BadRecord]
    assert parsed[1].position == "UID 2"


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "home" / "vault.db") as v:
        yield v


def test_incremental_sync_fetches_only_new_mail(dovecot, vault, state_home):
    for fixture in (INVITE, NEWSLETTER, PHOTOS):
        dovecot.append(fixture.read_bytes())
    registry = load_registry()
    # What `homebody add imap URL` stores today: the URL as a resolved Path.
    vault.add_source("mail", "imap", str(Path(dovecot.url()).resolve()))
    [first] = sync_all(vault, registry, CONTEXT)
    assert (first.failure, first.added, first.errors) == (None, 3, [])
    assert _cursor(vault, "mail")["last_uid"] == 3
    assert not state_home.exists(), "the cursor lives in the vault, not in a state file"

    dovecot.append(FORWARD.read_bytes())
    dovecot.append(DIGEST.read_bytes())
    [second] = sync_all(vault, registry, CONTEXT)
    # Only the two new messages were fetched: none of the first three came back "unchanged".
    assert (second.added, second.unchanged, second.updated) == (2 + 6, 0, 0)
    assert _cursor(vault, "mail") | {"uidvalidity": 0} == {"last_uid": 5, "uids": "1:5", "uidvalidity": 0}
    assert vault.count() == 11

    [third] = sync_all(vault, registry, CONTEXT)
    assert (third.added, third.unchanged, third.updated) == (0, 0, 0)
    [fourth] = sync_all(vault, registry, CONTEXT)
    assert fourth.files_read == 0
    assert vault.count() == 11


def test_new_uidvalidity_reads_all_again_without_duplicates(dovecot, vault, state_home):
    dovecot.create("Archive")
    for fixture in (INVITE, NEWSLETTER, PHOTOS):
        dovecot.append(fixture.read_bytes(), mailbox="Archive")
    registry = load_registry()
    vault.add_source("archive", "imap", dovecot.url("Archive"))
    [first] = sync_all(vault, registry, CONTEXT)
    assert first.added == 3
    before = _cursor(vault, "archive", "Archive")["uidvalidity"]

    dovecot.delete("Archive")
    dovecot.create("Archive")
    for fixture in (INVITE, NEWSLETTER, PHOTOS, FORWARD):
        dovecot.append(fixture.read_bytes(), mailbox="Archive")
    assert f"UIDVALIDITY {before}".encode() not in dovecot.status("Archive")
    [second] = sync_all(vault, registry, CONTEXT)
    assert second.failure is None
    # The old UIDs meant nothing any more: all four were fetched, the three known ones stored once,
    # and none deleted (the old UIDs are gone, but the new ones hold the same messages).
    assert (second.added, second.unchanged, second.deleted) == (2, 3, 0)
    assert vault.count() == 5
    state = _cursor(vault, "archive", "Archive")
    assert state["uidvalidity"] != before
    assert (state["last_uid"], state["uids"]) == (4, "1:4")


def test_wrong_password_is_a_source_error(dovecot, tmp_path, monkeypatch):
    connector = ImapConnector(tmp_path / "state")
    [file] = connector.files(Path(dovecot.url()))
    dovecot.append(INVITE.read_bytes())
    monkeypatch.setenv(dovecot.password_env, "not the password")
    with pytest.raises(SourceError, match="login failed") as caught:
        connector.files(Path(dovecot.url()))
    assert "not the password" not in str(caught.value)
    assert dovecot.password not in str(caught.value)
    with pytest.raises(SourceError, match="login failed"):
        list(connector.read(file, _context(dovecot.url())))


def test_missing_password_says_which_variable_to_set(dovecot, tmp_path, monkeypatch):
    monkeypatch.delenv(dovecot.password_env)
    with pytest.raises(ConfigError, match=dovecot.password_env):
        ImapConnector(tmp_path / "state").files(Path(dovecot.url()))


def test_missing_mailbox_is_a_source_error(dovecot, tmp_path):
    with pytest.raises(SourceError, match="no mailbox 'Nowhere'"):
        ImapConnector(tmp_path / "state").files(Path(dovecot.url("Nowhere")))


def test_no_server_listening_is_a_source_error(dovecot, tmp_path, monkeypatch):
    url = dovecot.url().replace(f":{dovecot.port}/", ":1/")
    with pytest.raises(SourceError, match="connecting failed"):
        ImapConnector(tmp_path / "state", timeout=5).files(Path(url))


def test_clear_text_to_the_internet_is_refused_before_connecting(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEBODY_IMAP_PASSWORD_ALICE", "secret")
    with pytest.raises(ConfigError, match="unencrypted"):
        ImapConnector(tmp_path / "state").files(Path("imap://alice@mail.example.com/INBOX"))


def test_a_damaged_cursor_reads_the_mailbox_again(dovecot, tmp_path):
    dovecot.append(INVITE.read_bytes())
    connector = ImapConnector(tmp_path / "state")
    context = _context(dovecot.url())
    context.state.set("INBOX", {"uidvalidity": "not a number", "last_uid": 1})
    [item] = connector.read(Path("INBOX"), context)
    assert isinstance(item, Item)
    assert context.state.get("INBOX")["last_uid"] == 1


def test_an_old_state_file_is_read_once(dovecot, vault, state_home):
    """A cursor an earlier version left in the user's state folder moves into the vault."""
    dovecot.append(INVITE.read_bytes())
    dovecot.append(NEWSLETTER.read_bytes())
    url = dovecot.url()
    account = parse_location(url).url
    uidvalidity = int(dovecot.status().split(b"UIDVALIDITY ")[1].split(b" ")[0].rstrip(b")"))
    legacy = state_path(state_home, account, "INBOX")
    legacy.parent.mkdir(parents=True)
    legacy.write_text(
        json.dumps({"account": account, "mailbox": "INBOX", "uidvalidity": uidvalidity, "last_uid": 1})
    )
    vault.add_source("mail", "imap", url)
    registry = load_registry()
    [report] = sync_all(vault, registry, CONTEXT)
    # UID 1 was read by the earlier version: only UID 2 is fetched.
    assert (report.failure, report.added) == (None, 1)
    assert _cursor(vault, "mail") | {"uidvalidity": 0} == {"last_uid": 2, "uids": "1:2", "uidvalidity": 0}
    legacy.write_text(
        json.dumps({"account": account, "mailbox": "INBOX", "uidvalidity": uidvalidity, "last_uid": 0})
    )
    dovecot.append(PHOTOS.read_bytes())
    [again] = sync_all(vault, registry, CONTEXT)
    assert (again.added, again.unchanged) == (1, 0), "the vault's cursor, not the file, says where to go on"


def test_imaps_with_a_trusted_certificate(start_dovecot, tmp_path, monkeypatch):
    server = start_dovecot(tls=True)
    monkeypatch.setenv(server.password_env, server.password)
    server.append(FORWARD.read_bytes())
    connector = ImapConnector(tmp_path / "state")
    with pytest.raises(SourceError, match="certificate is not trusted"):
        connector.files(Path(server.url()))
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
    outer, inner = _read(connector, server.url())
    assert (outer.title, inner.title) == ("FW: Q2 budget", "Q2 budget")
    assert outer.origin == "localhost/INBOX, UID 1"


_SEEDS = [p.read_bytes() for p in (INVITE, NEWSLETTER, MALFORMED, FORWARD)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(_SEEDS),
    st.lists(st.tuples(st.integers(0, 3000), st.binary(min_size=1, max_size=8)), max_size=6),
)
def test_fuzz_mutated_messages_from_the_server(dovecot, tmp_path, seed, edits):
    data = bytearray(seed)
    for at, chunk in edits:
        at %= len(data)
        data[at : at + len(chunk)] = chunk
    with dovecot.client() as conn, contextlib.suppress(imaplib.IMAP4.error):
        conn.append("INBOX", None, None, bytes(data))  # dovecot may refuse some bytes: fine
    connector = ImapConnector(tmp_path / "fuzz-state")
    for parsed in _read(connector, dovecot.url()):
        assert isinstance(parsed, Item | BadRecord)


def _fts(vault: Vault, words: str) -> int:
    return vault.conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (words,)).fetchone()[
        0
    ]


def test_a_message_expunged_on_the_server_leaves_the_vault(dovecot, vault):
    for fixture in (INVITE, NEWSLETTER, PHOTOS):
        dovecot.append(fixture.read_bytes())
    vault.add_source("mail", "imap", dovecot.url())
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    assert _fts(vault, "itinerary") == 1
    dovecot.expunge(3)
    dovecot.append(FORWARD.read_bytes())
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.added, report.deleted) == (None, 2, 1)
    titles = sorted(s.item.title or "" for s in vault.iter_items())
    assert "Trip photos + itinerary" not in titles
    assert vault.count() == 4
    assert _fts(vault, "itinerary") == 0, "its full-text rows went with it"
    assert _cursor(vault, "mail")["uids"] == "1:2,4"
    # Only an expunge, no new mail: MESSAGES in the STATUS changed, so the mailbox is read again.
    dovecot.expunge(1)
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.files_read, report.added, report.deleted) == (1, 0, 1)
    assert vault.count() == 3
    [again] = sync_all(vault, registry, CONTEXT)
    assert (again.files_read, again.deleted) == (0, 0)


def test_a_message_expunged_from_one_mailbox_but_kept_in_another_stays(dovecot, vault):
    dovecot.create("Archive")
    dovecot.append(INVITE.read_bytes())
    dovecot.append(INVITE.read_bytes(), mailbox="Archive")
    dovecot.append(NEWSLETTER.read_bytes(), mailbox="Archive")
    vault.add_source("mail", "imap", dovecot.url(""))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    invite = "Invitation: Lease sync"
    assert sum((s.item.title or "").startswith(invite) for s in vault.iter_items()) == 2
    dovecot.expunge(1)  # from INBOX
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.deleted) == (None, 1)
    [kept] = [s for s in vault.iter_items() if (s.item.title or "").startswith(invite)]
    assert kept.item.meta["imap"]["mailbox"] == "Archive"
    dovecot.expunge(1, mailbox="Archive")
    [report] = sync_all(vault, registry, CONTEXT)
    assert report.deleted == 1
    assert [s.item.title for s in vault.iter_items()] == ["Soldes d’hiver – jusqu’à 50 %"]


def test_a_deleted_mailbox_takes_its_messages_along(dovecot, vault):
    dovecot.create("Old")
    dovecot.append(INVITE.read_bytes())
    dovecot.append(NEWSLETTER.read_bytes(), mailbox="Old")
    vault.add_source("mail", "imap", dovecot.url(""))
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    assert vault.count() == 2
    dovecot.delete("Old")
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.failure, report.files, report.deleted) == (None, 1, 1)
    assert vault.count() == 1


def test_an_unreachable_server_deletes_nothing(dovecot, vault, monkeypatch):
    for fixture in (INVITE, NEWSLETTER):
        dovecot.append(fixture.read_bytes())
    vault.add_source("mail", "imap", dovecot.url())
    registry = load_registry()
    sync_all(vault, registry, CONTEXT)
    dovecot.expunge(1)
    monkeypatch.setenv(dovecot.password_env, "not the password")
    [refused] = sync_all(vault, registry, CONTEXT)
    assert "login failed" in (refused.failure or "")
    assert (refused.deleted, vault.count()) == (0, 2)
    versions, uids = ImapConnector.versions, Session.uids
    monkeypatch.setattr(ImapConnector, "versions", lambda self, path: {Path("INBOX"): "changed"})

    def cut(*args, **kwargs):
        raise SourceError("IMAP alice@127.0.0.1: listing the messages failed: Connection reset")

    # Listed, but the connection drops inside the read: that mailbox deletes nothing either.
    monkeypatch.setenv(dovecot.password_env, dovecot.password)
    monkeypatch.setattr(Session, "uids", cut)
    [dropped] = sync_all(vault, registry, CONTEXT)
    assert dropped.failure is None
    assert [e.position for e in dropped.errors] == ["whole file"]
    assert (dropped.deleted, vault.count()) == (0, 2)
    monkeypatch.setattr(ImapConnector, "versions", versions)
    monkeypatch.setattr(Session, "uids", uids)
    [report] = sync_all(vault, registry, CONTEXT)
    assert (report.deleted, vault.count()) == (1, 1)


def test_a_sync_killed_between_batches_keeps_the_cursor_behind_the_vault(dovecot, vault, monkeypatch):
    """The cursor commits with the items it covers: a kill after any batch resumes without a gap."""
    from homebody import sync as sync_module
    from homebody.connectors.imap import connector as imap_connector
    from homebody.connectors.imap import session as imap_session

    fixtures = (INVITE, NEWSLETTER, PHOTOS, MALFORMED, FORWARD)
    for fixture in fixtures:
        dovecot.append(fixture.read_bytes(), when=DELIVERED)
    vault.add_source("mail", "imap", dovecot.url())
    registry = load_registry()
    # One message a batch, a commit every two records: the kill lands between commits.
    monkeypatch.setattr(imap_session, "BATCH_MESSAGES", 1)
    monkeypatch.setattr(sync_module, "CHUNK", 1)
    monkeypatch.setattr(sync_module, "BATCH", 2)
    real = imap_connector.message_items

    def dies_at_uid_4(fetched, **kwargs):
        if fetched.uid == 4:
            raise KeyboardInterrupt  # as if killed
        return real(fetched, **kwargs)

    monkeypatch.setattr(imap_connector, "message_items", dies_at_uid_4)
    with pytest.raises(KeyboardInterrupt):
        sync_all(vault, registry, CONTEXT)
    stored = {s.item.meta["imap"]["uid"] for s in vault.iter_items()}
    cursor = _cursor(vault, "mail")
    assert stored == {1, 2}, "two records committed, the third rolled back"
    # Never ahead of the vault: every UID the cursor counts as read has its items stored.
    assert expand(cursor["uids"]) <= stored
    assert cursor["last_uid"] <= max(stored)
    monkeypatch.setattr(imap_connector, "message_items", real)
    [report] = sync_all(vault, registry, CONTEXT)
    assert report.added == 1 + 1 + 2
    assert vault.count() == 6
    assert _cursor(vault, "mail")["uids"] == "1:5"


@pytest.mark.parametrize(
    ("uids", "text"),
    [(set(), ""), ({7}, "7"), ({1, 2, 3}, "1:3"), ({1, 2, 4, 9, 10, 11}, "1:2,4,9:11")],
)
def test_uid_sets_are_kept_as_ranges(uids, text):
    assert ranges(uids) == text
    assert expand(text) == uids
