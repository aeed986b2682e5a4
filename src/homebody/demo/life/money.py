"""Maya's money: the current account and credit card (OFX), the savings account (CSV) and Venmo.

These are facts, not noise: salary, rent (£1,580, then £1,640 from October as the demo's landlord
email says), bills matching the demo's Brightwatt and Orbit emails, groceries (the demo's Greengage
orders among them), restaurant meals, Sam paying back the £45 he owes in the demo's WhatsApp chat,
transfers into savings, and Venmo debts both ways. Aggregate questions get their expected numbers
from these records, so they hold for any seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from homebody.demo.life import cast
from homebody.demo.life.model import (
    MBOX,
    OFX,
    SAVINGS,
    START,
    VENMO,
    Life,
    Mail,
    Saving,
    Txn,
    Venmo,
    at,
    existing,
)
from homebody.demo.life.writers import digest

D = Decimal
GROCERS = ("GREENGAGE GROCER", "FRESCO MARKET CLAPTON", "HARVEST CO-OP")
RESTAURANTS = ("PHO REAL KITCHEN", "CASA LOLA TAPAS", "DALSTON DUMPLING HSE", "NONNA ROSA TRATTORIA")
MONTHS: tuple[tuple[int, int, str], ...] = (
    (2026, 6, "June"),
    (2026, 7, "July"),
    (2026, 8, "August"),
    (2026, 9, "September"),
    (2026, 10, "October"),
    (2026, 11, "November"),
)


def weekday_on_or_after(day: date) -> date:
    """The day itself, or the Monday after a weekend (when banks post standing orders)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _txn(
    life: Life, account: str, day: date, amount: str | Decimal, name: str, memo: str = "", kind: str = ""
) -> Txn:
    value = D(amount)
    trntype = kind or ("CREDIT" if value > 0 else "POS")
    txn = Txn(OFX, account=account, day=day, amount=value, name=name, memo=memo, trntype=trntype)
    life.txns.append(txn)
    return txn


def _total(txns: Iterable[Txn]) -> Decimal:
    return -sum((t.amount for t in txns), D(0))


def _greengage_mail(life: Life, day: date, rng: random.Random) -> Decimal:
    """A delivered-order email whose lines add up, and its total."""
    goods = [
        ("Oat milk (2 x 1L)", "3.20"), ("Sourdough loaf", "3.95"), ("Free-range eggs (6)", "2.75"),
        ("Cherry tomatoes", "2.10"), ("Basmati rice (1kg)", "2.60"), ("Greek yoghurt", "2.35"),
        ("Coffee beans", "6.50"), ("Spinach (bag)", "1.45"), ("Bananas (5)", "1.10"), ("Hummus", "1.85"),
        ("Cheddar", "3.30"), ("Chickpeas (x2)", "1.60"), ("Frozen peas", "1.75"), ("Apples (6)", "2.40"),
    ]  # fmt: skip
    picked = rng.sample(goods, rng.randint(4, 8))
    total = sum((D(p) for _, p in picked), D("1.99"))
    order = 76000000 + int(digest("greengage", day.isoformat()), 16) % 999999
    lines = "\n".join(f"{name:<29}£{price}" for name, price in picked)
    life.mails.append(
        Mail(
            MBOX,
            when=at(day, f"{rng.randint(10, 19):02d}:{rng.randint(0, 59):02d}"),
            sender=("Greengage Grocer", "orders@greengage.example.com"),
            to=(cast.MAYA.pair,),
            subject="Your Greengage order has been delivered",
            body=f"Hi Maya,\n\nYour order {order} was delivered and left with you.\n\n{lines}\n"
            f"{'Delivery':<29}£1.99\n{'Total':<29}£{total}\n\nRate your driver in the app.\nGreengage "
            "Grocer\n",
            labels="Inbox,Opened,Category Updates",
        )
    )
    return total


