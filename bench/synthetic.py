"""Synthetic, fictional inputs for the ingest benchmark: an mbox, a macOS `chat.db` and an OFX 2.x file.

Everything is made up (example.* domains, 555-01xx numbers) and seeded, so two runs with the same item
count write the same bytes. The shapes follow /work/shared/fixtures/FORMATS.md: Gmail Takeout mbox
headers, the real Messages schema (chat_db_schema.sql), OFX 2.x XML with three accounts. The format
pieces (encoded-words, MIME parts, typedstreams, the chat.db schema) live in homebody.demo.life,
where the whole-life persona uses them too.
"""

from __future__ import annotations

import base64
import html
import random
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from homebody.demo.life import chatdb
from homebody.demo.life.mailfmt import encoded_word, from_line, html_part, mailbox, text_part, wrap

FIRST = (
    "Maya", "Sam", "Priya", "Jonas", "Zoë", "José", "Björn", "Ana María", "Łukasz", "Søren", "Renée",
    "François", "Çağla", "Nguyễn", "Aiko", "Kwame", "Olivia", "Mateo", "Chen", "Fatima", "Liam", "Ines",
    "Noah", "Amara", "Yusuf", "Hannah", "Tomás", "Elif", "Ravi", "Grace", "Dmitri", "Leila", "Oskar",
)  # fmt: skip
LAST = (
    "Okafor", "Lindqvist", "Müller", "García", "Nowak", "Haddad", "Tanaka", "Brennan", "Dubois", "Rossi",
    "Andersen", "Kowalski", "Mensah", "Yılmaz", "Silva", "O'Connor", "Schäfer", "Patel", "Nakamura",
    "Fernández", "Ivanova", "Walsh", "Costa", "Jensen", "Moreau", "Achebe", "Novák", "Petrov",
)  # fmt: skip
DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "post.example.co.uk")
ORGS = (
    ("Allotment Society", "news@allotments.example.org"),
    ("Northwind Bank", "alerts@northwind-bank.example"),
    ("Rail Tickets", "noreply@rail.example.com"),
    ("Library of Springfield", "loans@library.example.org"),
    ("Café Ümlaut", "hello@cafe-umlaut.example"),
    ("Dental Practice", "reception@dentist.example.net"),
)
TOPICS = (
    "the allotment rota", "Saturday's dinner", "the dentist appointment", "our trip to Lisbon",
    "the quarterly report", "Grandma's birthday", "the bike repair", "school pick-up", "the boiler",
    "rent for March", "the book club", "the hiking weekend", "the café meeting", "tax documents",
    "the garden shed", "Zoë's recital", "the flat viewing", "the choir concert", "the car insurance",
)  # fmt: skip
SENTENCES = (
    "I had a look at the numbers this morning and they seem fine to me.",
    "Could you send me the address again? I can't find the old message.",
    "The courgettes are doing well, but the tomatoes need more sun.",
    "Let's meet at the café on 5th at half past six, if that works for you.",
    "I've attached the notes from last time so we don't repeat ourselves.",
    "Thanks again for dinner on Saturday, the curry was wonderful.",
    "We still need someone to water the plants while we're in Lisbon.",
    "The train leaves at 08:14 from platform 3, so we should be there by eight.",
    "Can we move the call to Thursday? Something came up at work.",
    "I paid the deposit, so we're all set for the cabin in October.",
    "My sister says the new bakery near the station is worth a try.",
    "Please bring a warm jacket, it gets cold up there after sunset.",
    "The invoice should arrive by Friday; let me know if it doesn't.",
    "Renée suggested we try the naïve approach first and see what breaks.",
    "The price went up to €45 per person, which is still reasonable.",
    "Don't forget the school trip form needs signing by Wednesday.",
    "I found the receipt for the boiler service in the blue folder.",
    "We could take the ferry instead; it's slower but much prettier.",
    "The plumber will come between nine and noon on Tuesday.",
    "Everyone agreed on the 14th, so I've booked the big table.",
    "He said “no rush”, but I'd rather finish it this week.",
    "Björn is bringing his famous smörgåstårta, so nobody else needs to cook.",
    "I think the library closes early on Sundays, so let's go Saturday.",
    "The photos from the hike are in the shared album now 🏔️.",
    "Could you check whether the insurance covers the windscreen too?",
    "The kids loved the museum, especially the dinosaur hall.",
    "My flight lands at 21:40, so I'll get a taxi from the airport.",
    "We're out of coffee again; I'll pick some up on the way home.",
    "The meeting notes are below, with the action items at the end.",
    "Ana María will take the first shift and Łukasz the second.",
    "If it rains we'll move everything into the community hall.",
    "I'm not sure the budget stretches to a new sofa this year.",
)  # fmt: skip
CHAT_LINES = (
    "on my way", "running 10 min late sorry", "ok 👍", "see you at 7?", "can you grab milk",
    "haha yes", "where are you parked", "Landed! 🛬", "did you see the game last night",
    "call me when you're free", "the dentist moved to Thursday", "love that 😍", "happy birthday!! 🎂",
    "is the café on 5th open on Sundays?", "Zoë says hi", "I'll bring the wine 🍷", "sounds good",
    "train's delayed again", "what time is pickup", "👨‍👩‍👧‍👦 family dinner Sunday?", "thanks so much",
    "can't make it tonight, next week?", "got the tickets", "need anything from the shop?",
    "Björn's coming too", "just left", "that's hilarious", "remind me the address?", "yes!", "no worries",
)  # fmt: skip
PAYEES = (
    ("GROCER MARKET #1182", -8, -140), ("CAFE UMLAUT", -3, -18), ("RAIL TICKETS ONLINE", -12, -95),
    ("NORTHWIND ENERGY", -40, -180), ("CITY WATER", -20, -60), ("BOOKSHOP ON HIGH ST", -6, -45),
    ("PHARMACY 24", -4, -60), ("PETROL STATION 51", -25, -90), ("Café Müller", -3, -25),
    ("STREAMING SVC", -9, -16), ("DENTAL PRACTICE", -45, -220), ("HARDWARE & GARDEN", -5, -130),
    ("PAYROLL ACME LTD", 1800, 3200), ("TRANSFER FROM SAVINGS", 50, 900), ("INTEREST", 1, 12),
    ("REFUND ONLINE STORE", 5, 80), ("ATM WITHDRAWAL", -20, -200), ("RESTAURANT LA PLAZA", -18, -110),
)  # fmt: skip
ZONES = (-8, -5, 0, 0, 1, 1, 2, 5.5, 9)


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    people = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = f"{first}.{last}".lower().encode("ascii", "ignore").decode().replace(" ", "").replace("'", "")
        people.append((f"{first} {last}", f"{local or 'someone'}{n}@{rng.choice(DOMAINS)}"))
    return people


