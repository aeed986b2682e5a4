"""The pure parts of the IMAP connector: account URLs, passwords, mailbox names, server responses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyring.backend import KeyringBackend

from homebody.connectors.imap.account import Account, find_password, parse_location
from homebody.connectors.imap.parse import (
    Fetched,
    decode_mailbox,
    encode_mailbox,
    from_line,
    message_items,
    parse_fetch,
    parse_list,
    parse_status,
    quote,
)
from homebody.errors import BadRecord, ConfigError
from homebody.vault.items import Item

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("imaps://alice@mail.example.com/INBOX", Account("imaps", "alice", "mail.example.com", 993, "INBOX")),
        (
            "imaps://alice@mail.example.com:1993/inbox",
            Account("imaps", "alice", "mail.example.com", 1993, "INBOX"),
        ),
        (
            "imaps:/alice@mail.example.com:993/INBOX",
            Account("imaps", "alice", "mail.example.com", 993, "INBOX"),
        ),
        (
            "/home/me/imaps:/alice@mail.example.com:993/INBOX",
            Account("imaps", "alice", "mail.example.com", 993, "INBOX"),
        ),
        (
            "imaps://alice%40example.com@mail.example.com/",
            Account("imaps", "alice@example.com", "mail.example.com", 993, None),
        ),
        (
            "imaps://alice@example.com@mail.example.com",
            Account("imaps", "alice@example.com", "mail.example.com", 993, None),
        ),
        ("imap://bob@192.168.1.10/Sent%20Items", Account("imap", "bob", "192.168.1.10", 143, "Sent Items")),
        ("imap://bob@[::1]:1143/Archive/2023", Account("imap", "bob", "::1", 1143, "Archive/2023")),
        (
            "imaps://bob;AUTH=*@mail.example.com/INBOX",
            Account("imaps", "bob", "mail.example.com", 993, "INBOX"),
        ),
        (
            "IMAPS://Bob@Mail.Example.COM/Entw%C3%BCrfe",
            Account("imaps", "Bob", "mail.example.com", 993, "Entwürfe"),
        ),
        ("imap://bob@nas.local/INBOX", Account("imap", "bob", "nas.local", 143, "INBOX")),
        ("imap://bob@mac-mini/INBOX", Account("imap", "bob", "mac-mini", 143, "INBOX")),
    ],
)
def test_parse_location(url, expected):
    assert parse_location(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "imaps://alice@mail.example.com/INBOX",
        "imaps://alice%40example.com@mail.example.com:993/",
        "imap://bob@[::1]:1143/Archive/2023",
        "imap://bob@127.0.0.1:1143/Sent%20Items",
    ],
)
def test_url_survives_the_cli_path(url):
    """`homebody add` hands a Path, resolved against the working folder: the account is the same."""
    assert parse_location(str(Path(url))) == parse_location(url)
    assert parse_location(str(Path(url).expanduser().resolve())) == parse_location(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("imap://alice@mail.example.com/INBOX", "unencrypted"),
        ("imap://alice@8.8.8.8/INBOX", "unencrypted"),
        ("imaps://alice:hunter2@mail.example.com/INBOX", "holds a password"),
        ("imaps://mail.example.com/INBOX", "names no user"),
        ("/home/me/Mail", "not an IMAP URL"),
        ("https://alice@mail.example.com/", "not an IMAP URL"),
        ("Mail/imaps:/alice@mail.example.com/", "not an IMAP URL"),
        ("imaps://alice@mail.example.com:99999/INBOX", "port"),
        ("imaps://alice@mail.example.com:abc/", "port"),
        ("imaps://alice@/INBOX", "no valid host"),
        ("imaps://alice@[not-v6]/INBOX", "IPv6"),
        ("imaps://alice@mail.example.com/INBOX;UID=20", "whole mailbox"),
        ("imaps://alice@mail.example.com/INBOX?SUBJECT%20x", "whole mailbox"),
        ("imaps://alice@mail.example.com/%FF", "UTF-8"),
        ("imaps://alice@mail.example.com/a%0Ab", "control characters"),
    ],
)
def test_parse_location_refuses(url, message):
    with pytest.raises(ConfigError, match=message) as caught:
        parse_location(url)
    assert "hunter2" not in str(caught.value)


def test_clear_text_refusal_says_what_to_do_instead():
    with pytest.raises(ConfigError) as caught:
        parse_location("imap://alice@mail.example.com/INBOX")
    assert "imaps://alice@mail.example.com/" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "canonical", "login", "env"),
    [
        (
            "imaps://alice@mail.example.com/INBOX",
            "imaps://alice@mail.example.com:993",
            "alice@mail.example.com",
            "HOMEBODY_IMAP_PASSWORD_ALICE",
        ),
        (
            "imaps://alice.b@example.com@imap.example.com/",
            "imaps://alice.b%40example.com@imap.example.com:993",
            "alice.b@example.com@imap.example.com",
            "HOMEBODY_IMAP_PASSWORD_ALICE_B_EXAMPLE_COM",
        ),
        (
            "imap://j%C3%B6rg@[fd00::1]:1143/",
            "imap://j%C3%B6rg@[fd00::1]:1143",
            "jörg@fd00::1",
            "HOMEBODY_IMAP_PASSWORD_J_RG",
        ),
    ],
)
def test_account_names(url, canonical, login, env):
    account = parse_location(url)
    assert (account.url, account.login, account.password_env) == (canonical, login, env)
    assert parse_location(account.url) == Account(account.scheme, account.user, account.host, account.port)


class _MemoryKeyring(KeyringBackend):
    """A keyring holding one entry in memory, for the tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, entries: dict[tuple[str, str], str], fail: bool = False) -> None:
        super().__init__()
        self.entries = entries
        self.fail = fail

    def get_password(self, service, username):
        if self.fail:
            raise keyring.errors.KeyringLocked("locked")
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch):
    previous = keyring.get_keyring()
    backend = _MemoryKeyring({("homebody-imap", "alice@mail.example.com"): "from the keyring"})
    keyring.set_keyring(backend)
    monkeypatch.delenv("HOMEBODY_KEYRING", raising=False)
    yield backend
    keyring.set_keyring(previous)


