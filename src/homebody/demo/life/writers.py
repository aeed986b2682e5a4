"""Write the persona's mail, chats, calendar, contacts, notes and news feed in their real formats.

Each writer follows the layout FORMATS.md describes and the connectors read: Gmail Takeout mbox
(mboxo `>From ` escaping), Android and iOS WhatsApp exports, a Google Calendar export (CRLF, folded
at 75 octets, TZID=Europe/London), vCard 3.0 and 4.0, Markdown notes with front matter, RSS 2.0.
A writer sets each record's gold locator to what the connector will key the item by.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from homebody.demo.life.mailfmt import encoded_word, from_line, html_part, mailbox, text_part
from homebody.demo.life.model import LONDON, Article, Card, Event, Line, Mail, Note

_STAMP = "20261121T090000Z"  # DTSTAMP of the export: the morning of "today"


def digest(*parts: object) -> str:
    """A stable hex digest of some values: ids that do not depend on the run or the seed's order."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


# --- mbox --------------------------------------------------------------------------------------


def _mail_bytes(mail: Mail) -> bytes:
    thread = mail.reply_to if mail.reply_to is not None else mail
    while thread.reply_to is not None:
        thread = thread.reply_to
    thrid = str(1800000000000000000 + int(digest(thread.loc), 16) % 10**17)
    headers = [
        f"X-GM-THRID: {thrid}",
        f"X-Gmail-Labels: {mail.labels}",
        "Delivered-To: maya@example.com",
        f"Received: by 2002:a05:7300:{int(digest(mail.loc), 16) % 0xFFFF:x} with SMTP id "
        f"{digest(mail.loc, 'smtp')[:14]}csp;\n        {format_datetime(mail.when)}",
        "MIME-Version: 1.0",
        f"Date: {format_datetime(mail.when)}",
        f"Message-ID: {mail.loc}",
    ]
    if mail.reply_to is not None:
        headers += [f"In-Reply-To: {mail.reply_to.loc}", f"References: {mail.reply_to.loc}"]
    headers += [
        f"Subject: {encoded_word(mail.subject)}",
        f"From: {mailbox(*mail.sender)}",
        "To: " + ", ".join(mailbox(*p) for p in mail.to),
    ]
    if mail.cc:
        headers.append("Cc: " + ", ".join(mailbox(*p) for p in mail.cc))
    # mboxo (FORMATS.md §1): a body line starting "From " is written ">From ".
    body = "\n".join(">" + line if line.startswith("From ") else line for line in mail.body.split("\n"))
    if mail.html:
        part = html_part([p.replace("\n", " ") for p in body.split("\n\n")], newsletter=True)
    else:
        part = text_part(body)
    return from_line(thrid, mail.when.astimezone(UTC)) + "\n".join(headers).encode() + b"\n" + part + b"\n"


def write_mbox(path: Path, prefix: bytes, mails: Sequence[Mail]) -> None:
    """The demo's mbox bytes unchanged, then the generated messages, oldest first."""
    taken = set()
    for mail in mails:
        if not mail.loc:
            sender = mail.sender[1]
            domain = "mail.example.com" if sender == "maya@example.com" else sender.rsplit("@", 1)[-1]
            mail.loc = message_id(mail, domain)
            while mail.loc in taken:  # the same sender, subject and minute twice: a new id
                mail.loc = mail.loc.replace("@", ".1@", 1)
        taken.add(mail.loc)
    out = bytearray(prefix)
    if out and not out.endswith(b"\n\n"):
        out += b"\n" if out.endswith(b"\n") else b"\n\n"
    for mail in sorted(mails, key=lambda m: (m.when, m.loc)):
        out += _mail_bytes(mail)
    path.write_bytes(bytes(out))


def message_id(mail: Mail, domain: str) -> str:
    """A Message-ID for a generated mail, from what it is (so re-runs and seeds keep it)."""
    return f"<{digest(mail.when.isoformat(), mail.sender, mail.subject)[:20]}@{domain}>"