def _groceries(life: Life, rng: random.Random) -> list[Txn]:
    demo_orders = {date(2026, 8, 21): D("18.08"), date(2026, 10, 23): D("18.49")}
    found = []
    day = START + timedelta(days=2)
    while day < date(2026, 11, 21):
        if day in demo_orders:
            found.append(_txn(life, "checking", day, -demo_orders[day], "GREENGAGE GROCER"))
        elif day.toordinal() % 14 == 3:
            found.append(_txn(life, "checking", day, -_greengage_mail(life, day, rng), "GREENGAGE GROCER"))
        if day.weekday() == 5 or (day.weekday() == 2 and rng.random() < 0.5):
            amount = D(rng.randint(800, 3600)) / 100
            found.append(_txn(life, "checking", day, -amount, "FRESCO MARKET CLAPTON"))
        if day.weekday() == 0 and rng.random() < 0.3:
            found.append(_txn(life, "checking", day, -D(rng.randint(450, 1900)) / 100, "HARVEST CO-OP"))
        day += timedelta(days=1)
    # The demo's order of 20 November was dispatched that evening and charged then.
    found.append(_txn(life, "checking", date(2026, 11, 20), "-24.35", "GREENGAGE GROCER"))
    return found


def _restaurants(life: Life, rng: random.Random) -> list[Txn]:
    meals = [
        _txn(life, "card", date(2026, 8, 30), "-31.60", "KIN CAFE MARE ST"),  # the demo's brunch with Sam
        _txn(life, "card", date(2026, 11, 20), "-27.90", "PHO REAL KITCHEN"),  # the demo's pho with Sam
    ]
    day = START
    while day < date(2026, 11, 20):
        if day.weekday() in (3, 4, 5) and rng.random() < 0.35:
            meals.append(_txn(life, "card", day, -D(rng.randint(1800, 6400)) / 100, rng.choice(RESTAURANTS)))
        day += timedelta(days=1)
    return meals


def _in_month(txns: Iterable[Txn], year: int, month: int) -> list[Txn]:
    return [t for t in txns if (t.day.year, t.day.month) == (year, month)]