def _paragraphs(rng: random.Random) -> list[str]:
    return [" ".join(rng.sample(SENTENCES, rng.randint(2, 5))) for _ in range(rng.randint(2, 6))]


def write_mbox(path: Path, count: int, seed: int = 1) -> None:
    """An mbox in Gmail Takeout's shape: plain, multipart/alternative, HTML-only, attachments, replies."""
    rng = random.Random(seed)
    people = _people(rng, 600)
    me = ("Maya Okafor", "maya@example.org")
    when = datetime(2016, 3, 1, 8, tzinfo=UTC)
    sent: list[tuple[str, str, str, str, str]] = []  # message id, thread id, subject, first paragraph, from
    with path.open("wb") as out:
        for n in range(count):
            when += timedelta(seconds=rng.randint(60, 5400))
            offset = rng.choice(ZONES)
            local = when.astimezone(timezone(timedelta(hours=offset)))
            paragraphs = _paragraphs(rng)
            kind = rng.random()
            newsletter = kind > 0.95
            if newsletter:
                sender = rng.choice(ORGS)
                subject = f"Your {local:%B} update from {sender[0]}"
            else:
                sender = me if rng.random() < 0.25 else rng.choice(people)
                subject = rng.choice(
                    ("About ", "Re: ", "Quick question about ", "Plans for ", "")
                ) + rng.choice(TOPICS)
            recipients = [me if sender != me else rng.choice(people)]
            recipients += rng.sample(people, rng.choice((0, 0, 0, 1, 2, 4)))
            cc = rng.sample(people, rng.choice((0, 0, 0, 1, 2)))
            msg_id = f"<{n:x}.{rng.getrandbits(64):016x}@mail.example.com>"
            thread = f"{1500000000000000000 + n * 7919}"
            headers = [f"X-GM-THRID: {thread}"]
            extra = []
            if sent and not newsletter and rng.random() < 0.3:
                parent_id, thread, parent_subject, parent_text, parent_from = rng.choice(sent[-400:])
                headers = [f"X-GM-THRID: {thread}"]
                subject = "Re: " + parent_subject.removeprefix("Re: ")
                extra = [f"In-Reply-To: {parent_id}", f"References: {parent_id}"]
                paragraphs.append(f"On {format_datetime(local)}, {parent_from} wrote:")
                paragraphs.append("\n".join("> " + line for line in wrap(parent_text, 70).split("\n")))
            sent.append((msg_id, thread, subject, paragraphs[0], sender[0]))
            if len(sent) > 2000:
                del sent[:1000]
            labels = rng.choice(
                ("Inbox,Opened", "Inbox,Category Personal", "Sent", "Archived,Opened", "Family")
            )
            headers += [
                f"X-Gmail-Labels: {labels}",
                f"Delivered-To: {me[1]}",
                f"Received: by 2002:a05:6f02:{n % 9999:x} with SMTP id {rng.getrandbits(40):x};\n"
                f"        {format_datetime(local)}",
                "MIME-Version: 1.0",
                f"Date: {format_datetime(local)}",
                f"Message-ID: {msg_id}",
                *extra,
                f"Subject: {encoded_word(subject)}",
                f"From: {mailbox(*sender)}",
                "To: " + ",\n\t".join(mailbox(*p) for p in recipients),
            ]
            if cc:
                headers.append("Cc: " + ", ".join(mailbox(*p) for p in cc))
            text = "\n\n".join(p if p.startswith(">") else wrap(p) for p in paragraphs)
            if newsletter:
                body = html_part(paragraphs, newsletter=True)
            elif kind < 0.62:
                body = text_part(text)
            else:
                boundary = f"000000000000{rng.getrandbits(48):012x}"
                alternative = (
                    f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'.encode()
                    + f"--{boundary}\n".encode()
                    + text_part(text)
                    + f"--{boundary}\n".encode()
                    + html_part(paragraphs, newsletter=False)
                    + f"--{boundary}--\n".encode()
                )
                if kind < 0.92:
                    body = alternative
                else:
                    mixed = f"000000000000{rng.getrandbits(48):012x}"
                    data = base64.encodebytes(rng.randbytes(rng.randint(2000, 24000)))
                    body = (
                        f'Content-Type: multipart/mixed; boundary="{mixed}"\n\n--{mixed}\n'.encode()
                        + alternative
                        + f"--{mixed}\n".encode()
                        + b'Content-Type: application/pdf; name="notes.pdf"\n'
                        + b'Content-Disposition: attachment; filename="notes.pdf"\n'
                        + b"Content-Transfer-Encoding: base64\n\n"
                        + data
                        + f"--{mixed}--\n".encode()
                    )
            out.write(from_line(thread, when))
            out.write("\n".join(headers).encode() + b"\n")
            out.write(body + b"\n")


