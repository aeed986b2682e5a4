"""Write the persona's money and messages: an OFX 2.2 statement, a savings CSV, a Venmo statement,
and a Messages chat.db.

FORMATS.md §5: the OFX is XML with a sign-on, a current account (BANKMSGSRSV1) and a credit card
(CREDITCARDMSGSRSV1), noon timestamps marking posting dates; the savings export is a UK building
society's CSV (a preamble, `Paid out`/`Paid in` columns, `£` amounts, `DD Mon YYYY` dates) read by
the bank-csv connector's generic profile; the Venmo statement is the current layout. §2: chat.db
has the real schema, nanosecond dates and about a third of the rows with text only in attributedBody.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from homebody.demo.life import chatdb
from homebody.demo.life.model import TODAY, Chat, Saving, Text, Txn, Venmo
from homebody.demo.life.writers import digest

CURRENT_ACCOUNT = "20417799"
CARD_NUMBER = "4000001234564417"  # the demo's GigBox receipt: "Paid with Visa ending 4417"
_STATUS = "<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"


def _ofx_day(day: object) -> str:
    return f"{day:%Y%m%d}120000.000[0:GMT]"


def _transactions(txns: Sequence[Txn], prefix: str) -> str:
    rows = []
    for n, txn in enumerate(sorted(txns, key=lambda t: (t.day, t.name, t.amount)), start=1):
        txn.fitid = txn.fitid or f"{prefix}{txn.day:%Y%m%d}{n:05d}"
        txn.loc = txn.fitid
        memo = f"<MEMO>{escape(txn.memo)}</MEMO>" if txn.memo else ""
        rows.append(
            f"<STMTTRN><TRNTYPE>{txn.trntype}</TRNTYPE><DTPOSTED>{_ofx_day(txn.day)}</DTPOSTED>"
            f"<TRNAMT>{txn.amount:.2f}</TRNAMT><FITID>{txn.fitid}</FITID>"
            f"<NAME>{escape(txn.name[:32])}</NAME>{memo}</STMTTRN>\n"
        )
    return "".join(rows)


def write_ofx(path: Path, txns: Sequence[Txn], opening: Decimal) -> None:
    """An OFX 2.2 download from Thistle Bank: the current account and the credit card, in GBP."""
    current = [t for t in txns if t.account == "checking"]
    card = [t for t in txns if t.account == "card"]
    first = min(t.day for t in txns)
    last = TODAY.date()
    span = f"<DTSTART>{_ofx_day(first)}</DTSTART><DTEND>{_ofx_day(last)}</DTEND>\n"
    balance = opening + sum((t.amount for t in current), Decimal(0))
    owed = sum((t.amount for t in card), Decimal(0))
    server = _ofx_day(last)
    text = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
        f"<OFX><SIGNONMSGSRSV1><SONRS>{_STATUS}<DTSERVER>{server}</DTSERVER><LANGUAGE>ENG</LANGUAGE>"
        "<FI><ORG>Thistle Bank</ORG><FID>4471</FID></FI></SONRS></SIGNONMSGSRSV1>\n"
        f"<BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID>{_STATUS}<STMTRS><CURDEF>GBP</CURDEF>"
        f"<BANKACCTFROM><BANKID>830608</BANKID><ACCTID>{CURRENT_ACCOUNT}</ACCTID>"
        f"<ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM><BANKTRANLIST>{span}{_transactions(current, 'C')}"
        f"</BANKTRANLIST><LEDGERBAL><BALAMT>{balance:.2f}</BALAMT><DTASOF>{server}</DTASOF></LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n"
        f"<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>2</TRNUID>{_STATUS}<CCSTMTRS><CURDEF>GBP</CURDEF>"
        f"<CCACCTFROM><ACCTID>{CARD_NUMBER}</ACCTID></CCACCTFROM><BANKTRANLIST>{span}"
        f"{_transactions(card, 'V')}</BANKTRANLIST><LEDGERBAL><BALAMT>{owed:.2f}</BALAMT>"
        f"<DTASOF>{server}</DTASOF></LEDGERBAL></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>\n</OFX>\n"
    )
    path.write_text(text, encoding="utf-8")


def _pounds(value: Decimal) -> str:
    return f"£{value:,.2f}"


def write_savings(path: Path, rows: Sequence[Saving], opening: Decimal) -> None:
    """A building society's CSV export of the savings account, oldest first, with running balances."""
    balance = opening
    for row in rows:
        balance += row.amount
        row.balance = balance
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["Account Name:", "Fenwick Easy Saver ****5521"])
    writer.writerow(["Account Balance:", _pounds(balance)])
    writer.writerow(["Available Balance: ", _pounds(balance)])
    out.write("\r\n")
    writer.writerow(["Date", "Transaction type", "Description", "Paid out", "Paid in", "Balance"])
    for number, row in enumerate(rows, start=6):  # CSV record numbers, as the connector counts them
        row.loc = f"row {number}"
        paid_out = _pounds(-row.amount) if row.amount < 0 else ""
        paid_in = _pounds(row.amount) if row.amount > 0 else ""
        writer.writerow(
            [f"{row.day:%d %b %Y}", row.kind, row.description, paid_out, paid_in, _pounds(row.balance)]
        )
    path.write_bytes(out.getvalue().encode("utf-8"))


