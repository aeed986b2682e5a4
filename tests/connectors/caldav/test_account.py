"""The CalDAV URL as the user writes it and as `Path` mangles it, and where its password comes from."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homebody.connectors.caldav.account import Account, find_password, parse_location
from homebody.errors import ConfigError

# (what the user wrote, the account it names)
CASES = [
    (
        "https://alice@dav.example.com/dav/calendars/alice/",
        Account("https", "alice", "dav.example.com", 443, "/dav/calendars/alice/"),
    ),
    ("http://bob@192.168.1.5:5232/bob", Account("http", "bob", "192.168.1.5", 5232, "/bob/")),
    ("https://a%40b.example@[::1]:8443/", Account("https", "a@b.example", "::1", 8443, "/")),
    ("https://Eve@CalDAV.Example.ORG/x", Account("https", "Eve", "caldav.example.org", 443, "/x/")),
    ("http://me@nas.local/cal/", Account("http", "me", "nas.local", 80, "/cal/")),
]


@pytest.mark.parametrize(("url", "account"), CASES)
def test_url_as_written_and_as_mangled_by_path(url: str, account: Account) -> None:
    assert parse_location(url) == account
    assert parse_location(str(Path(url))) == account
    assert parse_location(str(Path("/home/me") / Path(url))) == account
    assert parse_location(account.location) == account


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://dav.example.com/", "no user"),
        ("https://alice:hunter2@dav.example.com/", "holds a password"),
        ("ftp://alice@dav.example.com/", "not a CalDAV URL"),
        ("dav.example.com", "not a CalDAV URL"),
        ("https://alice@dav.example.com:99999/", "port"),
        ("https://alice@dav.example.com/cal/?x=1", "without"),
        ("https://alice@/cal/", "no host"),
        ("http://alice@dav.example.com/", "unencrypted"),
    ],
)
def test_bad_urls_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_location(url)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("user", "variable"), [("alice", "ALICE"), ("a.b@example.com", "A_B_EXAMPLE_COM"), ("zoë", "ZO_")]
)
def test_password_from_the_users_environment_variable(
    user: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"HOMEBODY_CALDAV_PASSWORD_{variable}", "s3cret")
    assert find_password(Account("https", user, "h.example", 443, "/")) == "s3cret"


_users = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=12)
_hosts = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True)
# "." and ".." are not collection names: a path normalizes them away, as any URL resolver would.
_paths = st.lists(
    st.from_regex(r"[A-Za-z0-9._~-]{1,8}", fullmatch=True).filter(lambda p: p not in (".", "..")),
    max_size=4,
)


@given(user=_users, host=_hosts, port=st.integers(1, 65535), parts=_paths)
def test_fuzz_any_account_survives_the_path_round_trip(
    user: str, host: str, port: int, parts: list[str]
) -> None:
    path = "/" + "".join(f"{p}/" for p in parts)
    account = Account("https", user, host, port, path)
    assert parse_location(str(Path(account.location))) == account


@given(st.text(max_size=80) | st.from_regex(r"https?:/{1,2}[^\n]{0,60}", fullmatch=True))
def test_fuzz_any_text_is_an_account_or_a_config_error(text: str) -> None:
    try:
        account = parse_location(text)
    except ConfigError:
        return
    assert account.path.startswith("/")
    assert account.path.endswith("/")
    assert account.user
