"""The people graph: one person across email, phone, chat names, contact cards and payments.

Identities and the links between them come from items (identities.py). Links join identities into
persons, and always say why. Only full names (two words or more) join across channels by name:
"Mum" in one chat and "Mum" in an email are not assumed to be one person unless a contact card or
the user says so. The user's merges and splits are kept apart and applied on every rebuild, so
they survive new syncs.

After a sync, `update` reads only the items added since the graph last read the vault, and takes
out the items deleted since (`_forget`: their display counts, the identities only they showed, the
links only they proved, persons split where such a link held them together). A change to an item
that alters who it shows, a new merge or split, deletions touching an identity a merge or split
names, or more deletions than `_FORGET_AT_MOST` make it `rebuild` from every item instead. Both give
the same graph, up to the numbering of identities and persons (tests/vault/test_people_update.py).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from homebody.errors import NotFound
from homebody.vault.identities import PEOPLE_META, Key, Reader, Seen, extract, full_name, identity
from homebody.vault.store import Vault, utc_text
from homebody.vault.tx import transaction

__all__ = [
    "Key",
    "Seen",
    "extract",
    "find_identity",
    "full_name",
    "identity",
    "override",
    "rebuild",
    "update",
]

log = logging.getLogger(__name__)

Update = Literal["current", "extended", "rebuilt"]

_ROWS = f"SELECT rowid, kind, author, participants, {PEOPLE_META} FROM items"


class _Union:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        self.parent[self.find(a)] = self.find(b)


class _Overrides:
    """The user's merges and splits, by identity key."""

    def __init__(self, conn: Any) -> None:
        rows = conn.execute("SELECT * FROM person_overrides ORDER BY id").fetchall()
        self.last = max((int(o["id"]) for o in rows), default=0)
        self.split = {(o["a_kind"], o["a_value"]) for o in rows if o["action"] == "split"}
        self.merges = [
            ((o["a_kind"], o["a_value"]), (o["b_kind"], o["b_value"])) for o in rows if o["action"] == "merge"
        ]
        self.named = self.split | {key for pair in self.merges for key in pair}


def _name(members: list[int], kinds: dict[int, str], displays: dict[int, Counter[str]]) -> str:
    """The name a person goes by: their most used full name, else any name, else an address.

    Ties go to the name first in alphabetical order: not to the first seen, which a deleted item can
    change, so `rebuild` and `update` name a person alike whatever they read in which order.
    """
    # A full name beats a short name, which beats an address or number, however often each is seen.
    best: Counter[tuple[int, str]] = Counter()
    for m in members:
        for display, count in displays[m].items():
            rank = 2 if kinds[m] == "name" and full_name(display) else 1 if kinds[m] == "name" else 0
            best[(rank, display)] += count
    if not best:
        return "unknown"
    return min(best.items(), key=lambda entry: (-entry[0][0], -entry[1], entry[0][1]))[0][1]


def _save_state(conn: Any, item_rowid: int, override_id: int) -> None:
    conn.execute(
        """INSERT INTO people_state (id, item_rowid, override_id, stale) VALUES (1, ?, ?, 0)
           ON CONFLICT (id) DO UPDATE SET item_rowid = excluded.item_rowid,
             override_id = excluded.override_id, stale = 0""",
        (item_rowid, override_id),
    )
    conn.execute("DELETE FROM people_changes")


