"""A connector plugin used by the sync tests: one JSON object a line, a bad line is a bad record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.errors import BadRecord, SourceError
from homebody.vault.items import Item, Kind


class JsonLines:
    kind = "jsonl"
    provides = frozenset({Kind.NOTE})
    description = "test notes, one JSON object a line"

    def files(self, path: Path) -> list[Path]:
        if not path.exists():
            raise SourceError(f"{path} does not exist")
        return sorted(path.glob("*.jsonl")) if path.is_dir() else [path]

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        for n, line in enumerate(file.read_text().splitlines(), start=1):
            try:
                data = json.loads(line)
                yield Item(
                    kind=Kind.NOTE,
                    native_id=str(data["id"]),
                    text=data["text"],
                    ts=datetime.fromisoformat(data["ts"]),
                    origin=f"{file.name}, line {n}",
                )
            except (ValueError, KeyError) as err:
                yield BadRecord(file.name, f"line {n}", f"not a note: {err}")


def register(registry: Registry) -> None:
    registry.register(JsonLines())
