"""An IMAP account as the user writes it, `imaps://user@host:993/INBOX`, and where its password lives.

The URL follows RFC 5092 (the IMAP URL scheme) loosely: `imaps://` (TLS, port 993) or `imap://`
(clear text, port 143, only to this machine or its private network), a user name, a host, and an
optional mailbox; none means every mailbox. The CLI hands sources to connectors as a `Path`, which
turns `imaps://u@h/INBOX` into `imaps:/u@h/INBOX` (and may put the working folder in front), so both
forms are read. The password is never part of the URL: it comes from `HOMEBODY_IMAP_PASSWORD_<USER>`
or from the OS keyring (service "homebody-imap", user "user@host").
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from homebody.connectors.passwords import account_password
from homebody.errors import ConfigError
from homebody.models.egress import is_local_host

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "homebody-imap"
PASSWORD_ENV_PREFIX = "HOMEBODY_IMAP_PASSWORD_"  # noqa: S105 - a variable name, not a password
DEFAULT_PORTS = {"imap": 143, "imaps": 993}
USAGE = "write imaps://USER@HOST/MAILBOX (or imaps://USER@HOST/ for every mailbox)"

# The scheme at the start, or after a "/" when `Path.resolve()` put the working folder in front;
# `Path` also folds the "//" after the scheme into one "/".
_SCHEME = re.compile(r"(?:^|/)(imaps?):/{1,2}", re.IGNORECASE)
# A host name or IPv4 address: no spaces, and none of the characters that delimit URL parts.
_HOST = re.compile(r"[^\s/@?#\[\]:%;\\\"]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Account:
    """One IMAP login on one server, and the mailbox to read (None for every mailbox)."""

    scheme: str
    user: str
    host: str
    port: int
    mailbox: str | None = None

    @property
    def tls(self) -> bool:
        """True for `imaps://`: the connection is encrypted from its first byte (RFC 8314)."""
        return self.scheme == "imaps"

    @property
    def url(self) -> str:
        """The account's canonical URL, without a mailbox and never with a password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{quote(self.user, safe='')}@{host}:{self.port}"

    @property
    def login(self) -> str:
        """`user@host`: the keyring entry's user name, and how messages name the account."""
        return f"{self.user}@{self.host}"

    @property
    def password_env(self) -> str:
        """The environment variable holding this account's password."""
        return PASSWORD_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", self.user.upper())


def parse_location(text: str) -> Account:
    """The account an `imap://` or `imaps://` URL names (also as mangled by `Path`), or ConfigError."""
    match = _SCHEME.search(text)
    if match is None or (match.start() > 0 and not text.startswith("/")):
        raise ConfigError(f"{text!r} is not an IMAP URL: {USAGE}")
    scheme = match.group(1).lower()
    authority, _, path = text[match.end() :].partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at or not userinfo:
        raise ConfigError(f"the IMAP URL names no user: {USAGE}")
    # RFC 5092 section 3.2: `user;AUTH=<mechanism>`; homebody picks the mechanism itself.
    userinfo = userinfo.split(";", 1)[0]
    if ":" in userinfo:
        # Not echoed: what follows the colon is a password.
        raise ConfigError(
            "the IMAP URL holds a password: remove it (homebody stores no passwords) and set "
            f"{PASSWORD_ENV_PREFIX}<USER> or the OS keyring entry instead"
        )
    user = _decode(userinfo, "user name")
    host, port = _host_port(hostport, scheme)
    account = Account(scheme, user, host, port, _mailbox(path))
    if not account.tls and not is_local_host(host):
        raise ConfigError(
            f"imap://{host} would send your password unencrypted over the Internet: homebody allows "
            f"imap:// only to this machine or your local network. Use imaps://{quote(user, safe='@')}"
            f"@{host}/ (TLS, port 993) instead"
        )
    return account


def _decode(text: str, what: str) -> str:
    try:
        value = unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise ConfigError(f"the IMAP URL's {what} is not valid UTF-8 after %-decoding") from None
    if not value or _CONTROL.search(value) or not _encodable(value):
        raise ConfigError(f"the IMAP URL's {what} is empty or holds control characters: {USAGE}")
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _host_port(hostport: str, scheme: str) -> tuple[str, int]:
    """Host and port of `host`, `host:port`, `[v6]` or `[v6]:port` (RFC 3986 section 3.2.2)."""
    if hostport.startswith("["):
        host, bracket, rest = hostport[1:].partition("]")
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            raise ConfigError(f"the IMAP URL's host [{host}] is not an IPv6 address") from None
        if not bracket or (rest and not rest.startswith(":")):
            raise ConfigError(f"the IMAP URL's host is malformed: {USAGE}")
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = hostport.partition(":")
        if not _HOST.fullmatch(host):
            raise ConfigError(f"the IMAP URL names no valid host: {USAGE}")
    if not port_text:
        return host.lower(), DEFAULT_PORTS[scheme]
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"the IMAP URL's port {port_text!r} is not a number from 1 to 65535")
    return host.lower(), int(port_text)


def _mailbox(path: str) -> str | None:
    path = path.strip("/")
    if not path:
        return None
    if any(c in path for c in "?#;"):
        # RFC 5092 searches (`?`), message parts (`;UID=`) and fragments name less than a mailbox.
        raise ConfigError(f"the IMAP URL must name a whole mailbox (no '?', ';' or '#'): {USAGE}")
    name = _decode(path, "mailbox")
    # RFC 3501 section 5.1: INBOX is case-insensitive; every other name is the server's own.
    return "INBOX" if name.upper() == "INBOX" else name


def find_password(account: Account) -> str:
    """The account's password from its environment variable, else the OS keyring; else ConfigError."""
    return account_password(
        protocol="IMAP", login=account.login, env=account.password_env, keyring_service=KEYRING_SERVICE
    )
