"""What an item shows of the people in it: email addresses, phone numbers, display names, and links.

Identities are what a channel shows of someone: an email address, a phone number in E.164
(through `phonenumbers`), a display name. An item can also prove that two identities are one
person, and says why ("on the contact card 'Sam Okafor'", "'Sam Okafor' writes from
sam@example.com"). Only full names (two words or more) join across channels by name. Pure: item
fields in, identities and links out; the graph built from them is in people.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from email.utils import parseaddr
from functools import lru_cache
from typing import Any, NamedTuple

import phonenumbers

from homebody.vault.items import Kind

Key = tuple[str, str]  # (kind, normalized value)
Link = tuple[Key, Key, str]  # two identities and why they are one person

#: The `meta` fields `extract` reads. The graph reads only these from the vault (the rest, such as an
#: email's references and attachments, can be long), so a field `extract` starts reading goes here too.
META_FIELDS = ("group", "name", "emails", "phones", "system", "from", "to", "cc", "counterparty", "profile")

_PHONE_LIKE = re.compile(r"[+\d][\d\s().\-\u00a0]{5,}")
_NAME_WORD = re.compile(r"[^\W\d_]{2,}")


class Seen(NamedTuple):
    """One identity as an item shows it, and the part it plays there."""

    key: Key
    display: str
    role: str


@lru_cache(maxsize=8192)
def _phone(text: str, region: str) -> str | None:
    # Cached: a chat shows the same few numbers on thousands of messages, and parsing one is slow.
    if not _PHONE_LIKE.fullmatch(text.strip()):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=8192)
def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@lru_cache(maxsize=8192)
def full_name(name: str) -> bool:
    """Whether a display name is specific enough to join channels by (two words or more)."""
    return len(_NAME_WORD.findall(name)) >= 2 and "@" not in name


@lru_cache(maxsize=8192)
def _parse_address(text: str) -> tuple[str, str]:
    return parseaddr(text)


@lru_cache(maxsize=8192)
def _identify(display: str, region: str) -> tuple[Key, str] | None:
    """The key and display of a stripped free-form string, without its role (cached)."""
    if not display or display.lower() in ("me", "system"):
        return None
    name, address = _parse_address(display)
    if "@" in address and "." in address.split("@")[-1]:
        return ("email", address.lower()), name or address
    number = _phone(display, region)
    if number:
        return ("phone", number), display
    return ("name", _name_key(display)), display


def identity(text: str, region: str, role: str) -> Seen | None:
    """What a free-form author or participant string identifies: an address, a number, a name."""
    found = _identify(text.strip(), region)
    return Seen(found[0], found[1], role) if found else None


@lru_cache(maxsize=8192)
def _mailbox(name: Any, address: Any, role: str) -> tuple[tuple[Seen, ...], tuple[Link, ...]]:
    """The identities and link of one (name, address) pair of an email's From, To or Cc."""
    if not address or "@" not in address:
        return (), ()
    who = Seen(("email", address.lower()), name or address, role)
    if name and full_name(name):
        named = Seen(("name", _name_key(name)), name, role)
        return (who, named), ((named.key, who.key, f"'{name}' writes from {address.lower()}"),)
    return (who,), ()


def extract(
    kind: Kind, author: str | None, participants: Iterable[str], meta: dict[str, Any], region: str
) -> tuple[list[Seen], list[Link]]:
    """The identities an item involves, and the links it proves between them."""
    seen: list[Seen] = []
    links: list[Link] = []
    if kind is Kind.CONTACT:
        if meta.get("group"):
            return seen, links  # an Apple group card ("Ski Trip") is a list of people, not one
        name = str(meta.get("name") or "").strip()
        hub = Seen(("name", _name_key(name)), name, "card") if name else None
        members = [Seen(("email", str(e).lower()), name or str(e), "card") for e in meta.get("emails") or []]
        for phone in meta.get("phones") or []:
            number = phone.get("e164") if isinstance(phone, dict) else _phone(str(phone), region)
            if number:
                members.append(Seen(("phone", number), name or number, "card"))
        if hub:
            seen.append(hub)
            links += [(hub.key, m.key, f"on the contact card '{name}'") for m in members]
        return seen + members, links
    if meta.get("system"):
        return seen, links
    if kind is Kind.EMAIL:
        for role, field in (("from", "from"), ("with", "to"), ("with", "cc")):
            for pair in meta.get(field) or []:
                name, address = (pair + ["", ""])[:2] if isinstance(pair, list) else ("", "")
                # The same few hundred correspondents fill a mailbox: each one is worked out once.
                cached = isinstance(name, str) and isinstance(address, str)
                shown, proven = (_mailbox if cached else _mailbox.__wrapped__)(name, address, role)
                seen += shown
                links += proven
        return seen, links
    if kind is Kind.TRANSACTION:
        # Only person-to-person payments name people; a bank statement's payee is a merchant.
        party = str(meta.get("counterparty") or "").strip()
        if party and full_name(party) and meta.get("profile") == "venmo":
            seen.append(Seen(("name", _name_key(party)), party, "counterparty"))
        return seen, links
    for role, text in [("from", author or ""), *(("with", p) for p in participants)]:
        who = identity(text, region, role)
        if who is not None:
            seen.append(who)
            name, address = _parse_address(text)
            if who.key[0] == "email" and name and full_name(name):
                named = Seen(("name", _name_key(name)), name, role)
                seen.append(named)
                links.append((named.key, who.key, f"'{name}' is {address.lower()}"))
    return seen, links


#: What the graph needs of one item: its identities as (key, display, role), and the links it proves.
Shown = tuple[tuple[Seen, ...], tuple[Link, ...]]


class Reader:
    """`extract` over item rows as the vault stores them, each distinct combination read once.

    Thousands of messages in one chat show the same author and participants: their identities are
    worked out once. Rows come as (kind, author, participants JSON, JSON of the `META_FIELDS`).
    """

    _MAX = 65536  # distinct combinations kept; bounds memory on a vault of unique email headers

    def __init__(self, region: str) -> None:
        self.region = region
        self._cache: dict[tuple[str, str | None, str, str], Shown] = {}

    def read(self, kind: str, author: str | None, participants: str, meta: str) -> Shown:
        """The identities (key, display, role) and links of one stored item."""
        key = (kind, author, participants, meta)
        shown = self._cache.get(key)
        if shown is None:
            seen, links = extract(Kind(kind), author, json.loads(participants), json.loads(meta), self.region)
            shown = (tuple(seen), tuple(links))
            if len(self._cache) >= self._MAX:
                self._cache.clear()
            self._cache[key] = shown
        return shown


#: SQL for the `META_FIELDS` of an item's meta, as one JSON object (absent fields are null, which
#: `extract` reads as absent).
PEOPLE_META = "json_object(" + ", ".join(f"'{f}', meta -> '$.{f}'" for f in META_FIELDS) + ")"
