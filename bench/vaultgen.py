"""Synthetic, fictional vaults of any size for the search benchmarks, written straight into the vault.

    /work/venv/bin/python bench/vaultgen.py --items 100000 --out /tmp/bench/vault-100k

A life of N items over ten years: e-mails 35% (2-6 paragraphs, some long enough to be cut into
several passages), chat messages 45% (one line, in 300 chats), calendar events 6%, transactions 14%
(merchants, amounts, categories). Words follow a Zipf law over a 30,000-word vocabulary under
sentence templates with names, places, shops and times, so posting lists are long for common words
and short for rare ones as in real mail. 3,000 people with e-mail and name identities; every e-mail
and message is linked to its author.

Items go in with one INSERT per item (the full-text triggers fire as in a sync) and the chunks are
the real chunker's. Vectors are random unit vectors of the embedding model's dimension (384), not
real embeddings: a million real ones would take days on this machine. Latency does not depend on
what the vectors mean; recall is measured elsewhere (bench/eval.py). Seeded: the same N gives the
same vault.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from homebody.retrieval.chunks import split
from homebody.retrieval.embed import codes, use_model
from homebody.vault.items import Kind, item_id
from homebody.vault.store import Vault, utc_text

DIM = 384
MODEL = "random-unit-384"


def _names(text: str) -> tuple[str, ...]:
    """Space-separated names as a tuple (a long list reads best as text)."""
    return tuple(text.split())


FIRST = _names(
    "Maya Sam Priya Jonas Zoë José Björn Ana Łukasz Søren Renée François Aiko Kwame Olivia Mateo Chen Fatima "
    "Liam Ines Noah Amara Yusuf Hannah Tomás Elif Ravi Grace Dmitri Leila Oskar Dev Chloe Tom Ruth Ellis "
    "Nadia Omar Freya Hugo Mei Arjun Sofia Jakub Lena Kofi Ingrid"
)
LAST = _names(
    "Okafor Lindqvist Müller García Nowak Haddad Tanaka Brennan Dubois Rossi Andersen Kowalski Mensah Yılmaz "
    "Silva O'Connor Schäfer Patel Nakamura Fernández Ivanova Walsh Costa Jensen Moreau Achebe Novák Petrov "
    "Khan Byrne Sato Laine Varga Olsen"
)
PLACES = _names(
    "Lisbon Leeds Porto Berlin Paris Edinburgh Bristol Brighton Oslo Kraków Madrid Rome Dublin Cardiff York "
    "Bath Alfama Hackney Camden Sintra Seville Bruges Ghent Cork Galway Bergen Malmö Lyon Turin Valencia"
)
SHOPS = _names(
    "Tesco Sainsbury's Waitrose Aldi Lidl Deliveroo Dishoom Wagamama Pret Costa Boots Timpson Halfords "
    "Screwfix Ryman Foyles Uniqlo Ikea Argos Currys Trainline TfL Octopus Netflix Spotify Oddbox Gails "
    "Honest Leon Itsu Nando's Franco Manca Pizza Pilgrims"
)
TOPICS = (
    "dentist appointment", "allotment rota", "book club", "quarterly review", "boiler service", "school trip",
    "car insurance", "flat viewing", "choir concert", "birthday party", "hiking weekend", "tax return",
    "garden shed", "bike repair", "wedding plans", "yoga class", "haircut", "train tickets", "rent increase",
    "parents evening", "vet visit", "passport renewal", "gym membership", "holiday photos", "kitchen leak",
)  # fmt: skip
TEMPLATES = (
    "Could we move the {topic} to {day} at {time}?",
    "{first} said the {topic} is now on {day}.",
    "I booked the {topic} in {place} for {day}, {time}.",
    "The {topic} costs £{amount} this year, which seems a lot.",
    "Don't forget the {topic} on {day}; {first} will be there too.",
    "We stayed in {place} and {first} loved the {word} and the {word}.",
    "I paid {shop} £{amount} for the {word}, receipt attached.",
    "Can you ask {first} about the {topic} and the {word}?",
    "The {word} from {shop} arrived broken, I'm sending it back.",
    "Let's meet at {shop} near {place} around {time}.",
    "{first} {last} wrote about the {topic} and the {word} {word}.",
    "My notes on the {word}, the {word} and the {word} are below.",
    "Train to {place} leaves at {time} from platform {n}.",
    "Happy birthday {first}! Hope {place} is treating you well.",
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CATEGORIES = ("groceries", "eating out", "transport", "bills", "shopping", "subscriptions", "health")


class Words:
    """A Zipf-distributed vocabulary of made-up words: a few very common, most rare."""

    def __init__(self, rng: np.random.Generator, size: int = 30000) -> None:
        syllables = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]
        self.words = ["".join(rng.choice(syllables, size=int(rng.integers(2, 4)))) for _ in range(size)]
        ranks = np.arange(1, size + 1, dtype=np.float64)
        weights = 1 / ranks**1.07
        self.cumulative = np.cumsum(weights / weights.sum())
        self.rng = rng

    def draw(self, count: int) -> list[str]:
        """`count` words drawn by frequency."""
        picks = np.searchsorted(self.cumulative, self.rng.random(count))
        return [self.words[min(int(i), len(self.words) - 1)] for i in picks]


class Life:
    """Draws the text of items."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = Words(np.random.default_rng(seed))
        self.people = [(f"{f} {la}", f"{f}.{la}".lower()) for f in FIRST for la in LAST][:3000]

    def sentence(self) -> str:
        """One sentence from a template with its slots filled."""
        rng = self.rng
        filler = iter(self.words.draw(6))
        text = rng.choice(TEMPLATES)
        for slot, value in (
            ("{topic}", lambda: rng.choice(TOPICS)),
            ("{first}", lambda: rng.choice(FIRST)),
            ("{last}", lambda: rng.choice(LAST)),
            ("{place}", lambda: rng.choice(PLACES)),
            ("{shop}", lambda: rng.choice(SHOPS)),
            ("{day}", lambda: rng.choice(DAYS)),
            ("{time}", lambda: f"{rng.randint(7, 21)}:{rng.choice(('00', '15', '30', '45'))}"),
            ("{amount}", lambda: f"{rng.randint(3, 400)}.{rng.randint(0, 99):02d}"),
            ("{n}", lambda: str(rng.randint(1, 14))),
            ("{word}", lambda: next(filler)),
        ):
            while slot in text:
                text = text.replace(slot, value(), 1)
        return text

    def paragraph(self) -> str:
        """Two to five sentences and some everyday words."""
        sentences = [self.sentence() for _ in range(self.rng.randint(2, 5))]
        sentences.append(" ".join(self.words.draw(self.rng.randint(4, 14))).capitalize() + ".")
        return " ".join(sentences)


