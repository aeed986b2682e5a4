"""Which network addresses a model backend may reach: this machine and its private network only.

Anything else is refused unless the user allowed it in config, because prompts carry the user's
private life. No DNS lookup is made to decide: names are judged as written.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from homebody.errors import ConfigError, EgressRefused

_LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".home.arpa", ".internal")


def is_local_host(host: str) -> bool:
    """True for loopback, private-network addresses, and names that only resolve on a LAN."""
    host = host.strip("[]").lower()
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        # A single-label name ("mac-mini") or a LAN suffix only resolves locally.
        return host == "localhost" or "." not in host or host.endswith(_LOCAL_SUFFIXES)
    return address.is_loopback or address.is_private or address.is_link_local


def check_endpoint(url: str, *, allow_remote: bool, what: str) -> str:
    """The URL if it may be used; EgressRefused if it leaves the local network unallowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{what}: {url!r} is not an http(s) URL")
    if not allow_remote and not is_local_host(parts.hostname):
        raise EgressRefused(
            f"{what}: {parts.hostname} is outside this machine and its local network; homebody "
            f"sends your private data to the model, so it refuses. If you trust that server, "
            f"set allow_remote = true in the [model] or [embedding] section of config.toml"
        )
    return url.rstrip("/")
