"""A big mbox parsed in child processes, so parsing and storing run on every core at once.

Parsing a message with the email package costs several times what storing its item does, so a
Gmail Takeout of many gigabytes imports faster when child processes parse the mailbox while the
sync stores what they send. Each child runs `main` below: it reads and splits the whole file itself
(splitting is cheap), parses only its share of the messages (batches of `_BATCH` messages, dealt
round-robin: child k of n takes batches k, k + n, k + 2n, ...), and writes each batch's records,
pickled, to its stdout. The parent reads the batches back in mailbox order, so the items and bad
records are exactly those `parse_mbox` yields in-process. If the parent dies, a child's next write
fails and it exits.
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
from homebody.connectors.email.mbox import split_mbox
from homebody.connectors.email.parse import parse_raw
from homebody.errors import BadRecord, SourceError

_BATCH = 200  # messages

_BOOT = """import sys
if sys.argv[1] not in sys.path:
    sys.path.append(sys.argv[1])
from homebody.connectors.email.worker import main
main(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
"""


def read_in_worker(file: Path, processes: int = 1) -> Generator[Parsed, None, None]:
    """What `parse_mbox` yields for the file, parsed in `processes` child processes (raises SourceError)."""
    # The children find homebody where this process found it, should that not be on their own path.
    where = str(Path(homebody.__file__).parent.parent)
    children: list[subprocess.Popen[bytes]] = []
    try:
        for part in range(processes):
            command = [sys.executable, "-c", _BOOT, where, str(file), file.name, str(part), str(processes)]
            try:
                children.append(
                    subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)  # noqa: S603
                )
            except OSError as err:
                why = err.strerror or err
                raise SourceError(f"{file} cannot be read: no parser process ({why})") from err
        batch = 0
        while True:
            tag, payload = _receive(children[batch % processes], file)
            if tag == "items":
                for record in payload:
                    yield BadRecord(*record) if isinstance(record, tuple) else record
                batch += 1
            elif tag == "oserror":
                raise SourceError(f"{file} cannot be read: {payload}")
            else:
                break  # no batch numbered `batch`: the mailbox has ended
        for part, child in enumerate(children):
            if part != batch % processes:
                _receive(child, file)  # the others have only their own "done" left to send
            child.wait()  # done: the child is exiting on its own
    finally:
        for child in children:
            assert child.stdout is not None  # stdout=PIPE
            child.stdout.close()
            if child.poll() is None:
                child.kill()
            child.wait()


def _receive(child: subprocess.Popen[bytes], file: Path) -> tuple[str, Any]:
    """The next (tag, payload) a child sent (raises SourceError if it stopped without saying done)."""
    assert child.stdout is not None  # stdout=PIPE
    try:
        # Our own child's output, pickled by the code below: not data from the mailbox.
        tag, payload = pickle.load(child.stdout)  # noqa: S301
    except EOFError:
        code = child.wait()
        raise SourceError(f"{file} cannot be read: the parser stopped (exit code {code})") from None
    return str(tag), payload


def _send(out: IO[bytes], tag: str, payload: Any) -> None:
    pickle.dump((tag, payload), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def _serve(file: Path, name: str, part: int, processes: int, out: IO[bytes]) -> None:
    """Parse this child's batches and write each out; a BadRecord travels as a plain tuple."""
    batch: list[Any] = []
    current = 0  # the batch the message being read belongs to
    read = False  # whether the mailbox holds a message at all
    try:
        with file.open("rb") as stream:
            for raw in split_mbox(stream):
                read = True
                number = (raw.number - 1) // _BATCH
                if number != current:
                    if current % processes == part:
                        _send(out, "items", batch)
                        batch = []
                    current = number
                if number % processes != part:
                    continue
                for parsed in parse_raw(raw, name):
                    if isinstance(parsed, BadRecord):
                        batch.append((parsed.file, parsed.position, parsed.reason))
                    else:
                        batch.append(parsed)
    except OSError as err:
        if isinstance(err, BrokenPipeError):
            raise
        # The batch read so far goes first, as the records before the error do in-process.
        if current % processes == part:
            _send(out, "items", batch)
        _send(out, "oserror", err.strerror or str(err))
        return
    if read and current % processes == part:
        _send(out, "items", batch)
    _send(out, "done", None)


def main(file: str, name: str, part: int = 0, processes: int = 1) -> None:
    """A child process: parse its share of the mbox at `file` and write the records to stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the pickle stream
    try:
        _serve(Path(file), name, part, processes, out)
    except BrokenPipeError:
        # The parent stopped reading (it finished early or was killed): nothing left to do.
        os._exit(0)
