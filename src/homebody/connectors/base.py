"""What a connector is, and the registry built-in and plugin connectors register into.

A connector is one folder, like a Home Assistant integration: `parse.py` turns bytes into
`Item`s and is pure (no file system, no network, no clock); `connector.py` finds the source's parts
(its files, or a server's mailboxes and calendars), reads them, and hands them to the parser. A
module registers its connectors with a `register(registry)` function: the built-ins through the very
same hook an outside plugin uses.

What a source no longer holds leaves the vault. By default a read yields every record the part
holds, so a record it stops yielding (and a part that is gone) was deleted at the source. A
connector whose reads yield only what is new (`incremental = True`: IMAP, feeds) says what was
removed by yielding `Gone`; one that yields no `Gone` (a feed: old articles drop off its end)
deletes nothing. Nothing is deleted for a part that failed to read or yielded a bad record.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from homebody.errors import BadRecord, ConfigError, SourceError, UnknownSourceKind
from homebody.vault.items import Item, Kind


@dataclass(frozen=True)
class Gone:
    """What a part held at `origin` (an item's `origin`) and this read did not yield is gone.

    Yielded by incremental connectors: IMAP for a message expunged (`"host/INBOX, UID 7"`: nothing
    of it is yielded, so all of it goes), CalDAV for an event deleted or changed on the server (the
    changed event's items are yielded again; an occurrence it no longer has goes). An item leaves the
    vault when no part of the source holds it any more.

    `after` narrows it to items dated from then on (or undated): a recurring event is expanded only
    from a few years back, and its older occurrences are history, not deletions. A connector whose
    reads are complete yields `Gone("", after=...)` to narrow the deletions its read implies.
    """

    origin: str
    after: datetime | None = None


def readable(path: Path) -> None:
    """Raise SourceError, naming the file and why, unless it can be opened for reading."""
    try:
        with path.open("rb"):
            pass
    except OSError as err:
        raise SourceError(f"cannot read {path}: {err.strerror or err}") from err


def kept_history(read: Iterable[Read]) -> Iterator[Read]:
    """A chat archive's read, passed through, then narrowed to the time it still covers.

    Chat archives lose their oldest messages on their own: a phone set to keep messages for a year,
    an export capped to the most recent ones. A message older than the oldest one read is history
    the source no longer covers, not one the user deleted: it stays in the vault. A message missing
    from within the time the archive still covers was deleted, and leaves.
    """
    oldest: datetime | None = None
    for parsed in read:
        if isinstance(parsed, Item) and parsed.ts is not None and (oldest is None or parsed.ts < oldest):
            oldest = parsed.ts
        yield parsed
    # An archive that yields no dated message at all covers no time: it deletes nothing dated.
    yield Gone("", after=oldest if oldest is not None else datetime.max.replace(tzinfo=UTC))


#: What a parser yields: an item, or a bad record it skipped (yielded, not raised, so parsing goes on).
Parsed = Item | BadRecord
#: What a connector's read yields: what its parser yields, and for an incremental connector `Gone`.
Read = Item | BadRecord | Gone


class SourceState:
    """A connector's own state for one source (cursors, sync tokens, etags), kept in the vault as JSON.

    `get` what the last sync left; `set` a key when every item it covers has been yielded. The sync
    writes the state in the same transaction as the items yielded before the change, so a sync killed
    at any moment never leaves a cursor ahead of the items in the vault.
    """

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = dict(data or {})
        self.changed = False

    def get(self, key: str, default: Any = None) -> Any:
        """The value under `key`, or `default`."""
        return self._data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Replace the value under `key` (JSON-safe: dicts, lists, strings, numbers)."""
        self._data[key] = value
        self.changed = True

    def data(self) -> dict[str, Any]:
        """Everything, as the vault stores it."""
        return dict(self._data)

    def reset(self, data: dict[str, Any]) -> None:
        """Go back to what the vault holds (after a read that failed and was rolled back)."""
        self._data = dict(data)
        self.changed = False


@dataclass(frozen=True)
class SyncContext:
    """What a connector may know about the sync it runs in.

    The clock, the user's zone and region; `root`, the path (or URL as a path) the source was added
    with, so a note's id can be its path relative to the folder; `state`, the source's own state.
    """

    now: datetime
    timezone: str
    region: str = "US"  # ISO country for phone numbers written without +country code
    root: Path | None = None
    state: SourceState = field(default_factory=SourceState)


class Connector(Protocol):
    """A source of items: a kind name for `homebody add`, and how to read a path of that kind.

    Optional: `incremental = True` when a read yields only what is new or changed (see `Gone`).
    """

    kind: str
    provides: frozenset[Kind]
    description: str

    def files(self, path: Path) -> list[Path]:
        """The files this source consists of (raises SourceError if the path cannot be read)."""
        ...

    def read(self, file: Path, context: SyncContext) -> Iterator[Read]:
        """Parse one file into items, yielding a BadRecord for each record that cannot be read."""
        ...


@runtime_checkable
class RemoteConnector(Connector, Protocol):
    """A source on a server: its parts (mailboxes, calendars) are names, not files on disk.

    The sync neither stats nor hashes them: it reads a part when its version changed, and the
    connector's `read` fetches what is new past the cursor it keeps in `context.state`.
    """

    def versions(self, path: Path) -> dict[Path, str]:
        """Each part with a token that changes whenever the part does (SourceError if unreachable)."""
        ...


def is_incremental(connector: Connector) -> bool:
    """Whether the connector's reads yield only what is new (and `Gone` for what was removed)."""
    return bool(getattr(connector, "incremental", False))


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
