"""Background noise: the everyday traffic that surrounds the facts, `scale` times over.

Noise is drawn from its own random stream and a vocabulary kept clear of every fact's words (no
dentists, rents, flights, codes, birthdays or debts), so it makes search harder without ever
contradicting a labelled answer.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from homebody.demo.life import cast
from homebody.demo.life.cast import Person
from homebody.demo.life.model import (
    END,
    FEED,
    NOTES,
    START,
    WA_CHLOE,
    WA_READERS,
    Article,
    Life,
    Line,
    Note,
    Text,
    Txn,
    at,
)
from homebody.demo.life.model import OFX as OFX_FILE
from homebody.demo.life.model import Event as EventRecord
from homebody.demo.life.money import _venmo
from homebody.demo.life.story import event, mail

CHAT = (
    "on my way",
    "haha yes",
    "ok 👍",
    "sounds good",
    "running 10 min late sorry",
    "can you call me later?",
    "lol",
    "😂😂",
    "did you see that?",
    "night night",
    "morning!",
    "so tired today",
    "nothing much, you?",
    "what are you up to this weekend?",
    "love that",
    "thanks!!",
    "no worries",
    "just got home",
    "omw",
    "yes please",
    "not sure yet, will let you know",
    "did you watch the match?",
    "that's hilarious",
    "ugh mondays",
    "how was your day?",
    "fine, long one",
    "send pics",
    "🙌",
    "call you in 5",
    "it's freezing today",
    "I made soup, very proud of myself",
    "the bus was packed again",
    "can't believe it's nearly the weekend",
    "ha, classic",
    "I'll think about it",
    "same here",
)
WORK_SUBJECTS = (
    "Weekly metrics sync",
    "Re: SQL review",
    "Lunch and learn: dbt basics",
    "Standup notes",
    "Re: cohort definitions",
    "Quick one about the retention query",
    "Re: OKR draft",
    "Holiday cover",
    "Notebook for the pricing model",
    "Re: data dictionary",
    "Team lunch Thursday?",
    "Re: access request",
)
WORK_LINES = (
    "I've left comments on the doc.",
    "Can we push this to next week?",
    "The query runs in about four minutes now.",
    "Thanks, that's really helpful.",
    "Let's pick this up at standup.",
    "I'll share the notebook later today.",
    "Looks good to me.",
    "Could you double-check the filters on the second tab?",
    "No rush on this one.",
    "Happy to pair on it tomorrow morning.",
    "I moved the meeting to the small room.",
    "Agenda below.",
)
FRIEND_SUBJECTS = (
    "Photos from the walk",
    "Re: this weekend",
    "That article I mentioned",
    "Podcast recommendation",
    "Re: catch up soon?",
    "Running club",
    "Recipe as promised",
    "Have you seen this?",
)
FRIEND_LINES = (
    "Hope the week's going ok!",
    "Let me know when you're free for a coffee.",
    "This made me think of you.",
    "We should do the canal walk again soon.",
    "I finally finished that series, no spoilers.",
    "Are you around next weekend?",
    "The new bakery near the park is worth the hype.",
    "Did you ever try that recipe?",
    "Sending good vibes for the week.",
    "The marshes were lovely this morning.",
)
READERS = (
    "Just finished chapter 3 😮",
    "No spoilers please!",
    "Running late, save me a seat",
    "Loved this month's pick",
    "Who else cried at the ending",
    "Can I bring a friend next time?",
    "Halfway through, it's slow going",
    "Adding this to my list",
    "That was such a good discussion",
    "Does anyone have a spare copy?",
)
PLACES = (
    "Millfields Park",
    "Chatsworth Road market",
    "Hackney Marshes",
    "Springfield Park",
    "the Round Chapel",
)
THINGS = (
    "litter pick this Saturday",
    "open studios weekend",
    "tree planting volunteers wanted",
    "market stays open later",
    "community fridge launches",
    "new mural unveiled",
    "five-a-side pitches refurbished",
    "swap shop returns",
)
SHOPS = (
    ("checking", "TFL TRAVEL CHARGE", 280, 890),
    ("checking", "BEAN THERE COFFEE", 310, 450),
    ("card", "NOOKSHOP ONLINE", 800, 6000),
    ("checking", "INKWELL STATIONERS", 300, 1800),
    ("card", "THREADS E8", 2000, 8000),
    ("card", "BOOKS ON THE LANE", 700, 2000),
    ("checking", "CORNER NEWS E5", 150, 900),
)
NEWSLETTERS = (
    ("City Lights Weekly", "hello@citylights.example.com", 0, "This weekend in London: {thing}"),
    ("The Data Digest", "digest@datadigest.example.org", 2, "The Data Digest: {thing}"),
    ("Linkwork", "notifications@linkwork.example.com", 3, "You appeared in {n} searches this week"),
)


def _when(rng: random.Random, first: date = START, last: date = END) -> datetime:
    day = first + timedelta(days=rng.randrange((last - first).days))
    return at(day, f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}")


def _mails(life: Life, rng: random.Random, scale: int) -> None:
    day = START
    while day < END:
        for name, address, weekday, subject in NEWSLETTERS:
            if day.weekday() == weekday:
                words = subject.format(thing=rng.choice(THINGS), n=rng.randint(3, 30))
                body = "\n\n".join(rng.sample(FRIEND_LINES + WORK_LINES, 4))
                mail(life, at(day, "07:30"), (name, address), words, body, labels="Inbox,Category Promotions")
                life.mails[-1].html = name == "City Lights Weekly"
        day += timedelta(days=1)
    for _ in range(380 * scale):
        person = rng.choice(cast.COLLEAGUES)
        lines = " ".join(rng.sample(WORK_LINES, rng.randint(2, 4)))
        sent = rng.random() < 0.3
        sender, to = (cast.MAYA, (person,)) if sent else (person, (cast.MAYA,))
        mail(
            life,
            _when(rng),
            sender,
            rng.choice(WORK_SUBJECTS),
            f"Hi,\n\n{lines}\n\nThanks",
            to=to,
            labels="Sent" if sent else "Inbox,Opened,Work",
        )
    for _ in range(70 * scale):
        friend = rng.choice((cast.ELLIE, cast.KWAME, cast.ZARA, cast.NADIA, cast.JOE))
        lines = " ".join(rng.sample(FRIEND_LINES, rng.randint(2, 4)))
        mail(life, _when(rng), friend, rng.choice(FRIEND_SUBJECTS), f"Hey Maya,\n\n{lines}\n\n{friend.first}")
    for _ in range(25 * scale):
        mail(
            life,
            _when(rng),
            ("Parcelpoint", "noreply@parcelpoint.example.com"),
            "Your parcel has been delivered",
            f"Good news, Maya!\n\nYour parcel PX{rng.randint(9000000, 9999999)} from Nookshop was "
            "delivered.\n\nParcelpoint",
            labels="Inbox,Category Updates",
        )


def _texts(life: Life, rng: random.Random, scale: int) -> None:
    people: dict[str, tuple[Person, ...]] = {
        "dev": (cast.DEV,),
        "leena": (cast.LEENA,),
        "siblings": (cast.DEV, cast.LEENA),
        "ellie": (cast.ELLIE,),
        "kwame": (cast.KWAME,),
        "zara": (cast.ZARA,),
        "jordan": (cast.JORDAN,),
    }
    weights = (5, 4, 4, 3, 2, 2, 1)
    for _ in range(1150 * scale):
        key = rng.choices(list(people), weights)[0]
        sender = None if rng.random() < 0.45 else rng.choice(people[key])
        life.texts.append(
            Text(
                "Messages/chat.db",
                chat=key,
                when=_when(rng),
                sender=sender.e164 if sender else None,
                text=rng.choice(CHAT),
                body_only=rng.random() < 0.35,
            )
        )


def _chats(life: Life, rng: random.Random, scale: int) -> None:
    for _ in range(160 * scale):
        author = "Maya Lindqvist" if rng.random() < 0.5 else cast.CHLOE.name
        when = _when(rng, date(2026, 5, 25))
        life.lines.append(
            Line(WA_CHLOE, when=when.replace(tzinfo=None), author=author, text=rng.choice(CHAT))
        )
    members = (cast.HANNAH, cast.NADIA, cast.JOE, cast.TOM_BECKETT)
    for _ in range(80 * scale):
        author = "Maya Lindqvist" if rng.random() < 0.25 else rng.choice(members).name
        when = _when(rng, date(2026, 6, 3))
        life.lines.append(
            Line(WA_READERS, when=when.replace(tzinfo=None), author=author, text=rng.choice(READERS))
        )


def _money(life: Life, rng: random.Random, scale: int) -> None:
    for _ in range(260 * scale):
        account, name, low, high = rng.choice(SHOPS)
        day = START + timedelta(days=rng.randrange((END - START).days))
        amount = -Decimal(rng.randint(low, high)) / 100
        life.txns.append(Txn(OFX_FILE, account=account, day=day, amount=amount, name=name, trntype="POS"))
    notes = ("ubers 🚕", "coffee ☕", "movie tickets 🎬", "🎳", "concert tix", "gas money ⛽")
    for n in range(20 * scale):
        who = rng.choice((cast.MARCUS, cast.KELSEY, cast.DANNY, cast.PRISCILLA))
        when = datetime.combine(START + timedelta(days=rng.randrange(180)), time(), tzinfo=UTC) + timedelta(
            minutes=rng.randrange(24 * 60), seconds=n
        )
        sign = "-" if rng.random() < 0.5 else ""
        _venmo(life, when, "Payment", rng.choice(notes), who.name, f"{sign}{rng.randint(5, 40)}.00")


def _calendar_and_feed(life: Life, rng: random.Random, scale: int) -> None:
    plans = (
        ("Drinks with Ellie", "The Crooked Billet, Clapton"),
        ("Call with Kwame", ""),
        ("Climbing with Zara", "Castle Climbing Centre"),
        ("Coffee with Joe", "Bean There, Chatsworth Road"),
        ("Run club", "Millfields Park"),
        ("Team lunch", "Canteen, 3rd floor"),
        ("Cinema", "Lantern Picturehouse"),
    )
    taken: set[tuple[str, datetime]] = {
        (e.summary, e.start) for e in life.events if isinstance(e.start, datetime)
    }
    for _ in range(45 * scale):
        summary, place = rng.choice(plans)
        start = _when(rng).replace(minute=0)
        if (summary, start) in taken:
            continue
        taken.add((summary, start))
        found: EventRecord = event(life, summary, start, start + timedelta(hours=1, minutes=30), place)
        found.created = start - timedelta(days=rng.randint(1, 20))
    for n in range(70 * scale):
        when = _when(rng)
        place, thing = rng.choice(PLACES), rng.choice(THINGS)
        body = " ".join(rng.sample(FRIEND_LINES, 2)) + "\n\nMore details on the council website."
        life.articles.append(
            Article(
                FEED, guid=f"bulletin-{when:%Y%m%d}-n{n}", title=f"{place}: {thing}", when=when, body=body
            )
        )
    for _ in range(20 * scale):
        day = START + timedelta(days=rng.randrange((END - START).days))
        path = f"Journal/{day:%Y-%m-%d}.md"
        if any(note.path == path for note in life.notes):
            continue
        text = (
            f"---\ndate: {day:%Y-%m-%d}\ntags: [journal]\n---\n"
            + " ".join(rng.sample(FRIEND_LINES, 3))
            + "\n"
        )
        life.notes.append(Note(NOTES + "/" + path, path=path, text=text))


def add_noise(life: Life, seed: int, scale: int) -> None:
    """Add the background traffic of every channel, `scale` times the base amount."""
    rng = random.Random(f"noise-{seed}")  # noqa: S311 - a seeded, reproducible life, not secrets
    _mails(life, rng, scale)
    _texts(life, rng, scale)
    _chats(life, rng, scale)
    _money(life, rng, scale)
    _calendar_and_feed(life, rng, scale)
