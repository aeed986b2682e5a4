"""The iMessage parser on message rows: one case per column variant (FORMATS.md §2)."""

from __future__ import annotations

import contextlib
import plistlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homebody.connectors.imessage.parse import parse_message
from homebody.connectors.imessage.reactions import Tapback, fold_reactions, read_tapback, target_of
from homebody.connectors.imessage.rows import Attachment, Chat, Handle, Lookup, RowError, apple_time
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures" / "attributedBody"
SHORT = (FIXTURES / "short_ascii.typedstream").read_bytes()
PLACEHOLDER = (FIXTURES / "attachment_placeholder.typedstream").read_bytes()
SAM, ROBIN = "+15555550101", "sam.chen@example.net"
PHOTO = Attachment("IMG_1.HEIC", "image/heic", "~/Library/Messages/Attachments/ab/IMG_1.HEIC", 2048)
LOOKUP = Lookup(
    handles={1: Handle(SAM, "iMessage"), 2: Handle(ROBIN, "iMessage"), 3: Handle(SAM, "SMS")},
    chats={
        1: Chat("iMessage;-;+15555550101", 45, None, (SAM,)),
        3: Chat("iMessage;+;chat42", 43, "Ski Trip", (SAM, ROBIN)),
        4: Chat("SMS;+;chat7", None, "", (SAM, ROBIN)),
    },
    attachments={7: [PHOTO]},
    reactions={"G-7": [{"from": "me", "type": "love", "emoji": "\u2764\ufe0f"}]},
)


def _row(**columns: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ROWID": 7,
        "guid": "G-7",
        "text": "hello",
        "handle_id": 1,
        "service": "iMessage",
        "date": 726714900000000000,
        "is_from_me": 0,
        "chat_id": 1,
    }
    row.update(columns)
    return row


def _item(**columns: Any) -> Item:
    parsed = parse_message(_row(**columns), LOOKUP, "chat.db")
    assert isinstance(parsed, Item), parsed
    return parsed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (484941780, datetime(2016, 5, 14, 18, 3, tzinfo=UTC)),  # seconds: pre-10.13 history
        (726714900000000000, datetime(2024, 1, 12, 1, 15, tzinfo=UTC)),  # nanoseconds
        (726714900123456789, datetime(2024, 1, 12, 1, 15, 0, 123456, tzinfo=UTC)),
        (-86400, datetime(2000, 12, 31, tzinfo=UTC)),
        (0, None),
    ],
)
def test_apple_time_reads_seconds_and_nanoseconds(value: int, expected: datetime | None) -> None:
    assert apple_time(value) == expected


def test_apple_time_out_of_range_is_a_row_error() -> None:
    with pytest.raises(RowError, match="out of range"):
        apple_time(-(10**11))


def test_a_message_item() -> None:
    item = _item()
    assert item == Item(
        kind=Kind.MESSAGE,
        native_id="G-7",
        text="hello",
        ts=datetime(2024, 1, 12, 1, 15, tzinfo=UTC),
        tz="UTC",
        author=SAM,
        participants=(SAM, "me"),
        thread="imessage:iMessage;-;+15555550101",
        title=None,
        origin="chat.db, message ROWID 7",
        meta={
            "service": "iMessage",
            "chat_style": "direct",
            "handle_service": "iMessage",
            "reactions": [{"from": "me", "type": "love", "emoji": "\u2764\ufe0f"}],
            "attachments": [PHOTO.meta()],
        },
    )


@pytest.mark.parametrize(
    ("columns", "text"),
    [
        ({"text": "plain"}, "plain"),
        ({"text": None, "attributedBody": SHORT}, "Noted, thanks!"),  # macOS 13+: body only in the blob
        ({"text": "", "attributedBody": SHORT}, "Noted, thanks!"),
        ({"text": "column wins", "attributedBody": SHORT}, "column wins"),
        ({"text": "column wins", "attributedBody": b"garbage"}, "column wins"),
        ({"text": None, "attributedBody": PLACEHOLDER}, "View from the trailhead"),
        ({"text": "\ufffc\ufffc"}, ""),
        ({"text": None, "attributedBody": None}, ""),
        (
            {"text": None, "recoverable_parts": [SHORT, PLACEHOLDER]},
            "Noted, thanks!\nView from the trailhead",
        ),
    ],
)
def test_text_comes_from_text_then_attributed_body(columns: dict[str, Any], text: str) -> None:
    assert _item(**columns).text == text


