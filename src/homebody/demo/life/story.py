"""Facts told by mail, the calendar, notes and the local news feed, with their questions.

They extend the demo persona's autumn: a New Year trip to Stockholm, the next dentist visit (and
last year's, as a distractor), haircuts, a pottery course, weekly one-to-ones, Mum's 65th, a fix to
the churn numbers, the landlord's inspection, and notes holding the codes a person writes down.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from homebody.demo.life import cast
from homebody.demo.life.cast import Person
from homebody.demo.life.model import (
    CALENDAR,
    FEED,
    MBOX,
    NOTES,
    Article,
    Event,
    Life,
    Mail,
    Note,
    Record,
    Txn,
    at,
    existing,
)
from homebody.demo.life.writers import event_uid, occurrence_key

YOGA_UID = "cbq7otjav52f44riwnup6sfsru@google.com"  # the demo calendar's weekly Tuesday class


def mail(
    life: Life,
    when: datetime,
    sender: Person | tuple[str, str],
    subject: str,
    body: str,
    *,
    to: tuple[Person, ...] = (cast.MAYA,),
    cc: tuple[Person, ...] = (),
    labels: str = "Inbox,Opened",
    reply_to: Mail | None = None,
) -> Mail:
    """Add an email to the mbox."""
    record = Mail(
        MBOX,
        when=when,
        sender=sender.pair if isinstance(sender, Person) else sender,
        to=tuple(p.pair for p in to),
        cc=tuple(p.pair for p in cc),
        subject=subject,
        body=body,
        labels=labels,
        reply_to=reply_to,
    )
    life.mails.append(record)
    return record


def event(
    life: Life,
    summary: str,
    start: datetime | date,
    end: datetime | date | None,
    location: str = "",
    description: str = "",
    **extra: object,
) -> Event:
    """Add a VEVENT to the calendar."""
    record = Event(
        CALENDAR,
        uid=event_uid(summary, start),
        summary=summary,
        start=start,
        end=end,
        location=location,
        description=description,
    )
    for key, value in extra.items():
        setattr(record, key, value)
    life.events.append(record)
    return record


def occurrence(uid: str, start: datetime) -> Record:
    """One occurrence of a recurring event, as its gold locator names it (`UID@<UTC start>`)."""
    return Record(CALENDAR, f"{uid}@{occurrence_key(start)}")


def note(life: Life, path: str, text: str, mtime: datetime | None = None) -> Note:
    """Add a note file below Notes/."""
    record = Note(NOTES + "/" + path, path=path, text=text, mtime=mtime)
    life.notes.append(record)
    return record


def article(life: Life, when: datetime, slug: str, title: str, body: str) -> Article:
    """Add an item to the local news feed."""
    record = Article(FEED, guid=f"bulletin-{when:%Y%m%d}-{slug}", title=title, when=when, body=body)
    life.articles.append(record)
    return record


def build_trips(life: Life, known: dict[str, Txn]) -> None:
    """Stockholm at New Year, the dentist now and last year, haircuts, Mum's 65th."""
    booking = mail(
        life,
        at(date(2026, 11, 9), "21:14"),
        ("Skyroute Travel", "bookings@skyroute.example.com"),
        "Booking confirmed: London Heathrow ⇄ Stockholm · ref Q8LM2T",
        "Your booking is confirmed\n\nBooking reference: Q8LM2T\nBooked by: Maya Lindqvist\n\n"
        "Passengers\n  1. Ms Maya Lindqvist\n\n"
        "OUTBOUND  Monday 28 December 2026\n  Flight NX 412\n"
        "  Depart London Heathrow (LHR) Terminal 2     07:55\n"
        "  Arrive Stockholm Arlanda (ARN) Terminal 5   11:10\n\n"
        "RETURN    Saturday 2 January 2027\n  Flight NX 419\n"
        "  Depart Stockholm Arlanda (ARN) Terminal 5   16:40\n"
        "  Arrive London Heathrow (LHR) Terminal 2     18:20\n\n"
        "Total paid: £246.80 (Visa ending 4417)\n\n"
        "Online check-in opens 48 hours before departure. Names on the booking\nmust match your "
        "passports.\n\n"
        "Skyroute Travel\n",
        labels="Inbox,Opened,Category Updates",
    )
    flight = event(
        life,
        "Flight to Stockholm (NX 412)",
        at(date(2026, 12, 28), "07:55"),
        at(date(2026, 12, 28), "10:10"),
        "London Heathrow Airport (LHR), Terminal 2",
        "Booking ref Q8LM2T",
        created=booking.when,
    )
    event(
        life,
        "Stockholm – New Year with Farmor",
        date(2026, 12, 28),
        date(2027, 1, 3),
        "Stockholm, Sweden",
        created=booking.when,
    )
    life.ask(
        "When do I fly to Stockholm, and from which airport?",
        "cross-source",
        [booking, flight],
        ["28 December", "07:55", "Heathrow"],
    )
    life.ask(
        "What's the booking reference for my Stockholm flights?",
        "single-source",
        [booking],
        ["Q8LM2T"],
        tags=("distractor",),
        note="The Lisbon booking (K7QZ4M, in the demo's mail) is the near-duplicate.",
    )
    life.ask(
        "How much did the Stockholm flights cost?",
        "cross-source",
        [booking, known["flights"]],
        ["246.80"],
        expected=Decimal("246.80"),
    )
    dentist = mail(
        life,
        at(date(2026, 10, 29), "16:02"),
        ("Harbour Dental", "reception@harbourdental.example.com"),
        "Your next check-up at Harbour Dental",
        "Dear Maya,\n\nThank you for visiting us today.\n\nYour next routine check-up is booked for\n"
        "Thursday 29 April 2027 at 09:10 with Dr. Anand.\n\nWe'll send a text reminder the day before.\n\n"
        "Harbour Dental\n48 Quayside Road, London E14\n",
    )
    upcoming = event(
        life,
        "Dentist – Harbour Dental",
        at(date(2027, 4, 29), "09:10"),
        at(date(2027, 4, 29), "09:40"),
        "Harbour Dental, 48 Quayside Road, London E14",
        created=dentist.when,
    )
    last_year = event(
        life,
        "Dentist – Harbour Dental",
        at(date(2025, 11, 12), "09:00"),
        at(date(2025, 11, 12), "09:30"),
        "Harbour Dental, 48 Quayside Road, London E14",
        created=datetime(2025, 5, 14, 10, tzinfo=UTC),
    )
    life.ask(
        "When is my next dentist appointment?",
        "temporal",
        [dentist, upcoming],
        ["29 April 2027", "09:10"],
        tags=("distractor",),
        note=(
            "The 14 October booking moved to 29 October (demo), which is past; last year's was 12 November "
            "2025."
        ),
    )
    life.ask("When did I go to the dentist last year?", "temporal", [last_year], ["12 November 2025"])
    cuts = []
    for day, clock in ((date(2026, 6, 13), "10:30"), (date(2026, 8, 22), "11:00")):
        reminder = mail(
            life,
            at(day - timedelta(days=1), "10:00"),
            ("Snip & Co", "bookings@snipandco.example.com"),
            f"Reminder: your appointment tomorrow at {clock}",
            f"Hi Maya,\n\nJust a reminder of your appointment tomorrow:\n\n{day:%A} {day.day} {day:%B %Y} "
            f"at {clock}\n"
            "Cut & blow-dry with Jess\nSnip & Co, 7 Chatsworth Road, London E5\n\nSee you soon,\nSnip & Co\n",
        )
        start = at(day, clock)
        cuts.append(
            (
                reminder,
                event(
                    life,
                    "Haircut – Jess",
                    start,
                    start + timedelta(hours=1),
                    "Snip & Co, 7 Chatsworth Road, London E5",
                ),
            )
        )
    life.ask(
        "When was my haircut before the one in October?",
        "temporal",
        list(cuts[-1]),
        ["22 August"],
    )
    rail = mail(
        life,
        at(date(2026, 7, 6), "20:12"),
        ("Northline Rail", "etickets@northlinerail.example.com"),
        "Your e-tickets: London King's Cross to Leeds",
        "Thank you for booking with Northline Rail.\n\nBooking reference: ET-87120955\n\n"
        "OUTWARD  Friday 17 July 2026\n  London King's Cross 18:03 -> Leeds 20:14\n  Coach D, seat 12\n\n"
        "RETURN   Sunday 19 July 2026\n  Leeds 16:15 -> London King's Cross 18:31\n  Coach A, seat 30\n\n"
        "Total: £61.20\n",
    )
    lunch = event(
        life,
        "Mum's 65th – lunch",
        at(date(2026, 7, 18), "13:00"),
        at(date(2026, 7, 18), "16:00"),
        "The Moorside, Roundhay, Leeds",
        "Table for 9 booked under Patel",
        created=rail.when,
    )
    event(life, "Mum's birthday 🎂", date(1961, 7, 18), date(1961, 7, 19), rrule="FREQ=YEARLY")
    life.ask("Where did we have Mum's 65th birthday lunch?", "single-source", [lunch], ["The Moorside"])