def rebuild(vault: Vault, region: str = "US") -> int:
    """Recompute identities, links and persons from every item; returns how many persons."""
    with transaction(vault) as conn:
        overrides = _Overrides(conn)
        reader = Reader(region)
        ids: dict[Key, int] = {}
        kinds: dict[int, str] = {}
        first_display: dict[int, str] = {}
        displays: dict[int, Counter[str]] = defaultdict(Counter)
        links: dict[tuple[int, int], str] = {}
        item_people: list[tuple[int, int, str]] = []
        last_rowid = 0
        for rowid, kind, author, participants, meta in conn.execute(f"{_ROWS} ORDER BY rowid"):
            last_rowid = rowid
            seen, proven = reader.read(kind, author, participants, meta)
            for key, display, role in seen:
                identity_id = ids.get(key)
                if identity_id is None:
                    identity_id = ids[key] = len(ids) + 1
                    kinds[identity_id], first_display[identity_id] = key[0], display
                displays[identity_id][display] += 1
                item_people.append((rowid, identity_id, role))
            for a_key, b_key, reason in proven:
                a, b = ids[a_key], ids[b_key]
                links.setdefault((min(a, b), max(a, b)), reason)
        split = {ids.get(key) for key in overrides.split}
        union = _Union()
        kept = {pair: reason for pair, reason in links.items() if not split & set(pair)}
        for first, second in kept:
            union.union(first, second)
        for a_key, b_key in overrides.merges:
            one, other = ids.get(a_key), ids.get(b_key)
            if one and other:
                union.union(one, other)
                kept[(min(one, other), max(one, other))] = "merged by you"
        groups: dict[int, list[int]] = defaultdict(list)
        for identity_id in ids.values():
            groups[union.find(identity_id)].append(identity_id)
        person_of: dict[int, int] = {}
        persons: list[tuple[int, str]] = []
        for number, members in enumerate(groups.values(), start=1):
            persons.append((number, _name(members, kinds, displays)))
            person_of.update(dict.fromkeys(members, number))
        # item_people's secondary indexes are dropped while it is emptied and filled, and made again
        # after: building an index from sorted rows is cheaper than updating it row by row.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'item_people' "
            "AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table in ("item_people", "identity_links", "identity_displays", "identities", "persons"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
        conn.executemany("INSERT INTO persons (id, name) VALUES (?, ?)", persons)
        conn.executemany(
            "INSERT INTO identities (id, kind, value, display, person_id) VALUES (?, ?, ?, ?, ?)",
            [(i, *key, first_display[i], person_of[i]) for key, i in ids.items()],
        )
        conn.executemany(
            "INSERT INTO identity_displays (identity_id, display, seen) VALUES (?, ?, ?)",
            [(i, display, n) for i, counts in displays.items() for display, n in counts.items()],
        )
        conn.executemany("INSERT INTO identity_links VALUES (?, ?, ?)", [(*p, r) for p, r in kept.items()])
        conn.executemany("INSERT OR IGNORE INTO item_people VALUES (?, ?, ?)", item_people)
        for _, sql in indexes:
            conn.execute(sql)
        _save_state(conn, last_rowid, overrides.last)
    log.info("people graph rebuilt: %d identities, %d persons", len(ids), len(groups))
    return len(groups)


def update(vault: Vault, region: str = "US") -> Update:
    """Bring the graph up to date: add the items new since it last read the vault, take out the ones
    deleted since, or rebuild it.

    "current" when nothing changed, "extended" when only new and deleted items were read, "rebuilt"
    when a merge or split, a changed item showing other people than before, or deletions it cannot
    follow item by item made it recompute everything.
    """
    with transaction(vault) as conn:
        state = conn.execute(
            "SELECT item_rowid, override_id, stale FROM people_state WHERE id = 1"
        ).fetchone()
        overrides = _Overrides(conn)
        reader = Reader(region)
        deleted = None if state is None or state["stale"] else _changes(conn, reader)
        if (
            state is None
            or deleted is None
            or state["override_id"] != overrides.last
            or (deleted and not _forget(conn, reader, deleted, overrides))
        ):
            rebuild(vault, region)  # joins this transaction: the graph moves all at once or not at all
            return "rebuilt"
        added = _extend(conn, reader, int(state["item_rowid"]), overrides)
        if added is None:
            rebuild(vault, region)
            return "rebuilt"
    return "extended" if added or deleted else "current"


#: More deleted items than this (or than a tenth of the vault) are taken out by a rebuild.
_FORGET_AT_MOST = 5000