@pytest.mark.parametrize(
    ("columns", "author", "participants", "thread", "title", "style"),
    [
        ({}, SAM, (SAM, "me"), "imessage:iMessage;-;+15555550101", None, "direct"),
        ({"is_from_me": 1}, "me", (SAM, "me"), "imessage:iMessage;-;+15555550101", None, "direct"),
        # Outgoing in a group: handle_id 0 (FORMATS.md §2).
        (
            {"is_from_me": 1, "handle_id": 0, "chat_id": 3},
            "me",
            (SAM, ROBIN, "me"),
            "imessage:iMessage;+;chat42",
            "Ski Trip",
            "group",
        ),
        (
            {"handle_id": 2, "chat_id": 3},
            ROBIN,
            (SAM, ROBIN, "me"),
            "imessage:iMessage;+;chat42",
            "Ski Trip",
            "group",
        ),
        # No style column value: more than one other person makes a group; an empty name is no title.
        ({"handle_id": 3, "chat_id": 4}, SAM, (SAM, ROBIN, "me"), "imessage:SMS;+;chat7", None, "group"),
        # An incoming row without a handle in a one-to-one chat is from the other person.
        ({"handle_id": 0}, SAM, (SAM, "me"), "imessage:iMessage;-;+15555550101", None, "direct"),
        # A message in no chat at all.
        ({"chat_id": None}, SAM, (SAM, "me"), None, None, None),
        ({"chat_id": None, "handle_id": 0}, None, ("me",), None, None, None),
    ],
)
def test_author_participants_and_thread(
    columns: dict[str, Any],
    author: str | None,
    participants: tuple[str, ...],
    thread: str | None,
    title: str | None,
    style: str | None,
) -> None:
    item = _item(**columns)
    assert (item.author, item.participants, item.thread, item.title) == (author, participants, thread, title)
    assert item.meta["chat_style"] == style


_GROUP = {"chat_id": 3, "text": None}


@pytest.mark.parametrize(
    ("columns", "text", "meta"),
    [
        (
            {"item_type": 1, "group_action_type": 0, "other_handle": 2},
            f"{SAM} added {ROBIN} to the conversation",
            {"event": "member_added", "actor": SAM, "member": ROBIN},
        ),
        (
            {"item_type": 1, "group_action_type": 1, "other_handle": 2, "is_from_me": 1},
            f"You removed {ROBIN} from the conversation",
            {"event": "member_removed", "actor": "me", "member": ROBIN},
        ),
        (
            {"item_type": 2, "group_title": "Ski Trip \U0001f3bf", "handle_id": 2},
            f"{ROBIN} named the conversation \u201cSki Trip \U0001f3bf\u201d",
            {"event": "renamed", "actor": ROBIN, "group_title": "Ski Trip \U0001f3bf"},
        ),
        ({"item_type": 3, "group_action_type": 0}, f"{SAM} left the conversation", {"event": "member_left"}),
        (
            {"item_type": 3, "group_action_type": 1},
            f"{SAM} changed the group photo",
            {"event": "photo_changed"},
        ),
        ({"item_type": 6, "text": "FaceTime"}, "FaceTime", {"event": "other", "item_type": 6}),
    ],
)
def test_group_events_have_no_author(columns: dict[str, Any], text: str, meta: dict[str, Any]) -> None:
    item = _item(**{**_GROUP, **columns})
    assert (item.author, item.text, item.meta["system"]) == (None, text, True)
    assert meta.items() <= item.meta.items()
    assert "reactions" not in item.meta


_EDITS = plistlib.dumps(
    {"ec": {"0": [{"d": 728700000.5, "t": SHORT}, {"d": 728700030, "t": PLACEHOLDER}]}, "ep": [0]},
    fmt=plistlib.FMT_BINARY,
)
_UNSENT = plistlib.dumps({"rp": [0], "ust": True}, fmt=plistlib.FMT_BINARY)