def build_bank(life: Life, rng: random.Random) -> dict[str, Txn]:
    """The current account and credit card, and their questions; returns records other facts cite."""
    paydays = [date(2026, 5, 22), date(2026, 6, 25), date(2026, 7, 24), date(2026, 8, 25)]
    paydays += [date(2026, 9, 25), date(2026, 10, 23)]
    salary = [
        _txn(life, "checking", d, "3412.55", "NORTHWIND ANALYTICS LTD", "SALARY", "DIRECTDEP")
        for d in paydays
    ]
    rent = []
    for year, month, _ in MONTHS:
        amount = "-1580.00" if month < 10 else "-1640.00"
        day = weekday_on_or_after(date(year, month, 1))
        rent.append(_txn(life, "checking", day, amount, "G ELLIS", "RENT FLAT 2 38 DUNLACE RD", "REPEATPMT"))
        _txn(life, "checking", day, "-142.00", "HACKNEY COUNCIL TAX", "", "DIRECTDEBIT")
    energy = {6: ("15", "62.40"), 7: ("15", "55.10"), 8: ("17", "58.33"), 9: ("15", "78.12")}
    energy |= {10: ("15", "81.64"), 11: ("16", "95.20")}
    power = {
        m: _txn(life, "checking", date(2026, m, int(d)), "-" + a, "BRIGHTWATT ENERGY", "", "DIRECTDEBIT")
        for m, (d, a) in energy.items()
    }
    phone_days = {6: 4, 7: 6, 8: 4, 9: 4, 10: 5, 11: 4}
    phone = [
        _txn(
            life,
            "checking",
            date(2026, m, d),
            "-17.00" if m == 8 else "-12.00",
            "ORBIT MOBILE",
            "",
            "DIRECTDEBIT",
        )
        for m, d in phone_days.items()
    ]
    groceries = _groceries(life, rng)
    meals = _restaurants(life, rng)
    amelie_days = {date(2026, 6, 6): "4.20", date(2026, 7, 19): "8.40", date(2026, 8, 29): "3.50"}
    amelie_days |= {date(2026, 9, 26): "6.80", date(2026, 10, 17): "10.60", date(2026, 11, 14): "7.30"}
    amelie = [_txn(life, "checking", d, "-" + a, "CAFE AMELIE") for d, a in amelie_days.items()]
    hair = [
        _txn(life, "card", date(2026, 6, 13), "-58.00", "SNIP & CO"),
        _txn(life, "card", date(2026, 8, 22), "-58.00", "SNIP & CO"),
        _txn(life, "card", date(2026, 10, 10), "-62.00", "SNIP & CO"),
    ]
    known = {
        "sam_repaid": _txn(
            life, "checking", date(2026, 10, 30), "45.00", "S OKAFOR", "MARROW TIDE TIX", "CREDIT"
        ),
        "dentist": _txn(life, "card", date(2026, 10, 29), "-68.00", "HARBOUR DENTAL"),
        "flights": _txn(life, "card", date(2026, 11, 9), "-246.80", "SKYROUTE TRAVEL"),
        "prescription": _txn(life, "checking", date(2026, 11, 17), "-9.90", "CLAPTON PHARMACY"),
        "last_pay": salary[-1],
        "rent_nov": rent[-1],
        "power_nov": power[11],
    }
    for day, amount, name in (
        (date(2026, 8, 7), "-90.00", "GIGBOX"), (date(2026, 9, 29), "-23.00", "LANTERN PICTUREHOUSE"),
        (date(2026, 11, 2), "-58.70", "NORTHLINE RAIL"), (date(2026, 9, 12), "-285.00", "STAYS LISBON"),
        (date(2026, 8, 1), "-240.00", "LOTUS YOGA STUDIO"), (date(2026, 9, 10), "-180.00", "CLAY CORNER"),
    ):  # fmt: skip
        _txn(life, "card", day, amount, name)

    month_names = {m: name for _, m, name in MONTHS}
    for month in (8, 9, 10):
        spent = _total(t for t in _in_month(groceries, 2026, month))
        kept = [t for t in _in_month(groceries, 2026, month)]
        wording = "food shopping" if month == 9 else "groceries"
        life.ask(
            f"How much did I spend on {wording} in {month_names[month]}?",
            "aggregate",
            kept,
            [f"{spent:.2f}"],
            expected=spent,
            note="Sum of the current-account card payments to " + ", ".join(GROCERS) + " that month.",
            tags=("paraphrase",) if month == 9 else (),
        )
    september = _in_month(meals, 2026, 9)
    life.ask(
        "How many times did I pay for a meal at a restaurant in September?",
        "aggregate",
        september,
        [str(len(september))],
        expected=len(september),
        note="Credit-card payments to " + ", ".join(RESTAURANTS) + " and KIN CAFE MARE ST.",
    )
    october = _in_month(meals, 2026, 10)
    life.ask(
        "What did eating out at restaurants cost me in October?",
        "aggregate",
        october,
        [f"{_total(october):.2f}"],
        expected=_total(october),
        note="Credit-card payments to the restaurants listed for the September question.",
    )
    life.ask(
        "How much rent have I paid since June, in total?",
        "aggregate",
        rent,
        [f"{_total(rent):,.2f}"],
        expected=_total(rent),
        note="Six standing orders to G ELLIS: £1,580 June to September, £1,640 from October.",
    )
    life.ask(
        "How much did I spend at Café Amélie altogether?",
        "aggregate",
        amelie,
        [f"{_total(amelie):.2f}"],
        expected=_total(amelie),
        note="The OFX names it CAFE AMELIE; the demo's receipt email is one of the six visits.",
    )
    life.ask(
        "What have my Orbit Mobile direct debits added up to over the last six months?",
        "aggregate",
        phone,
        [f"{_total(phone):.2f}"],
        expected=_total(phone),
    )
    life.ask(
        "How many haircuts have I paid for since June?",
        "aggregate",
        hair,
        [str(len(hair))],
        expected=len(hair),
        note="Three card payments to SNIP & CO; the calendar and reminder emails agree.",
    )
    life.ask(
        "What's my rent now, and did the latest payment go out at that amount?",
        "cross-source",
        [existing(MBOX, "<5b2f0e7c-91d4-4a7e-8c3a-ellis0812@example.org>"), known["rent_nov"]],
        ["1,640"],
        expected=1640,
        note="The landlord's August email sets £1,640 from October; the November standing order is £1,640.",
    )
    life.ask(
        "Has Sam paid me back for the Marrow & Tide ticket?",
        "cross-source",
        [
            existing(
                "WhatsApp/WhatsApp Chat with Sam Okafor.txt", "Right, I still owe you £45 for my Marrow "
            ),
            known["sam_repaid"],
        ],
        ["45", "30 October"],
        note=(
            "WhatsApp: Sam owes £45 and will pay on the 30th; the bank shows S OKAFOR paying in £45 on 30 "
            "October."
        ),
    )
    life.ask(
        "How much did the dentist charge me for the check-up?",
        "single-source",
        [known["dentist"]],
        ["68"],
        expected=68,
    )
    life.ask(
        "When did my salary last arrive, and how much was it?",
        "temporal",
        [known["last_pay"]],
        ["23 October", "3,412.55"],
        expected=3412.55,
        note="25 October 2026 was a Sunday, so October's pay arrived on Friday the 23rd.",
    )
    life.ask(
        "How much was the latest energy direct debit?",
        "cross-source",
        [known["power_nov"], existing(MBOX, "<stmt.2026-10.121904@brightwatt.example.com>")],
        ["95.20"],
        expected=95.20,
        note="Taken on Monday 16 November (the 15th was a Sunday), as the October statement email announced.",
    )
    return known