ALICE = parse_location("imaps://alice@mail.example.com/INBOX")


def test_password_from_the_environment_first(monkeypatch, memory_keyring):
    monkeypatch.setenv("HOMEBODY_IMAP_PASSWORD_ALICE", "from the environment")
    assert find_password(ALICE) == "from the environment"


def test_password_from_the_keyring(memory_keyring):
    assert find_password(ALICE) == "from the keyring"


def test_keyring_off_skips_the_keyring(monkeypatch, memory_keyring):
    monkeypatch.setenv("HOMEBODY_KEYRING", "off")
    with pytest.raises(ConfigError):
        find_password(ALICE)


def test_missing_password_says_where_to_put_it(memory_keyring):
    memory_keyring.fail = True  # a locked keyring is "not found there", not a crash
    with pytest.raises(ConfigError) as caught:
        find_password(ALICE)
    message = str(caught.value)
    assert "HOMEBODY_IMAP_PASSWORD_ALICE" in message
    assert "keyring set homebody-imap alice@mail.example.com" in message


@pytest.mark.parametrize(
    ("wire", "name"),
    [
        ("INBOX", "INBOX"),
        ("Entw&APw-rfe", "Entwürfe"),
        ("&ZeVnLIqe-", "日本語"),
        ("Tom &- Jerry", "Tom & Jerry"),
        # RFC 3501 section 5.1.3's own example.
        ("~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語"),
        ("&2D3eAA-", "😀"),
    ],
)
def test_modified_utf7(wire, name):
    assert decode_mailbox(wire) == name
    assert encode_mailbox(name) == wire


