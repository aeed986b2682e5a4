"""The whole-life persona in memory: one record type per channel, the questions, and the files.

Facts and noise are built as records first and written to files last, so a question's gold points
at a record and its locator is whatever the file format makes of it (a Message-ID, a message guid,
a CSV row number): gold cannot drift from the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
#: The persona's "today", as in the demo (run.DEMO_NOW).
TODAY = datetime(2026, 11, 21, 12, 0, tzinfo=ZoneInfo("UTC"))
#: Six months back from "today": the span the generated life covers.
START = date(2026, 5, 21)
END = date(2026, 11, 21)

# Files of the generated life, relative to the output folder, and the source kind that reads each.
MBOX = "Takeout/Mail/All mail Including Spam and Trash.mbox"
CALENDAR = "Takeout/Calendar/maya@example.com.ics"
WA_SAM = "WhatsApp/WhatsApp Chat with Sam Okafor.txt"
WA_FAMILY = "WhatsApp/WhatsApp Chat with Family.txt"
WA_CHLOE = "WhatsApp/WhatsApp Chat with Chloe Marsh.txt"
WA_READERS = "WhatsApp/WhatsApp Chat - Marlow Street Readers.zip"
CHAT_DB = "Messages/chat.db"
CONTACTS = "Contacts/contacts.vcf"
OFX = "Bank/thistle-bank-2026-11-21.ofx"
SAVINGS = "Bank/fenwick-savings-statement.csv"
VENMO = "Bank/venmo_statement.csv"
NOTES = "Notes"
FEED = "Feeds/clapton-bulletin.xml"

KIND_OF = {
    MBOX: "mbox",
    CALENDAR: "ics",
    WA_SAM: "whatsapp",
    WA_FAMILY: "whatsapp",
    WA_CHLOE: "whatsapp",
    WA_READERS: "whatsapp",
    CHAT_DB: "imessage",
    CONTACTS: "vcard",
    OFX: "ofx",
    SAVINGS: "bank-csv",
    VENMO: "venmo",
    NOTES: "notes",
    FEED: "feed",
}


def at(day: date, clock: str = "12:00") -> datetime:
    """A London wall-clock time on a day, as an aware datetime."""
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=LONDON)


@dataclass
class Record:
    """Anything written to a file; `loc` is its gold locator, set when made or when written."""

    file: str
    loc: str = ""


@dataclass
class Mail(Record):
    """One email of the Takeout mbox."""

    when: datetime = field(default_factory=lambda: TODAY)
    sender: tuple[str, str] = ("", "")
    to: tuple[tuple[str, str], ...] = ()
    subject: str = ""
    body: str = ""
    cc: tuple[tuple[str, str], ...] = ()
    labels: str = "Inbox,Opened"
    reply_to: Mail | None = None
    html: bool = False


@dataclass
class Line(Record):
    """One WhatsApp message (author None: a system line); `when` is wall-clock London time."""

    when: datetime = field(default_factory=lambda: TODAY)
    author: str | None = None
    text: str = ""


@dataclass
class Event(Record):
    """One VEVENT: a whole-day event has a `date` start; `override` marks a RECURRENCE-ID instance."""

    uid: str = ""
    summary: str = ""
    start: datetime | date = START
    end: datetime | date | None = None
    location: str = ""
    description: str = ""
    rrule: str | None = None
    exdates: tuple[datetime, ...] = ()
    status: str = "CONFIRMED"
    recurrence_id: datetime | None = None
    created: datetime | None = None


@dataclass
class Text(Record):
    """One Messages row: `sender` None is the user; `body_only` keeps the words in attributedBody."""

    chat: str = ""
    when: datetime = field(default_factory=lambda: TODAY)
    sender: str | None = None
    text: str = ""
    body_only: bool = False
    guid: str = ""


@dataclass(frozen=True)
class Chat:
    """A Messages conversation: the other people's handles, a group name, the service."""

    key: str
    handles: tuple[str, ...]
    name: str | None = None
    service: str = "iMessage"


@dataclass
class Card(Record):
    """One vCard."""

    uid: str = ""
    fn: str = ""
    family: str = ""
    given: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    org: str = ""
    title: str = ""
    birthday: str = ""
    note: str = ""
    address: str = ""
    version: str = "3.0"
    company: bool = False


@dataclass
class Txn(Record):
    """One OFX STMTTRN on the current account ("checking") or the credit card ("card")."""

    account: str = "checking"
    day: date = START
    amount: Decimal = Decimal(0)
    name: str = ""
    memo: str = ""
    trntype: str = "POS"
    fitid: str = ""


@dataclass
class Saving(Record):
    """One row of the savings account's CSV export (paid in positive, paid out negative)."""

    day: date = START
    kind: str = ""
    description: str = ""
    amount: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)


@dataclass
class Venmo(Record):
    """One Venmo statement row; `amount` is signed from Maya's side, as the statement writes it."""

    id: str = ""
    when: datetime = field(default_factory=lambda: TODAY)
    type: str = "Payment"
    status: str = "Complete"
    note: str = ""
    sender: str = ""
    receiver: str = ""
    amount: Decimal = Decimal(0)
    funding: str = ""
    destination: str = ""


@dataclass
class Note(Record):
    """One note file: `path` below Notes/, `text` its whole content, `mtime` for a file with no date."""

    path: str = ""
    text: str = ""
    mtime: datetime | None = None


@dataclass
class Article(Record):
    """One RSS item of the local news feed."""

    guid: str = ""
    title: str = ""
    when: datetime = field(default_factory=lambda: TODAY)
    body: str = ""


@dataclass
class Question:
    """A labelled question: kind, gold records, facts the answer must hold, an expected number."""

    text: str
    kind: str
    gold: list[Record] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    expected: float | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The question as questions.json holds it (the demo persona's shape, plus a few keys)."""
        out: dict[str, Any] = {
            "question": self.text,
            "kind": self.kind,
            "gold": [{"file": g.file, "locator": g.loc} for g in self.gold],
            "facts": list(self.facts),
        }
        if self.expected is not None:
            out["expected"] = self.expected
        if self.note:
            out["note"] = self.note
        if self.tags:
            out["tags"] = list(self.tags)
        return out


@dataclass
class Life:
    """Every record of the persona's life, by channel, and the questions about it."""

    mails: list[Mail] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    chats: dict[str, Chat] = field(default_factory=dict)
    cards: list[Card] = field(default_factory=list)
    txns: list[Txn] = field(default_factory=list)
    savings: list[Saving] = field(default_factory=list)
    venmo: list[Venmo] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    def ask(
        self,
        text: str,
        kind: str,
        gold: Sequence[Record],
        facts: list[str] | None = None,
        *,
        expected: float | Decimal | None = None,
        note: str | None = None,
        tags: tuple[str, ...] = (),
    ) -> Question:
        """Add a labelled question."""
        number = float(expected) if expected is not None else None
        question = Question(text, kind, list(gold), list(facts or []), number, note, tags)
        self.questions.append(question)
        return question


def existing(file: str, locator: str) -> Record:
    """A record of the demo persona's own files (copied in unchanged), by its gold locator."""
    return Record(file, locator)
