"""Find WhatsApp chat exports on disk and read them: Android `.txt`, iOS `.zip`, bare `_chat.txt`.

FORMATS.md §3 "Files": Android exports `WhatsApp Chat with <Name>.txt` (title localized), iOS
`WhatsApp Chat - <Name>.zip` holding `_chat.txt` and the media. The chat's name comes from the file
name, or from the folder an unzipped `_chat.txt` sits in.
"""

from __future__ import annotations

import logging
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homebody.connectors.base import Parsed, Read, Registry, SyncContext, kept_history, readable
from homebody.connectors.whatsapp.grammar import match_header
from homebody.connectors.whatsapp.parse import (
    chat_name_from_filename,
    decode_export,
    is_export_title,
    parse_chat,
)
from homebody.errors import ConfigError, SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)

_IOS_CHAT = "_chat.txt"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"unknown time zone {name!r}: set an IANA name like 'Europe/London'") from err


def _chat_member(archive: zipfile.ZipFile) -> str | None:
    """The chat text inside an export zip: `_chat.txt` (iOS), else the titled or only `.txt`."""
    # macOS zips add `__MACOSX/._<name>` resource forks next to every file: not chats.
    texts = [
        name
        for name in archive.namelist()
        if name.lower().endswith(".txt") and not PurePosixPath(name).name.startswith("._")
    ]
    for name in texts:
        if PurePosixPath(name).name == _IOS_CHAT:
            return name
    for name in texts:
        if is_export_title(PurePosixPath(name).stem):
            return name
    return texts[0] if len(texts) == 1 else None


def _zip_chat_member(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            return _chat_member(archive)
    except (OSError, zipfile.BadZipFile):
        return None


def _is_export(path: Path) -> bool:
    """True if a file found in a folder is a chat export (so unrelated files are left alone)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return path.name == _IOS_CHAT or is_export_title(path.stem) or _looks_like_chat(path)
    return suffix == ".zip" and _zip_chat_member(path) is not None


def _looks_like_chat(path: Path) -> bool:
    """True if a renamed .txt starts like a chat export (a message header within its first lines)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    lines = decode_export(head).splitlines()[:5]
    return any(match_header(line) is not None for line in lines)


def _chat_name(path: Path) -> str:
    if path.name == _IOS_CHAT:
        return chat_name_from_filename(path.parent.name) or "_chat"
    return chat_name_from_filename(path.stem)


class WhatsAppConnector:
    """WhatsApp chat exports: one message item per message, in the user's time zone."""

    kind = "whatsapp"
    provides = frozenset({Kind.MESSAGE})
    description = "WhatsApp 'Export chat' files: Android .txt, iOS .zip with _chat.txt, or a folder of them"

    def files(self, path: Path) -> list[Path]:
        """The chat exports at PATH: the file itself, or every export in the folder, recursively."""
        if not path.exists():
            raise SourceError(f"{path} does not exist: give a WhatsApp export .txt, .zip or folder")
        if path.is_dir():
            try:
                found = sorted(p for p in path.rglob("*") if p.is_file() and _is_export(p))
            except OSError as err:
                raise SourceError(f"cannot read the folder {path}: {err}") from err
            return found
        readable(path)
        suffix = path.suffix.lower()
        if suffix == ".zip" and _zip_chat_member(path) is None:
            raise SourceError(f"{path} is not a WhatsApp export zip (no _chat.txt inside)")
        if suffix not in (".txt", ".zip"):
            raise SourceError(f"{path} is not a WhatsApp export: expected a .txt or .zip file")
        return [path]

    def read(self, file: Path, context: SyncContext) -> Iterator[Read]:
        """Parse one export into message items, yielding a BadRecord for each unreadable line.

        An export holds at most the chat's most recent messages: older ones already in the vault
        stay there (`kept_history`).
        """
        return kept_history(self._messages(file, context))

    def _messages(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        zone = _zone(context.timezone)
        if file.suffix.lower() == ".zip":
            data, file_name = self._read_zip(file)
        else:
            try:
                data = file.read_bytes()
            except OSError as err:
                raise SourceError(f"cannot read {file}: {err}") from err
            file_name = file.name
        items = bad = 0
        for parsed in parse_chat(
            decode_export(data), chat_name=_chat_name(file), file_name=file_name, tz=zone
        ):
            if isinstance(parsed, Item):
                items += 1
            else:
                bad += 1
            yield parsed
        logger.debug("whatsapp: %d messages, %d bad records", items, bad)

    @staticmethod
    def _read_zip(file: Path) -> tuple[bytes, str]:
        try:
            with zipfile.ZipFile(file) as archive:
                member = _chat_member(archive)
                if member is None:
                    raise SourceError(f"{file} is not a WhatsApp export zip (no _chat.txt inside)")
                return archive.read(member), f"{file.name}/{member}"
        # An encrypted member raises RuntimeError, an unknown compression NotImplementedError.
        except (OSError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as err:
            raise SourceError(f"cannot read the zip {file}: {err}") from err


def register(registry: Registry) -> None:
    """Register the WhatsApp connector under the source kind "whatsapp"."""
    registry.register(WhatsAppConnector())