@pytest.mark.parametrize(
    ("columns", "meta"),
    [
        ({"date_edited": 728702430000000000}, {"edited": True}),
        (
            {"date_edited": 728702430000000000, "message_summary_info": _EDITS},
            {
                "edited": True,
                "edit_history": [
                    {"ts": "2024-02-04T00:40:00.500000+00:00", "text": "Noted, thanks!"},
                    {"ts": "2024-02-04T00:40:30+00:00", "text": "View from the trailhead"},
                ],
            },
        ),
        ({"date_edited": 1, "message_summary_info": b"bplist00garbage"}, {"edited": True}),
        (
            {"text": None, "date_retracted": 728702560000000000, "date_edited": 728702560000000000},
            {"unsent": True},
        ),
        ({"text": None, "message_summary_info": _UNSENT}, {"unsent": True}),
        ({"thread_originator_guid": "G-1", "thread_originator_part": "0:0:5"}, {"reply_to": "G-1"}),
        ({"expressive_send_style_id": "com.apple.MobileSMS.expressivesend.impact"}, {"effect": "impact"}),
        (
            {"balloon_bundle_id": "com.apple.messages.URLBalloonProvider"},
            {"app": "com.apple.messages.URLBalloonProvider"},
        ),
        (
            {"is_audio_message": 1, "error": 22, "subject": "Re: trip"},
            {"audio": True, "error": 22, "subject": "Re: trip"},
        ),
        ({"associated_message_type": 1000, "associated_message_guid": "p:0/G-1"}, {"sticker_on": "p:0/G-1"}),
        ({"recently_deleted": 1}, {"recently_deleted": True}),
    ],
)
def test_edits_replies_and_extras_in_meta(columns: dict[str, Any], meta: dict[str, Any]) -> None:
    item = _item(ROWID=8, guid="G-8", **columns)
    extras = {k: v for k, v in item.meta.items() if k not in ("service", "chat_style", "handle_service")}
    assert extras == meta


@pytest.mark.parametrize(
    ("columns", "reason"),
    [
        ({"guid": None}, "no guid"),
        ({"text": None, "attributedBody": b"\x04\x0bstreamtyped private words"}, "no NSString"),
        ({"text": b"Secret words as a blob"}, "column text is not text"),
        ({"date": "2024-01-01 secret"}, "column date is not an integer"),
        ({"is_from_me": "yes"}, "column is_from_me is not an integer"),
        ({"attributedBody": "Secret", "text": None}, "column attributedBody is not a blob"),
        ({"date": -(10**11)}, "date out of range"),
    ],
)
def test_unreadable_rows_are_bad_records_without_content(columns: dict[str, Any], reason: str) -> None:
    parsed = parse_message(_row(**columns), LOOKUP, "sms.db")
    assert isinstance(parsed, BadRecord)
    assert (parsed.file, parsed.position) == ("sms.db", "message ROWID 7")
    assert reason in parsed.reason
    assert "ecret" not in parsed.reason


@pytest.mark.parametrize(
    ("guid", "target"),
    [("p:0/G-3", ("G-3", 0)), ("p:2/G-3", ("G-3", 2)), ("bp:G-3", ("G-3", 0)), ("G-3", ("G-3", 0))],
)
def test_tapback_targets(guid: str, target: tuple[str, int]) -> None:
    assert target_of(guid) == target


def test_malformed_part_target_is_a_row_error() -> None:
    with pytest.raises(RowError):
        target_of("p:x/G-3")


def _tap(rowid: int, sender: str | None, kind: str, removal: bool = False, **rest: Any) -> Tapback:
    fields: dict[str, Any] = {"target": "G-3", "part": 0, "emoji": None, "ts": None}
    fields.update(rest)
    return Tapback(rowid=rowid, sender=sender, type=kind, removal=removal, **fields)


def _r(sender: str | None, kind: str, emoji: str | None = None) -> dict[str, Any]:
    return {"from": sender, "type": kind, "emoji": emoji}