@pytest.mark.parametrize("wire", ["&Jjo!", "&AGE", "&A-", "&2D0-"])
def test_invalid_modified_utf7_is_kept_as_sent(wire):
    assert decode_mailbox(wire) == wire


def test_quote_escapes_and_refuses_what_needs_a_literal():
    assert quote('Sent "old" \\ 2') == '"Sent \\"old\\" \\\\ 2"'
    with pytest.raises(ValueError):
        quote("line\r\nbreak")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([b'(\\HasNoChildren) "/" INBOX'], [("INBOX", True)]),
        ([b'(\\HasNoChildren) "." "Sent Items"'], [("Sent Items", True)]),
        ([b'(\\Noselect \\HasChildren) "/" "[Gmail]"'], [("[Gmail]", False)]),
        ([b'(\\NonExistent) "/" Gone'], [("Gone", False)]),
        ([b"() NIL inbox"], [("INBOX", True)]),
        ([b'() "/" "say \\"hi\\""'], [('say "hi"', True)]),
        ([(b'(\\HasNoChildren) "/" {11}', b'Sent "Items'), b""], [('Sent "Items', True)]),
        ([b'(\\HasNoChildren) "/" Entw&APw-rfe', b"garbage", None], [("Entw&APw-rfe", True)]),
        ([None], []),
    ],
)
def test_parse_list(data, expected):
    assert [(m.name, m.selectable) for m in parse_list(data)] == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            [b"INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1795380704)"],
            {"MESSAGES": 2, "UIDNEXT": 3, "UIDVALIDITY": 1795380704},
        ),
        ([(b"{11}", b"Sent (Items"), b" (UIDNEXT 9)"], {"UIDNEXT": 9}),
        ([b"INBOX ()"], {}),
        ([None], {}),
    ],
)
def test_parse_status(data, expected):
    assert parse_status(data) == expected


MESSAGE = b"From: a@example.com\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (  # dovecot: every item before the literal
            [
                (
                    b'1 (UID 7 INTERNALDATE "22-Nov-2026 20:51:44 +0000" FLAGS (\\Seen \\Recent) BODY[] {61}',
                    MESSAGE,
                ),
                b")",
            ],
            [Fetched(7, ("\\Recent", "\\Seen"), "22-Nov-2026 20:51:44 +0000", None, MESSAGE)],
        ),
        (  # flags after the literal, as other servers send them
            [
                (b"3 (UID 9 BODY[] {61}", MESSAGE),
                b' FLAGS ($Label1 \\Answered) INTERNALDATE " 2-Jan-2024 08:00:00 -0500")',
            ],
            [Fetched(9, ("$Label1", "\\Answered"), " 2-Jan-2024 08:00:00 -0500", None, MESSAGE)],
        ),
        (  # an unsolicited flag change, then the listing form with sizes
            [b"4 (FLAGS (\\Seen))", b"5 (UID 12 RFC822.SIZE 4096)"],
            [Fetched(None, ("\\Seen",)), Fetched(12, size=4096)],
        ),
        ([b"6 (UID 13 BODY[] NIL)"], [Fetched(13)]),
        ([None], []),
    ],
)
def test_parse_fetch(data, expected):
    assert parse_fetch(data) == expected


