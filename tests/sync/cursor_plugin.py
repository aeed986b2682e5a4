"""A connector plugin with a cursor, used by the crash tests: a log file read on from the last line read.

Like IMAP it is incremental and keeps its cursor in the source's state, moved every 100 lines: if the
cursor were ever written ahead of the items it covers, a sync killed at that moment would skip lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.errors import SourceError
from homebody.vault.items import Item, Kind


class LogLines:
    kind = "loglines"
    provides = frozenset({Kind.NOTE})
    description = "test log, one JSON note a line, read on from a cursor"
    incremental = True

    def files(self, path: Path) -> list[Path]:
        if not path.exists():
            raise SourceError(f"{path} does not exist")
        return [path]

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        done = int(context.state.get("line", 0))
        with file.open(encoding="utf-8") as lines:
            for n, line in enumerate(lines, start=1):
                if n <= done:
                    continue
                data = json.loads(line)
                yield Item(Kind.NOTE, str(data["id"]), data["text"], ts=datetime.fromisoformat(data["ts"]))
                if n % 100 == 0:
                    context.state.set("line", n)
                done = n
        context.state.set("line", done)


def register(registry: Registry) -> None:
    registry.register(LogLines())
