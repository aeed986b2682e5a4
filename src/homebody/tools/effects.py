"""What an action can do to the world, and where each of its values came from.

This is the shared vocabulary of tools (which declare it), the agent loop (which fills in provenance) and
the guard (which judges an `Action` from it). It imports nothing else of homebody, so every layer may
use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Effect(StrEnum):
    """One kind of change a tool can make; a tool declares all that apply."""

    READ = "read"  # reads the vault, a file or a web page; changes nothing
    LOCAL_WRITE = "local_write"  # writes something only the user sees: a draft, a note, a reminder, a file
    SEND = "external_send"  # something reaches another person: an email, a message, an invitation
    MONEY = "money"  # moves money or commits to spend it: a payment, a purchase, a booking
    DELETE = "delete"  # removes data
    CREDENTIALS = "credentials"  # changes a password, a key, an account's contact details
    PUBLISH = "publish"  # reaches the public or an open group: a web post, a public channel


class Role(StrEnum):
    """What an argument means, for arguments whose value decides how much harm a call can do."""

    RECIPIENT = "recipient"  # who receives: an address, a phone number, a user name, a channel
    AMOUNT = "amount"  # how much money
    PAYEE = "payee"  # who is paid: an IBAN, an account number, a merchant
    ACCOUNT = "account"  # the user's own account or identity the action uses or changes
    PATH = "path"  # a file or folder
    URL = "url"  # a web address that is fetched or posted to
    CONTENT = "content"  # text that leaves with the action: a body, a message, a post
    SUBJECT = "subject"  # a title or subject line
    ATTACHMENT = "attachment"  # files or items sent along
    TARGET = "target"  # the id of what is changed or deleted: an email, an event, a file
    SECRET = "secret"  # noqa: S105 - a role name, not a password: a password or a code
    TIME = "time"  # when: a date, a time, a schedule
    QUANTITY = "quantity"  # how many: items bought, nights booked, people invited


class Origin(StrEnum):
    """Where a value in a proposed action came from, from most to least trusted."""

    USER = "user"  # typed or said by the user in this request
    TRUSTED = "trusted"  # the user's own trusted data: their contacts, payees they paid, their accounts
    UNTRUSTED = "untrusted"  # content someone else wrote: an email body, a web page, another's message
    MODEL = "model"  # produced by the model with no source: a guess, a summary, a draft


@dataclass(frozen=True)
class ToolSpec:
    """A tool's declaration: what it does, whether it can be undone, and which arguments matter."""

    name: str
    description: str
    effects: frozenset[Effect]
    reversible: bool
    roles: dict[str, Role] = field(default_factory=dict)
    targets: frozenset[str] = frozenset()  # item kinds an item argument accepts ("email"); empty: any
    declared: bool = True  # False when the guard inferred this spec from an unknown tool's name and arguments

    @property
    def read_only(self) -> bool:
        """Whether the tool only reads."""
        return self.effects <= {Effect.READ}


@dataclass(frozen=True)
class ContextEntry:
    """Something the agent read before proposing an action: a tool call and the output it returned."""

    tool: str
    args: dict[str, Any]
    output: str


@dataclass(frozen=True)
class Action:
    """A proposed tool call, with the origin of each argument value when the caller knows it.

    `origins` maps an argument name to where its value came from; an argument missing from it has an
    unknown origin, which the guard works out from the request and the context it was given.
    """

    tool: str
    args: dict[str, Any]
    origins: dict[str, Origin] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """What the user asked, what the agent read since, and whether the user is watching."""

    instruction: str
    context: tuple[ContextEntry, ...] = ()
    unattended: bool = False
