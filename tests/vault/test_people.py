"""The people graph: one person across channels, every join explained, the user's merges and splits kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from homebody.errors import NotFound
from homebody.retrieval.filters import Filters
from homebody.retrieval.search import search
from homebody.vault.items import Item, Kind
from homebody.vault.people import extract, find_identity, override, rebuild
from homebody.vault.persons import lookup, person_in_question, persons, reasons
from homebody.vault.store import Vault

T = datetime(2026, 10, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "author", "participants", "meta", "keys"),
    [
        (
            Kind.EMAIL,
            "Sam Okafor <sam@example.com>",
            (),
            {"from": [["Sam Okafor", "Sam@Example.com"]]},
            {("email", "sam@example.com"), ("name", "sam okafor")},
        ),
        (Kind.MESSAGE, "+44 7700 900123", (), {}, {("phone", "+447700900123")}),
        (Kind.MESSAGE, "07700 900123", (), {}, {("phone", "+447700900123")}),
        (Kind.MESSAGE, "Mum", (), {}, {("name", "mum")}),
        (Kind.MESSAGE, "me", ("sam@example.com",), {}, {("email", "sam@example.com")}),
        (Kind.MESSAGE, None, (), {"system": True}, set()),
        (
            Kind.TRANSACTION,
            None,
            (),
            {"counterparty": "Sam Okafor", "amount": "-45.00", "profile": "venmo"},
            {("name", "sam okafor")},
        ),
        (Kind.TRANSACTION, None, (), {"counterparty": "TESCO", "amount": "-4.50"}, set()),
        (Kind.TRANSACTION, None, (), {"counterparty": "Corner Coffee Co", "amount": "-4.50"}, set()),
    ],
)
def test_identities_each_channel_shows(kind, author, participants, meta, keys):
    seen, _ = extract(kind, author, participants, meta, "GB")
    assert {s.key for s in seen} == keys


def test_a_group_card_is_not_a_person():
    seen, links = extract(Kind.CONTACT, None, (), {"name": "Ski Trip", "group": True, "members": ["a"]}, "GB")
    assert (seen, links) == ([], [])


def test_a_contact_card_links_its_addresses_and_numbers():
    meta = {
        "name": "Sam Okafor",
        "emails": ["sam@example.com"],
        "phones": [{"raw": "07700 900123", "e164": "+447700900123"}],
    }
    _, links = extract(Kind.CONTACT, None, (), meta, "GB")
    assert {(a, b) for a, b, _ in links} == {
        (("name", "sam okafor"), ("email", "sam@example.com")),
        (("name", "sam okafor"), ("phone", "+447700900123")),
    }
    assert all("contact card 'Sam Okafor'" in reason for *_, reason in links)


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "vault.db") as v:

        def add(source_kind, *items):
            source = v.add_source(source_kind, source_kind, "/x")
            for item in items:
                v.upsert(source, item, None)

        add(
            "mbox",
            Item(
                kind=Kind.EMAIL,
                native_id="e1",
                text="tickets for the concert",
                ts=T,
                author="Sam Okafor <sam@example.com>",
                meta={"from": [["Sam Okafor", "sam@example.com"]]},
            ),
        )
        add(
            "whatsapp",
            Item(kind=Kind.MESSAGE, native_id="w1", text="see you at the concert", ts=T, author="Sam Okafor"),
            Item(kind=Kind.MESSAGE, native_id="w2", text="dinner at mine", ts=T, author="Mum"),
        )
        add(
            "imessage",
            Item(kind=Kind.MESSAGE, native_id="i1", text="running late", ts=T, author="+447700900123"),
        )
        add(
            "vcard",
            Item(
                kind=Kind.CONTACT,
                native_id="c1",
                text="Sam Okafor",
                title="Sam Okafor",
                meta={
                    "name": "Sam Okafor",
                    "emails": ["sam@example.com"],
                    "phones": [{"raw": "07700 900123", "e164": "+447700900123"}],
                },
            ),
        )
        add(
            "venmo",
            Item(
                kind=Kind.TRANSACTION,
                native_id="v1",
                text="Sam Okafor concert -45.00",
                ts=T,
                meta={"counterparty": "Sam Okafor", "amount": "-45.00", "profile": "venmo"},
            ),
        )
        rebuild(v, "GB")
        yield v


def test_one_person_across_email_phone_whatsapp_and_venmo(vault):
    sam = lookup(vault, "Sam Okafor")
    assert {k for k, _, _ in sam.identities} == {"email", "phone", "name"}
    assert set(sam.channels) == {"mbox", "whatsapp", "imessage", "vcard", "venmo"}
    why = " / ".join(r for *_, r in reasons(vault, sam))
    assert "contact card 'Sam Okafor'" in why and "writes from sam@example.com" in why
    assert lookup(vault, "+447700900123").id == sam.id == lookup(vault, "sam").id
    assert lookup(vault, "Mum").id != sam.id
    assert sam.name == "Sam Okafor", "a name beats the phone number seen more often"
    assert sam.name == "Sam Okafor", "a name beats the phone number seen more often"


def test_search_and_questions_filter_by_person(vault):
    sam = lookup(vault, "Sam Okafor")
    texts = {h.stored.item.text for h in search(vault, "concert dinner late", filters=Filters(person=sam.id))}
    assert texts == {
        "tickets for the concert",
        "see you at the concert",
        "running late",
        "Sam Okafor concert -45.00",
    }
    assert person_in_question(vault, "what did Sam say about the concert?").id == sam.id
    assert person_in_question(vault, "what is for dinner?") is None


def test_split_and_merge_are_kept_across_rebuilds(vault):
    override(vault, "split", find_identity(vault, "+447700900123", "GB"))
    rebuild(vault, "GB")
    assert lookup(vault, "Sam Okafor").channels.keys() == {"mbox", "whatsapp", "vcard", "venmo"}
    override(vault, "merge", find_identity(vault, "Mum", "GB"), find_identity(vault, "+447700900123", "GB"))
    rebuild(vault, "GB")
    mum = lookup(vault, "Mum")
    assert {v for _, v, _ in mum.identities} == {"mum", "+447700900123"}
    assert any(r == "merged by you" for *_, r in reasons(vault, mum))
    assert len(persons(vault)) == 2


def test_unknown_people_are_clear_errors(vault):
    with pytest.raises(NotFound, match="no person called"):
        lookup(vault, "Zed Zebra")
    with pytest.raises(NotFound, match="no identity"):
        find_identity(vault, "nobody@example.org", "GB")


def test_a_person_filter_holds_when_every_word_is_common(vault, monkeypatch):
    from homebody.retrieval import search as full_text

    monkeypatch.setattr(full_text, "COMMON", 0)  # every word is common: ranked without bm25()
    sam = lookup(vault, "Sam Okafor")
    texts = {h.stored.item.text for h in search(vault, "concert dinner late", filters=Filters(person=sam.id))}
    assert texts == {
        "tickets for the concert",
        "see you at the concert",
        "running late",
        "Sam Okafor concert -45.00",
    }
    assert len(search(vault, "concert late", limit=1, filters=Filters(person=sam.id))) == 1