def _dollars(value: Decimal) -> str:
    return f"{'+' if value > 0 else '-'} ${abs(value):,.2f}"


def write_venmo(path: Path, rows: Sequence[Venmo], opening: Decimal) -> None:
    """A Venmo personal statement CSV in the current layout (FORMATS.md §5)."""
    header = [
        "ID", "Datetime", "Type", "Status", "Note", "From", "To", "Amount (total)", "Amount (tip)",
        "Amount (tax)", "Amount (fee)", "Tax Rate", "Tax Exempt", "Funding Source", "Destination",
        "Beginning Balance", "Ending Balance", "Statement Period Venmo Fees", "Terminal Location",
        "Year to Date Venmo Fees", "Disclaimer",
    ]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Account Statement - (@Maya-Lindqvist) "] + [""] * 21)
    writer.writerow(["Account Activity"] + [""] * 21)
    writer.writerow(["", *header])
    writer.writerow([""] * 16 + [f"${opening:,.2f}"] + [""] * 5)
    balance = opening
    for row in sorted(rows, key=lambda r: r.when):
        row.loc = row.id
        if row.status == "Complete" and row.funding in ("", "Venmo balance"):
            balance += row.amount
        cells = [
            "", row.id, row.when.strftime("%Y-%m-%dT%H:%M:%S"), row.type, row.status, row.note,
            row.sender, row.receiver, _dollars(row.amount), "", "0", "", "0", "", row.funding,
            row.destination, "", "", "", "Venmo", "", "",
        ]  # fmt: skip
        writer.writerow(cells)
    disclaimer = (
        "In case of errors or questions about your electronic transfers, contact us through the Venmo app."
    )
    writer.writerow([""] * 17 + [f"${balance:,.2f}", "$0.00", "", "$0.00", disclaimer])
    path.write_bytes(out.getvalue().encode("utf-8"))


def write_chat_db(path: Path, chats: dict[str, Chat], texts: Sequence[Text]) -> None:
    """A Messages chat.db: one handle per number and service, 1:1 and group chats, the messages."""
    conn = chatdb.create(path)
    handles: dict[tuple[str, str], int] = {}
    chat_ids: dict[str, int] = {}
    for number, chat in enumerate(chats.values(), start=1):
        for ident in chat.handles:
            if (ident, chat.service) not in handles:
                rowid = len(handles) + 1
                handles[(ident, chat.service)] = rowid
                conn.execute(
                    "INSERT INTO handle VALUES (?, ?, ?, ?, ?, ?)",
                    (rowid, ident, "gb", chat.service, ident, None),
                )
        group = len(chat.handles) > 1
        if group:
            ident = f"chat{int(digest(chat.key), 16) % 10**18}"
            guid = f"{chat.service};+;{ident}"
        else:
            ident = chat.handles[0]
            guid = f"{chat.service};-;{ident}"
        conn.execute(
            "INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (number, guid, 43 if group else 45, ident, chat.service, chat.name or ""),
        )
        conn.executemany(
            "INSERT INTO chat_handle_join VALUES (?, ?)",
            [(number, handles[(h, chat.service)]) for h in chat.handles],
        )
        chat_ids[chat.key] = number
    rows, joins = [], []
    for n, text in enumerate(sorted(texts, key=lambda t: t.when), start=1):
        chat = chats[text.chat]
        h = digest("imessage", text.chat, text.when.isoformat(), text.sender, text.text, n).upper()
        text.guid = text.guid or f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
        text.loc = text.guid
        mine = text.sender is None
        if mine:
            handle = 0 if len(chat.handles) > 1 else handles[(chat.handles[0], chat.service)]
        else:
            handle = handles[(text.sender or "", chat.service)]
        date = chatdb.apple_ns(text.when)
        read = date + int(timedelta(minutes=1).total_seconds()) * 1_000_000_000 if not mine else 0
        body = chatdb.attributed_body(text.text)
        rows.append(
            (
                n, text.guid, None if text.body_only else text.text, handle, body, 1 if mine else 0,
                chat.service, date, read, 0,
            )
        )  # fmt: skip
        joins.append((chat_ids[text.chat], n, date))
    conn.executemany(
        """INSERT INTO message (ROWID, guid, text, handle_id, attributedBody, is_from_me, service, date,
           date_read, cache_has_attachments, is_delivered, is_finished, is_sent, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 1, 10)""",
        rows,
    )
    conn.executemany("INSERT INTO chat_message_join VALUES (?, ?, ?)", joins)
    chatdb.finish(conn)
