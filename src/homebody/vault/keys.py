"""Where the vault's key comes from: the OS keyring, a passphrase, or a key file beside the vault.

Order (issue 2): the OS keyring where one works; else the passphrase in `HOMEBODY_PASSPHRASE`; else a
random key in `vault.key` beside the vault with 0600 permissions, with a warning, since anyone who can
read that file can read the vault. `HOMEBODY_KEYRING=off` skips the keyring (tests, headless boxes).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from homebody.errors import VaultLocked

log = logging.getLogger(__name__)

KEYRING_SERVICE = "homebody-vault"
KEY_FILE = "vault.key"
PASSPHRASE_ENV = "HOMEBODY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret


@dataclass(frozen=True)
class VaultKey:
    """A key for SQLCipher: raw 32 bytes as hex, or a passphrase SQLCipher stretches itself."""

    value: str
    raw: bool
    origin: str  # "keyring", "passphrase" or "key file"

    def pragma(self) -> str:
        """The argument of `PRAGMA key`, quoted for SQL."""
        if self.raw:
            return f"\"x'{self.value}'\""
        return "'" + self.value.replace("'", "''") + "'"


def _keyring_usable() -> bool:
    if os.environ.get("HOMEBODY_KEYRING", "").lower() in ("off", "0", "no", "false"):
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any keyring import or backend failure means "no keyring"
        return False
    name = type(backend).__name__.lower()
    return not isinstance(backend, fail.Keyring) and "null" not in name and name != "chainer"


def _keyring_get(vault: Path) -> str | None:
    import keyring

    value = keyring.get_password(KEYRING_SERVICE, str(vault.resolve()))
    return str(value) if value is not None else None


def _read_key_file(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("key file %s is readable by others (mode %o); fixing to 0600", path, mode)
        path.chmod(0o600)
    value = path.read_text(encoding="ascii").strip()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise VaultLocked(f"key file {path} is damaged: expected 64 hex characters")
    return value


def find_key(vault: Path) -> VaultKey:
    """The key of an existing vault, from wherever it was kept."""
    if _keyring_usable():
        stored = _keyring_get(vault)
        if stored:
            return VaultKey(stored, raw=True, origin="keyring")
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase:
        return VaultKey(passphrase, raw=False, origin="passphrase")
    key_file = vault.parent / KEY_FILE
    if key_file.exists():
        return VaultKey(_read_key_file(key_file), raw=True, origin="key file")
    raise VaultLocked(
        f"no key for the vault {vault}: not in the OS keyring, {PASSPHRASE_ENV} is not set, "
        f"and there is no {KEY_FILE} beside it"
    )


def create_key(vault: Path) -> VaultKey:
    """A key for a new vault, stored in the first place that works."""
    if _keyring_usable():
        value = secrets.token_hex(32)
        try:
            import keyring

            keyring.set_password(KEYRING_SERVICE, str(vault.resolve()), value)
        except Exception as err:  # noqa: BLE001 - a keyring that fails to store falls through
            log.warning(
                "the OS keyring refused the vault key (%s); trying the next option",
                type(err).__name__,
            )
        else:
            return VaultKey(value, raw=True, origin="keyring")
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase:
        return VaultKey(passphrase, raw=False, origin="passphrase")
    key_file = vault.parent / KEY_FILE
    value = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    log.warning(
        "no OS keyring and no %s: the vault key is in %s (mode 0600); anyone who can read "
        "that file can read the vault",
        PASSPHRASE_ENV,
        key_file,
    )
    return VaultKey(value, raw=True, origin="key file")