def generate(out: Path, items: int, seed: int = 6) -> dict[str, float]:
    """Write a vault of `items` items into `out` (a home folder); returns timings."""
    out.mkdir(parents=True, exist_ok=True)
    life = Life(seed)
    rng = life.rng
    vectors = np.random.default_rng(seed + 1)
    started = time.perf_counter()
    with Vault.open(out / "vault.db") as vault:
        conn = vault.conn
        sources = {
            Kind.EMAIL: vault.add_source("gmail", "mbox", "/synthetic/all.mbox"),
            Kind.MESSAGE: vault.add_source("whatsapp", "whatsapp", "/synthetic/chats"),
            Kind.EVENT: vault.add_source("calendar", "ics", "/synthetic/calendar.ics"),
            Kind.TRANSACTION: vault.add_source("bank", "bank-csv", "/synthetic/bank.csv"),
        }
        use_model(vault, MODEL, DIM)
        centre = np.zeros(DIM, dtype=np.float32)  # random vectors have no common direction
        conn.execute("UPDATE embedding_model SET centre = ? WHERE id = 1", (centre.tobytes(),))
        person_ids = _people(conn, life.people)
        when = datetime(2016, 11, 21, 8, tzinfo=UTC)
        step = timedelta(days=3650) / items
        conn.execute("BEGIN")
        for n in range(items):
            when += step
            kind = _kind(rng.random())
            row = fake_item(life, kind, n, when)
            source = sources[kind]
            cursor = conn.execute(
                """INSERT INTO items (id, source_id, kind, native_id, ts, tz, author, participants, thread,
                   title, text, origin, meta, content_hash, added_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, 'Europe/London', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    item_id(source.name, row["native_id"]),
                    source.id,
                    str(kind),
                    row["native_id"],
                    utc_text(when),
                    row["author"],
                    json.dumps(row["participants"]),
                    row["thread"],
                    row["title"],
                    row["text"],
                    f"synthetic {n}",
                    json.dumps(row["meta"]),
                    f"{n:064x}",
                    utc_text(when),
                    utc_text(when),
                ),
            )
            rowid = cursor.lastrowid
            if row["person"] is not None:
                conn.execute(
                    "INSERT INTO item_people (item_rowid, identity_id, role) VALUES (?, ?, 'from')",
                    (rowid, person_ids[row["person"]]),
                )
            spans = split(row["text"])
            batch = vectors.standard_normal((len(spans), DIM)).astype(np.float32)
            batch /= np.linalg.norm(batch, axis=1, keepdims=True)
            packed = codes(batch, centre)
            for k, (span, vector, code) in enumerate(
                zip(spans, batch.astype(np.float16), packed, strict=True)
            ):
                chunk = conn.execute(
                    "INSERT INTO chunks (item_rowid, n, start_char, end_char, code) VALUES (?, ?, ?, ?, ?)",
                    (rowid, k, span.start, span.end, code.tobytes()),
                )
                conn.execute(
                    "INSERT INTO chunk_vectors (chunk_id, vector) VALUES (?, ?)",
                    (chunk.lastrowid, vector.tobytes()),
                )
            if n % 20000 == 19999:
                conn.execute("COMMIT")
                conn.execute("BEGIN")
                rate = (n + 1) / (time.perf_counter() - started)
                print(f"  {n + 1} items, {rate:.0f} items/s", file=sys.stderr)
        conn.execute("COMMIT")
        conn.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"seconds": time.perf_counter() - started}


def _kind(draw: float) -> Kind:
    if draw < 0.35:
        return Kind.EMAIL
    if draw < 0.80:
        return Kind.MESSAGE
    if draw < 0.86:
        return Kind.EVENT
    return Kind.TRANSACTION


def _people(conn: object, people: list[tuple[str, str]]) -> list[int]:
    """A person and two identities (e-mail, name) for each; returns the e-mail identity ids."""
    ids = []
    execute = conn.execute  # type: ignore[attr-defined]
    execute("BEGIN")
    for name, local in people:
        person = execute("INSERT INTO persons (name) VALUES (?)", (name,)).lastrowid
        email = execute(
            "INSERT INTO identities (kind, value, display, person_id) VALUES ('email', ?, ?, ?)",
            (f"{local}@example.com", name, person),
        ).lastrowid
        execute(
            "INSERT INTO identities (kind, value, display, person_id) VALUES ('name', ?, ?, ?)",
            (name.casefold(), name, person),
        )
        ids.append(email)
    execute("COMMIT")
    return ids


def fake_item(life: Life, kind: Kind, n: int, when: datetime) -> dict[str, object]:
    """The fields of one made-up item of this kind."""
    rng = life.rng
    person = rng.randrange(len(life.people)) if kind in (Kind.EMAIL, Kind.MESSAGE) else None
    name, local = life.people[person] if person is not None else ("", "")
    row: dict[str, object] = {"native_id": f"{kind}-{n}", "author": None, "participants": [], "thread": None,
                              "title": None, "meta": {}, "person": person}  # fmt: skip
    if kind is Kind.EMAIL:
        paragraphs = [life.paragraph() for _ in range(rng.choice((2, 2, 3, 3, 4, 6)))]
        thread = f"t{n // 3 if rng.random() < 0.3 else n}"
        row.update(author=f"{name} <{local}@example.com>", title=f"About the {rng.choice(TOPICS)}",
                   text="\n\n".join(paragraphs), thread=thread)  # fmt: skip
    elif kind is Kind.MESSAGE:
        row.update(author=name, text=life.sentence(), thread=f"whatsapp:chat{person % 300 if person else 0}")
    elif kind is Kind.EVENT:
        topic = rng.choice(TOPICS)
        row.update(title=topic.capitalize(), text=life.sentence(), meta={"location": rng.choice(PLACES)})
    else:
        shop = rng.choice(SHOPS)
        amount = f"-{rng.randint(1, 300)}.{rng.randint(0, 99):02d}"
        category = rng.choice(CATEGORIES)
        row.update(
            title=shop,
            text=f"{shop} {amount} GBP {when:%Y-%m-%d}",
            meta={"amount": amount, "currency": "GBP", "counterparty": shop, "category": category},
        )
    return row


def main() -> None:
    """Generate a vault from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--out", type=Path, required=True, help="home folder to create")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if (args.out / "vault.db").exists():
        raise SystemExit(f"{args.out} already holds a vault")
    timing = generate(args.out, args.items, args.seed)
    print(f"{args.items} items in {timing['seconds']:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
