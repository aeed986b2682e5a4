"""A big mbox is parsed in child processes: the same records, the same errors, no process left over."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import SyncContext
from homebody.connectors.email import worker
from homebody.connectors.email.connector import MboxConnector
from homebody.errors import BadRecord, SourceError

FIXTURES = Path(__file__).parent / "fixtures"
CONTEXT = SyncContext(now=datetime(2024, 6, 1, 12, 0, tzinfo=UTC), timezone="Europe/Berlin")


def _connector(in_worker: bool, processes: int = 1) -> MboxConnector:
    connector = MboxConnector()
    connector.worker_min_bytes = 0 if in_worker else 1 << 62
    connector.worker_processes = processes
    return connector


def _records(connector: MboxConnector, file: Path) -> list[object]:
    out = connector.read(file, CONTEXT)
    return [(r.file, r.position, r.reason) if isinstance(r, BadRecord) else r for r in out]


FIRST = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: first\nMessage-ID: <1@x>\n\none\n\n"
CORRUPTED = b"From a@b Mon Jan  1 00:00:01 2024\n\x00\x17\xff\xfe\x89PNG garbage\n\x00\x00\n\n"
THIRD = b"From a@b Mon Jan  1 00:00:02 2024\nSubject: =?utf-8?q?caf=C3=A9?=\n\n>From the start\n\n"


def _damaged(tmp_path: Path) -> Path:
    path = tmp_path / "damaged.mbox"
    path.write_bytes((FIRST + CORRUPTED + THIRD) * 300)
    return path


@pytest.mark.parametrize("processes", [1, 2, 3])
@pytest.mark.parametrize(
    "name", ["synthetic/gmail_takeout_sample.mbox", "cpython/mailbox_01.mbox", "damaged", "empty"]
)
def test_worker_yields_exactly_what_the_parser_yields(tmp_path, name, processes):
    if name == "empty":
        file = tmp_path / "empty.mbox"
        file.write_bytes(b"")
    else:
        file = _damaged(tmp_path) if name == "damaged" else FIXTURES / name
    serial = _records(_connector(in_worker=False), file)
    assert serial or name == "empty"  # the comparison below is about something
    assert _records(_connector(in_worker=True, processes=processes), file) == serial


def test_damaged_mailbox_keeps_its_bad_records_through_the_worker(tmp_path):
    records = _records(_connector(in_worker=True), _damaged(tmp_path))
    assert len(records) == 900
    bad = [r for r in records if isinstance(r, tuple)]
    assert len(bad) == 300
    assert bad[0][:2] == ("damaged.mbox", f"message 2 at byte {len(FIRST)}")
    assert records[2].title == "café"
    assert records[2].text == "From the start"


def test_unreadable_file_is_the_same_source_error(tmp_path):
    folder = tmp_path / "inbox.mbox"  # a folder where a file should be
    folder.mkdir()
    errors = []
    for in_worker, processes in ((False, 1), (True, 1), (True, 2)):
        with pytest.raises(SourceError, match="cannot be read") as caught:
            list(_connector(in_worker, processes).read(folder, CONTEXT))
        errors.append(str(caught.value))
    assert errors[0] == errors[1] == errors[2]


@pytest.fixture
def children(monkeypatch):
    """The parser processes started during the test."""
    started: list[subprocess.Popen[bytes]] = []

    class Recording(subprocess.Popen[bytes]):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(worker.subprocess, "Popen", Recording)
    return started


def test_finished_parser_processes_exit_on_their_own(tmp_path, children):
    assert len(_records(_connector(in_worker=True, processes=3), _damaged(tmp_path))) == 900
    assert [child.returncode for child in children] == [0, 0, 0]


def test_stopping_early_ends_the_parser_processes(tmp_path, children):
    big = tmp_path / "big.mbox"
    shutil.copy(_damaged(tmp_path), big)
    records = _connector(in_worker=True, processes=2).read(big, CONTEXT)
    assert next(records).title == "first"
    records.close()
    assert len(children) == 2
    assert all(child.returncode is not None for child in children)
