"""Account passwords for network sources: never in a URL or the vault, only in the environment or keyring."""

from __future__ import annotations

import logging
import os

from homebody.errors import ConfigError

log = logging.getLogger(__name__)


def account_password(*, protocol: str, login: str, env: str, keyring_service: str) -> str:
    """The password for `login` from the variable `env`, else the OS keyring; else a ConfigError."""
    value = os.environ.get(env)
    if value:
        return value
    value = _keyring_password(keyring_service, login)
    if value:
        return value
    raise ConfigError(
        f"no password for the {protocol} account {login}: set the environment variable "
        f"{env}, or store it in the OS keyring under service {keyring_service!r} and "
        f"user {login!r} (`keyring set {keyring_service} {login}`)"
    )


def _keyring_password(service: str, login: str) -> str | None:
    # HOMEBODY_KEYRING=off skips the keyring, as for the vault key (vault/keys.py).
    if os.environ.get("HOMEBODY_KEYRING", "").lower() in ("off", "0", "no", "false"):
        return None
    try:
        import keyring

        value = keyring.get_password(service, login)
    # A keyring backend can fail in any way (no D-Bus session, a locked or missing store): for a
    # password lookup that only means "not found there", and the ConfigError names both places.
    except Exception as err:  # noqa: BLE001
        log.debug("the OS keyring could not be read (%s)", type(err).__name__)
        return None
    return str(value) if value else None
