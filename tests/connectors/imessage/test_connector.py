"""The iMessage connector on real database files: the fixture chat.db, its WAL, folders, damage."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homebody.connectors.base import Gone, Registry, SyncContext
from homebody.connectors.imessage.connector import IMessageConnector, register
from homebody.errors import BadRecord, SourceError
from homebody.vault.items import Item, Kind

FIXTURE = Path(__file__).parent / "fixtures" / "chat.db"
CONTEXT = SyncContext(now=datetime(2025, 1, 1, tzinfo=UTC), timezone="Europe/London")
SAM, ROBIN, KIT = "+15555550101", "sam.chen@example.net", "+447700900123"
SKI = "imessage:iMessage;+;chat123456789012345678"
DIRECT = "imessage:iMessage;-;+15555550101"
IOS_BACKUP_DB = "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28"
SMS = "imessage:SMS;-;+15555550101"
ROBIN_CHAT = "imessage:iMessage;-;sam.chen@example.net"
ATTACHMENTS = "~/Library/Messages/Attachments"
PHOTO = f"{ATTACHMENTS}/3f/15/at_0_A1B2C3D4-1111-4000-8000-000000000001/IMG_4821.HEIC"
AUDIO = f"{ATTACHMENTS}/9a/10/A1B2C3D4-2222-4000-8000-000000000002/Audio Message.caf"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
SKI_NAME = "Ski Trip \U0001f3bf"
CODE = "Your verification code is 482913. Do not share it."


def _copy(tmp_path: Path, name: str = "chat.db") -> Path:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURE, target)
    return target


def _read(path: Path) -> list[Item | BadRecord]:
    connector = IMessageConnector()
    # The read ends by saying which time it covers (`Gone`); these tests look at what it parsed.
    return [
        p for file in connector.files(path) for p in connector.read(file, CONTEXT) if not isinstance(p, Gone)
    ]


def _items(path: Path) -> dict[int, Item]:
    parsed = _read(path)
    assert not [p for p in parsed if isinstance(p, BadRecord)]
    return {int(p.origin.rsplit(" ", 1)[1]): p for p in parsed if isinstance(p, Item)}


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_register_adds_the_imessage_kind() -> None:
    registry = Registry()
    register(registry)
    assert registry.get("imessage").provides == frozenset({Kind.MESSAGE})
    assert registry.providers_of(Kind.MESSAGE) == ["imessage"]


def test_fixture_counts_ids_and_origins() -> None:
    items = _items(FIXTURE)
    # 24 rows: 4 tapbacks (ROWIDs 5-8) are folded into the messages they react to.
    assert sorted(items) == [1, 2, 3, 4, *range(9, 25)]
    assert items[3].native_id == "A0000000-0000-4000-8000-000000000003"
    assert items[3].origin == "chat.db, message ROWID 3"
    assert {i.tz for i in items.values()} == {"UTC"}


# ROWID: author, UTC time, text, thread, meta a user would notice
CASES: list[tuple[int, str | None, datetime, str, str, dict[str, Any]]] = [
    (1, SAM, _utc(2016, 5, 14, 18, 3), "Running late, be there in 10", SMS, {"service": "SMS"}),
    (2, "me", _utc(2016, 5, 14, 18, 4, 30), "ok no rush", SMS, {"chat_style": "direct"}),
    (
        3,
        SAM,
        _utc(2024, 1, 12, 1, 15),
        "See you at 7?",
        DIRECT,
        {"reactions": [{"from": "me", "type": "love", "emoji": "\u2764\ufe0f"}]},
    ),
    (
        4,
        "me",
        _utc(2024, 1, 12, 1, 16, 10),
        "Yes! I'll grab a table \U0001f35c",
        DIRECT,
        {"reactions": [{"from": SAM, "type": "emoji", "emoji": "\U0001f525"}]},
    ),
    (
        9,
        SAM,
        _utc(2024, 2, 3, 17, 30),
        "View from the trailhead",
        DIRECT,
        {"attachments": [{"name": "IMG_4821.HEIC", "mime": "image/heic", "bytes": 2483120, "path": PHOTO}]},
    ),
    (
        10,
        "me",
        _utc(2024, 2, 3, 17, 31),
        "Gorgeous! Which trail?",
        DIRECT,
        {"reply_to": "A0000000-0000-4000-8000-000000000009"},
    ),
    (
        11,
        "me",
        _utc(2024, 2, 4, 1, 20),
        "Meet at the caf\u00e9 on 5th",
        DIRECT,
        {
            "edited": True,
            "edit_history": [
                {"ts": "2024-02-04T00:40:00.500000+00:00", "text": "Meet at the cafe"},
                {"ts": "2024-02-04T00:40:30.250000+00:00", "text": "Meet at the caf\u00e9 on 5th"},
            ],
        },
    ),
    (12, "me", _utc(2024, 2, 4, 1, 22), "", DIRECT, {"unsent": True}),
    (
        13,
        None,
        _utc(2024, 1, 20, 16),
        f"{SAM} added {KIT} to the conversation",
        SKI,
        {"system": True, "event": "member_added", "actor": SAM, "member": KIT},
    ),
    (
        14,
        None,
        _utc(2024, 1, 20, 16, 0, 5),
        f"{ROBIN} named the conversation \u201c{SKI_NAME}\u201d",
        SKI,
        {"system": True, "event": "renamed"},
    ),
    (
        15,
        "me",
        _utc(2024, 1, 20, 16, 5),
        "Who's driving? I can take 4 people + skis. " * 4 + "\u2014 Alex",
        SKI,
        {"effect": "impact", "chat_style": "group", "handle_service": None},
    ),
    (17, ROBIN, _utc(2024, 1, 20, 16, 7), f"{FAMILY} family emoji (ZWJ) + \u00e9\u0301 combining", SKI, {}),
    (
        18,
        ROBIN,
        _utc(2024, 3, 1, 9),
        "https://example.com/article/42",
        ROBIN_CHAT,
        {"app": "com.apple.messages.URLBalloonProvider"},
    ),
    (
        20,
        ROBIN,
        _utc(2024, 3, 1, 9, 10),
        "",
        ROBIN_CHAT,
        {
            "audio": True,
            "attachments": [
                {"name": "Audio Message.caf", "mime": "audio/x-caf", "bytes": 48211, "path": AUDIO}
            ],
        },
    ),
    (21, "me", _utc(2024, 4, 10, 6, 30), "Landed in London!", "imessage:any;-;+447700900123", {"error": 22}),
    (
        22,
        "+15555550102",
        _utc(2024, 11, 2, 20),
        "Are we still on for tomorrow?",
        "imessage:RCS;-;+15555550102",
        {"service": "RCS", "handle_service": "RCS"},
    ),
    (23, "262966", _utc(2024, 11, 3, 8), CODE, "imessage:SMS;-;262966", {}),
    # Recently Deleted: only in chat_recoverable_message_join, still read (FORMATS.md §2).
    (24, "me", _utc(2024, 5, 5, 5, 5, 5), "oops wrong chat", DIRECT, {"recently_deleted": True}),
]


@pytest.mark.parametrize(("rowid", "author", "ts", "text", "thread", "meta"), CASES)
def test_fixture_messages(
    rowid: int, author: str | None, ts: datetime, text: str, thread: str, meta: dict[str, Any]
) -> None:
    item = _items(FIXTURE)[rowid]
    assert (item.author, item.ts, item.text, item.thread) == (author, ts, text, thread)
    assert meta.items() <= item.meta.items()


def test_group_chat_has_its_name_and_everyone_in_it() -> None:
    item = _items(FIXTURE)[16]
    assert (item.author, item.title) == (KIT, "Ski Trip \U0001f3bf")
    assert item.participants == (SAM, ROBIN, KIT, "me")
    assert _items(FIXTURE)[3].participants == (SAM, "me")
    assert _items(FIXTURE)[3].title is None


def test_reimport_gives_the_same_ids_and_content(tmp_path: Path) -> None:
    first = _items(_copy(tmp_path / "a"))
    second = _items(_copy(tmp_path / "b"))
    assert [(i.native_id, i.content_hash()) for i in first.values()] == [
        (i.native_id, i.content_hash()) for i in second.values()
    ]


def test_new_rows_only_in_the_wal_are_read(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    writer = sqlite3.connect(db)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        cursor = writer.execute(
            "INSERT INTO message (guid, text, handle_id, service, date, is_from_me)"
            " VALUES ('NEW-1', 'Fresh from the WAL', 1, 'iMessage', 760000000000000000, 0)"
        )
        writer.execute(
            "INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, ?)", (cursor.lastrowid,)
        )
        writer.execute(
            "INSERT INTO message (guid, text, handle_id, date, is_from_me, associated_message_type,"
            " associated_message_guid)"
            " VALUES ('NEW-2', 'Laughed at', 1, 760000001000000000, 1, 2003, 'p:0/NEW-1')"
        )
        writer.commit()
        assert (tmp_path / "chat.db-wal").stat().st_size > 0
        # The new rows live only in the WAL: a reader that ignores it does not see them.
        ignoring_wal = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
        try:
            assert ignoring_wal.execute("SELECT count(*) FROM message WHERE guid = 'NEW-1'").fetchone() == (
                0,
            )
        finally:
            ignoring_wal.close()
        (fresh,) = [p for p in _read(db) if isinstance(p, Item) and p.native_id == "NEW-1"]
        assert (fresh.text, fresh.author, fresh.thread) == ("Fresh from the WAL", SAM, DIRECT)
        assert fresh.ts == _utc(2025, 1, 31, 7, 6, 40)
        assert fresh.meta["reactions"] == [{"from": "me", "type": "laugh", "emoji": "\U0001f602"}]
        # The writer's database is as it left it: still un-checkpointed, still readable.
        assert (tmp_path / "chat.db-wal").stat().st_size > 0
        assert writer.execute("SELECT count(*) FROM message").fetchone() == (26,)
    finally:
        writer.close()


def test_the_users_files_are_never_touched(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    stat = db.stat()
    assert len(_read(tmp_path)) == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.db"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert db.stat().st_mtime_ns == stat.st_mtime_ns


@pytest.mark.parametrize(
    ("layout", "found"),
    [
        ("chat.db", "chat.db"),
        ("sms.db", "sms.db"),
        (IOS_BACKUP_DB, IOS_BACKUP_DB),
    ],
)
def test_folder_finds_the_database(tmp_path: Path, layout: str, found: str) -> None:
    _copy(tmp_path, layout)
    (tmp_path / "notes.db").write_bytes(b"SQLite format 3\x00")
    assert IMessageConnector().files(tmp_path) == [tmp_path / found]
    items = [p for p in _read(tmp_path) if isinstance(p, Item)]
    assert len(items) == 20
    assert items[0].origin == f"{Path(found).name}, message ROWID 1"


def test_a_renamed_database_file_is_read(tmp_path: Path) -> None:
    db = _copy(tmp_path, "messages-backup-2024.sqlite")
    assert IMessageConnector().files(db) == [db]
    assert len(_read(db)) == 20


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        IMessageConnector().files(tmp_path / "nowhere")


def test_folder_without_a_database_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "Attachments").mkdir()
    with pytest.raises(SourceError, match="no chat.db or sms.db"):
        IMessageConnector().files(tmp_path)


def test_a_file_that_is_not_sqlite_is_a_source_error(tmp_path: Path) -> None:
    file = tmp_path / "chat.db"
    file.write_bytes(b"\x89encrypted backup bytes" * 10)
    with pytest.raises(SourceError, match=r"chat\.db is not a SQLite database"):
        IMessageConnector().files(file)
    with pytest.raises(SourceError, match="not a SQLite database"):
        list(IMessageConnector().read(file, CONTEXT))


def test_sqlite_without_a_message_table_is_a_source_error(tmp_path: Path) -> None:
    file = tmp_path / "photos.db"
    with sqlite3.connect(file) as connection:
        connection.execute("CREATE TABLE photo (id INTEGER)")
    connection.close()
    with pytest.raises(SourceError, match=r"photos\.db has no message table"):
        _read(file)


def test_corrupted_row_in_the_middle_yields_one_bad_record(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE message SET attributedBody = x'00ff00ff' WHERE ROWID = 15")
        connection.execute("UPDATE message SET text = CAST('ok' AS BLOB) || x'ff' WHERE ROWID = 16")
    connection.close()
    parsed = _read(db)
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    assert [(b.file, b.position) for b in bad] == [("chat.db", "message ROWID 15")]
    assert "typedstream" in bad[0].reason
    items = [p for p in parsed if isinstance(p, Item)]
    assert len(items) == 19
    after = [int(i.origin.rsplit(" ", 1)[1]) for i in items[parsed.index(bad[0]) :]]
    assert after == list(range(16, 25))
    # A blob in the text column is read as text, an invalid byte replaced.
    assert items[after.index(16) + parsed.index(bad[0])].text == "ok\ufffd"


def test_a_damaged_tapback_is_a_bad_record_and_its_target_still_comes_out(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE message SET associated_message_guid = 'p:x/broken' WHERE ROWID = 5")
    connection.close()
    parsed = _read(db)
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    assert [(b.position, b.reason) for b in bad] == [
        ("message ROWID 5", "associated_message_guid is not p:<part>/<guid>")
    ]
    items = {p.native_id: p for p in parsed if isinstance(p, Item)}
    assert len(items) == 20
    # Without the love, the like and its removal leave nothing standing.
    assert "reactions" not in items["A0000000-0000-4000-8000-000000000003"].meta


_OLD_SCHEMA = """
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
  service TEXT NOT NULL, uncanonicalized_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
  state INTEGER, account_id TEXT, chat_identifier TEXT, service_name TEXT, display_name TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
  handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, is_from_me INTEGER DEFAULT 0,
  cache_has_attachments INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, PRIMARY KEY (chat_id, message_id));
