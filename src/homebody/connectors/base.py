"""What a connector is, and the registry built-in and plugin connectors register into.

A connector is one folder, like a Home Assistant integration: `parse.py` turns bytes into
`Item`s and is pure (no file system, no network, no clock); `connector.py` finds the source's files,
reads them, and hands them to the parser. A module registers its connectors with a
`register(registry)` function: the built-ins through the very same hook an outside plugin uses.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from homebody.errors import BadRecord, ConfigError, UnknownSourceKind
from homebody.vault.items import Item, Kind

#: What a parser yields: an item, or a bad record it skipped (yielded, not raised, so parsing goes on).
Parsed = Item | BadRecord


@dataclass(frozen=True)
class SyncContext:
    """What a connector may know about the sync it runs in: the clock, the user's zone and region."""

    now: datetime
    timezone: str
    region: str = "US"  # ISO country for phone numbers written without +country code


class Connector(Protocol):
    """A source of items: a kind name for `homebody add`, and how to read a path of that kind."""

    kind: str
    provides: frozenset[Kind]
    description: str

    def files(self, path: Path) -> list[Path]:
        """The files this source consists of (raises SourceError if the path cannot be read)."""
        ...

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one file into items, yielding a BadRecord for each record that cannot be read."""
        ...


class Registry:
    """The connectors this process knows, by kind name."""

    def __init__(self) -> None:
        self._connectors: dict[str, Connector] = {}

    def register(self, connector: Connector) -> None:
        """Add a connector; a second one with the same kind name is a configuration error."""
        if connector.kind in self._connectors:
            raise ConfigError(f"two connectors claim the source kind {connector.kind!r}")
        self._connectors[connector.kind] = connector

    def get(self, kind: str) -> Connector:
        """The connector for a kind name."""
        try:
            return self._connectors[kind]
        except KeyError:
            known = ", ".join(sorted(self._connectors))
            raise UnknownSourceKind(f"no connector for source kind {kind!r} (known: {known})") from None

    def kinds(self) -> list[str]:
        """Every registered kind name, sorted."""
        return sorted(self._connectors)

    def providers_of(self, kind: Kind) -> list[str]:
        """Kind names of the connectors that can bring items of this data kind."""
        return sorted(k for k, c in self._connectors.items() if kind in c.provides)


def builtin_modules() -> list[str]:
    """The `connector` module of every folder in this package: each built-in source, by name."""
    import homebody.connectors as package

    names = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        folder = Path(package.__path__[0]) / info.name
        if info.ispkg and (folder / "connector.py").exists():
            names.append(f"{package.__name__}.{info.name}.connector")
    return names


def load_registry(plugins: Sequence[str] = ()) -> Registry:
    """A registry with the built-in connectors, then the plugin modules the user's config names."""
    registry = Registry()
    for name in (*builtin_modules(), *plugins):
        try:
            module = importlib.import_module(name)
        except ImportError as err:
            raise ConfigError(f"cannot import connector plugin {name!r}: {err}") from err
        hook = getattr(module, "register", None)
        if hook is None:
            raise ConfigError(f"connector plugin {name!r} has no register(registry) function")
        hook(registry)
    return registry