def build_routines(life: Life) -> None:
    """A pottery course, weekly one-to-ones, and questions on the demo's own calendar."""
    booked = mail(
        life,
        at(date(2026, 9, 10), "12:41"),
        ("Clay Corner", "hello@claycorner.example.com"),
        "Booking confirmed: Wheel throwing for beginners (8 weeks)",
        "Hi Maya,\n\nYou're booked on Wheel throwing for beginners: eight Wednesday evenings,\n"
        "19:00 to 21:00, starting 30 September. Aprons provided; short nails help!\n\n"
        "Paid: £180.00\n\nClay Corner, 5 Rendlesham Road, London E5\n",
    )
    first = at(date(2026, 9, 30), "19:00")
    pottery = event(
        life,
        "Pottery – wheel throwing",
        first,
        first + timedelta(hours=2),
        "Clay Corner, 5 Rendlesham Road, London E5",
        rrule="FREQ=WEEKLY;COUNT=8;BYDAY=WE",
        created=booked.when,
    )
    last = first + timedelta(weeks=7)
    life.ask(
        "When was my last pottery session?",
        "temporal",
        [occurrence(pottery.uid, last), booked],
        ["18 November"],
        note="Eight weekly sessions from 30 September: the eighth was Wednesday 18 November.",
    )
    start = at(date(2026, 6, 1), "10:00")
    one_to_one = event(
        life,
        "1:1 Priya / Maya",
        start,
        start + timedelta(minutes=30),
        "Teams",
        rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20261221T235959Z",
        exdates=(at(date(2026, 8, 31), "10:00"),),
    )
    life.ask(
        "When is my next one-to-one with Priya?",
        "temporal",
        [occurrence(one_to_one.uid, at(date(2026, 11, 23), "10:00"))],
        ["23 November", "10:00"],
    )
    life.ask(
        "When is my next yoga class?",
        "temporal",
        [occurrence(YOGA_UID, at(date(2026, 11, 24), "18:30"))],
        ["24 November", "18:30"],
        note="The demo calendar's weekly Tuesday class; today is Saturday 21 November.",
    )
    life.ask(
        "What's on my calendar next Thursday evening?",
        "temporal",
        [existing(CALENDAR, "schj7f5v4hb7kxgibybxd7vwe3@google.com")],
        ["Book club", "Marlow Café"],
    )