INSERT INTO handle VALUES (1, '+15555550101', 'us', 'SMS', NULL);
INSERT INTO chat VALUES (1, 'SMS;-;+15555550101', 45, 3, NULL, '+15555550101', 'SMS', NULL);
INSERT INTO chat_handle_join VALUES (1, 1);
INSERT INTO message VALUES (1, 'OLD-1', 'Old phone, old schema', 1, 'SMS', 400000000, 0, 0);
INSERT INTO message VALUES (2, 'OLD-2', 'still here', 1, 'SMS', 400000060, 1, 0);
INSERT INTO chat_message_join VALUES (1, 1), (1, 2);
"""


def test_an_older_schema_without_newer_columns_is_read(tmp_path: Path) -> None:
    db = tmp_path / "sms.db"
    connection = sqlite3.connect(db)
    connection.executescript(_OLD_SCHEMA)
    connection.close()
    items = [p for p in _read(tmp_path) if isinstance(p, Item)]
    assert [(i.native_id, i.author, i.text, i.ts) for i in items] == [
        ("OLD-1", SAM, "Old phone, old schema", _utc(2013, 9, 4, 15, 6, 40)),
        ("OLD-2", "me", "still here", _utc(2013, 9, 4, 15, 7, 40)),
    ]
    assert {i.thread for i in items} == {"imessage:SMS;-;+15555550101"}


_PAGE = 4096


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 131071), st.integers(0, 255)), min_size=1, max_size=24))
def test_damaged_database_raises_only_source_errors(flips: list[tuple[int, int]]) -> None:
    data = bytearray(FIXTURE.read_bytes())
    for at, value in flips:
        data[at] = value
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "chat.db"
        file.write_bytes(bytes(data))
        connector = IMessageConnector()
        try:
            for parsed in connector.read(file, CONTEXT):
                assert isinstance(parsed, Item | BadRecord | Gone)
        except SourceError:
            pass
