"""A generated whole life: Maya Lindqvist's six months on every channel homebody reads, with questions.

`generate()` writes, into one folder, the files a person would export: a Gmail Takeout mbox and
calendar (the demo persona's own mail and calendar, extended), WhatsApp chats (the demo's two, and
two more), a macOS Messages chat.db, a contacts .vcf, a bank's OFX download, a savings account's CSV,
a Venmo statement, a folder of notes and a local news feed; and `questions.json`, labelled questions
with gold locators. It is seeded: the same seed and scale write the same bytes. `scale` multiplies
the background noise, never the facts. A source kind can be left out (`exclude={"venmo"}`): its files
are not written and the questions that need them become "unconnected".

Everything is fictional and CC0, like the demo persona it extends.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from homebody.demo.life import ledgers, money, noise, social, story, writers
from homebody.demo.life.gold import resolve_gold
from homebody.demo.life.model import (
    CALENDAR,
    CHAT_DB,
    CONTACTS,
    FEED,
    KIND_OF,
    MBOX,
    NOTES,
    OFX,
    SAVINGS,
    VENMO,
    WA_CHLOE,
    WA_FAMILY,
    WA_READERS,
    WA_SAM,
    Life,
    Question,
)
from homebody.demo.run import persona_dir
from homebody.errors import ConfigError

__all__ = ["SOURCES", "Manifest", "SourceFile", "generate", "read_manifest", "resolve_gold"]

#: (source name, file or folder relative to the output, in the order `homebody add` should take them)
SOURCES = (
    ("gmail", MBOX),
    ("calendar", CALENDAR),
    ("whatsapp-sam", WA_SAM),
    ("whatsapp-family", WA_FAMILY),
    ("whatsapp-chloe", WA_CHLOE),
    ("whatsapp-readers", WA_READERS),
    ("imessage", CHAT_DB),
    ("contacts", CONTACTS),
    ("thistle-bank", OFX),
    ("fenwick-savings", SAVINGS),
    ("venmo", VENMO),
    ("notes", NOTES),
    ("clapton-bulletin", FEED),
)
KINDS = frozenset(KIND_OF.values())

_LICENCE = """# Whole-life persona: Maya Lindqvist (generated)

Written by `homebody.demo.wholelife.generate(seed={seed}, scale={scale})`. Fictional and **CC0-1.0**,
like the demo persona it extends (its mbox, calendar and two WhatsApp chats are included unchanged).
Addresses use example.* domains (RFC 2606), UK mobiles the Ofcom drama range +44 7700 900xxx, US
numbers 555-01xx. Venmo is US-only: Maya kept hers from a New York secondment, a liberty taken so the
persona exercises the Venmo connector. "Today" is 2026-11-21T12:00Z, zone Europe/London.

