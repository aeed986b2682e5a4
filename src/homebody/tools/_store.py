"""Small files the tools keep in the home folder: written whole and atomically, readable by the user only.

A reader never sees half a file: the new content goes to a temporary file in the same folder, is
flushed to disk, and replaces the old one with `os.replace` (atomic on POSIX and Windows). Writers
of one file take an advisory lock first where the platform has `fcntl`, so a daemon and a command
appending at once do not lose each other's record.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from homebody.errors import HomebodyError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, atomic replace only
    fcntl = None  # type: ignore[assignment]


def private_folder(path: Path) -> Path:
    """The folder, created readable by the user only if it did not exist."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file's content with `data` at once (mode 0600 for a new file)."""
    private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `<path>.lock` while the caller reads and rewrites `path`."""
    private_folder(path.parent)
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a JSON-lines file (none if it does not exist)."""
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise HomebodyError(f"{path} line {number} is not JSON; fix or remove that line") from err
    return records


def update_records(
    path: Path, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Read the records under the lock, let `change` return the new list, write it whole; return it."""
    with locked(path):
        records = change(read_records(path))
        text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
        write_atomic(path, text.encode("utf-8"))
    return records