@pytest.mark.parametrize(
    ("tapbacks", "expected"),
    [
        # The fixture's chat: I love it, Sam likes it then takes the like back.
        (
            [_tap(5, "me", "love"), _tap(6, SAM, "like"), _tap(7, SAM, "like", True)],
            {"G-3": [_r("me", "love")]},
        ),
        # A removal of another type leaves the reaction standing.
        ([_tap(1, SAM, "like"), _tap(2, SAM, "laugh", True)], {"G-3": [_r(SAM, "like")]}),
        # One reaction per person: a new one replaces the old.
        (
            [_tap(1, SAM, "like"), _tap(2, SAM, "emoji", emoji="\U0001f525")],
            {"G-3": [_r(SAM, "emoji", "\U0001f525")]},
        ),
        # Order is by date, then ROWID, not by the order rows arrive.
        (
            [
                _tap(9, SAM, "like", True, ts=datetime(2024, 1, 2, tzinfo=UTC)),
                _tap(8, SAM, "like", ts=datetime(2024, 1, 1, tzinfo=UTC)),
            ],
            {},
        ),
        # Different parts of one message keep their own reactions.
        ([_tap(1, SAM, "like"), _tap(2, SAM, "love", part=1)], {"G-3": [_r(SAM, "like"), _r(SAM, "love")]}),
        (
            [_tap(1, SAM, "like", target="A"), _tap(2, ROBIN, "question", target="B")],
            {"A": [_r(SAM, "like")], "B": [_r(ROBIN, "question")]},
        ),
        ([_tap(1, SAM, "like", True)], {}),
    ],
)
def test_fold_reactions(tapbacks: list[Tapback], expected: dict[str, list[dict[str, Any]]]) -> None:
    assert fold_reactions(tapbacks) == expected


@pytest.mark.parametrize(
    ("code", "kind", "emoji", "removal"),
    [
        (2000, "love", "\u2764\ufe0f", False),
        (2003, "laugh", "\U0001f602", False),
        (2006, "emoji", "\U0001f525", False),
        (2007, "sticker", None, False),
        (3001, "like", "\U0001f44d", True),
    ],
)
def test_read_tapback(code: int, kind: str, emoji: str | None, removal: bool) -> None:
    row = _row(
        associated_message_type=code,
        associated_message_guid="p:0/G-3",
        associated_message_emoji="\U0001f525" if code == 2006 else None,
    )
    tapback = read_tapback(row, LOOKUP)
    assert tapback is not None
    assert (tapback.target, tapback.sender, tapback.type, tapback.emoji, tapback.removal) == (
        "G-3",
        SAM,
        kind,
        emoji,
        removal,
    )


_VALUES = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, 1, 2, 3, 6, 1000, 2000, 2006, 3001, 10**11, 726714900000000000]),
    st.text(max_size=20),
    st.sampled_from(["p:0/G-3", "p:/", "bp:", "G-7"]),
    st.binary(max_size=40),
    st.sampled_from([SHORT, PLACEHOLDER, SHORT[:-200], _EDITS, _UNSENT, _EDITS[:60]]),
    st.floats(allow_nan=True),
)
_COLUMNS = st.sampled_from(
    [
        "ROWID",
        "guid",
        "text",
        "attributedBody",
        "handle_id",
        "date",
        "is_from_me",
        "chat_id",
        "item_type",
        "group_action_type",
        "other_handle",
        "group_title",
        "associated_message_type",
        "associated_message_guid",
        "associated_message_emoji",
        "message_summary_info",
        "date_edited",
        "date_retracted",
        "error",
        "recoverable_parts",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(_COLUMNS, _VALUES, max_size=12))
def test_parser_never_raises(columns: dict[str, Any]) -> None:
    row = _row(**columns)
    parsed = parse_message(row, LOOKUP, "chat.db")
    assert isinstance(parsed, Item | BadRecord)
    if isinstance(parsed, Item):
        assert parsed.ts is None or parsed.ts.utcoffset() is not None
    with contextlib.suppress(RowError):
        read_tapback(row, LOOKUP)