def _changes(conn: Any, reader: Reader) -> list[Any] | None:
    """The items deleted since the graph read them, as it read them; None if a changed item now shows
    other identities or links than before (only a rebuild follows that)."""
    checked: set[int] = set()
    deleted: list[Any] = []
    changes = conn.execute(
        f"SELECT item_rowid, kind, author, participants, {PEOPLE_META} FROM people_changes ORDER BY rowid"
    ).fetchall()
    for row in changes:
        rowid, kind, author, participants, meta = row
        if rowid in checked:
            continue  # changed twice: the first row holds what the graph read
        checked.add(rowid)
        now = conn.execute(f"{_ROWS} WHERE rowid = ?", (rowid,)).fetchone()
        if now is None:
            deleted.append(row)
        elif reader.read(now[1], now[2], now[3], now[4]) != reader.read(kind, author, participants, meta):
            return None
    return deleted


def _forget(conn: Any, reader: Reader, deleted: list[Any], overrides: _Overrides) -> bool:
    """Take deleted items out of the graph as a rebuild without them would leave it; False (nothing
    to keep of what was written: a rebuild follows in the same transaction) when only a rebuild can.
    """
    total = int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    if len(deleted) > max(_FORGET_AT_MOST // 10, min(_FORGET_AT_MOST, total // 10)):
        return False
    ids: dict[Key, int] = {}
    key_of: dict[int, Key] = {}
    kinds: dict[int, str] = {}
    person_of: dict[int, int] = {}
    for identity_id, kind, value, person_id in conn.execute(
        "SELECT id, kind, value, person_id FROM identities"
    ):
        ids[(kind, value)], key_of[identity_id] = identity_id, (kind, value)
        kinds[identity_id], person_of[identity_id] = kind, person_id
    lost: Counter[tuple[int, str]] = Counter()
    pairs: set[tuple[int, int]] = set()
    for _rowid, kind, author, participants, meta in deleted:
        seen, proven = reader.read(kind, author, participants, meta)
        for key, display, _role in seen:
            if key not in ids or key in overrides.named:
                return False
            lost[(ids[key], display)] += 1
        for a_key, b_key, _reason in proven:
            a, b = ids[a_key], ids[b_key]
            pairs.add((min(a, b), max(a, b)))
    touched = {identity_id for identity_id, _ in lost}
    conn.executemany(
        "UPDATE identity_displays SET seen = seen - ? WHERE identity_id = ? AND display = ?",
        [(n, identity_id, display) for (identity_id, display), n in lost.items()],
    )
    conn.execute("DELETE FROM identity_displays WHERE seen <= 0")
    alive = {r[0] for r in conn.execute("SELECT DISTINCT identity_id FROM identity_displays")}
    gone = sorted(touched - alive)
    conn.executemany("DELETE FROM identities WHERE id = ?", [(i,) for i in gone])
    for a, b in sorted(pairs):
        if a in alive and b in alive:
            _prove_again(conn, reader, ids, a, b)
    for identity_id in sorted(touched & alive):
        _first_display(conn, reader, key_of[identity_id], identity_id)
    for person in sorted({person_of[i] for i in touched}):
        _regroup(conn, person, kinds)
    log.info("people graph: %d deleted items taken out, %d identities gone", len(deleted), len(gone))
    return True


def _shown_by(conn: Any, reader: Reader, sql: str, args: tuple[Any, ...]) -> Iterator[Any]:
    """What each item the query names (rowids, in order) shows: (seen, proven)."""
    for (rowid,) in conn.execute(sql, args):
        row = conn.execute(f"{_ROWS} WHERE rowid = ?", (rowid,)).fetchone()
        if row is not None:
            yield reader.read(row[1], row[2], row[3], row[4])


def _prove_again(conn: Any, reader: Reader, ids: dict[Key, int], a: int, b: int) -> None:
    """Keep the link a-b with the reason the first item still proving it gives (a rebuild's), or drop it."""
    both = """SELECT x.item_rowid FROM item_people x JOIN item_people y ON y.item_rowid = x.item_rowid
              WHERE x.identity_id = ? AND y.identity_id = ? GROUP BY x.item_rowid ORDER BY x.item_rowid"""
    for _seen, proven in _shown_by(conn, reader, both, (a, b)):
        for a_key, b_key, reason in proven:
            if {ids.get(a_key), ids.get(b_key)} == {a, b}:
                conn.execute("UPDATE identity_links SET reason = ? WHERE a = ? AND b = ?", (reason, a, b))
                return
    conn.execute("DELETE FROM identity_links WHERE a = ? AND b = ?", (a, b))


def _first_display(conn: Any, reader: Reader, key: Key, identity_id: int) -> None:
    """An identity's display is how the first item still showing it shows it."""
    first = "SELECT min(item_rowid) FROM item_people WHERE identity_id = ?"
    for seen, _proven in _shown_by(conn, reader, first, (identity_id,)):
        display = next((d for k, d, _ in seen if k == key), None)
        if display is not None:
            conn.execute("UPDATE identities SET display = ? WHERE id = ?", (display, identity_id))


def _regroup(conn: Any, person: int, kinds: dict[int, str]) -> None:
    """A person after links were dropped: split where nothing joins its identities now, named again."""
    members = [
        r[0] for r in conn.execute("SELECT id FROM identities WHERE person_id = ? ORDER BY id", (person,))
    ]
    if not members:
        conn.execute("DELETE FROM persons WHERE id = ?", (person,))
        return
    union = _Union()
    marks = ",".join("?" * len(members))
    for a, b in conn.execute(f"SELECT a, b FROM identity_links WHERE a IN ({marks})", members):
        union.union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for identity_id in members:
        groups[union.find(identity_id)].append(identity_id)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for identity_id, display, seen in conn.execute(
        f"SELECT identity_id, display, seen FROM identity_displays WHERE identity_id IN ({marks})", members
    ):
        counts[identity_id][display] = seen
    next_person = int(conn.execute("SELECT coalesce(max(id), 0) FROM persons").fetchone()[0]) + 1
    for n, group in enumerate(sorted(groups.values())):
        name = _name(group, kinds, counts)
        if n == 0:
            conn.execute("UPDATE persons SET name = ? WHERE id = ?", (name, person))
            continue
        conn.execute("INSERT INTO persons (id, name) VALUES (?, ?)", (next_person, name))
        conn.executemany(
            "UPDATE identities SET person_id = ? WHERE id = ?", [(next_person, i) for i in group]
        )
        next_person += 1


def _extend(conn: Any, reader: Reader, since: int, overrides: _Overrides) -> int | None:
    """Add the items after rowid `since` to the graph; how many, or None (nothing written) to rebuild.

    Persons joined by a new link become one (the lowest id stays); every person that gained an
    identity or a display name is named again from its identities' display counts.
    """
    rows = conn.execute(f"{_ROWS} WHERE rowid > ? ORDER BY rowid", (since,)).fetchall()
    if not rows:
        _save_state(conn, since, overrides.last)
        return 0
    ids: dict[Key, int] = {}
    kinds: dict[int, str] = {}
    person_of: dict[int, int] = {}
    for identity_id, kind, value, person_id in conn.execute(
        "SELECT id, kind, value, person_id FROM identities"
    ):
        if person_id is None:
            return None  # not a graph `rebuild` left
        ids[(kind, value)], kinds[identity_id], person_of[identity_id] = identity_id, kind, person_id
    known_links = {(a, b) for a, b in conn.execute("SELECT a, b FROM identity_links")}
    split = {ids[key] for key in overrides.split if key in ids}
    next_id = max(kinds, default=0) + 1
    new: dict[int, tuple[Key, str]] = {}  # identity id -> (key, first display)
    deltas: dict[int, Counter[str]] = defaultdict(Counter)
    links: dict[tuple[int, int], str] = {}
    item_people: list[tuple[int, int, str]] = []
    for rowid, kind, author, participants, meta in rows:
        seen, proven = reader.read(kind, author, participants, meta)
        for key, display, role in seen:
            identity_id = ids.get(key)
            if identity_id is None:
                if key in overrides.named:
                    return None  # a merge or split names it: only a rebuild applies that
                identity_id = ids[key] = next_id
                next_id += 1
                new[identity_id], kinds[identity_id] = (key, display), key[0]
            deltas[identity_id][display] += 1
            item_people.append((rowid, identity_id, role))
        for a_key, b_key, reason in proven:
            a, b = ids[a_key], ids[b_key]
            pair = (min(a, b), max(a, b))
            if pair not in known_links and not split & {a, b}:
                links.setdefault(pair, reason)
    _write_extension(conn, new, kinds, person_of, deltas, links)
    conn.executemany("INSERT OR IGNORE INTO item_people VALUES (?, ?, ?)", item_people)
    _save_state(conn, rows[-1][0], overrides.last)
    log.info("people graph extended: %d items, %d new identities", len(rows), len(new))
    return len(rows)


def _write_extension(
    conn: Any,
    new: dict[int, tuple[Key, str]],
    kinds: dict[int, str],
    person_of: dict[int, int],
    deltas: dict[int, Counter[str]],
    links: dict[tuple[int, int], str],
) -> None:
    """Write new identities, display counts and links, and join and rename the persons they touch."""
    union = _Union()

    def node(identity_id: int) -> tuple[str, int]:
        person = person_of.get(identity_id)
        return ("person", person) if person is not None else ("identity", identity_id)

    for a, b in links:
        union.union(node(a), node(b))
    groups: dict[Any, set[tuple[str, int]]] = defaultdict(set)
    for identity_id in deltas:
        groups[union.find(node(identity_id))].add(node(identity_id))
    members_of: dict[int, list[int]] = defaultdict(list)
    for identity_id, person in person_of.items():
        members_of[person].append(identity_id)
    old_members = sorted(
        i for nodes in groups.values() for kind, n in nodes if kind == "person" for i in members_of[n]
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for start in range(0, len(old_members), 500):
        chunk = old_members[start : start + 500]
        for identity_id, display, seen in conn.execute(
            "SELECT identity_id, display, seen FROM identity_displays "
            f"WHERE identity_id IN ({','.join('?' * len(chunk))}) ORDER BY identity_id, rowid",
            chunk,
        ):
            counts[identity_id][display] = seen
    for identity_id, shown in deltas.items():
        counts[identity_id].update(shown)  # new displays go after the ones seen before
    next_person = int(conn.execute("SELECT coalesce(max(id), 0) FROM persons").fetchone()[0]) + 1
    for nodes in groups.values():
        persons = sorted(n for kind, n in nodes if kind == "person")
        fresh = sorted(n for kind, n in nodes if kind == "identity")
        members = sorted([i for p in persons for i in members_of[p]] + fresh)
        name = _name(members, kinds, counts)
        if persons:
            target, gone = persons[0], persons[1:]
            conn.execute("UPDATE persons SET name = ? WHERE id = ?", (name, target))
        else:
            target, gone = next_person, []
            next_person += 1
            conn.execute("INSERT INTO persons (id, name) VALUES (?, ?)", (target, name))
        conn.executemany(
            "UPDATE identities SET person_id = ? WHERE person_id = ?", [(target, p) for p in gone]
        )
        conn.executemany("DELETE FROM persons WHERE id = ?", [(p,) for p in gone])
        conn.executemany(
            "INSERT INTO identities (id, kind, value, display, person_id) VALUES (?, ?, ?, ?, ?)",
            [(i, *new[i][0], new[i][1], target) for i in fresh],
        )
    conn.executemany(
        """INSERT INTO identity_displays (identity_id, display, seen) VALUES (?, ?, ?)
           ON CONFLICT (identity_id, display) DO UPDATE SET seen = seen + excluded.seen""",
        [(i, display, n) for i, shown in deltas.items() for display, n in shown.items()],
    )
    conn.executemany("INSERT INTO identity_links VALUES (?, ?, ?)", [(*p, r) for p, r in links.items()])


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
