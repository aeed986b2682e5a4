"""A sync killed with SIGKILL at any moment leaves the vault consistent; the next sync completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from homebody.vault.store import Vault

MESSAGES = 5000


def _big_mbox(path) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for n in range(MESSAGES):
            when = start + timedelta(minutes=7 * n)
            out.write(
                f"From sender@example.com {when:%a %b %d %H:%M:%S %Y}\n"
                f"Message-ID: <msg{n}@example.com>\nDate: {format_datetime(when)}\n"
                f"From: Friend {n % 50} <friend{n % 50}@example.com>\nTo: me@example.com\n"
                f"Subject: Note {n} about the allotment\n\n"
                f"Body of message {n}: the courgettes are doing well, row {n % 13}.\n\n"
            )


def _homebody(home, *args):
    return [sys.executable, "-m", "homebody", "--home", str(home), *args]


def _count(home) -> int:
    with Vault.open(home / "vault.db", create=False) as vault:
        return vault.count()


# Sync commits every 2,000 records: kill before the first commit, after one, and after two.
@pytest.mark.parametrize("kill_after_items", [0, 2000, 4000])
def test_sync_killed_mid_way_resumes_without_duplicates(tmp_path, kill_after_items):
    home = tmp_path / "home"
    mbox = tmp_path / "all.mbox"
    _big_mbox(mbox)
    subprocess.run(
        _homebody(home, "add", "mbox", str(mbox), "--name", "mail"), check=True, capture_output=True
    )
    proc = subprocess.Popen(
        _homebody(home, "sync", "--quiet"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if _count(home) >= kill_after_items:
                    break
            except Exception:  # noqa: BLE001 - the vault may be mid-creation; poll again
                pass
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sync was still running when killed"
    killed_at = _count(home)
    assert killed_at < MESSAGES
    with Vault.open(home / "vault.db", create=False) as vault:
        assert vault.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    resumed = subprocess.run(_homebody(home, "sync", "--quiet"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    with Vault.open(home / "vault.db", create=False) as vault:
        assert vault.count() == MESSAGES
        ids = [r[0] for r in vault.conn.execute("SELECT native_id FROM items")]
        assert len(set(ids)) == MESSAGES
        fts = vault.conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'courgettes'")
        assert fts.fetchone()[0] == MESSAGES
    again = subprocess.run(_homebody(home, "sync", "--quiet"), capture_output=True, text=True)
    assert "0 new, 0 changed" in again.stdout


LINES = 20_000


@pytest.mark.parametrize("kill_after_items", [0, 4000, 12000])
def test_a_cursor_is_never_ahead_of_the_items_after_a_kill(tmp_path, kill_after_items):
    """A connector's state commits with the items it covers: killed anywhere, the next sync skips nothing."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('plugins = ["cursor_plugin"]\n')
    log = tmp_path / "notes.log"
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with log.open("w", encoding="utf-8") as out:
        for n in range(1, LINES + 1):
            when = (start + timedelta(minutes=n)).isoformat()
            out.write(json.dumps({"id": n, "text": f"log line {n} about the allotment", "ts": when}) + "\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    subprocess.run(_homebody(home, "add", "loglines", str(log), "--name", "log"), check=True, env=env)
    proc = subprocess.Popen(
        _homebody(home, "sync", "--quiet", "--no-embed"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if _count(home) >= kill_after_items:
                    break
            except Exception:  # noqa: BLE001 - the vault may be mid-creation; poll again
                pass
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sync was still running when killed"
    with Vault.open(home / "vault.db", create=False) as vault:
        stored = {int(r[0]) for r in vault.conn.execute("SELECT native_id FROM items")}
        state = vault.conn.execute("SELECT data FROM source_state").fetchone()
    cursor = json.loads(state[0])["line"] if state else 0
    assert cursor < LINES
    assert set(range(1, cursor + 1)) <= stored, "every line the cursor counts as read is in the vault"
    resumed = subprocess.run(
        _homebody(home, "sync", "--quiet", "--no-embed"), capture_output=True, text=True, env=env
    )
    assert resumed.returncode == 0, resumed.stderr
    with Vault.open(home / "vault.db", create=False) as vault:
        assert vault.count() == LINES
