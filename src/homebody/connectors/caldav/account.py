"""A CalDAV location as the user writes it, `https://user@host/dav/calendars/user/`, and its password.

`https://` always; `http://` only to this machine or its private network, since CalDAV sends the
password with every request (RFC 4791 section 8.1 requires TLS support for that reason). The CLI
hands sources to connectors as a `Path`, which folds `https://u@h/cal/` into `https:/u@h/cal` (and
may put the working folder in front), so both forms are read. The password is never in the URL:
it comes from `HOMEBODY_CALDAV_PASSWORD_<USER>` or the OS keyring (service "homebody-caldav",
user "user@host").
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from homebody.connectors.passwords import account_password
from homebody.errors import ConfigError
from homebody.models.egress import is_local_host

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "homebody-caldav"
PASSWORD_ENV_PREFIX = "HOMEBODY_CALDAV_PASSWORD_"  # noqa: S105 - a variable name, not a password
USAGE = "write https://USER@HOST/PATH/ (the calendar home or one calendar's URL)"

# The scheme at the start, or after a "/" when `Path.resolve()` put the working folder in front;
# `Path` also folds the "//" after the scheme into one "/".
_SCHEME = re.compile(r"(?:^|/)(https?):/{1,2}", re.IGNORECASE)
# A host name or IPv4/IPv6 address: none of the characters that delimit URL parts, no spaces.
_HOST = re.compile(r"[^\s/@?#\[\]%;\\\"]+")
_BAD = re.compile(r"[\x00-\x20\x7f\\]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Account:
    """One login on one CalDAV server, and the collection to look for calendars under."""

    scheme: str
    user: str
    host: str
    port: int
    path: str  # always starts and ends with "/": CalDAV collections are folders (RFC 4918 5.2)

    @property
    def url(self) -> str:
        """The collection's URL as the client asks for it: no user, no password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    @property
    def location(self) -> str:
        """The URL the user wrote, normalized: with the user name, never with a password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{quote(self.user, safe='')}@{host}:{self.port}{self.path}"

    @property
    def login(self) -> str:
        """`user@host`: the keyring entry's user name."""
        return f"{self.user}@{self.host}"

    @property
    def password_env(self) -> str:
        """The environment variable holding this account's password."""
        return PASSWORD_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", self.user.upper())


def parse_location(text: str) -> Account:
    """The account an `https://` (or local `http://`) URL names, also as mangled by `Path`."""
    match = _SCHEME.search(text)
    if match is None or (match.start() > 0 and not text.startswith("/")):
        raise ConfigError(f"{text!r} is not a CalDAV URL: {USAGE}")
    scheme = match.group(1).lower()
    rest = text[match.end() :]
    if _BAD.search(rest):
        raise ConfigError(f"the CalDAV URL holds spaces or control characters: {USAGE}")
    try:
        parts = urlsplit(f"{scheme}://{rest}")
    except ValueError:  # an unbalanced "[" or "]" around an IPv6 host
        raise ConfigError(f"the CalDAV URL's host is malformed: {USAGE}") from None
    if parts.query or parts.fragment or "?" in rest or "#" in rest:
        raise ConfigError(f"the CalDAV URL must name a collection, without '?' or '#': {USAGE}")
    if parts.password is not None:
        # Not echoed: what follows the colon is a password.
        raise ConfigError(
            "the CalDAV URL holds a password: remove it (homebody stores no passwords) and set "
            f"{PASSWORD_ENV_PREFIX}<USER> or the OS keyring entry instead"
        )
    if not parts.username:
        raise ConfigError(f"the CalDAV URL names no user: {USAGE}")
    user = _decode(parts.username)
    host = _host(parts.netloc.rpartition("@")[2], parts.hostname)
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ConfigError("the CalDAV URL's port is not a number from 1 to 65535") from None
    path = "/" + parts.path.strip("/")
    account = Account(scheme, user, host, port, path if path == "/" else path + "/")
    if scheme == "http" and not is_local_host(host):
        raise ConfigError(
            f"http://{host} would send your CalDAV password unencrypted over the Internet: homebody "
            f"allows http:// only to this machine or your local network. Use https:// instead"
        )
    return account


def _decode(text: str) -> str:
    try:
        value = unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise ConfigError("the CalDAV URL's user name is not valid UTF-8 after %-decoding") from None
    if not value or _CONTROL.search(value):
        raise ConfigError(f"the CalDAV URL's user name is empty or holds control characters: {USAGE}")
    return value


def _host(hostport: str, hostname: str | None) -> str:
    """The host, checked: an [IPv6] literal or a name without URL delimiters (RFC 3986 3.2.2)."""
    if not hostname:
        raise ConfigError(f"the CalDAV URL names no host: {USAGE}")
    if hostport.startswith("["):
        try:
            ipaddress.IPv6Address(hostname.split("%")[0])
        except ValueError:
            raise ConfigError(f"the CalDAV URL's host [{hostname}] is not an IPv6 address") from None
        return hostname.lower()
    if not _HOST.fullmatch(hostname):
        raise ConfigError(f"the CalDAV URL names no valid host: {USAGE}")
    return hostname.lower()


def find_password(account: Account) -> str:
    """The account's password from its environment variable, else the OS keyring; else ConfigError."""
    return account_password(
        protocol="CalDAV", login=account.login, env=account.password_env, keyring_service=KEYRING_SERVICE
    )