def build_savings(life: Life, known: dict[str, Txn]) -> None:
    """The savings account: monthly transfers in, interest, one withdrawal; and their questions."""
    opening = D("4712.40")
    rows: list[Saving] = []
    transfers = []
    balance = opening
    for year, month, _ in MONTHS[:5]:
        day = weekday_on_or_after(date(year, month, 26))
        rows.append(
            Saving(SAVINGS, day=day, kind="Transfer", description="FROM THISTLE 20417799", amount=D("300.00"))
        )
        transfers.append(_txn(life, "checking", day, "-300.00", "FENWICK BS", "SAVINGS 5521", "XFER"))
        balance += D("300.00")
        last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
        interest = (balance * D("0.031") / 12).quantize(D("0.01"))
        rows.append(Saving(SAVINGS, day=last, kind="Interest", description="GROSS INTEREST", amount=interest))
        balance += interest
    rows.insert(
        -1,
        Saving(
            SAVINGS,
            day=date(2026, 10, 28),
            kind="Transfer",
            description="TO THISTLE 20417799",
            amount=D("-400.00"),
        ),
    )
    _txn(life, "checking", date(2026, 10, 28), "400.00", "FENWICK BS", "FROM SAVINGS 5521", "XFER")
    rows.sort(key=lambda r: (r.day, r.kind))
    life.savings.extend(rows)
    running = opening
    for row in rows:
        running += row.amount
    interest_rows = [r for r in rows if r.kind == "Interest"]
    paid_in = [r for r in rows if r.kind == "Transfer" and r.amount > 0]
    life.ask(
        "How much interest has my savings account earned since June?",
        "aggregate",
        interest_rows,
        [f"{sum(r.amount for r in interest_rows):.2f}"],
        expected=sum((r.amount for r in interest_rows), D(0)),
    )
    life.ask(
        "How much have I moved into savings in total?",
        "aggregate",
        paid_in,
        [f"{sum(r.amount for r in paid_in):,.2f}"],
        expected=sum((r.amount for r in paid_in), D(0)),
        note="Transfers in only; the £400 taken out on 28 October is not subtracted.",
    )
    life.ask(
        "What's the balance of my savings account?",
        "single-source",
        [rows[-1]],
        [f"{running:,.2f}"],
        expected=running,
        note="The running balance on the last row of the Fenwick export (its preamble says the same).",
    )
    october = next(t for t in transfers if t.day.month == 10)
    october_row = next(r for r in rows if r.day == october.day and r.amount > 0)
    life.ask(
        "Did my October transfer to savings arrive, and on what day?",
        "cross-source",
        [october, october_row],
        ["300", "26 October"],
    )


def settle_card(life: Life) -> None:
    """Each month's card spending, paid in full from the current account about six weeks later."""
    card = [t for t in life.txns if t.account == "card" and t.amount < 0]
    for year, month, _ in MONTHS[:5]:
        spent = _total(_in_month(card, year, month))
        due = weekday_on_or_after(date(year, month, 1) + timedelta(days=45))
        if spent and due < date(2026, 11, 21):
            _txn(life, "checking", due, -spent, "THISTLE VISA", "CARD PAYMENT", "PAYMENT")
            _txn(life, "card", due, spent, "PAYMENT RECEIVED", "THANK YOU", "PAYMENT")