def write_chat_db(path: Path, count: int, seed: int = 2, chats: int = 300, handles: int = 400) -> None:
    """A Messages `chat.db` with the real schema: 1:1 and group chats, text and attributedBody-only rows,
    tapbacks, inline replies and attachments."""
    rng = random.Random(seed)
    conn = chatdb.create(path)
    handle_rows = []
    for n in range(1, handles + 1):
        if n % 7 == 0:
            ident, service = f"friend{n}@example.com", "iMessage"
        else:
            ident, service = f"+1555010{n:04d}", rng.choice(("iMessage", "iMessage", "SMS", "RCS"))
        handle_rows.append((n, ident, "us", service, ident, None))
    conn.executemany("INSERT INTO handle VALUES (?, ?, ?, ?, ?, ?)", handle_rows)
    members: dict[int, list[int]] = {}
    chat_rows = []
    for n in range(1, chats + 1):
        group = n % 6 == 0
        if group:
            members[n] = rng.sample(range(1, handles + 1), rng.randint(3, 8))
            guid = f"iMessage;+;chat{rng.getrandbits(60)}"
            ident, service = guid.split(";")[-1], "iMessage"
            name = rng.choice((None, "", "Allotment crew", "Family 👨‍👩‍👧", "Book club", "Ski trip 2025"))
        else:
            h = handle_rows[(n - 1) % handles]
            members[n] = [h[0]]
            guid, ident, service, name = f"{h[3]};-;{h[1]}", h[1], h[3], None
        chat_rows.append((n, guid, 43 if group else 45, ident, service, name))
    conn.executemany(
        "INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        chat_rows,
    )
    conn.executemany(
        "INSERT INTO chat_handle_join VALUES (?, ?)", [(c, h) for c, hs in members.items() for h in hs]
    )
    weights = [1 / (1 + (n % 40)) for n in range(1, chats + 1)]  # a few busy chats, a long tail
    when = datetime(2019, 1, 1, tzinfo=UTC)
    messages, joins, attachments, attachment_joins = [], [], [], []
    recent: list[tuple[str, str]] = []
    for n in range(1, count + 1):
        when += timedelta(seconds=rng.randint(5, 1800))
        date = chatdb.apple_ns(when)
        chat = rng.choices(range(1, chats + 1), weights)[0]
        from_me = rng.random() < 0.4
        group = len(members[chat]) > 1 or chat % 6 == 0
        handle = 0 if from_me and group else rng.choice(members[chat])
        guid = f"{rng.getrandbits(32):08X}-0000-4000-8000-{n:012X}"
        text: str | None = rng.choice(CHAT_LINES)
        if rng.random() < 0.3:
            text = f"{text} {rng.choice(SENTENCES)}"
        assoc_guid, assoc_type, originator = None, 0, None
        roll = rng.random()
        if recent and roll < 0.05:  # tapback on a recent message
            target, target_text = rng.choice(recent)
            assoc_type = rng.choice((2000, 2001, 2003))
            verb = {2000: "Loved", 2001: "Liked", 2003: "Laughed at"}[assoc_type]
            text, assoc_guid = f"{verb} “{target_text}”", f"p:0/{target}"
        elif recent and roll < 0.08:  # inline reply
            originator = rng.choice(recent)[0]
        elif roll < 0.10:  # a photo
            text = "\ufffc"
            attachments.append(
                (
                    len(attachments) + 1,
                    f"AT{n:010d}-0000",
                    f"~/Library/Messages/Attachments/{n % 256:02x}/{n % 16:02x}/AT{n}/IMG_{n:04d}.heic",
                    "public.heic",
                    "image/heic",
                    f"IMG_{n:04d}.heic",
                    rng.randint(200_000, 3_000_000),
                    f"AT{n:010d}-0000",
                )
            )
            attachment_joins.append((n, len(attachments)))
        body = chatdb.attributed_body(text) if text else None
        if text and assoc_type == 0 and rng.random() < 0.35:
            text = None  # macOS 13+: the text only in attributedBody
        has_attachment = 1 if attachment_joins and attachment_joins[-1][0] == n else 0
        messages.append(
            (
                n, guid, text, handle, body, 1 if from_me else 0, chat_rows[chat - 1][4], date,
                date + 60_000_000_000 if not from_me else 0, assoc_guid, assoc_type, originator,
                "0:0:12" if originator else None, has_attachment,
            )
        )  # fmt: skip
        joins.append((chat, n, date))
        if assoc_type == 0 and text and text != "\ufffc":
            recent.append((guid, text[:40]))
            if len(recent) > 200:
                del recent[:100]
    conn.executemany(
        """INSERT INTO message (ROWID, guid, text, handle_id, attributedBody, is_from_me, service, date,
           date_read, associated_message_guid, associated_message_type, thread_originator_guid,
           thread_originator_part, cache_has_attachments, is_delivered, is_finished, is_sent, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 1, 10)""",
        messages,
    )
    conn.executemany("INSERT INTO chat_message_join VALUES (?, ?, ?)", joins)
    conn.executemany(
        """INSERT INTO attachment (ROWID, guid, filename, uti, mime_type, transfer_name, total_bytes,
           original_guid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        attachments,
    )
    conn.executemany("INSERT INTO message_attachment_join VALUES (?, ?)", attachment_joins)
    chatdb.finish(conn)  # as the live file: WAL mode, checkpointed on close, no -wal left


def _ofx_time(ts: datetime) -> str:
    return ts.strftime("%Y%m%d%H%M%S") + ".000[-5:EST]"


def write_ofx(path: Path, count: int, seed: int = 3) -> None:
    """An OFX 2.2 XML statement download: checking and savings (BANKMSGSRSV1) and a credit card."""
    rng = random.Random(seed)
    est = timezone(timedelta(hours=-5))
    accounts = (
        ("CHECKING", "000123456789", 0.55),
        ("SAVINGS", "000987654321", 0.1),
        ("CC", "4000123412341234", 0.35),
    )
    start = datetime(2015, 1, 1, 12, tzinfo=est)
    end = datetime(2025, 6, 30, 12, tzinfo=est)
    sections = {}
    left = count
    for number, (kind, acct, share) in enumerate(accounts):
        n = left if number == len(accounts) - 1 else int(count * share)
        left -= n
        span = (end - start).total_seconds() / max(n, 1)
        lines = []
        balance = 0.0
        for i in range(n):
            posted = start + timedelta(seconds=int(i * span))
            name, low, high = rng.choice(PAYEES)
            amount = round(rng.uniform(min(low, high), max(low, high)), 2)
            if kind == "CC":
                amount = -abs(amount) if rng.random() < 0.93 else abs(amount)
            balance += amount
            trntype = "CREDIT" if amount > 0 else rng.choice(("DEBIT", "POS", "PAYMENT"))
            memo = f"<MEMO>{html.escape(rng.choice(TOPICS))}</MEMO>" if rng.random() < 0.3 else ""
            check = f"<CHECKNUM>{1000 + i}</CHECKNUM>" if kind == "CHECKING" and rng.random() < 0.02 else ""
            lines.append(
                f"<STMTTRN><TRNTYPE>{trntype}</TRNTYPE><DTPOSTED>{_ofx_time(posted)}</DTPOSTED>"
                f"<TRNAMT>{amount:.2f}</TRNAMT><FITID>{acct[-4:]}{posted:%Y%m%d}{i:07d}</FITID>{check}"
                f"<NAME>{html.escape(name)}</NAME>{memo}</STMTTRN>\n"
            )
        sections[kind] = (acct, "".join(lines), balance)
    dt_start, dt_end = _ofx_time(start), _ofx_time(end)
    status = "<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"

    def bank(kind: str) -> str:
        acct, lines, balance = sections[kind]
        return (
            f"<STMTTRNRS><TRNUID>{kind}1</TRNUID>{status}<STMTRS><CURDEF>USD</CURDEF>"
            f"<BANKACCTFROM><BANKID>121000248</BANKID><ACCTID>{acct}</ACCTID><ACCTTYPE>{kind}</ACCTTYPE>"
            f"</BANKACCTFROM><BANKTRANLIST><DTSTART>{dt_start}</DTSTART><DTEND>{dt_end}</DTEND>\n{lines}"
            f"</BANKTRANLIST><LEDGERBAL><BALAMT>{balance:.2f}</BALAMT><DTASOF>{dt_end}</DTASOF></LEDGERBAL>"
            "</STMTRS></STMTTRNRS>\n"
        )

    acct, cc_lines, cc_balance = sections["CC"]
    text = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
        f"<OFX><SIGNONMSGSRSV1><SONRS>{status}<DTSERVER>{dt_end}</DTSERVER><LANGUAGE>ENG</LANGUAGE>"
        "<FI><ORG>Northwind Bank</ORG><FID>10898</FID></FI></SONRS></SIGNONMSGSRSV1>\n"
        f"<BANKMSGSRSV1>\n{bank('CHECKING')}{bank('SAVINGS')}</BANKMSGSRSV1>\n"
        f"<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>CC1</TRNUID>{status}<CCSTMTRS><CURDEF>USD</CURDEF>"
        f"<CCACCTFROM><ACCTID>{acct}</ACCTID></CCACCTFROM><BANKTRANLIST><DTSTART>{dt_start}</DTSTART>"
        f"<DTEND>{dt_end}</DTEND>\n{cc_lines}</BANKTRANLIST><LEDGERBAL><BALAMT>{cc_balance:.2f}</BALAMT>"
        f"<DTASOF>{dt_end}</DTASOF></LEDGERBAL></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>\n</OFX>\n"
    )
    path.write_text(text, encoding="utf-8")
