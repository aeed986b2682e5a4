"""Write a macOS Messages `chat.db` in the real schema: shared by the whole-life persona and bench/.

FORMATS.md §2: `message.date` is nanoseconds since 2001-01-01 UTC; macOS 13+ often stores the body
only in `attributedBody`, an NSArchiver typedstream of an NSMutableAttributedString. The DDL is a
copy of /work/shared/fixtures/imessage/chat_db_schema.sql (CC0, authored for this project), shipped
beside this module so nothing outside the package is read at run time.
"""

from __future__ import annotations

import sqlite3
import struct
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

# attributedBody: an NSMutableAttributedString typedstream, laid out as in the fixture files under
# /work/shared/fixtures/imessage/attributedBody (FORMATS.md §2 "Message text").
_TS_HEAD = (
    b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x19NSMutableAttributedString\x00\x84\x84\x12"
    b"NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x0fNSMutableString\x01\x84\x84"
    b"\x08NSString\x01\x95\x84\x01+"
)
_TS_TAIL = (
    b"\x92\x84\x84\x84\x0cNSDictionary\x00\x95\x84\x01i\x01\x92\x84\x98\x98\x1d__kIMMessagePartAttributeName"
    b"\x86\x92\x84\x84\x84\x08NSNumber\x00\x84\x84\x07NSValue\x00\x95\x84\x01*\x84\x9b\x9b\x00\x86\x86\x86"
)

# Indexes the live chat.db carries (the fixture DDL omits them); a reader's joins rely on them.
INDEXES = """
CREATE INDEX chat_message_join_idx_message_id_only ON chat_message_join(message_id);
CREATE INDEX chat_message_join_idx_message_date_id_chat_id
    ON chat_message_join(chat_id, message_date, message_id);
CREATE INDEX chat_handle_join_idx_handle_id ON chat_handle_join(handle_id);
CREATE INDEX message_idx_handle ON message(handle_id, date);
CREATE INDEX message_attachment_join_idx_message_id ON message_attachment_join(message_id);
"""


def schema() -> str:
    """The Messages DDL (core tables, column order as on macOS 14/15)."""
    return resources.files("homebody.demo.life").joinpath("chat_db_schema.sql").read_text(encoding="utf-8")


def _ts_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    if n < 0x10000:
        return b"\x81" + struct.pack("<H", n)
    return b"\x82" + struct.pack("<I", n)


def attributed_body(text: str) -> bytes:
    """The typedstream macOS writes for a plain message."""
    data = text.encode()
    units = len(text.encode("utf-16-le")) // 2
    return _TS_HEAD + _ts_length(len(data)) + data + b"\x86\x84\x02iI\x01" + _ts_length(units) + _TS_TAIL


def apple_ns(when: datetime) -> int:
    """A `message.date` value: whole seconds since 2001-01-01 UTC, in nanoseconds (macOS ≥ 10.13)."""
    return int((when - APPLE_EPOCH).total_seconds()) * 1_000_000_000


def create(path: Path) -> sqlite3.Connection:
    """A new, empty chat.db at `path` with the schema, the live indexes and the client version row."""
    conn = sqlite3.connect(path)
    conn.executescript(schema())
    conn.executescript(INDEXES)
    conn.execute("INSERT INTO _SqliteDatabaseProperties VALUES ('_ClientVersion', '18026')")
    return conn


def finish(conn: sqlite3.Connection) -> None:
    """Commit and close the way Messages leaves the file: WAL mode, checkpointed, no `-wal` beside it."""
    conn.commit()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
