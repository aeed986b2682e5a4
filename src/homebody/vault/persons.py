"""Reading the people graph: who is who, through which identities, and what they said where."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from homebody.errors import NotFound
from homebody.vault.people import full_name
from homebody.vault.store import _ITEM_SELECT, StoredItem, Vault, stored_item


@dataclass(frozen=True)
class Person:
    """A person and the identities they use."""

    id: int
    name: str
    identities: list[tuple[str, str, str]]  # (kind, value, display)
    items: int
    channels: dict[str, int] = field(default_factory=dict)  # source kind -> items


def persons(vault: Vault, *, min_items: int = 1) -> list[Person]:
    """Every person with at least `min_items` items, most present first."""
    rows = vault.conn.execute(
        """SELECT p.id, p.name, count(DISTINCT ip.item_rowid) AS n
           FROM persons p JOIN identities d ON d.person_id = p.id
           LEFT JOIN item_people ip ON ip.identity_id = d.id
           GROUP BY p.id HAVING n >= ? ORDER BY n DESC, p.name""",
        (min_items,),
    ).fetchall()
    return [_person(vault, r["id"], r["name"], r["n"]) for r in rows]


def _person(vault: Vault, person_id: int, name: str, items: int) -> Person:
    identities = [
        (r[0], r[1], r[2])
        for r in vault.conn.execute(
            "SELECT kind, value, display FROM identities WHERE person_id = ? ORDER BY kind, value",
            (person_id,),
        )
    ]
    channels = {
        r[0]: r[1]
        for r in vault.conn.execute(
            """SELECT s.kind, count(DISTINCT i.rowid) FROM items i JOIN sources s ON s.id = i.source_id
               WHERE i.rowid IN (SELECT ip.item_rowid FROM item_people ip JOIN identities d
                                 ON d.id = ip.identity_id WHERE d.person_id = ?)
               GROUP BY s.kind ORDER BY s.kind""",
            (person_id,),
        )
    }
    return Person(person_id, name, identities, items, channels)


def lookup(vault: Vault, name: str) -> Person:
    """The person a user names: full name, an address or number they use, or a unique first name."""
    wanted = " ".join(name.casefold().split())
    candidates = [p for p in persons(vault) if p.name.casefold() == wanted]
    if not candidates:
        candidates = [
            p for p in persons(vault) if any(wanted in (v, d.casefold()) for _, v, d in p.identities)
        ]
    if not candidates:
        candidates = [p for p in persons(vault) if p.name.casefold().split()[:1] == wanted.split()[:1]]
    if not candidates:
        raise NotFound(f"no person called {name!r} (see `homebody people`)")
    if len(candidates) > 1 and candidates[0].items == candidates[1].items:
        names = ", ".join(p.name for p in candidates[:5])
        raise NotFound(f"{name!r} could be several people: {names}; use a full name or address")
    return candidates[0]


def reasons(vault: Vault, person: Person) -> list[tuple[str, str, str]]:
    """Why this person's identities were joined: (identity, identity, reason)."""
    return [
        (r[0], r[1], r[2])
        for r in vault.conn.execute(
            """SELECT a.display || ' (' || a.kind || ')', b.display || ' (' || b.kind || ')', l.reason
               FROM identity_links l JOIN identities a ON a.id = l.a JOIN identities b ON b.id = l.b
               WHERE a.person_id = ?""",
            (person.id,),
        )
    ]


def recent_items(vault: Vault, person: Person, per_channel: int = 3) -> list[StoredItem]:
    """The person's latest items on each channel, newest first within a channel."""
    out: list[StoredItem] = []
    for channel in person.channels:
        rows = vault.conn.execute(
            f"""{_ITEM_SELECT} WHERE s.kind = ? AND i.rowid IN (
                   SELECT ip.item_rowid FROM item_people ip JOIN identities d ON d.id = ip.identity_id
                   WHERE d.person_id = ?) ORDER BY i.ts DESC LIMIT ?""",
            (channel, person.id, per_channel),
        ).fetchall()
        out += [stored_item(r) for r in rows]
    return out


def person_in_question(vault: Vault, question: str) -> Person | None:
    """The one person a question names ('what did Dev say...'), if exactly one fits."""
    words = set(re.findall(r"[^\W\d_]+", question.casefold()))
    found = []
    for person in persons(vault, min_items=2):
        parts = person.name.casefold().split()
        if not parts or not full_name(person.name):
            continue
        if parts[0] in words or " ".join(parts) in question.casefold():
            found.append(person)
    if not found:
        return None
    best = [p for p in found if p.items == found[0].items]
    return found[0] if len(best) == 1 else None
