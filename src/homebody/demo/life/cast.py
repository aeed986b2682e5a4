"""The people of Maya Lindqvist's life: the demo persona's cast, extended to about forty.

Everyone is fictional. Addresses use the reserved example.* domains (RFC 2606); UK mobiles are in
Ofcom's drama range +44 7700 900xxx, London landlines 020 7946 0xxx, US numbers 555-01xx.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """Someone in the persona's life and how they can be reached."""

    name: str
    email: str = ""
    phone: str = ""  # as written on their contact card
    e164: str = ""  # the same number as a Messages handle writes it
    note: str = ""

    @property
    def first(self) -> str:
        """Their first name."""
        return self.name.split()[0]

    @property
    def pair(self) -> tuple[str, str]:
        """(name, address) for an email header."""
        return (self.name, self.email)


def _uk(last3: str, written: str | None = None) -> tuple[str, str]:
    """A drama-range UK mobile: (as written on a card, E.164)."""
    return written or f"+44 7700 900{last3}", f"+447700900{last3}"


MAYA = Person("Maya Lindqvist", "maya@example.com", *_uk("101"))
MUM = Person("Asha Patel", "asha.patel@example.net", *_uk("214"), note="Mum")
DEV = Person("Dev Patel", "dev.patel@example.org", *_uk("356"))
LEENA = Person("Leena Patel", "leena.patel@example.net", *_uk("318", "07700 900318"))
KAVITA = Person("Kavita Mehta", "", *_uk("582"), note="Auntie Kavita")
SAM = Person("Sam Okafor", "sam.okafor@example.com", *_uk("123"))
CHLOE = Person("Chloe Marsh", "chloe.m@example.org", *_uk("447"))
TOM_REID = Person("Tom Reid", "tom.reid@example.com")
HANNAH = Person("Hannah Fitzgerald", "hannah.fitz@example.org", *_uk("561"))
TOM_BECKETT = Person("Tom Beckett", "tom.beckett@example.org", *_uk("629"))
NADIA = Person("Nadia Rahman", "nadia.r@example.net", *_uk("673"))
JOE = Person("Joe Kimura", "joe.kimura@example.com", *_uk("688"))
PRIYA = Person("Priya Raman", "priya@northwind.example.com", *_uk("702"))
TOMASZ = Person("Tomasz Nowak", "tomasz.nowak@northwind.example.com")
SAM_W = Person("Sam Whitfield", "sam.whitfield@northwind.example.com", *_uk("735"))
AISHA = Person("Aisha Karim", "aisha.karim@northwind.example.com")
BEN = Person("Ben Carter", "ben.carter@northwind.example.com")
MARTA = Person("Marta Sousa", "marta.sousa@northwind.example.com")
GRAHAM = Person("Graham Ellis", "g.ellis@example.org")
FUNMI = Person("Funmi Adeyemi", "", *_uk("417"), note="Mrs Adeyemi, flat 4")
RAV = Person("Rav Sandhu", "", *_uk("811"))
OLLIE = Person("Ollie Grant", "", *_uk("826"))
ELLIE = Person("Ellie Novak", "ellie.novak@example.com", *_uk("845"))
KWAME = Person("Kwame Mensah", "kwame.mensah@example.org", *_uk("862"))
ZARA = Person("Zara Hussain", "zara.hussain@example.net", *_uk("879"))
ANJALI = Person("Anjali Mehta", "anjali.mehta@example.org", *_uk("893"))
JORDAN = Person("Jordan Alvarez", "jordan.alvarez@example.com", "+1 212 555 0142", "+12125550142")
PRISCILLA = Person("Priscilla Wong", "priscilla.wong@example.com", "+1 646 555 0178", "+16465550178")
MARCUS = Person("Marcus Lee", "marcus.lee@example.net", "+1 917 555 0115", "+19175550115")
KELSEY = Person("Kelsey Brooks", "kelsey.b@example.org", "+1 718 555 0163", "+17185550163")
DANNY = Person("Danny Russo", "", "+1 347 555 0129", "+13475550129")
PHARMACY = Person("Clapton Pharmacy", "", *_uk("741"))
DENTAL = Person("Harbour Dental", "reception@harbourdental.example.com", "020 7946 0321", "+442079460321")
SNIP = Person("Snip & Co", "bookings@snipandco.example.com", "020 7946 0588", "+442079460588")
LOTUS = Person("Lotus Yoga Studio", "hello@lotusyoga.example.com", "020 7946 0733", "+442079460733")
JESS = Person("Jess Doyle", "", *_uk("902"))
GP = Person("Brook Street Surgery", "", "020 7946 0150", "+442079460150")

#: Colleagues and friends who write the background email and chat.
FRIENDS = (SAM, CHLOE, HANNAH, ELLIE, KWAME, ZARA, NADIA, JOE, TOM_BECKETT)
COLLEAGUES = (PRIYA, TOMASZ, SAM_W, AISHA, BEN, MARTA)
NEW_YORK = (JORDAN, PRISCILLA, MARCUS, KELSEY, DANNY)
