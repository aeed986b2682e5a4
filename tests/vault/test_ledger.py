"""The audit ledger: a hash chain in the encrypted vault that catches any edit, insertion or deletion.

Tampering goes through a second, independent SQLCipher connection to the same file, as someone holding
the key (or another program) would do it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import homebody
from homebody.errors import LedgerBroken
from homebody.vault.db import connect
from homebody.vault.ledger import GENESIS, EntryKind, Ledger, entry_hash
from homebody.vault.store import Vault
from homebody.vault.tx import transaction

T0 = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)
N = 6


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "vault.db") as v:
        yield v


def _fill(vault: Vault, n: int = N) -> Ledger:
    ledger = Ledger(vault)
    kinds = list(EntryKind)
    for i in range(n):
        ledger.append(
            kinds[i % len(kinds)],
            {"step": i + 1, "tool": "send_email", "preview": f"To: sam@example.com\n\nline {i}"},
            run_id="run-a" if i < 3 else "run-b",
            at=T0 + timedelta(seconds=i),
        )
    return ledger


def _tamper(vault: Vault, *statements: tuple[str, tuple]) -> None:
    other = connect(vault.path, create=False)
    try:
        for sql, params in statements:
            other.execute(sql, params)
    finally:
        other.close()


def _forge(seq: int, prev: str, data: str = '{"forged":true}') -> tuple[str, tuple]:
    at = (T0 + timedelta(minutes=5)).isoformat(timespec="microseconds")
    digest = entry_hash(seq, at, "result", None, data, prev)
    return (
        "INSERT INTO ledger (seq, at, kind, run_id, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, at, "result", None, data, prev, digest),
    )


def test_entries_are_numbered_and_each_links_to_the_one_before(vault):
    ledger = _fill(vault)
    entries = ledger.entries()
    assert [e.seq for e in entries] == list(range(1, N + 1))
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert len({e.hash for e in entries}) == N
    assert entries[2].data == {"step": 3, "tool": "send_email", "preview": "To: sam@example.com\n\nline 2"}
    assert entries[2].at == T0 + timedelta(seconds=2)
    report = ledger.verify()
    assert report.ok and report.entries == N and report.head == entries[-1].hash


def test_reading_by_run_kind_and_newest(vault):
    ledger = _fill(vault)
    assert [e.seq for e in ledger.entries(run_id="run-a")] == [1, 2, 3]
    assert [e.seq for e in ledger.entries(kind="retrieval")] == [2]
    assert [e.seq for e in ledger.entries(limit=2, newest=True)] == [5, 6]
    assert [e.seq for e in ledger.entries(after=4)] == [5, 6]
    assert ledger.get(4) is not None and ledger.get(99) is None
    assert ledger.count() == N


def test_unknown_kind_is_refused_and_nothing_is_written(vault):
    ledger = Ledger(vault)
    with pytest.raises(ValueError, match="gossip"):
        ledger.append("gossip", {}, at=T0)
    assert ledger.count() == 0


def test_data_is_stored_as_it_will_be_read(vault):
    entry = Ledger(vault).append("request", {"when": T0, "ids": ("a", "b")}, at=T0)
    assert entry.data == {"when": str(T0), "ids": ["a", "b"]}
    assert Ledger(vault).get(1) == entry


def test_an_empty_ledger_is_intact(vault):
    report = Ledger(vault).verify()
    assert report.ok and report.entries == 0 and report.head == GENESIS


def _seq_hash(vault, seq):
    return vault.conn.execute("SELECT hash FROM ledger WHERE seq = ?", (seq,)).fetchone()[0]


TAMPERING = {
    "edit data": (
        lambda v: [("UPDATE ledger SET data = ? WHERE seq = 3", ('{"step":3,"tool":"pay"}',))],
        3,
        "edited",
    ),
    "edit time": (
        lambda v: [("UPDATE ledger SET at = ? WHERE seq = 2", ("2026-01-01T00:00:00.000000+00:00",))],
        2,
        "edited",
    ),
    "edit kind": (lambda v: [("UPDATE ledger SET kind = 'result' WHERE seq = 4", ())], 4, "edited"),
    "edit run id": (lambda v: [("UPDATE ledger SET run_id = 'run-x' WHERE seq = 5", ())], 5, "edited"),
    "edit first": (lambda v: [("UPDATE ledger SET data = '{}' WHERE seq = 1", ())], 1, "edited"),
    "edit last": (lambda v: [("UPDATE ledger SET data = '{}' WHERE seq = ?", (N,))], N, "edited"),
    "wrong type": (lambda v: [("UPDATE ledger SET data = 42 WHERE seq = 2", ())], 2, "edited"),
    "delete middle": (lambda v: [("DELETE FROM ledger WHERE seq = 3", ())], 3, "missing"),
    "delete first": (lambda v: [("DELETE FROM ledger WHERE seq = 1", ())], 1, "missing"),
    "delete last": (lambda v: [("DELETE FROM ledger WHERE seq = ?", (N,))], N, "deleted from the end"),
    "delete last two": (
        lambda v: [("DELETE FROM ledger WHERE seq >= ?", (N - 1,))],
        N - 1,
        "deleted from the end",
    ),
    "delete head anchor": (lambda v: [("DELETE FROM ledger_head", ())], 1, "anchor is missing"),
    "forged entry at the end": (lambda v: [_forge(N + 1, _seq_hash(v, N))], N + 1, "added outside"),
    "forged entry before the first": (lambda v: [_forge(0, GENESIS)], 1, "out of place"),
    "swap two entries": (
        lambda v: [
            ("UPDATE ledger SET seq = -2 WHERE seq = 2", ()),
            ("UPDATE ledger SET seq = 2 WHERE seq = 3", ()),
            ("UPDATE ledger SET seq = 3 WHERE seq = -2", ()),
        ],
        2,
        "link",
    ),
    "swap contents, numbers kept": (
        lambda v: [
            ("UPDATE ledger SET data = (SELECT data FROM ledger WHERE seq = 5) WHERE seq = 4", ()),
        ],
        4,
        "edited",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_verify_catches_tampering_through_a_second_connection(vault, case):
    ledger = _fill(vault)
    make, broken_at, reason = TAMPERING[case]
    _tamper(vault, *make(vault))
    report = ledger.verify()
    assert not report.ok
    assert report.broken_at == broken_at, report.reason
    assert reason in (report.reason or "")
    with pytest.raises(LedgerBroken, match=f"entry {broken_at}"):
        ledger.check()


def test_a_chain_rehashed_after_an_edit_is_caught_by_the_head_anchor(vault):
    ledger = _fill(vault)
    rows = vault.conn.execute("SELECT seq, at, kind, run_id, data FROM ledger ORDER BY seq").fetchall()
    prev, statements = GENESIS, []
    for seq, at, kind, run_id, data in rows:
        data = data.replace("sam@example.com", "eve@example.net")
        digest = entry_hash(seq, at, kind, run_id, data, prev)
        statements.append(
            ("UPDATE ledger SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?", (data, prev, digest, seq))
        )
        prev = digest
    _tamper(vault, *statements)
    report = ledger.verify()
    assert report.broken_at == N and "head anchor" in (report.reason or "")


def test_the_head_changes_with_every_append_so_a_noted_head_exposes_a_rewrite(vault):
    ledger = _fill(vault, 2)
    noted = ledger.verify().head
    ledger.append("result", {"ok": True}, at=T0)
    assert ledger.verify().head not in (noted, GENESIS)
    assert ledger.get(2).hash == noted


def test_appends_from_threads_sharing_the_vault_are_gapless(vault):
    ledger = Ledger(vault)

    def work(worker: int) -> None:
        for i in range(25):
            ledger.append("tool_call", {"worker": worker, "i": i}, at=T0)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = ledger.verify()
    assert report.ok and report.entries == 100
    assert sorted((e.data["worker"], e.data["i"]) for e in ledger.entries()) == [
        (w, i) for w in range(4) for i in range(25)
    ]


def test_appends_from_separate_connections_are_gapless(tmp_path):
    path = tmp_path / "vault.db"
    Vault.open(path).close()

    def work(worker: int) -> None:
        with Vault.open(path) as own:
            ledger = Ledger(own)
            for i in range(20):
                ledger.append("tool_call", {"worker": worker, "i": i}, at=T0)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Vault.open(path) as vault:
        report = Ledger(vault).verify()
        assert report.ok and report.entries == 60


def test_an_append_inside_a_transaction_that_fails_leaves_no_trace(vault):
    ledger = _fill(vault, 2)

    def record_then_fail() -> None:
        with transaction(vault):
            ledger.append("approval", {"approval": "abc234"}, at=T0)
            raise RuntimeError("the change it recorded failed")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert ledger.count() == 2
    assert ledger.verify().ok
    assert ledger.append("result", {}, at=T0).seq == 3


def test_ledger_text_is_encrypted_on_disk(tmp_path):
    with Vault.open(tmp_path / "vault.db") as vault:
        Ledger(vault).append("result", {"preview": "quokka-vermilion-2291"}, at=T0)
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("vault.db"))
    assert b"quokka-vermilion" not in data


_APPENDER = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from homebody.vault.ledger import Ledger
from homebody.vault.store import Vault

with Vault.open(Path(sys.argv[1])) as vault:
    ledger = Ledger(vault)
    for i in range(30):
        ledger.append("tool_call", {"process": sys.argv[2], "i": i}, at=datetime.now(timezone.utc))
"""


def test_appends_from_two_processes_are_gapless(tmp_path):
    path = tmp_path / "vault.db"
    Vault.open(path).close()
    env = {**os.environ, "PYTHONPATH": str(Path(homebody.__file__).parents[1])}
    procs = [
        subprocess.Popen([sys.executable, "-c", _APPENDER, str(path), name], env=env, stderr=subprocess.PIPE)
        for name in ("p1", "p2")
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr.decode()
    with Vault.open(path) as vault:
        ledger = Ledger(vault)
        assert ledger.verify().ok and ledger.count() == 60
        assert sorted((e.data["process"], e.data["i"]) for e in ledger.entries()) == [
            (p, i) for p in ("p1", "p2") for i in range(30)
        ]
