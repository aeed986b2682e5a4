"""Keeping the people graph up to date after a sync gives the very graph a rebuild from every item gives."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest

from homebody.vault.items import Item, Kind
from homebody.vault.people import find_identity, override, rebuild, update
from homebody.vault.persons import lookup
from homebody.vault.store import Vault

T = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _email(n: int, name: str, address: str, to: tuple[str, str] = ("", "me@example.org")) -> Item:
    return Item(
        kind=Kind.EMAIL,
        native_id=f"e{n}",
        text=f"email {n}",
        ts=T,
        author=f"{name} <{address}>" if name else address,
        meta={"from": [[name, address]], "to": [list(to)], "labels": ["Inbox"]},
    )


def _message(n: int, author: str, *participants: str, **meta: object) -> Item:
    return Item(
        kind=Kind.MESSAGE, native_id=f"m{n}", text=f"message {n}", ts=T, author=author,
        participants=participants, meta=dict(meta),
    )  # fmt: skip


def _card(n: int, name: str, emails: list[str], phones: list[str]) -> Item:
    return Item(
        kind=Kind.CONTACT,
        native_id=f"c{n}",
        text=name,
        meta={"name": name, "emails": emails, "phones": [{"raw": p, "e164": p} for p in phones]},
    )


def snapshot(vault: Vault) -> dict[str, object]:
    """The graph as a user could tell it apart: who is one person, by what name, why, and where."""
    conn = vault.conn
    key = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, kind, value FROM identities")}
    members: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for identity_id, person_id in conn.execute("SELECT id, person_id FROM identities"):
        members[person_id].append(key[identity_id])
    names = dict(conn.execute("SELECT id, name FROM persons").fetchall())
    return {
        "identities": sorted(
            tuple(r) for r in conn.execute("SELECT id, kind, value, display FROM identities")
        ),
        "persons": sorted((names[p], tuple(sorted(keys))) for p, keys in members.items()),
        "empty persons": conn.execute(
            "SELECT count(*) FROM persons WHERE id NOT IN (SELECT person_id FROM identities)"
        ).fetchone()[0],
        "links": sorted((key[a], key[b], why) for a, b, why in conn.execute("SELECT * FROM identity_links")),
        "items": sorted((r, key[i], role) for r, i, role in conn.execute("SELECT * FROM item_people")),
        "displays": [
            tuple(r)
            for r in conn.execute(
                "SELECT identity_id, display, seen FROM identity_displays ORDER BY identity_id, rowid"
            )
        ],
    }


def rebuilt(vault: Vault) -> dict[str, object]:
    """The snapshot after a rebuild from every item (the graph `update` must match)."""
    rebuild(vault, "GB")
    return snapshot(vault)


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "vault.db") as v:
        yield v


def _add(vault: Vault, source_name: str, *items: Item) -> None:
    try:
        source = vault.source(source_name)
    except Exception:  # noqa: BLE001 - first use of this source
        source = vault.add_source(source_name, source_name, "/x")
    for item in items:
        vault.upsert(source, item, None)


def test_new_items_join_rename_and_add_persons_as_a_rebuild_would(vault):
    _add(vault, "mail", _email(1, "", "sam@example.com"), _email(2, "Dev Patel", "dev@example.net"))
    _add(vault, "imessage", _message(1, "+447700900123", "+447700900123", "me"), _message(2, "Mum", "Mum"))
    assert update(vault, "GB") == "rebuilt", "the first update builds the graph"
    assert update(vault, "GB") == "current"
    before = {lookup(vault, "+447700900123").id, lookup(vault, "sam@example.com").id}
    assert len(before) == 2

    # A card joins the number to Sam's address (two persons become one), Sam's full name shows up,
    # Dev writes under a second display, and someone new appears.
    _add(vault, "vcard", _card(1, "Sam Okafor", ["sam@example.com"], ["+447700900123"]))
    _add(vault, "mail", _email(3, "Sam Okafor", "sam@example.com"), _email(4, "D. Patel", "dev@example.net"))
    _add(vault, "imessage", _message(3, "Zoë Brennan <zoe@example.org>", "me"), _message(4, "Mum", "Mum"))
    assert update(vault, "GB") == "extended"
    extended = snapshot(vault)
    assert lookup(vault, "Sam Okafor").id == min(before), "the joined person keeps the older id"
    assert extended == rebuilt(vault)
    assert extended["empty persons"] == 0
    assert (
        "Sam Okafor",
        (("email", "sam@example.com"), ("name", "sam okafor"), ("phone", "+447700900123")),
    ) in (extended["persons"])


def test_changes_that_keep_who_an_item_shows_need_no_rebuild(vault):
    _add(vault, "mail", _email(1, "Sam Okafor", "sam@example.com"), _email(2, "", "kim@example.com"))
    update(vault, "GB")
    relabelled = _email(1, "Sam Okafor", "sam@example.com")
    relabelled.meta["labels"] = ["Archived"]
    _add(vault, "mail", relabelled, _email(3, "", "kim@example.com"))
    assert update(vault, "GB") == "extended"
    assert vault.conn.execute("SELECT count(*) FROM people_changes").fetchone()[0] == 0
    assert snapshot(vault) == rebuilt(vault)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda v: _add(v, "mail", _email(1, "Sam Okafor", "sam@example.net")), id="new sender"),
        pytest.param(lambda v: _add(v, "mail", _email(1, "Samuel Okafor", "sam@example.com")), id="renamed"),
        pytest.param(
            lambda v: override(v, "split", find_identity(v, "sam@example.com", "GB")), id="split by the user"
        ),
    ],
)
def test_a_change_that_moves_people_rebuilds(vault, change):
    _add(
        vault, "mail", _email(1, "Sam Okafor", "sam@example.com"), _email(2, "Sam Okafor", "sam@example.com")
    )
    _add(vault, "imessage", _message(1, "Sam Okafor <sam@example.com>", "me"))
    update(vault, "GB")
    change(vault)
    _add(vault, "mail", _email(9, "", "new@example.com"))
    assert update(vault, "GB") == "rebuilt"
    assert snapshot(vault) == rebuilt(vault)


def test_a_merge_naming_an_identity_not_seen_yet_is_applied_when_it_appears(vault):
    _add(vault, "imessage", _message(1, "Mum", "Mum"), _message(2, "+447700900582", "+447700900582"))
    update(vault, "GB")
    override(vault, "merge", find_identity(vault, "Mum", "GB"), find_identity(vault, "+447700900582", "GB"))
    rebuild(vault, "GB")  # what `homebody people merge` does
    vault.remove_source("imessage")
    assert update(vault, "GB") == "rebuilt"
    _add(vault, "imessage2", _message(3, "Kim Lee", "Kim Lee"))
    assert update(vault, "GB") == "extended"
    _add(vault, "imessage2", _message(4, "Mum", "Mum"), _message(5, "+447700900582", "+447700900582"))
    assert update(vault, "GB") == "rebuilt", "Mum and the number are named in a merge"
    assert lookup(vault, "Mum").id == lookup(vault, "+447700900582").id
    assert snapshot(vault) == rebuilt(vault)


def test_items_stored_after_a_killed_sync_are_read_by_the_next_update(vault):
    _add(vault, "mail", _email(1, "Sam Okafor", "sam@example.com"))
    update(vault, "GB")
    # A sync that stored these and was killed before its update: the next sync stores nothing new.
    _add(vault, "mail", _email(2, "Kim Lee", "kim@example.com"))
    assert update(vault, "GB") == "extended"
    assert lookup(vault, "Kim Lee").items == 1


def test_a_name_counts_the_items_read_before_and_after(vault):
    _add(
        vault, "whatsapp", *(_message(n, "DEV PATEL", "me") for n in range(3)), _message(3, "Dev Patel", "me")
    )
    update(vault, "GB")
    _add(vault, "whatsapp", _message(4, "Dev Patel", "me"))
    assert update(vault, "GB") == "extended"
    assert lookup(vault, "dev patel").name == "DEV PATEL", "shown 3 times against 2"
    assert snapshot(vault) == rebuilt(vault)


def test_a_split_identity_stays_apart_from_new_items_linking_it(vault):
    _add(vault, "mail", _email(1, "Sam Okafor", "sam@example.com"))
    update(vault, "GB")
    override(vault, "split", find_identity(vault, "sam@example.com", "GB"))
    rebuild(vault, "GB")
    _add(vault, "imessage", _message(1, "Sam Okafor <sam@example.com>", "me"))
    assert update(vault, "GB") == "extended"
    person_of = dict(vault.conn.execute("SELECT value, person_id FROM identities").fetchall())
    assert person_of["sam@example.com"] != person_of["sam okafor"]
    assert snapshot(vault) == rebuilt(vault)


def graph(vault: Vault) -> dict[str, object]:
    """`snapshot` without the numbers: identities by kind and value, as a rebuild would number them
    differently once items are gone."""
    conn = vault.conn
    key = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, kind, value FROM identities")}
    shot = snapshot(vault)
    return {
        "identities": sorted((key[i], display) for i, _, _, display in shot["identities"]),
        "persons": shot["persons"],
        "empty persons": shot["empty persons"],
        "links": shot["links"],
        "items": shot["items"],
        "displays": sorted((key[i], display, seen) for i, display, seen in shot["displays"]),
    }


def _delete(vault: Vault, *native_ids: str) -> None:
    vault.conn.executemany("DELETE FROM items WHERE native_id = ?", [(n,) for n in native_ids])


@pytest.mark.parametrize(
    ("deleted", "check"),
    [
        pytest.param(("e2",), lambda v: "Kim Lee" not in _names(v), id="the only item showing someone"),
        pytest.param(
            ("c1",),
            lambda v: not _together(v, "sam@example.com", "+447700900123"),
            id="the card that joined two",
        ),
        pytest.param(("m3", "m4"), lambda v: "Dev Patel" in _names(v), id="a name now seen less often"),
        pytest.param(
            ("e1",), lambda v: _display(v, "sam@example.com") == "Sam Okafor", id="the first display"
        ),
        pytest.param(("e1", "e3", "c1", "m1"), lambda v: not _person_count(v, "sam"), id="everything of Sam"),
    ],
)
def test_deleted_items_are_taken_out_as_a_rebuild_would(vault, deleted, check):
    _add(
        vault,
        "mail",
        _email(1, "S. Okafor", "sam@example.com"),
        _email(2, "Kim Lee", "kim@example.com"),
        _email(3, "Sam Okafor", "sam@example.com"),
    )
    _add(vault, "vcard", _card(1, "Sam Okafor", ["sam@example.com"], ["+447700900123"]))
    _add(vault, "imessage", _message(1, "+447700900123", "+447700900123", "me"))
    _add(
        vault,
        "whatsapp",
        *(_message(n, "DEV PATEL", "me") for n in (2, 3, 4)),
        _message(5, "Dev Patel", "me"),
    )
    _add(vault, "whatsapp", _message(6, "Dev Patel", "me"))
    update(vault, "GB")
    assert _together(vault, "sam@example.com", "+447700900123")
    _delete(vault, *deleted)
    _add(vault, "mail", _email(9, "Zoë Brennan", "zoe@example.org"))
    assert update(vault, "GB") == "extended", "taken out item by item, no rebuild"
    assert check(vault)
    assert vault.conn.execute("SELECT count(*) FROM people_changes").fetchone()[0] == 0
    taken_out = graph(vault)
    rebuild(vault, "GB")
    assert taken_out == graph(vault)


def test_a_removed_source_is_taken_out_without_a_rebuild(vault):
    _add(vault, "mail", _email(1, "Sam Okafor", "sam@example.com"))
    _add(vault, "imessage", _message(1, "Sam Okafor <sam@example.com>", "me"), _message(2, "Mum", "Mum"))
    update(vault, "GB")
    vault.remove_source("imessage")
    assert update(vault, "GB") == "extended"
    before = graph(vault)
    rebuild(vault, "GB")
    assert before == graph(vault)
    assert "Mum" not in _names(vault)


def _names(vault: Vault) -> list[str]:
    return [r[0] for r in vault.conn.execute("SELECT name FROM persons")]


def _person_count(vault: Vault, who: str) -> int:
    """How many persons have an identity whose value contains `who`."""
    return vault.conn.execute(
        "SELECT count(DISTINCT person_id) FROM identities WHERE value LIKE ?", (f"%{who}%",)
    ).fetchone()[0]


def _display(vault: Vault, value: str) -> str:
    return vault.conn.execute("SELECT display FROM identities WHERE value = ?", (value,)).fetchone()[0]


def _together(vault: Vault, a: str, b: str) -> bool:
    person = dict(vault.conn.execute("SELECT value, person_id FROM identities").fetchall())
    return person[a] == person[b]
