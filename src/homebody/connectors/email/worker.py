"""A big mbox parsed in a second process, so parsing and storing run on two cores at once.

Storing an item (hashing, full-text indexing, encryption) costs about as much as parsing it, so a
Gmail Takeout of many gigabytes imports nearly twice as fast when a child process splits and parses
the mailbox while the sync stores what it sends. The child runs `main` below: it reads the file
itself and writes pickled batches to its stdout, in mailbox order, so the items and bad records are
exactly those `parse_mbox` yields in-process. If the parent dies, the child's next write fails and
it exits.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any

import homebody
from homebody.connectors.base import Parsed
from homebody.connectors.email.parse import parse_mbox
from homebody.errors import BadRecord, SourceError

_BATCH = 200

_BOOT = """import sys
if sys.argv[1] not in sys.path:
    sys.path.append(sys.argv[1])
from homebody.connectors.email.worker import main
main(sys.argv[2], sys.argv[3])
"""


def read_in_worker(file: Path) -> Generator[Parsed, None, None]:
    """What `parse_mbox` yields for the file, parsed in a child process (raises SourceError)."""
    # The child finds homebody where this process found it, should that not be on its own path.
    where = str(Path(homebody.__file__).parent.parent)
    command = [sys.executable, "-c", _BOOT, where, str(file), file.name]
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)  # noqa: S603
    except OSError as err:
        raise SourceError(f"{file} cannot be read: no parser process ({err.strerror or err})") from err
    assert child.stdout is not None  # stdout=PIPE
    try:
        while True:
            try:
                # Our own child's output, pickled by the code below: not data from the mailbox.
                tag, payload = pickle.load(child.stdout)  # noqa: S301
            except EOFError:
                code = child.wait()
                raise SourceError(f"{file} cannot be read: the parser stopped (exit code {code})") from None
            if tag == "items":
                for record in payload:
                    yield BadRecord(*record) if isinstance(record, tuple) else record
            elif tag == "oserror":
                raise SourceError(f"{file} cannot be read: {payload}")
            else:
                child.wait()  # done: the child is exiting on its own
                return
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.kill()
        child.wait()


def _send(out: IO[bytes], tag: str, payload: Any) -> None:
    pickle.dump((tag, payload), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def _serve(file: Path, name: str, out: IO[bytes]) -> None:
    """Parse the mailbox and write it out in batches; a BadRecord travels as a plain tuple."""
    batch: list[Any] = []
    try:
        with file.open("rb") as stream:
            for parsed in parse_mbox(stream, name):
                if isinstance(parsed, BadRecord):
                    batch.append((parsed.file, parsed.position, parsed.reason))
                else:
                    batch.append(parsed)
                if len(batch) >= _BATCH:
                    _send(out, "items", batch)
                    batch = []
    except OSError as err:
        if isinstance(err, BrokenPipeError):
            raise
        _send(out, "items", batch)
        _send(out, "oserror", err.strerror or str(err))
        return
    _send(out, "items", batch)
    _send(out, "done", None)


def main(file: str, name: str) -> None:
    """The child process: parse the mbox at `file` and write the records to stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the pickle stream
    try:
        _serve(Path(file), name, out)
    except BrokenPipeError:
        # The parent stopped reading (it finished early or was killed): nothing left to do.
        os._exit(0)