Gold locators in questions.json: the Message-ID (with <>) for mail; the first 40 characters of the
text for WhatsApp; the UID, or `UID@<UTC start>` for one occurrence of a recurring event, for the
calendar; the message guid for Messages; the card UID for contacts; the FITID for OFX; `row N` (the
CSV record number) for the savings export; the transaction ID for Venmo; the path below Notes/ for
notes; the guid for the feed.
"""


@dataclass(frozen=True)
class SourceFile:
    """One source to add: its file or folder, the `homebody add` KIND, and a source name."""

    path: Path
    kind: str
    name: str


@dataclass(frozen=True)
class Manifest:
    """What `generate` wrote: the sources to add, every file, the questions, and record counts."""

    root: Path
    sources: tuple[SourceFile, ...]
    files: tuple[Path, ...]
    questions: Path
    records: dict[str, int]

    def source_names(self) -> dict[str, str]:
        """Gold file (relative, as questions.json names it) → the name of the source that reads it."""
        names = {}
        for source in self.sources:
            relative = source.path.relative_to(self.root).as_posix()
            if source.path.is_dir():
                for file in self.files:
                    if file.is_relative_to(source.path):
                        names[file.relative_to(self.root).as_posix()] = source.name
            else:
                names[relative] = source.name
        return names

    def load_questions(self) -> list[dict[str, object]]:
        """The labelled questions, as written."""
        data: list[dict[str, object]] = json.loads(self.questions.read_text(encoding="utf-8"))
        return data


def _build(seed: int, scale: int) -> Life:
    life = Life()
    rng = random.Random(f"facts-{seed}")  # noqa: S311 - a seeded, reproducible life, not secrets
    known = money.build_bank(life, rng)
    money.build_savings(life, known)
    money.build_venmo(life)
    story.build_trips(life, known)
    story.build_routines(life)
    story.build_work_and_home(life)
    notes = story.build_notes(life)
    story.build_feed(life)
    cards = social.build_cards(life)
    social.build_messages(life, cards, known, notes)
    social.build_unknowns(life)
    noise.add_noise(life, seed, scale)
    money.settle_card(life)
    return life


def _write(life: Life, root: Path, wanted: set[str]) -> dict[str, int]:
    """Write every file whose source kind is wanted; returns records written per file."""
    demo = persona_dir()
    written: dict[str, int] = {}

    def target(relative: str) -> Path | None:
        if KIND_OF[relative] not in wanted:
            return None
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    if path := target(MBOX):
        writers.write_mbox(path, (demo / "mail.mbox").read_bytes(), life.mails)
        written[MBOX] = len(life.mails)
    if path := target(CALENDAR):
        writers.write_calendar(path, (demo / "calendar.ics").read_text(encoding="utf-8"), life.events)
        written[CALENDAR] = len(life.events)
    for relative, original in (
        (WA_SAM, "WhatsApp Chat with Sam Okafor.txt"),
        (WA_FAMILY, "WhatsApp Chat with Family.txt"),
    ):
        if path := target(relative):
            shutil.copyfile(demo / original, path)
    chloe = sorted((line for line in life.lines if line.file == WA_CHLOE), key=lambda line: line.when)
    readers = sorted((line for line in life.lines if line.file == WA_READERS), key=lambda line: line.when)
    if path := target(WA_CHLOE):
        writers.write_android_chat(path, chloe)
        written[WA_CHLOE] = len(chloe)
    if path := target(WA_READERS):
        writers.write_ios_chat(path, "Marlow Street Readers", readers)
        written[WA_READERS] = len(readers)
    if path := target(CHAT_DB):
        ledgers.write_chat_db(path, life.chats, life.texts)
        written[CHAT_DB] = len(life.texts)
    if path := target(CONTACTS):
        writers.write_vcards(path, life.cards)
        written[CONTACTS] = len(life.cards)
    if path := target(OFX):
        ledgers.write_ofx(path, life.txns, Decimal("2310.66"))
        written[OFX] = len(life.txns)
    if path := target(SAVINGS):
        ledgers.write_savings(path, life.savings, Decimal("4712.40"))
        written[SAVINGS] = len(life.savings)
    if path := target(VENMO):
        ledgers.write_venmo(path, life.venmo, Decimal("212.45"))
        written[VENMO] = len(life.venmo)
    if target(NOTES):
        writers.write_notes(root / NOTES, life.notes)
        written[NOTES] = len(life.notes)
    if path := target(FEED):
        writers.write_rss(path, life.articles)
        written[FEED] = len(life.articles)
    return written


def _relabel(question: Question, missing: set[str]) -> Question:
    """A question whose gold needs a left-out source kind becomes an "unconnected" one."""
    needs = sorted(
        {KIND_OF[NOTES if g.file.startswith(NOTES + "/") else g.file] for g in question.gold} & missing
    )
    if not needs:
        return question
    return Question(
        question.text,
        "unconnected",
        note=f"The answer is in {', '.join(needs)} data, which this life leaves unconnected.",
        tags=(*question.tags, "excluded"),
    )


def generate(out_dir: Path, *, seed: int = 7, scale: int = 1, exclude: Iterable[str] = ()) -> Manifest:
    """Write Maya's whole life into `out_dir` (which must be empty or absent) and return its manifest."""
    left_out = set(exclude)
    if unknown := left_out - KINDS:
        raise ConfigError(f"cannot leave out unknown source kinds: {', '.join(sorted(unknown))}")
    if scale < 1:
        raise ConfigError("scale must be 1 or more")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ConfigError(f"{out_dir} is not empty; give an empty or new folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    life = _build(seed, scale)
    written = _write(life, out_dir, set(KINDS - left_out))
    questions = [_relabel(q, left_out).as_json() for q in life.questions]
    target = out_dir / "questions.json"
    target.write_text(json.dumps(questions, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out_dir / "SOURCES.md").write_text(_LICENCE.format(seed=seed, scale=scale), encoding="utf-8")
    return read_manifest(out_dir, written)


def read_manifest(out_dir: Path, records: dict[str, int] | None = None) -> Manifest:
    """The manifest of a life generated into `out_dir`: every source whose file or folder is there."""
    sources = tuple(
        SourceFile(out_dir / relative, KIND_OF[relative], name)
        for name, relative in SOURCES
        if (out_dir / relative).exists()
    )
    files = tuple(sorted(p for p in out_dir.rglob("*") if p.is_file()))
    return Manifest(out_dir, sources, files, out_dir / "questions.json", records or {})
