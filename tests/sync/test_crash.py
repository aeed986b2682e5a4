"""A sync killed with SIGKILL at any moment leaves the vault consistent; the next sync completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

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
