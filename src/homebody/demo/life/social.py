"""People: the contact cards, iMessage and WhatsApp facts, and the person-centred questions.

Dev Patel is the person seen on most channels: his card holds his email and mobile, the same mobile
writes in Messages, his name writes in the demo's Family WhatsApp group and on Venmo. Auntie Kavita,
an unsaved number in that group, is joined to her card by the number alone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from homebody.demo.life import cast
from homebody.demo.life.cast import Person
from homebody.demo.life.model import (
    CONTACTS,
    MBOX,
    WA_CHLOE,
    WA_READERS,
    Card,
    Chat,
    Life,
    Line,
    Mail,
    Note,
    Text,
    Txn,
    at,
    existing,
)
from homebody.demo.life.story import event, mail
from homebody.demo.life.writers import card_uid

CHATS = (
    Chat("dev", (cast.DEV.e164,)),
    Chat("leena", (cast.LEENA.e164,)),
    Chat("siblings", (cast.DEV.e164, cast.LEENA.e164), "Patel kids 🐘"),
    Chat("kavita", (cast.KAVITA.e164,), service="SMS"),
    Chat("pharmacy", (cast.PHARMACY.e164,), service="SMS"),
    Chat("surgery", (cast.GP.e164,), service="SMS"),
    Chat("funmi", (cast.FUNMI.e164,), service="SMS"),
    Chat("ellie", (cast.ELLIE.e164,)),
    Chat("kwame", (cast.KWAME.e164,)),
    Chat("zara", (cast.ZARA.e164,)),
    Chat("jordan", (cast.JORDAN.e164,)),
)


def _card(life: Life, person: Person, **fields: Any) -> Card:
    words = person.name.split()
    given, family = words[0], words[-1] if len(words) > 1 else ""
    card = Card(
        CONTACTS,
        uid=card_uid(person.name),
        fn=person.name,
        family=family,
        given=given,
        emails=(person.email,) if person.email else (),
        phones=(person.phone,) if person.phone else (),
    )
    for key, value in fields.items():
        setattr(card, key, value)
    life.cards.append(card)
    return card


def build_cards(life: Life) -> dict[str, Card]:
    """About forty contact cards, vCard 3.0 with a few 4.0 (the US friends, from an Android phone)."""
    cards = {
        "dev": _card(life, cast.DEV, birthday="1996-12-03", address="27 Harehills Lane, Leeds"),
        "leena": _card(
            life,
            cast.LEENA,
            birthday="2004-03-02",
            org="Brightside Architects",
            title="Architectural assistant",
        ),
        "funmi": _card(
            life, cast.FUNMI, fn="Mrs Adeyemi (flat 4)", note="Neighbour, flat 4. Has our spare key."
        ),
        "jordan": _card(
            life, cast.JORDAN, version="4.0", note="From the Northwind New York office (2024-25)."
        ),
        "sam_w": _card(life, cast.SAM_W, org="Northwind", title="Product Manager"),
    }
    _card(life, cast.MAYA, note="Me")
    _card(life, cast.MUM, fn="Mum", birthday="1961-07-18")
    _card(life, cast.KAVITA, note="Auntie Kavita, Mum's cousin")
    for person in (cast.SAM, cast.CHLOE, cast.TOM_REID, cast.HANNAH, cast.TOM_BECKETT, cast.NADIA, cast.JOE):
        _card(life, person)
    for person in (cast.ELLIE, cast.KWAME, cast.ZARA, cast.ANJALI):
        _card(life, person)
    titles = {cast.PRIYA: "Head of Analytics", cast.TOMASZ: "Data Engineer", cast.AISHA: "Analyst"}
    for person in (cast.PRIYA, cast.TOMASZ, cast.AISHA, cast.BEN, cast.MARTA):
        _card(life, person, org="Northwind", title=titles.get(person, ""))
    _card(life, cast.GRAHAM, note="Landlord, flat 2")
    for person in (cast.PRISCILLA, cast.MARCUS):
        _card(life, person, version="4.0", note="New York friends")
    _card(life, cast.KELSEY, note="New York friends")
    _card(life, cast.JESS, org="Snip & Co", title="Hairdresser")
    for business in (cast.PHARMACY, cast.DENTAL, cast.SNIP, cast.LOTUS, cast.GP):
        _card(life, business, family="", given="", org=business.name, company=True)
    return cards


def _text(
    life: Life, chat: str, when: datetime, sender: Person | None, words: str, body_only: bool = False
) -> Text:
    record = Text(
        "Messages/chat.db",
        chat=chat,
        when=when,
        sender=sender.e164 if sender else None,
        text=words,
        body_only=body_only,
    )
    life.texts.append(record)
    return record


def _line(life: Life, file: str, when: datetime, author: str | None, words: str) -> Line:
    record = Line(file, when=when.replace(tzinfo=None), author=author, text=words)
    life.lines.append(record)
    return record


def build_messages(life: Life, cards: dict[str, Card], known: dict[str, Txn], notes: dict[str, Note]) -> None:
    """Facts told in Messages and the new WhatsApp chats, with their questions."""
    life.chats.update({c.key: c for c in CHATS})
    dev, leena = cast.DEV, cast.LEENA
    grad = _text(
        life,
        "leena",
        at(date(2026, 6, 20), "18:02"),
        leena,
        "Graduation is Wednesday 15 July, 2pm!! You HAVE to come 🎓",
    )
    _text(life, "leena", at(date(2026, 6, 20), "18:10"), None, "Obviously!! Booking the day off now")
    tickets: Mail = mail(
        life,
        at(date(2026, 6, 24), "09:15"),
        leena,
        "Fwd: Your graduation guest tickets",
        "For you! Print it or show it on your phone x\n\n---------- Forwarded message ---------\n"
        "From: Aire Valley University <graduation@aire-valley.example.ac.uk>\n\n"
        "Your guest tickets for Ceremony 4 are attached.\n\nVenue: Great Hall, Aire Valley University, "
        "Leeds LS2\n"
        "Guests must be seated 30 minutes before the ceremony starts. Each graduate may bring two guests.\n",
    )
    life.ask(
        "When and where was Leena's graduation?",
        "cross-source",
        [grad, tickets],
        ["15 July", "Great Hall"],
        tags=("split",),
        note="The day and time are only in Leena's text; the venue only in the forwarded tickets email.",
    )
    job = _text(
        life,
        "leena",
        at(date(2026, 10, 5), "19:31"),
        leena,
        "First day at Brightside Architects done!! Everyone is so nice",
        body_only=True,
    )
    life.ask("Where does Leena work now?", "person-centred", [cards["leena"], job], ["Brightside Architects"])
    life.ask("When is Leena's birthday?", "person-centred", [cards["leena"]], ["2 March"])
    present = _text(
        life,
        "siblings",
        at(date(2026, 7, 8), "21:16"),
        dev,
        "Right. Kew Gardens membership + afternoon tea for two. Final answer for Mum's 65th?",
    )
    _text(life, "siblings", at(date(2026, 7, 8), "21:19"), leena, "Yes!! She'll love the glasshouses")
    _text(life, "siblings", at(date(2026, 7, 8), "21:20"), None, "Perfect, I'll send you my half")
    life.ask("What did we give Mum for her 65th?", "single-source", [present], ["Kew Gardens"])
    got_it = _text(
        life,
        "dev",
        at(date(2026, 11, 6), "12:48"),
        dev,
        "GOT IT. Team lead at the council, I start on 4 January 🎉",
    )
    _text(
        life,
        "dev",
        at(date(2026, 11, 6), "12:50"),
        None,
        "DEV!!! Told you the two-line summary would do it 😎",
    )
    _text(
        life,
        "dev",
        at(date(2026, 11, 6), "12:52"),
        dev,
        "Fine, you can have some credit. Drinks at the party",
    )
    _text(
        life,
        "dev",
        at(date(2026, 11, 19), "20:05"),
        dev,
        "Mum's making me wear a party hat on the 5th. Send help",
        body_only=True,
    )
    life.ask(
        "Did Dev get the council job, and when does he start?",
        "cross-source",
        [existing(MBOX, "<CAD9pT3kQ7+cv@mail.example.org>"), got_it],
        ["4 January"],
    )
    life.ask("What's Dev's mobile number?", "person-centred", [cards["dev"]], ["7700 900356"])
    kavita = _text(
        life,
        "kavita",
        at(date(2026, 11, 14), "10:22"),
        cast.KAVITA,
        "Hello Maya beta, Auntie Kavita here. Which train are you on for Dev's party? Uncle can collect you "
        "from Leeds",
    )
    life.ask(
        "When did I last hear from Auntie Kavita, and what did she ask?",
        "person-centred",
        [kavita],
        ["14 November", "train"],
    )
    _text(
        life,
        "pharmacy",
        at(date(2026, 8, 21), "11:03"),
        cast.PHARMACY,
        "CLAPTON PHARMACY: Your repeat items are ready for pickup. Open Mon-Sat 9-6.",
    )
    ready = _text(
        life,
        "pharmacy",
        at(date(2026, 11, 16), "10:47"),
        cast.PHARMACY,
        "CLAPTON PHARMACY: Your repeat items are ready for pickup. Open Mon-Sat 9-6.",
    )
    life.ask(
        "When did the pharmacy last tell me my prescription was ready?",
        "temporal",
        [ready],
        ["16 November"],
        tags=("paraphrase", "distractor"),
        note="The same text came on 21 August; the latest is 16 November.",
    )
    life.ask(
        "What did I pay for my latest prescription, and what is it for?",
        "cross-source",
        [known["prescription"], notes["meds"]],
        ["9.90", "inhaler"],
    )
    _text(
        life,
        "surgery",
        at(date(2026, 9, 2), "09:00"),
        cast.GP,
        "Brook Street Surgery: reminder of your asthma review on 03/09 at 08:40. Reply CANCEL to cancel.",
    )
    key = _text(
        life,
        "funmi",
        at(date(2026, 11, 3), "11:52"),
        cast.FUNMI,
        "Hello Maya, the boiler man has been and gone, all fine. Your key is with me, knock when you're "
        "home. Funmi (flat 4)",
    )
    life.ask(
        "Did the boiler service happen, and who has my key?",
        "cross-source",
        [existing(MBOX, "<5b2f0e7c-91d4-4a7e-8c3a-ellis1027@example.org>"), key],
        ["Adeyemi"],
    )
    life.ask("What's Mrs Adeyemi's phone number?", "person-centred", [cards["funmi"]], ["7700 900417"])
    life.ask("Who is Jordan Alvarez?", "person-centred", [cards["jordan"]], ["New York"])
    life.ask(
        "Which Sam works at Northwind, and what's his job?",
        "person-centred",
        [cards["sam_w"]],
        ["Sam Whitfield", "Product Manager"],
        tags=("distractor",),
    )
    _chloe(life)
    _readers(life)


def _chloe(life: Life) -> None:
    chloe = cast.CHLOE.name
    _line(
        life,
        WA_CHLOE,
        at(date(2026, 5, 24), "10:00"),
        None,
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can "
        "read or listen to them. Tap to learn more.",
    )
    venue = _line(
        life,
        WA_CHLOE,
        at(date(2026, 10, 1), "20:14"),
        chloe,
        "VENUE BOOKED!!! Hartwell Barn, the one with the fairy lights 😭",
    )
    _line(life, WA_CHLOE, at(date(2026, 10, 1), "20:15"), "Maya Lindqvist", "NO WAY the one near Lewes?? 😍")
    ask = _line(
        life,
        WA_CHLOE,
        at(date(2026, 10, 4), "11:40"),
        chloe,
        "Ok serious question. Will you be my bridesmaid? 🥺💐",
    )
    _line(life, WA_CHLOE, at(date(2026, 10, 4), "11:41"), "Maya Lindqvist", "YES. A thousand times yes 😭😭")
    hen = _line(
        life,
        WA_CHLOE,
        at(date(2026, 11, 10), "21:03"),
        chloe,
        "Hen do is Saturday 16 January in Brighton!! Don't tell Tom the details",
    )
    hen_event = event(life, "Chloe's hen do", date(2027, 1, 16), date(2027, 1, 17), "Brighton")
    save = mail(
        life,
        at(date(2026, 11, 3), "19:30"),
        cast.CHLOE,
        "Save the date! Chloe & Tom",
        "Save the date!\n\nChloe & Tom are getting married on Saturday 12 June 2027.\n\n"
        "Formal invitation with all the details to follow. We can't wait to celebrate with you.\n\nC & T "
        "xx\n",
        to=(cast.MAYA, cast.SAM),
        cc=(cast.TOM_REID,),
    )
    life.ask(
        "When and where is Chloe's wedding?",
        "cross-source",
        [save, venue],
        ["12 June 2027", "Hartwell Barn"],
        tags=("split",),
        note="The date is only in the save-the-date email; the venue only in the WhatsApp chat.",
    )
    life.ask("What did Chloe ask me to be at her wedding?", "person-centred", [ask], ["bridesmaid"])
    life.ask(
        "When and where is Chloe's hen do?", "cross-source", [hen, hen_event], ["16 January", "Brighton"]
    )


def _readers(life: Life) -> None:
    _line(
        life,
        WA_READERS,
        at(date(2026, 6, 2), "19:00"),
        None,
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can "
        "read or listen to them.",
    )
    _line(life, WA_READERS, at(date(2026, 6, 2), "19:00"), None, "Hannah Fitzgerald created this group")
    _line(
        life,
        WA_READERS,
        at(date(2026, 6, 2), "19:01"),
        cast.HANNAH.name,
        "Hello readers! A group for the boring logistics so the email list can be for books 📚",
    )
    december = _line(
        life,
        WA_READERS,
        at(date(2026, 11, 19), "20:40"),
        cast.NADIA.name,
        "December's at mine! Thursday 17th, 7pm, mulled wine provided 🍷 Flat 9, 40 Powerscroft Road",
    )
    _line(
        life,
        WA_READERS,
        at(date(2026, 11, 19), "20:44"),
        cast.HANNAH.name,
        "Perfect, thank you Nadia! Book to be decided at Marlow",
    )
    life.ask(
        "Where is December's book club, and when?",
        "single-source",
        [december],
        ["Nadia", "17"],
        note="November's meeting is at Marlow Café on 26 November (demo); December's host is Nadia Rahman.",
    )


def build_unknowns(life: Life) -> None:
    """Questions about data the persona never connected, and about facts that are nowhere."""
    for text, note in (
        ("How many steps did I walk yesterday?", "No health or fitness app is connected."),
        ("How many hours did I sleep last night?", "No health or sleep tracker is connected."),
        (
            "How much is in my Oakridge stocks and shares ISA?",
            "Oakridge is not connected; its one email says balances are never emailed.",
        ),
        ("Which songs have I listened to most this month?", "No music streaming history is connected."),
        ("Where was I at 3pm last Tuesday?", "No location history is connected."),
    ):
        life.ask(text, "unconnected", [], note=note)
    for text, note in (
        ("What is my passport number?", "The booking emails only say names must match passports."),
        ("What's the wifi password at Mum's house?", "Only Maya's own router note exists (a distractor)."),
        ("When is Sam Okafor's birthday?", "Sam's contact card has no birthday and no message mentions it."),
        ("What is my National Insurance number?", "Not in any source."),
        ("How much did the boiler service cost?", "The landlord arranged and paid it; no amount anywhere."),
        ("What's Graham Ellis's phone number?", "His card and emails carry only an email address."),
    ):
        life.ask(text, "nowhere", [], note=note)