@pytest.mark.parametrize(
    ("internaldate", "line"),
    [
        ("22-Nov-2026 20:51:44 +0000", "From imap Nov 22 20:51:44 +0000 2026"),
        (" 2-jan-2024 08:00:00 -0500", "From imap Jan 2 08:00:00 -0500 2024"),
        ("02-Foo-2024 08:00:00 -0500", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_from_line(internaldate, line):
    assert from_line(internaldate) == line


def test_message_items_add_where_the_message_sits():
    fetched = Fetched(7, ("\\Flagged", "\\Recent", "\\Seen"), "22-Nov-2026 20:51:44 +0000", None, MESSAGE)
    [item] = message_items(fetched, host="mail.example.com", mailbox="Entwürfe")
    assert isinstance(item, Item)
    assert item.origin == "mail.example.com/Entwürfe, UID 7"
    assert item.meta["imap"] == {"mailbox": "Entwürfe", "uid": 7, "flags": ["\\Flagged", "\\Seen"]}
    assert item.meta["from"] == [["", "a@example.com"]]
    assert (item.native_id, item.title, item.text) == ("1@x", "hi", "body")


def test_internaldate_dates_a_message_without_a_usable_date():
    body = (FIXTURES / "synthetic/malformed_headers_latin1.eml").read_bytes()
    fetched = Fetched(3, (), "31-Dec-2023 23:59:00 +0100", None, body)
    [item] = message_items(fetched, host="h", mailbox="INBOX")
    assert isinstance(item, Item)
    assert (item.ts, item.tz) == (datetime(2023, 12, 31, 22, 59, tzinfo=UTC), "+01:00")


def test_message_without_body_is_a_bad_record():
    [bad] = message_items(Fetched(13), host="mail.example.com", mailbox="INBOX")
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position) == ("mail.example.com/INBOX", "UID 13")


# --- fuzz -----------------------------------------------------------------------------------------

_URL_PIECES = st.sampled_from(
    [
        "imap",
        "imaps",
        "://",
        ":/",
        "/",
        "@",
        ":",
        "%",
        "%40",
        "%FF",
        "[",
        "]",
        "::1",
        ";AUTH=*",
        "?",
        "#",
        " ",
        "ü",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_URL_PIECES, st.text(max_size=8)), max_size=12).map("".join))
def test_fuzz_parse_location_only_config_errors(text):
    try:
        account = parse_location(text)
    except ConfigError:
        return
    assert account.scheme in ("imap", "imaps")
    assert 0 < account.port < 65536
    assert account.user and account.host


_NAMES = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.characters(exclude_categories=("Cs", "Cc"), exclude_characters='@:;/?#%\\"[]'),
        min_size=1,
        max_size=12,
    ),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){0,3}", fullmatch=True),
    st.integers(1, 65535),
    st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=15)),
)
def test_fuzz_url_round_trip_through_the_cli_path(user, host, port, mailbox):
    from urllib.parse import quote as url_quote

    mailbox_path = "" if mailbox is None else url_quote(mailbox, safe="")
    url = f"imaps://{url_quote(user, safe='')}@{host}:{port}/{mailbox_path}"
    expected_mailbox = None if mailbox is None or not mailbox.strip("/") else mailbox
    if expected_mailbox is not None and expected_mailbox.upper() == "INBOX":
        expected_mailbox = "INBOX"
    expected = Account("imaps", user, host, port, expected_mailbox)
    assert parse_location(url) == expected
    assert parse_location(str(Path(url))) == expected


@settings(max_examples=300, deadline=None)
@given(_NAMES)
def test_fuzz_modified_utf7_round_trip(name):
    wire = encode_mailbox(name)
    assert wire.isascii()
    assert decode_mailbox(wire) == name
    quote(wire)  # always quotable


_ELEMENTS = st.one_of(
    st.none(),
    st.binary(max_size=60),
    st.tuples(st.binary(max_size=40), st.binary(max_size=40)),
    st.sampled_from([b")", b"1 (UID 5 FLAGS (\\Seen) BODY[] {3}", b'() "/" x', b"X (UIDNEXT 4)"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ELEMENTS, max_size=8), st.text(max_size=30))
def test_fuzz_responses_never_raise(data, mailbox_wire):
    for fetched in parse_fetch(data):
        for parsed in message_items(fetched, host="h", mailbox=decode_mailbox(mailbox_wire)):
            assert isinstance(parsed, Item | BadRecord)
    parse_list(data)
    parse_status(data)
    from_line(mailbox_wire)