def build_work_and_home(life: Life) -> None:
    """The churn fix, a trip to Porto with the other Sam, the landlord's inspection, the ISA letter."""
    fix = mail(
        life,
        at(date(2026, 10, 8), "17:22"),
        cast.TOMASZ,
        "Found the churn double count",
        "Hi Maya,\n\nFound it. Trial accounts that converted in the middle of a month were\n"
        "counted twice: once as churned and once as new. That inflated September.\n\n"
        "With the fix, September churn is 3.6%, not 4.1%. August doesn't change.\n"
        "The dashboard is corrected from tonight's refresh.\n\nTomasz\n",
        cc=(cast.PRIYA,),
    )
    life.ask(
        "What was September's churn rate once the dashboard bug was fixed?",
        "single-source",
        [fix],
        ["3.6%"],
    )
    life.ask(
        "How far off was the first September churn figure, and why?",
        "cross-source",
        [existing(MBOX, "<DB7PR04MB5620.q3first1001@northwind.example.com>"), fix],
        ["4.1%", "3.6%"],
        note="Priya's first look says 4.1%; Tomasz's fix (converted trials counted twice) gives 3.6%.",
    )
    porto = mail(
        life,
        at(date(2026, 11, 12), "11:05"),
        cast.SAM_W,
        "Porto office visit, 9-11 February",
        "Hi Maya,\n\nYou're on the list for the Porto office visit, 9 to 11 February. The new\n"
        "analytics hires start in January and we'd like you to run two days of\n"
        "onboarding on the churn models. Flights and hotel go through the travel desk.\n\nSam\n",
    )
    life.ask(
        "Who asked me to go to Porto in February, and what for?",
        "single-source",
        [porto],
        ["Sam Whitfield", "onboarding"],
        tags=("distractor",),
        note="Not Sam Okafor, who only jokes about Porto next year in the demo's WhatsApp chat.",
    )
    inspection = mail(
        life,
        at(date(2026, 11, 16), "09:40"),
        cast.GRAHAM,
        "Annual inspection",
        "Dear Maya,\n\nI'd like to do the annual inspection of the flat on Monday 7 December at\n"
        "10:00. It usually takes about half an hour. Let me know if that doesn't suit.\n\n"
        "Kind regards,\nGraham Ellis\n",
    )
    life.ask(
        "When is the landlord coming round to look at the flat?",
        "single-source",
        [inspection],
        ["7 December", "10:00"],
        tags=("paraphrase",),
    )
    mail(
        life,
        at(date(2026, 6, 12), "07:30"),
        ("Oakridge Investments", "noreply@oakridge.example.com"),
        "Your annual ISA summary is ready",
        "Hello Maya,\n\nYour annual Stocks and Shares ISA summary is ready. Log in to view it\n"
        "securely; for your protection we never put balances in emails.\n\nOakridge Investments\n",
        labels="Inbox,Opened,Category Updates",
    )
    statements = (
        (date(2026, 6, 1), "Your June statement is ready", "31.90", "30.50", "62.40", "15 June"),
        (date(2026, 7, 1), "Your July statement is ready", "29.85", "25.25", "55.10", "15 July"),
        (date(2026, 7, 31), "Your August statement is ready", "33.08", "25.25", "58.33", "17 August"),
        (date(2026, 10, 1), "Your Direct Debit for October", "40.21", "41.43", "81.64", "15 October"),
    )
    for day, subject, power, gas, total, taken in statements:
        mail(
            life,
            at(day, "09:00"),
            ("Brightwatt Energy", "statements@brightwatt.example.com"),
            subject,
            "Hello Maya,\n\nYour latest energy statement is ready in your account.\n\nElectricity: "
            f"£{power}\n"
            f"Gas: £{gas}\nTotal: £{total}\n\nYour Direct Debit of £{total} will be taken on {taken}.\n\n"
            "Brightwatt Energy\n",
            labels="Inbox,Opened,Category Updates",
        )
    for day, extras, total in (
        (date(2026, 5, 28), "none                   £0.00", "12.00"),
        (date(2026, 6, 28), "none                   £0.00", "12.00"),
        (date(2026, 7, 28), "5GB data add-on        £5.00", "17.00"),
        (date(2026, 9, 28), "none                   £0.00", "12.00"),
        (date(2026, 10, 28), "none                   £0.00", "12.00"),
    ):
        mail(
            life,
            at(day, "06:12"),
            ("Orbit Mobile", "billing@orbitmobile.example.com"),
            "Your Orbit Mobile bill is ready",
            "Hi Maya,\n\nYour monthly bill is ready.\n\nPlan: SIM only 30GB            £12.00\nExtras: "
            f"{extras}\n"
            f"Total                          £{total}\n\nWe'll collect this by Direct Debit on or just "
            "after the 4th.\n\n"
            "Orbit Mobile\n",
            labels="Inbox,Opened,Category Updates",
        )