def _venmo_id(*parts: object) -> str:
    return str(4100000000000000000 + int(digest("venmo", *parts), 16) % 10**17)


def _venmo(
    life: Life, when: datetime, kind: str, note: str, other: str, amount: str, status: str = "Complete"
) -> Venmo:
    value = D(amount)
    outgoing = value < 0
    sender, receiver = (
        ("Maya Lindqvist", other) if (outgoing == (kind == "Payment")) else (other, "Maya Lindqvist")
    )
    row = Venmo(
        VENMO,
        id=_venmo_id(when.isoformat(), note, other, amount),
        when=when,
        type=kind,
        status=status,
        note=note,
        sender=sender,
        receiver=receiver,
        amount=value,
        funding="Venmo balance" if outgoing and status == "Complete" else "",
        destination="Venmo balance" if not outgoing and status == "Complete" else "",
    )
    life.venmo.append(row)
    return row


def build_venmo(life: Life) -> None:
    """Venmo in dollars, kept from Maya's New York secondment: debts both ways, Dev among them."""
    dev, jordan = cast.DEV.name, cast.JORDAN.name
    to_dev = [
        _venmo(
            life,
            datetime(2026, 7, 10, 19, 4, tzinfo=UTC),
            "Payment",
            "Leena's graduation present (my half) 🎓",
            dev,
            "-40.00",
        ),
        _venmo(
            life,
            datetime(2026, 7, 20, 8, 31, tzinfo=UTC),
            "Payment",
            "Mum's 65th present, my half 🎁",
            dev,
            "-60.00",
        ),
    ]
    dev_charge = _venmo(
        life,
        datetime(2026, 11, 18, 21, 12, tzinfo=UTC),
        "Charge",
        "party decorations 🎈 your share",
        dev,
        "-45.00",
        "Issued",
    )
    jordan_charge = _venmo(
        life,
        datetime(2026, 7, 16, 22, 40, tzinfo=UTC),
        "Charge",
        "Borough Market lunch + cabs",
        jordan,
        "35.00",
        "Issued",
    )
    for when, kind, note, other, amount in (
        (
            datetime(2026, 6, 3, 14, 2, tzinfo=UTC),
            "Payment",
            "Kelsey's birthday fund 🎂",
            cast.KELSEY.name,
            "-25.00",
        ),
        (
            datetime(2026, 6, 20, 17, 45, tzinfo=UTC),
            "Payment",
            "fantasy football winnings lol",
            cast.MARCUS.name,
            "18.00",
        ),
        (datetime(2026, 7, 14, 23, 5, tzinfo=UTC), "Payment", "West End tickets 🎭", jordan, "62.00"),
        (
            datetime(2026, 7, 16, 22, 41, tzinfo=UTC),
            "Payment",
            "Borough Market lunch + cabs",
            cast.PRISCILLA.name,
            "35.00",
        ),
        (datetime(2026, 9, 21, 13, 20, tzinfo=UTC), "Payment", "the book I lost 📚 sorry!!", dev, "22.00"),
        (
            datetime(2026, 10, 2, 16, 0, tzinfo=UTC),
            "Payment",
            "NY fantasy league entry 🏈",
            cast.DANNY.name,
            "-15.00",
        ),
    ):
        _venmo(life, when, kind, note, other, amount)
    life.ask(
        "Who still owes me money on Venmo, and how much?",
        "single-source",
        [jordan_charge],
        ["Jordan", "35"],
        expected=35,
        note=(
            "Maya's charge to Jordan Alvarez is still Issued (unpaid); Priscilla paid her share the same "
            "night."
        ),
    )
    life.ask(
        "Is there a Venmo request I haven't paid yet?",
        "single-source",
        [dev_charge],
        ["Dev", "45"],
        expected=45,
        note="Dev's charge for the party decorations, status Issued.",
    )
    life.ask(
        "How much have I sent Dev on Venmo in total?",
        "aggregate",
        to_dev,
        ["100"],
        expected=sum((-r.amount for r in to_dev), D(0)),
        note=(
            "Two completed payments ($40 and $60); Dev's open $45 request is not paid, and his $22 went the "
            "other way."
        ),
    )