# --- WhatsApp ----------------------------------------------------------------------------------


def write_android_chat(path: Path, lines: Iterable[Line]) -> None:
    """An Android en-GB export: `DD/MM/YYYY, HH:MM - Author: text`, LF, no final newline."""
    rows = []
    for line in lines:
        stamp = line.when.strftime("%d/%m/%Y, %H:%M")
        rows.append(f"{stamp} - {line.author}: {line.text}" if line.author else f"{stamp} - {line.text}")
        line.loc = line.text[:40]
    path.write_text("\n".join(rows), encoding="utf-8")


def write_ios_chat(path: Path, chat_name: str, lines: Iterable[Line]) -> None:
    """An iOS export zip holding `_chat.txt`: `[DD/MM/YYYY, HH:MM:SS] Author: text`, CRLF, LRM marks."""
    rows = []
    for line in lines:
        stamp = line.when.strftime("[%d/%m/%Y, %H:%M:%S]")
        if line.author is None:  # iOS attributes system lines to the chat, marked with U+200E
            rows.append(f"\u200e{stamp} {chat_name}: \u200e{line.text}")
        else:
            rows.append(f"{stamp} {line.author}: {line.text}")
            line.loc = line.text[:40]
    info = zipfile.ZipInfo("_chat.txt", date_time=(2026, 11, 21, 9, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, ("\r\n".join(rows) + "\r\n").encode("utf-8"))


# --- iCalendar ---------------------------------------------------------------------------------


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets continue on the next line after one space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74
    return "\r\n ".join(parts)


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        return f"{name};TZID=Europe/London:{value.astimezone(LONDON):%Y%m%dT%H%M%S}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def event_uid(summary: str, start: datetime | date) -> str:
    """A Google-style event UID: 26 base-32 characters @google.com."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    number = int(digest(summary, start.isoformat()), 16)
    chars = []
    for _ in range(26):
        number, rest = divmod(number, 32)
        chars.append(alphabet[rest])
    return "".join(chars) + "@google.com"


def occurrence_key(start: datetime) -> str:
    """The connector's id suffix for one occurrence of a recurring event: its start in UTC."""
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _vevent(event: Event) -> list[str]:
    lines = ["BEGIN:VEVENT", _ics_time("DTSTART", event.start)]
    if event.end is not None:
        lines.append(_ics_time("DTEND", event.end))
    if event.rrule:
        lines.append(f"RRULE:{event.rrule}")
    lines += [_ics_time("EXDATE", x) for x in event.exdates]
    created = (event.created or datetime(2026, 5, 1, tzinfo=UTC)).astimezone(UTC)
    lines += [f"DTSTAMP:{_STAMP}", f"UID:{event.uid}"]
    if event.recurrence_id is not None:
        lines.append(_ics_time("RECURRENCE-ID", event.recurrence_id))
    lines += [
        f"CREATED:{created:%Y%m%dT%H%M%SZ}",
        f"DESCRIPTION:{_ics_text(event.description)}",
        f"LAST-MODIFIED:{created:%Y%m%dT%H%M%SZ}",
        f"LOCATION:{_ics_text(event.location)}",
        "SEQUENCE:0",
        f"STATUS:{event.status}",
        f"SUMMARY:{_ics_text(event.summary)}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def write_calendar(path: Path, prefix: str, events: Sequence[Event]) -> None:
    """The demo's calendar with the generated VEVENTs added before END:VCALENDAR (CRLF, folded)."""
    head = prefix.rstrip("\r\n").removesuffix("END:VCALENDAR")
    body = []
    for event in events:
        if not event.loc:
            event.loc = event.uid
        body += [_fold(line) for line in _vevent(event)]
    path.write_bytes((head + "\r\n".join(body) + "\r\nEND:VCALENDAR\r\n").encode("utf-8"))


# --- vCard -------------------------------------------------------------------------------------


def _vcard_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _card_lines(card: Card) -> list[str]:
    four = card.version == "4.0"
    lines = ["BEGIN:VCARD", f"VERSION:{card.version}"]
    if not four:
        lines.append("PRODID:-//Apple Inc.//iPhone OS 18.1//EN")
    lines += [f"N:{_vcard_text(card.family)};{_vcard_text(card.given)};;;", f"FN:{_vcard_text(card.fn)}"]
    if card.org:
        lines.append(f"ORG:{_vcard_text(card.org)};")
    if card.title:
        lines.append(f"TITLE:{_vcard_text(card.title)}")
    for n, address in enumerate(card.emails):
        pref = ("PREF=1" if four else "type=pref") if n == 0 else ""
        kind = "TYPE=home" if four else "type=INTERNET;type=HOME"
        lines.append(f"EMAIL;{kind}{';' + pref if pref else ''}:{address}")
    for phone in card.phones:
        if four:
            lines.append(f"TEL;VALUE=uri;TYPE=cell:tel:{phone.replace(' ', '')}")
        else:
            lines.append(f"TEL;type=CELL;type=VOICE;type=pref:{phone}")
    if card.address:
        street, _, city = card.address.rpartition(", ")
        lines.append(f"ADR;type=HOME:;;{_vcard_text(street)};{_vcard_text(city)};;;United Kingdom")
    if card.birthday:
        lines.append(f"BDAY:{card.birthday}")
    if card.note:
        lines.append(f"NOTE:{_vcard_text(card.note)}")
    if card.company:
        lines.append("X-ABShowAs:COMPANY")
    lines += [f"UID:{'urn:uuid:' if four else ''}{card.uid}", "END:VCARD"]
    return lines


def write_vcards(path: Path, cards: Sequence[Card]) -> None:
    """An Apple Contacts export: vCard 3.0 (a few 4.0 cards), CRLF, folded."""
    out = []
    for card in cards:
        card.loc = card.uid
        out += [_fold(line) for line in _card_lines(card)]
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("utf-8"))


def card_uid(name: str) -> str:
    """An Apple-style contact UID (upper-case UUID layout)."""
    h = digest("card", name).upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


# --- notes and news ----------------------------------------------------------------------------


def write_notes(folder: Path, notes: Sequence[Note]) -> None:
    """One file per note below `folder`; a note without a written date gets its fixed mtime."""
    for note in notes:
        path = folder / note.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(note.text, encoding="utf-8")
        note.loc = note.path
        if note.mtime is not None:
            stamp = note.mtime.timestamp()
            os.utime(path, (stamp, stamp))


def write_rss(path: Path, articles: Sequence[Article]) -> None:
    """An RSS 2.0 feed file: newest item first, descriptions as escaped HTML."""
    items = []
    for article in sorted(articles, key=lambda a: a.when, reverse=True):
        article.loc = article.guid
        link = f"https://bulletin.example.org/{article.guid.rsplit('/', 1)[-1]}"
        html = "".join(f"<p>{escape(p)}</p>" for p in article.body.split("\n\n"))
        items.append(
            "    <item>\n"
            f"      <title>{escape(article.title)}</title>\n"
            f"      <link>{link}</link>\n"
            f'      <guid isPermaLink="false">{escape(article.guid)}</guid>\n'
            f"      <pubDate>{format_datetime(article.when.astimezone(UTC), usegmt=True)}</pubDate>\n"
            f"      <description>{escape(html)}</description>\n"
            "    </item>\n"
        )
    built = format_datetime(datetime(2026, 11, 21, 7, 0, tzinfo=UTC), usegmt=True)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>Clapton Bulletin</title>\n    <link>https://bulletin.example.org/</link>\n"
        "    <description>News from Clapton, Hackney and the Lea Valley</description>\n"
        f"    <language>en-gb</language>\n    <lastBuildDate>{built}</lastBuildDate>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n",
        encoding="utf-8",
    )