def build_notes(life: Life) -> dict[str, Note]:
    """Notes: the router and the codes (no word in common with the natural questions), a recipe,
    meter readings, gift ideas, medicines."""
    wifi = note(
        life,
        "Home/Router.md",
        "---\ndate: 2026-06-02\ntags: [home]\n---\n# Router\n\nThe hub lives in the hall cupboard, behind "
        "the hoover.\n\n"
        "- Network: Ellis-Flat2\n- Key: plum-Kettle-42\n- Visitors: Ellis-Guest / biscuit-and-tea\n\n"
        "Restart it by holding the button on the back for ten seconds.\n",
    )
    codes = note(
        life,
        "codes.txt",
        "Brompton: 3917\nLotus cubby: 4071\nPost box: 22\n",
        datetime(2026, 9, 2, 18, 40, tzinfo=UTC),
    )
    cake = note(
        life,
        "Recipes/Chocolate raspberry cake.md",
        "---\ndate: 2026-10-11\ntags: [baking]\n---\n# Chocolate raspberry cake\n\nFor Dev's 30th. Two 20 "
        "cm tins.\n\n"
        "- 200 g dark chocolate, 200 g butter, 200 g sugar, 4 eggs, 150 g self-raising flour\n"
        "- 300 g raspberries, half in the middle, half on top\n\n"
        "Bake 35 minutes at 170°C (fan 150). Cool completely before the ganache.\n",
    )
    readings = [
        (date(2026, m, 1), r)
        for m, r in ((6, 47402), (7, 47615), (8, 47811), (9, 48004), (10, 48211), (11, 48502))
    ]
    table = "\n".join(f"| {d:%d %b %Y} | {r} |" for d, r in readings)
    meter = note(
        life,
        "Flat/Meter readings.md",
        f"---\ndate: 2026-11-01\ntags: [flat]\n---\n# Meter readings\n\nElectricity, taken on the 1st.\n\n"
        f"| Date | Reading (kWh) |\n|---|---|\n{table}\n",
    )
    gifts = note(
        life,
        "Gifts.md",
        "---\ndate: 2026-10-20\n---\n# Gifts\n\n## Dev, 30th\n- ~~headphones~~ he bought some\n"
        "- Marrow & Tide, first album on vinyl (ordered ✔)\n\n## Leena\n- drawing pens?\n",
    )
    meds = note(
        life,
        "Health/Medicines.md",
        "---\ndate: 2026-09-03\n---\n# Medicines\n\nSalbutamol inhaler (the blue one), two puffs when "
        "needed.\n"
        "Repeat about every three months, collected from Clapton Pharmacy.\nAsthma review at Brook Street "
        "Surgery each September.\n",
    )
    life.ask(
        "What's the wifi password at home?", "single-source", [wifi], ["plum-Kettle-42"], tags=("paraphrase",)
    )
    life.ask(
        "What's the combination for my bike lock?", "single-source", [codes], ["3917"], tags=("paraphrase",)
    )
    life.ask("What's my locker code at yoga?", "single-source", [codes], ["4071"], tags=("paraphrase",))
    life.ask(
        "How long does the chocolate and raspberry cake bake for?", "single-source", [cake], ["35 minutes"]
    )
    used = readings[-1][1] - readings[-2][1]
    life.ask(
        "How many units of electricity did I use in October, going by my meter readings?",
        "aggregate",
        [meter],
        [str(used)],
        expected=used,
        note="The reading of 1 November minus that of 1 October.",
    )
    life.ask("What am I giving Dev for his 30th?", "single-source", [gifts], ["Marrow & Tide", "vinyl"])
    return {"meds": meds}


def build_feed(life: Life) -> None:
    """The local news: roadworks next week and the library's refurbishment."""
    roads = article(
        life,
        datetime(2026, 11, 17, 8, 0, tzinfo=UTC),
        "lea-bridge-road",
        "Overnight resurfacing on Lea Bridge Road",
        "Lea Bridge Road will be closed between Chatsworth Road and the Lea Bridge roundabout from\n"
        "Monday 23 to Friday 27 November, 20:00 to 06:00 each night, while the carriageway is resurfaced.\n\n"
        "Buses 55 and 56 will be diverted via Clapton Road. Pavements stay open.",
    )
    library = article(
        life,
        datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        "library-refurb",
        "Clapton Library closes for refurbishment",
        "Clapton Library will close on Tuesday 1 December for a three-month refurbishment: new heating,\n"
        "a children's corner and longer opening hours. It reopens on Monday 1 March.\n\n"
        "Reservations can be collected from Hackney Central Library in the meantime.",
    )
    life.ask("Which road is shut overnight next week?", "single-source", [roads], ["Lea Bridge Road"])
    life.ask(
        "When does Clapton Library reopen after the refurbishment?", "single-source", [library], ["1 March"]
    )
