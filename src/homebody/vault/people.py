"""The people graph: one person across email, phone, chat names, contact cards and payments.

Identities are what a channel shows of someone: an email address, a phone number in E.164
(through `phonenumbers`), a display name. Links join identities and always say why ("on the contact
card 'Sam Okafor'", "'Sam Okafor' writes from sam@example.com"). Only full names (two words or
more) join across channels by name: "Mum" in one chat and "Mum" in an email are not assumed to be
one person unless a contact card or the user says so. The user's merges and splits are kept apart
and applied on every rebuild, so they survive new syncs.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

import phonenumbers

from homebody.errors import NotFound
from homebody.vault.items import Kind
from homebody.vault.store import Vault, utc_text

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (kind, normalized value)


@dataclass(frozen=True)
class Seen:
    """One identity as an item shows it, and the part it plays there."""

    key: Key
    display: str
    role: str


def _phone(text: str, region: str) -> str | None:
    if not re.fullmatch(r"[+\d][\d\s().\-\u00a0]{5,}", text.strip()):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def full_name(name: str) -> bool:
    """Whether a display name is specific enough to join channels by (two words or more)."""
    return len(re.findall(r"[^\W\d_]{2,}", name)) >= 2 and "@" not in name


def identity(text: str, region: str, role: str) -> Seen | None:
    """What a free-form author or participant string identifies: an address, a number, a name."""
    display = text.strip()
    if not display or display.lower() in ("me", "system"):
        return None
    name, address = parseaddr(display)
    if "@" in address and "." in address.split("@")[-1]:
        return Seen(("email", address.lower()), name or address, role)
    number = _phone(display, region)
    if number:
        return Seen(("phone", number), display, role)
    return Seen(("name", _name_key(display)), display, role)


def extract(
    kind: Kind, author: str | None, participants: Iterable[str], meta: dict[str, Any], region: str
) -> tuple[list[Seen], list[tuple[Key, Key, str]]]:
    """The identities an item involves, and the links it proves between them."""
    seen: list[Seen] = []
    links: list[tuple[Key, Key, str]] = []
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
                if not address or "@" not in address:
                    continue
                who = Seen(("email", address.lower()), name or address, role)
                seen.append(who)
                if name and full_name(name):
                    named = Seen(("name", _name_key(name)), name, role)
                    seen.append(named)
                    links.append((named.key, who.key, f"'{name}' writes from {address.lower()}"))
        return seen, links
    if kind is Kind.TRANSACTION:
        # Only person-to-person payments name people; a bank statement's payee is a merchant.
        party = str(meta.get("counterparty") or "").strip()
        if party and full_name(party) and meta.get("profile") == "venmo":
            seen.append(Seen(("name", _name_key(party)), party, "counterparty"))
        return seen, links
    for role, text in [("from", author or ""), *(("with", p) for p in participants)]:
        found = identity(text, region, role)
        if found is not None:
            who = found
            seen.append(who)
            name, address = parseaddr(text)
            if who.key[0] == "email" and name and full_name(name):
                named = Seen(("name", _name_key(name)), name, role)
                seen.append(named)
                links.append((named.key, who.key, f"'{name}' is {address.lower()}"))
    return seen, links


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def rebuild(vault: Vault, region: str = "US") -> int:
    """Recompute identities, links and persons from every item; returns how many persons."""
    conn = vault.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in ("item_people", "identity_links", "identities", "persons"):
            conn.execute(f"DELETE FROM {table}")
        ids: dict[Key, int] = {}
        displays: dict[int, Counter[str]] = defaultdict(Counter)
        links: dict[tuple[int, int], str] = {}
        rows = conn.execute("SELECT rowid, kind, author, participants, meta FROM items")
        for row in rows.fetchall():
            seen, proven = extract(
                Kind(row["kind"]),
                row["author"],
                json.loads(row["participants"]),
                json.loads(row["meta"]),
                region,
            )
            for who in seen:
                if who.key not in ids:
                    cur = conn.execute(
                        "INSERT INTO identities (kind, value, display) VALUES (?, ?, ?)",
                        (*who.key, who.display),
                    )
                    ids[who.key] = int(cur.lastrowid)
                displays[ids[who.key]][who.display] += 1
                conn.execute(
                    "INSERT OR IGNORE INTO item_people VALUES (?, ?, ?)",
                    (row["rowid"], ids[who.key], who.role),
                )
            for a, b, reason in proven:
                pair = (min(ids[a], ids[b]), max(ids[a], ids[b]))
                links.setdefault(pair, reason)
        overrides = conn.execute("SELECT * FROM person_overrides ORDER BY id").fetchall()
        split = {ids.get((o["a_kind"], o["a_value"])) for o in overrides if o["action"] == "split"}
        union = _Union()
        for (first, second), reason in links.items():
            if first in split or second in split:
                continue
            union.union(first, second)
            conn.execute("INSERT INTO identity_links VALUES (?, ?, ?)", (first, second, reason))
        for o in overrides:
            one, other = ids.get((o["a_kind"], o["a_value"])), ids.get((o["b_kind"], o["b_value"]))
            if o["action"] == "merge" and one and other:
                union.union(one, other)
                conn.execute(
                    "INSERT OR REPLACE INTO identity_links VALUES (?, ?, ?)",
                    (min(one, other), max(one, other), "merged by you"),
                )
        groups: dict[int, list[int]] = defaultdict(list)
        for identity_id in ids.values():
            groups[union.find(identity_id)].append(identity_id)
        for members in groups.values():
            name = _person_name(conn, members, displays)
            person = int(conn.execute("INSERT INTO persons (name) VALUES (?)", (name,)).lastrowid)
            conn.executemany(
                "UPDATE identities SET person_id = ? WHERE id = ?", [(person, m) for m in members]
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    log.info("people graph rebuilt: %d identities, %d persons", len(ids), len(groups))
    return len(groups)


def _person_name(conn: Any, members: list[int], displays: dict[int, Counter[str]]) -> str:
    """The name a person goes by: their most used full name, else any name, else an address."""
    kinds = dict(
        conn.execute(
            f"SELECT id, kind FROM identities WHERE id IN ({','.join('?' * len(members))})", members
        ).fetchall()
    )
    # A full name beats a short name, which beats an address or number, however often each is seen.
    best: Counter[tuple[int, str]] = Counter()
    for m in members:
        for display, count in displays[m].items():
            rank = 2 if kinds[m] == "name" and full_name(display) else 1 if kinds[m] == "name" else 0
            best[(rank, display)] += count
    if not best:
        return "unknown"
    return max(best.items(), key=lambda entry: (entry[0][0], entry[1]))[0][1]


def override(vault: Vault, action: str, a: Key, b: Key | None = None) -> None:
    """Record the user's merge of two identities, or split of one from its person."""
    vault.conn.execute(
        """INSERT INTO person_overrides (action, a_kind, a_value, b_kind, b_value, made_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (action, *a, *(b or (None, None)), utc_text(datetime.now(UTC))),
    )


def find_identity(vault: Vault, text: str, region: str = "US") -> Key:
    """The identity a user names on the command line: an address, a number, or a display name."""
    who = identity(text, region, "with")
    if who is not None:
        row = vault.conn.execute(
            "SELECT kind, value FROM identities WHERE kind = ? AND value = ?", who.key
        ).fetchone()
        if row:
            return (row[0], row[1])
    row = vault.conn.execute(
        "SELECT kind, value FROM identities WHERE lower(display) = lower(?) LIMIT 1", (text.strip(),)
    ).fetchone()
    if row is None:
        raise NotFound(
            f"no identity {text!r}: give an email address, a phone number or a name seen in your data"
        )
    return (row[0], row[1])
