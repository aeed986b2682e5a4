"""The email parser on recorded messages: one case per variant a user's mail actually contains."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homebody.connectors.email.decode import decode_bytes
from homebody.connectors.email.html import html_to_text
from homebody.connectors.email.parse import parse_eml, parse_mbox
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = ("cpython", "mail_parser", "mikel_mail", "synthetic")
ALL_FILES = sorted(
    str(p.relative_to(FIXTURES))
    for folder in SOURCES
    for p in (FIXTURES / folder).rglob("*")
    if p.suffix in (".eml", ".txt", ".mbox")
)
# Not an email at all: a bare body without a single header field (a digest part in CPython's tests).
NOT_EMAIL = {"cpython/msg_19.txt"}


def parse(rel: str) -> list:
    path = FIXTURES / rel
    if path.suffix == ".mbox":
        with path.open("rb") as stream:
            return list(parse_mbox(stream, path.name))
    return list(parse_eml(path.read_bytes(), path.name))


def items(rel: str) -> list[Item]:
    out = parse(rel)
    assert all(isinstance(o, Item) for o in out), [o for o in out if isinstance(o, BadRecord)]
    return out


def first(rel: str) -> Item:
    return items(rel)[0]


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


# --- every recorded file ---------------------------------------------------------------------------


def test_the_fixture_table_is_complete():
    assert len(ALL_FILES) > 130


@pytest.mark.parametrize("rel", ALL_FILES)
def test_every_fixture_parses_into_well_formed_items(rel):
    out = parse(rel)
    assert out
    bad = [o for o in out if isinstance(o, BadRecord)]
    assert bool(bad) == (rel in NOT_EMAIL)
    for item in out:
        if isinstance(item, BadRecord):
            assert item.file == Path(rel).name
            continue
        assert item.kind is Kind.EMAIL
        assert item.native_id.strip() == item.native_id != ""
        assert item.ts is None or item.ts.tzinfo is UTC
        assert "\r" not in item.text
        assert item.thread
        json.dumps(item.meta)  # the vault stores meta as JSON


# --- subjects (RFC 2047, raw 8-bit, lying charsets) -----------------------------------------------


@pytest.mark.parametrize(
    ("rel", "title"),
    [
        ("mikel_mail/multi_charset/japanese.eml", "まみむめも"),
        ("mikel_mail/multi_charset/japanese_attachment_long_name.eml", "まみむめも" * 10),
        ("mail_parser/mail_test_12.eml", "代开各地增值税发票"),
        ("mikel_mail/plain_emails/raw_email.eml", "NOTE: 한국말로 하는 것"),
        (
            "mikel_mail/plain_emails/raw_email_with_partially_quoted_subject.eml",
            'Re: Test: "漢字" mid "漢字" tail',
        ),
        ("synthetic/html_only_windows1252_qp.eml", "Soldes d’hiver – jusqu’à 50 %"),
        ("synthetic/malformed_headers_latin1.eml", "Réunion demain"),
        ("mikel_mail/rfc6532/utf8_headers.eml", "Säying Hello"),
        ("mikel_mail/rfc2822/example14.eml", "Re: TEST テストテスト"),
        ("mikel_mail/error_emails/bad_encoded_subject.eml", "TEST"),
        ("mikel_mail/attachment_emails/attachment_pdf.eml", "Another PDF with 🎉 Unicode chars in it 🍿"),
    ],
)
def test_subjects_are_decoded(rel, title):
    assert first(rel).title == title


# --- readable text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "present", "absent"),
    [
        # multipart/alternative: the plain part wins over the HTML one.
        ("synthetic/gmail_takeout_sample.mbox", "new ramen\nplace on 5th.", "<div"),
        # QP soft line break and format=flowed joined; the HTML alternative and attachments left out.
        (
            "synthetic/multipart_related_rfc2231_attachments.eml",
            "itinerary attached. This line is long enough that it was soft-wrapped",
            "&mdash;",
        ),
        # HTML only, windows-1252 + quoted-printable: text without tags, styles or entities.
        ("synthetic/html_only_windows1252_qp.eml", "Prix : 49,90 € au lieu de 99,80 €.", "<"),
        ("synthetic/html_only_windows1252_qp.eml", "Chère cliente, cher client,\n\nNos soldes", "Arial"),
        # Declared GB2312, actually UTF-8.
        ("mail_parser/mail_test_12.eml", "我公司可代开各类增值税发票", "\ufffd"),
        ("mikel_mail/multi_charset/ks_c_5601-1987.eml", "스티해", "\ufffd"),
        ("mikel_mail/multi_charset/japanese_shift_jis.eml", "あいうえお", "\ufffd"),
        ("mikel_mail/multi_charset/japanese_iso_2022.eml", "すみません。", "\x1b"),
        ("mikel_mail/multi_charset/japanese.eml", "かきくえこ", "\ufffd"),
        ("mikel_mail/plain_emails/raw_email.eml", "대부분의 마찬가지로", "\ufffd"),
        # An unquoted boundary with "=" in it: the parts are found, not shown as raw MIME.
        ("mikel_mail/mime_emails/raw_email_with_illegal_boundary.eml", "This is an outlook test", "NextPart"),
        # A stray line amid the headers: the fields below it (charset, QP) still apply.
        ("synthetic/malformed_headers_latin1.eml", "Voilà le compte-rendu. Café à 10h.", "=E0"),
        # Parts whose headers run straight into the body, and a multipart without a boundary.
        ("cpython/msg_47.txt", "bar\n\nbaz", "<p>"),
        ("cpython/msg_41.txt", "Blah blah blah", "\ufffd"),
        # A calendar invite: the plain alternative, not the iCalendar source.
        ("synthetic/calendar_invite_google.eml", "Lease sync\nWednesday Mar 20, 2024", "BEGIN:VCALENDAR"),
        # Attachments are listed, not indexed as text.
        ("synthetic/multipart_related_rfc2231_attachments.eml", "view from the hut", "Tag 1"),
        ("synthetic/outlook_forward_message_rfc822.eml", "FYI - see below.", "Q2 budgets are due"),
    ],
)
def test_readable_text(rel, present, absent):
    text = first(rel).text
    assert present in text
    assert absent not in text


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        (b"\x80 5", "iso-8859-1", "€ 5"),  # ISO-8859-1 means cp1252 in practice
        ("镕".encode("gb18030"), "gb2312", "镕"),  # GBK-only character under a GB2312 label
        ("똠".encode("cp949"), "ks_c_5601-1987", "똠"),  # cp949-only syllable
        ("Grüße".encode(), "iso-8859-1", "Grüße"),  # UTF-8 bytes under a Latin-1 label
        (b"caf\xe9", "unknown-8bit", "café"),
        (b"caf\xe9", "x-no-such-charset", "café"),
        (b"caf\xe9", "base64", "café"),  # a codec, but not a charset
        (b"caf\xc3", "utf-8", "caf\ufffd"),
        ("hé".encode("utf-16"), "utf-16", "hé"),
        ("すみません".encode("iso2022_jp"), "iso-2022-jp", "すみません"),
    ],
)
def test_charset_labels_that_lie(data, charset, text):
    assert decode_bytes(data, charset) == text


def test_crlf_and_lf_copies_of_a_message_give_the_same_item():
    crlf = first("mikel_mail/plain_emails/basic_email.eml")
    lf = first("mikel_mail/plain_emails/basic_email_lf.eml")
    assert (crlf.native_id, crlf.title, crlf.ts, crlf.text) == (lf.native_id, lf.title, lf.ts, lf.text)
    assert crlf.text == "Plain email.\n\nHope it works well!\n\nMikel"


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "ts", "tz"),
    [
        ("mail_parser/mail_test_19.eml", utc(2024, 1, 1, 12, 0, 0), "+00:00"),
        ("synthetic/html_only_windows1252_qp.eml", utc(2024, 3, 4, 13, 30, 0), "+01:00"),
        ("cpython/msg_47.txt", utc(2001, 1, 1, 0, 1, 0), "+00:00"),
        # A comment in place of a zone name after the offset.
        (
            "mikel_mail/plain_emails/raw_email_string_in_date_field.eml",
            utc(2008, 9, 20, 17, 4, 30),
            "+03:00",
        ),
        # Date is an HTML fragment: the newest Received time stamp.
        ("mikel_mail/error_emails/bad_date_header.eml", utc(2010, 12, 11, 6, 8, 27), "-08:00"),
        # "59:10" for a time.
        ("mikel_mail/error_emails/bad_date_header2.eml", utc(2010, 12, 15, 6, 59, 10), "-08:00"),
        # The year 3609.
        ("mikel_mail/plain_emails/raw_email_bad_time.eml", utc(2008, 6, 30, 9, 34, 0), "-07:00"),
        # "Pn, 29 paX 2007".
        ("mikel_mail/plain_emails/raw_email_with_bad_date.eml", utc(2007, 11, 5, 9, 18, 24), "+11:00"),
        # No Date, no Received: the mbox From_ line, which has no zone.
        ("cpython/mailbox_01.mbox", utc(2022, 8, 7, 11, 40, 37), "floating"),
        # "31/12/2023 23:59" and a Received stamp of 31 Feb, 25:61, +9900: no time at all.
        ("synthetic/malformed_headers_latin1.eml", None, None),
    ],
)
def test_dates_and_their_fallbacks(rel, ts, tz):
    item = first(rel)
    assert (item.ts, item.tz) == (ts, tz)


def test_gmail_from_line_is_the_last_fallback():
    mbox = (
        b"From 1788001122334455667@xxx Tue Jan 09 17:02:11 +0000 2024\n"
        b"Date: Tue, 31 Feb 2023 25:61:00 +9900\n"
        b"Subject: no usable date\n\nbody\n"
    )
    (item,) = parse_mbox(io.BytesIO(mbox), "takeout.mbox")
    assert (item.ts, item.tz) == (utc(2024, 1, 9, 17, 2, 11), "+00:00")


# --- addresses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "author", "field", "expected"),
    [
        # A comma inside an encoded display name; an encoded name equal to its address.
        (
            "mail_parser/mail_test_18.eml",
            "LastßlName, FirstName <comma.name@example.com>",
            "cc",
            [["", "simple@example.net"], ['John "Johnny" Doe', "john.doe@example.com"]],
        ),
        ("mail_parser/mail_test_18.eml", None, "to", [["", "tony.stark@example.com"]]),
        # An address as the display name.
        (
            "mail_parser/mail_test_19.eml",
            "alice@example.com <bob@example.com>",
            "cc",
            [["eve@example.com", "frank@example.com"]],
        ),
        # Unclosed angle bracket in From; unclosed quote in To.
        (
            "synthetic/malformed_headers_latin1.eml",
            "François Lévêque <francois@example.fr>",
            "to",
            [["Rivera, Alex", "alex.rivera@example.com"], ["", "sam.chen@example.net"]],
        ),
        # Group syntax with no members.
        ("synthetic/multipart_related_rfc2231_attachments.eml", None, "cc", []),
        (
            "synthetic/multipart_related_rfc2231_attachments.eml",
            "Jordan Lee <jordan.lee@example.org>",
            "to",
            [["Alex Rivera", "alex.rivera@example.com"], ["Chen, Sam", "sam.chen@example.net"]],
        ),
        # RFC 5322 appendix A.5: comments everywhere, a named group, an empty group.
        (
            "mikel_mail/rfc2822/example10.eml",
            "Pete <pete@silly.test>",
            "to",
            [["Chris Jones", "c@public.example"], ["", "joe@example.org"], ["John", "jdoe@one.test"]],
        ),
        ("mikel_mail/rfc2822/example10.eml", None, "cc", []),
        # RFC 5322 appendix A.6.3: whitespace before the colon, folded address.
        (
            "mikel_mail/rfc2822/example13.eml",
            "John Doe <jdoe@machine.example>",
            "to",
            [["Mary Smith", "mary@example.net"]],
        ),
        # Two addresses without a comma; upper case lowered in meta.
        (
            "mikel_mail/plain_emails/raw_email_multiple_from.eml",
            "tim@powerupdev.com",
            "from",
            [["", "tim@powerupdev.com"], ["", "concierge@powerupdev.com"]],
        ),
        (
            "mikel_mail/rfc2822/example07.eml",
            None,
            "to",
            [["Mary Smith: Personal Account", "smith@home.example"]],
        ),
    ],
)
def test_addresses(rel, author, field, expected):
    item = first(rel)
    if author is not None:
        assert item.author == author
    assert item.meta[field] == expected


def test_participants_are_from_to_cc_without_duplicates():
    message = (
        b"From: Sam <SAM@example.net>\nTo: Alex <alex@example.com>, sam@example.net\n"
        b"Cc: alex@example.com, Jo <jo@example.org>\nSubject: x\n\nbody\n"
    )
    (item,) = parse_eml(message, "x.eml")
    assert item.participants == ("Sam <SAM@example.net>", "Alex <alex@example.com>", "Jo <jo@example.org>")
    assert item.meta["from"] == [["Sam", "sam@example.net"]]


# --- ids and threads -------------------------------------------------------------------------------


def test_gmail_takeout_labels_threads_and_offsets():
    out = items("synthetic/gmail_takeout_sample.mbox")
    assert [i.title for i in out] == [
        "Dinner on Friday?",
        "Re: Dinner on Friday?",
        "Your receipt from Café Lumière ☕",
        "Chat with Sam Chen",
    ]
    first_, reply, receipt, chat = out
    assert first_.thread == reply.thread == "gmail:1788001122334455667"
    assert reply.meta["gmail_thread_id"] == "1788001122334455667"
    assert reply.meta["in_reply_to"] == "CAF=abc123+XyZ@mail.example.com"
    assert reply.meta["references"] == ["CAF=abc123+XyZ@mail.example.com"]
    assert first_.meta["labels"] == ["Inbox", "Important", "Opened", "Category Personal"]
    # A quoted label with a comma, a nested label folded over two lines, a raw UTF-8 label.
    assert receipt.meta["labels"] == [
        "Archived",
        "Opened",
        "Category Updates",
        "Receipts, 2024",
        "Finance/Bank Statements",
        "Reçus",
    ]
    assert (receipt.ts, receipt.tz) == (utc(2024, 1, 10, 21, 44, 1), "-05:00")
    assert "Café au lait – $4.50\nCroissant – $3.75" in receipt.text
    assert chat.meta["labels"] == ["Chat"]
    # mboxrd/mboxo ">From " un-escaped.
    assert "\nFrom what I hear the wait is long" in first_.text
    assert "\nFrom the archive: this quoted line" in reply.text
    # Each origin points at the byte where the message's From_ line starts.
    data = (FIXTURES / "synthetic/gmail_takeout_sample.mbox").read_bytes()
    for number, item in enumerate(out, start=1):
        name, position = item.origin.split(", ")
        assert name == "gmail_takeout_sample.mbox"
        assert position.startswith(f"message {number} at byte ")
        assert data[int(position.rsplit(" ", 1)[1]) :].startswith(b"From 1788")


@pytest.mark.parametrize(
    ("message", "thread", "in_reply_to"),
    [
        (b"Message-ID: <c@x>\nReferences: <a@x> <b@x>\nIn-Reply-To: <b@x>\n\nhi\n", "a@x", "b@x"),
        (b"Message-ID: <c@x>\nIn-Reply-To: <b@x> (sent by Jo)\n\nhi\n", "b@x", "b@x"),
        (b"Message-ID:   <c@x>  \n\nhi\n", "c@x", None),
        (b"Message-ID: <c@x>\nX-GM-THRID: 42\nReferences: <a@x>\n\nhi\n", "gmail:42", None),
    ],
)
def test_thread_falls_back_from_gmail_to_references_to_in_reply_to_to_itself(message, thread, in_reply_to):
    (item,) = parse_eml(message, "x.eml")
    assert item.native_id == "c@x"
    assert item.thread == thread
    assert item.meta["in_reply_to"] == in_reply_to


def test_message_id_without_brackets_is_kept():
    assert first("synthetic/malformed_headers_latin1.eml").native_id == "no-angle-brackets@example.fr"


def test_missing_message_id_gives_a_stable_derived_id():
    lf = b"From: a@example.com\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nSubject: Hi\n\nSame body\n"
    (one,) = parse_eml(lf, "a.eml")
    (again,) = parse_eml(lf.replace(b"\n", b"\r\n"), "b.eml")
    (other,) = parse_eml(lf.replace(b"Same body", b"Other body"), "a.eml")
    assert one.native_id.startswith("sha256:")
    assert len(one.native_id) == len("sha256:") + 32
    assert one.native_id == again.native_id != other.native_id
    assert one.thread == one.native_id
    assert first("mail_parser/mail_test_12.eml").native_id.startswith("sha256:")


# --- attachments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (
            "synthetic/multipart_related_rfc2231_attachments.eml",
            [
                ("logo.png", "image/png"),
                ("Reiseplan München–Zürich.txt", "text/plain"),  # RFC 2231
                ("收获操作手册.pdf", "application/pdf"),  # RFC 2047 inside quotes
            ],
        ),
        # RFC 2231 continuations (filename*0*, filename*1*).
        (
            "mikel_mail/multi_charset/japanese_attachment_long_name.eml",
            [("かきくけこ" * 5 + ".txt", "text/plain")],
        ),
        ("mikel_mail/multi_charset/japanese_attachment.eml", [("てすと.txt", "text/plain")]),
        (
            "mikel_mail/attachment_emails/attachment_with_unquoted_name.eml",
            [("This is a test.txt", "text/plain")],
        ),
        (
            "mikel_mail/attachment_emails/attachment_with_base64_encoded_name.eml",
            [("This is a test.pdf", "application/pdf")],
        ),
        ("mikel_mail/attachment_emails/attachment_nonascii_filename.eml", [("ciële.txt", "text/plain")]),
        (
            "mikel_mail/attachment_emails/attachment_with_quoted_filename.eml",
            [("Eelanalüüsi päring.jpg", "image/jpeg")],
        ),
        # The invite's text/calendar alternative and its .ics attachment.
        (
            "synthetic/calendar_invite_google.eml",
            [(None, "text/calendar"), ("invite.ics", "application/ics")],
        ),
        ("mikel_mail/attachment_emails/attachment_only_email.eml", [("blah.gz", "application/x-gzip")]),
    ],
)
def test_attachments_are_listed_with_decoded_names(rel, expected):
    attachments = first(rel).meta["attachments"]
    assert [(a["filename"], a["content_type"]) for a in attachments] == expected


def test_attachment_size_is_the_decoded_size():
    attachments = first("synthetic/multipart_related_rfc2231_attachments.eml").meta["attachments"]
    expected = "Tag 1: München → Zürich (Zug 08:12)\nTag 2: Üetliberg\n".encode()
    assert attachments[1]["size"] == len(expected)


# --- attached messages -----------------------------------------------------------------------------


def test_forwarded_message_becomes_its_own_item():
    outer, inner = items("synthetic/outlook_forward_message_rfc822.eml")
    assert outer.title == "FW: Q2 budget"
    assert inner.native_id == "inner-1@corp.example"
    assert inner.meta["attached_to"] == outer.native_id
    assert inner.thread == outer.thread == outer.native_id
    assert inner.title == "Q2 budget"
    assert inner.author == "Finance <finance@corp.example>"
    assert inner.text == "Q2 budgets are due April 15. — Finance"
    assert (inner.ts, inner.tz) == (utc(2024, 4, 1, 13, 0, 0), "-04:00")
    assert inner.origin == "outlook_forward_message_rfc822.eml, attached message 1"
    assert outer.meta["attachments"] == [
        {"filename": None, "content_type": "message/rfc822", "size": outer.meta["attachments"][0]["size"]}
    ]


@pytest.mark.parametrize(
    ("rel", "count", "inner_text"),
    [
        ("cpython/msg_11.txt", 2, "Here is the body of the message."),  # the whole message is rfc822
        ("cpython/msg_02.txt", 6, "hello"),  # multipart/digest: five messages
        ("mikel_mail/attachment_emails/attachment_message_rfc822.eml", 2, "Just attaching another PDF"),
    ],
)
def test_attached_messages_yield_extra_items(rel, count, inner_text):
    outer, *inner = items(rel)
    assert len(inner) + 1 == count
    assert inner_text in inner[0].text
    for number, item in enumerate(inner, start=1):
        assert item.meta["attached_to"] == outer.native_id
        assert item.thread == outer.thread
        assert item.origin == f"{Path(rel).name}, attached message {number}"


def test_attached_message_without_id_derives_one_from_the_outer_message():
    outer, inner = items("cpython/msg_11.txt")
    assert inner.native_id == f"{outer.native_id}#attached-1"


# --- mbox splitting --------------------------------------------------------------------------------


def test_unescaped_from_in_a_body_does_not_split_the_message():
    (item,) = items("cpython/mailbox_01.mbox")
    assert item.title == "unquoted From in body; extra info on From line"
    assert item.text == "Hello\n\nFrom time to time"


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_mbox_with_lf_or_crlf_lines(newline):
    data = (FIXTURES / "synthetic/gmail_takeout_sample.mbox").read_bytes().replace(b"\n", newline)
    out = list(parse_mbox(io.BytesIO(data), "takeout.mbox"))
    assert [i.title for i in out][:2] == ["Dinner on Friday?", "Re: Dinner on Friday?"]
    assert len(out) == 4
    assert all("\r" not in i.text for i in out)


def test_mboxrd_escaping_loses_one_level():
    mbox = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: s\n\n>>From quoted\n>From plain\nFrom x\n"
    (item,) = parse_mbox(io.BytesIO(mbox), "rd.mbox")
    assert item.text == ">From quoted\nFrom plain\nFrom x"


def test_a_plain_message_read_as_mbox_is_one_message():
    data = (FIXTURES / "mikel_mail/plain_emails/raw_email_simple.eml").read_bytes()
    (item,) = parse_mbox(io.BytesIO(data), "not-really.mbox")
    assert item.title == "Testing outlook"
    assert item.origin == "not-really.mbox, message 1 at byte 0"


def test_mbox_is_read_lazily_one_message_at_a_time():
    def lines():
        yield from [b"From a@b Mon Jan  1 00:00:00 2024\n", b"Subject: first\n", b"\n", b"body\n", b"\n"]
        yield b"From a@b Mon Jan  1 00:00:01 2024\n"
        raise AssertionError("read past the second From_ line before the first message was used")

    assert next(parse_mbox(lines(), "lazy.mbox")).title == "first"


# --- what cannot be parsed -------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02 binary junk\n\xff\xfe", b"\n\nno headers at all\n"])
def test_non_messages_become_bad_records(data):
    (bad,) = parse_eml(data, "junk.eml")
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position) == ("junk.eml", "message 1 at byte 0")


@settings(max_examples=150, deadline=None)
@given(
    headers=st.lists(
        st.tuples(
            st.sampled_from(
                ["From", "To", "Cc", "Date", "Subject", "Message-ID", "References", "Content-Type"]
            ),
            st.binary(max_size=60),
        ),
        max_size=6,
    ),
    body=st.binary(max_size=200),
)
def test_nothing_escapes_the_parser(headers, body):
    data = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body
    for out in (list(parse_eml(data, "fuzz.eml")), list(parse_mbox(io.BytesIO(data), "fuzz.mbox"))):
        assert all(isinstance(o, (Item, BadRecord)) for o in out)


# --- HTML to text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<style>p{color:red}</style><script>alert(1)</script>Hi", "Hi"),
        ("<head><title>T</title></head><body>Body</body>", "Body"),
        ("Caf&eacute; &amp; &#8364;5&nbsp;off", "Café & €5 off"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<div>  lots   of\n\n  space </div>", "lots of space"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ("<p>unclosed <b>bold", "unclosed bold"),
    ],
)
def test_html_to_text(markup, text):
    assert html_to_text(markup) == text
