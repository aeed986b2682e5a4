"""The IMAP connector against a real dovecot on loopback: first sync, incremental syncs, UIDVALIDITY."""

from __future__ import annotations

import contextlib
import imaplib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.base import Registry, SyncContext, load_registry
from homebody.connectors.imap.account import parse_location
from homebody.connectors.imap.connector import ImapConnector, register
from homebody.connectors.imap.parse import message_items
from homebody.connectors.imap.session import Session
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.sync import sync_all
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


def _read(connector: ImapConnector, url: str) -> list[Item | BadRecord]:
    return [p for file in connector.files(Path(url)) for p in connector.read(file, CONTEXT)]


def _state(file: Path) -> dict:
    return json.loads(file.read_text())


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
    assert sorted(_state(f)["mailbox"] for f in files) == [
        "Entw&APw-rfe",
        "INBOX",
        "Projects/2024",
        "Sent Items",
    ]
    assert len({f.name for f in files}) == 4
    [drafts] = [f for f in files if _state(f)["mailbox"] == "Entw&APw-rfe"]
    [item] = connector.read(drafts, CONTEXT)
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
    assert connector.files(Path(url).expanduser().resolve()) == as_given
    assert len(as_given) == 1
    assert _state(as_given[0])["account"] == f"imap://alice%40example.test@127.0.0.1:{dovecot.port}"


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
    reading = connector.read(file, CONTEXT)
    next(reading)
    reading.close()  # the sync was killed after the first message
    assert _state(file)["last_uid"] == 0
    assert len(list(connector.read(file, CONTEXT))) == 3
    assert _state(file)["last_uid"] == 3


def test_a_mailbox_with_nothing_new_is_not_opened(dovecot, tmp_path, monkeypatch):
    dovecot.append(INVITE.read_bytes())
    connector = ImapConnector(tmp_path / "state")
    [file] = connector.files(Path(dovecot.url()))
    assert len(list(connector.read(file, CONTEXT))) == 1
    # The STATUS that files() stored says nothing arrived: read() does not even log in.
    monkeypatch.setenv(dovecot.password_env, "not the password")
    assert list(connector.read(file, CONTEXT)) == []


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
    [file] = state_home.glob("*.json")
    assert _state(file)["last_uid"] == 3

    dovecot.append(FORWARD.read_bytes())
    dovecot.append(DIGEST.read_bytes())
    [second] = sync_all(vault, registry, CONTEXT)
    # Only the two new messages were fetched: none of the first three came back "unchanged".
    assert (second.added, second.unchanged, second.updated) == (2 + 6, 0, 0)
    assert _state(file)["last_uid"] == 5
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
    [file] = state_home.glob("*.json")
    before = _state(file)["uidvalidity"]

    dovecot.delete("Archive")
    dovecot.create("Archive")
    for fixture in (INVITE, NEWSLETTER, PHOTOS, FORWARD):
        dovecot.append(fixture.read_bytes(), mailbox="Archive")
    assert f"UIDVALIDITY {before}".encode() not in dovecot.status("Archive")
    [second] = sync_all(vault, registry, CONTEXT)
    assert second.failure is None
    # The old UIDs meant nothing any more: all four were fetched, the three known ones stored once.
    assert (second.added, second.unchanged) == (2, 3)
    assert vault.count() == 5
    state = _state(file)
    assert state["uidvalidity"] != before
    assert state["last_uid"] == 4


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
        list(connector.read(file, CONTEXT))


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


def test_damaged_state_file(dovecot, tmp_path):
    dovecot.append(INVITE.read_bytes())
    connector = ImapConnector(tmp_path / "state")
    [file] = connector.files(Path(dovecot.url()))
    file.write_text("{not json")
    with pytest.raises(SourceError, match="damaged"):
        list(connector.read(file, CONTEXT))
    # The next sync's files() starts the mailbox afresh.
    assert connector.files(Path(dovecot.url())) == [file]
    assert len(list(connector.read(file, CONTEXT))) == 1
    with pytest.raises(SourceError, match="cannot read"):
        list(connector.read(tmp_path / "missing.json", CONTEXT))


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
