"""A real IMAP server for the tests: dovecot on loopback, configured and torn down per test.

Skipped with a reason when dovecot is not installed (Debian: `apt-get install dovecot-imapd`); CI
installs it (.ci/run). As root, dovecot refuses to run login or mail processes as root: it then uses
the `dovenull`/`dovecot` users the Debian package creates, and keeps its folder outside pytest's
root-only temporary tree so those users can reach the mail. Otherwise everything runs as the
current user inside `tmp_path`.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import pytest

DOVECOT = shutil.which("dovecot") or next(
    (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if Path(p).exists()), None
)
USER = "alice@example.test"
PASSWORD = "correct horse ☃ battery"  # non-ASCII: only AUTH=PLAIN (UTF-8) can carry it
PASSWORD_ENV = "HOMEBODY_IMAP_PASSWORD_ALICE_EXAMPLE_TEST"
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")


@dataclass
class Dovecot:
    """A running dovecot: where it listens and how to put mail into it."""

    port: int
    folder: Path
    tls: bool = False
    ca_file: Path | None = None
    password: str = PASSWORD
    password_env: str = PASSWORD_ENV

    def url(self, mailbox: str = "INBOX") -> str:
        """The source URL a user would add for this server and mailbox."""
        scheme = "imaps" if self.tls else "imap"
        host = "localhost" if self.tls else "127.0.0.1"
        return f"{scheme}://{USER}@{host}:{self.port}/{mailbox}"

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        """A logged-in imaplib client, for setting up mailboxes."""
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.ca_file))
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL("localhost", self.port, ssl_context=context, timeout=10)
        else:
            conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            token = f"\0{USER}\0{PASSWORD}".encode()
            conn.authenticate("PLAIN", lambda _: token)
            yield conn
        finally:
            conn.logout()

    def append(
        self, data: bytes, mailbox: str = "INBOX", flags: str | None = None, when: datetime | None = None
    ) -> int:
        """Put one message into a mailbox (RFC 3501 APPEND); its UID."""
        with self.client() as conn:
            typ, answer = conn.append(_quote(mailbox), flags, when, data)
        assert typ == "OK", answer
        match = _APPENDUID.search(answer[0] or b"")
        assert match, answer
        return int(match.group(2))

    def create(self, mailbox: str) -> None:
        """Create a mailbox."""
        with self.client() as conn:
            typ, answer = conn.create(_quote(mailbox))
        assert typ == "OK", answer

    def delete(self, mailbox: str) -> None:
        """Delete a mailbox."""
        with self.client() as conn:
            typ, answer = conn.delete(_quote(mailbox))
        assert typ == "OK", answer

    def expunge(self, uid: int, mailbox: str = "INBOX") -> None:
        """Delete one message for good (RFC 3501: STORE \\Deleted, then EXPUNGE)."""
        with self.client() as conn:
            conn.select(_quote(mailbox))
            typ, answer = conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
            assert typ == "OK", answer
            typ, answer = conn.expunge()
        assert typ == "OK", answer

    def status(self, mailbox: str = "INBOX") -> bytes:
        """The raw STATUS answer of a mailbox."""
        with self.client() as conn:
            typ, answer = conn.status(_quote(mailbox), "(UIDVALIDITY UIDNEXT MESSAGES)")
        assert typ == "OK", answer
        return answer[0]


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _users() -> tuple[str, str, str, int, int]:
    """Login user, internal user and group, and the uid/gid mail is stored as."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, grp.getgrgid(me.pw_gid).gr_name, me.pw_uid, me.pw_gid
    try:
        pwd.getpwnam("dovenull")
        internal = pwd.getpwnam("dovecot")
    except KeyError:
        pytest.skip("running as root needs the dovenull and dovecot users the Debian package creates")
    return "dovenull", "dovecot", grp.getgrgid(internal.pw_gid).gr_name, internal.pw_uid, internal.pw_gid


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for `localhost` signed by it: (ca, cert, key) files."""
    crypto = pytest.importorskip("cryptography")
    del crypto
    from datetime import UTC, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "homebody test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def _config(folder: Path, port: int, tls: Path | None) -> str:
    login_user, internal_user, internal_group, uid, gid = _users()
    mail = folder / "mail"
    ssl_lines = "ssl = no"
    listener = f"inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n"
    listener += "  inet_listener imaps {\n    port = 0\n  }"
    if tls is not None:
        ssl_lines = f"ssl = required\nssl_cert = <{tls / 'cert.pem'}\nssl_key = <{tls / 'key.pem'}"
        listener = "inet_listener imap {\n    port = 0\n  }\n"
        listener += (
            f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {port}\n    ssl = yes\n  }}"
        )
    return f"""
base_dir = {folder / "run"}
state_dir = {folder / "state"}
log_path = {folder / "dovecot.log"}
listen = 127.0.0.1
protocols = imap
{ssl_lines}
disable_plaintext_auth = no
auth_mechanisms = plain
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
mail_location = maildir:{mail}/%u:LAYOUT=fs
service imap-login {{
  chroot =
  {listener}
}}
# No growing delay after each failed login (dovecot's "authentication penalty").
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder / "passwd"}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
"""


def _wait_until_answering(process: subprocess.Popen[bytes], server: Dovecot) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = server.folder / "dovecot.log"
            pytest.fail(f"dovecot exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        # Wait for the greeting and log out: a login process left mid-greeting slows shutdown.
        with contextlib.suppress(OSError), server.client():
            return
        time.sleep(0.05)
    pytest.fail("dovecot did not answer on its port within 15 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop dovecot and every process it started; fail if any is left running."""
    # The whole group at once: dovecot's helpers (log, anvil, stats) otherwise linger for seconds.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("dovecot left processes running")


@pytest.fixture
def start_dovecot(tmp_path: Path) -> Iterator[Callable[..., Dovecot]]:
    """A function starting a dovecot (plain IMAP, or IMAPS with a throwaway CA); stopped after the test."""
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (Debian: apt-get install dovecot-imapd); CI installs it")
    started: list[tuple[subprocess.Popen[bytes], IO[bytes], Path | None]] = []

    def start(*, tls: bool = False) -> Dovecot:
        if os.geteuid() == 0:
            folder = Path(tempfile.mkdtemp(prefix="homebody-dovecot-"))
            folder.chmod(0o711)
            cleanup: Path | None = folder
        else:
            folder = Path(tempfile.mkdtemp(prefix="dovecot-", dir=tmp_path))
            cleanup = None
        *_names, uid, gid = _users()
        (folder / "mail").mkdir()
        os.chown(folder / "mail", uid, gid)
        certificates = _certificates(folder) if tls else None
        port = _free_port()
        config = folder / "dovecot.conf"
        config.write_text(_config(folder, port, folder if tls else None))
        passwd = folder / "passwd"
        passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::\n", encoding="utf-8")
        passwd.chmod(0o644)
        output = (folder / "stdout.txt").open("wb")
        process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can see every child is gone
        )
        started.append((process, output, cleanup))
        server = Dovecot(port, folder, tls, certificates[0] if certificates else None)
        _wait_until_answering(process, server)
        return server

    yield start
    for process, output, cleanup in started:
        _stop(process)
        output.close()
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)


@pytest.fixture
def dovecot(start_dovecot: Callable[..., Dovecot], monkeypatch: pytest.MonkeyPatch) -> Dovecot:
    """A plain-IMAP dovecot on loopback, with the test user's password in the environment."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return start_dovecot()


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's state folder, moved into the test's temporary folder."""
    folder = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder / "homebody" / "imap"
