"""A persona folder for evaluation: its sources, its clock, its labelled questions, and gold matching.

A persona folder holds source files and `questions.json`. Optionally `persona.json` says how to read
it (otherwise the demo persona's settings apply to the demo folder, a generated whole life
(`homebody demo --whole-life`) is read by its own layout, and source kinds are guessed from file
names for any other folder)::

    {"now": "2026-11-21T12:00:00+00:00", "timezone": "Europe/London",
     "sources": [{"kind": "mbox", "file": "mail.mbox", "name": "gmail"}, ...]}

`questions.json` is a list of questions, each with `question`, `kind` (single-source, cross-source,
temporal, aggregate, person-centred, unconnected, nowhere), `gold` (items that answer it:
`{"file": ..., "locator": ...}`) and `facts` (strings a correct answer contains). A gold locator is
the Message-ID for e-mail (angle brackets optional), the UID for calendar events (any occurrence of
a recurring one matches), the first characters of the message text for chats, or the item's native
id (or its tail after `:`) for any other source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from homebody.app import App
from homebody.config import load_settings
from homebody.demo import run as demo
from homebody.demo import wholelife
from homebody.vault.store import StoredItem

HONEST_KINDS = ("nowhere", "unconnected")


@dataclass(frozen=True)
class SourceFile:
    """One source of a persona: connector kind, file name in the folder, source name in the vault."""

    kind: str
    file: str
    name: str


@dataclass(frozen=True)
class Persona:
    """A persona folder read for evaluation."""

    folder: Path
    now: datetime
    timezone: str
    sources: tuple[SourceFile, ...]
    questions: list[dict[str, Any]]


def guess_kind(path: Path) -> str | None:
    """The connector kind for a file, from its name (None: not a source)."""
    name, suffix = path.name.lower(), path.suffix.lower()
    if name.startswith("whatsapp chat") and suffix in (".txt", ".zip"):
        return "whatsapp"
    if path.is_dir():
        return "notes" if any(p.suffix.lower() in (".md", ".txt", ".pdf") for p in path.iterdir()) else None
    return {
        ".mbox": "mbox",
        ".eml": "eml",
        ".ics": "ics",
        ".ofx": "ofx",
        ".qfx": "ofx",
        ".qbo": "ofx",
        ".vcf": "vcard",
        ".db": "imessage",
        ".csv": "venmo" if "venmo" in name else "bank-csv",
    }.get(suffix)


def load_persona(folder: Path, questions: Path | None = None) -> Persona:
    """The persona in `folder`, with its questions (from `questions`, default folder/questions.json)."""
    manifest: dict[str, Any] = {}
    if (folder / "persona.json").exists():
        manifest = json.loads((folder / "persona.json").read_text(encoding="utf-8"))
    is_demo = folder.resolve() == demo.persona_dir().resolve()
    if "sources" in manifest:
        sources = tuple(
            SourceFile(s["kind"], s["file"], s.get("name") or Path(s["file"]).stem)
            for s in manifest["sources"]
        )
    elif is_demo:
        sources = tuple(SourceFile(kind, file, name) for kind, file, name in demo.SOURCES)
    elif life := wholelife.read_manifest(folder).sources:
        # A generated whole life (`homebody demo --whole-life`, `wholelife.generate`): its own layout.
        sources = tuple(SourceFile(s.kind, s.path.relative_to(folder).as_posix(), s.name) for s in life)
        is_demo = True  # the demo's clock and zone
    else:
        found = []
        for path in sorted(folder.iterdir()):
            kind = guess_kind(path)
            if kind and path.name not in ("questions.json", "persona.json"):
                found.append(SourceFile(kind, path.name, path.stem.replace(" ", "-").lower()))
        sources = tuple(found)
    now = manifest.get("now") or (demo.DEMO_NOW if is_demo else None)
    if now is None:
        raise SystemExit(f"{folder}: say the persona's 'now' in persona.json or with --now")
    data = json.loads((questions or folder / "questions.json").read_text(encoding="utf-8"))
    return Persona(
        folder,
        datetime.fromisoformat(now),
        manifest.get("timezone") or demo.DEMO_ZONE,
        sources,
        list(data),
    )


def prepare(persona: Persona, home: Path) -> App:
    """An app on a home folder with the persona's sources registered (synced by the caller)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'timezone = "{persona.timezone}"\n', encoding="utf-8")
    settings = load_settings(home)
    settings.now = persona.now
    app = App(settings)
    taken = {s.name for s in app.vault.sources()}
    for source in persona.sources:
        if source.name not in taken:
            app.vault.add_source(source.name, source.kind, str(persona.folder / source.file))
    return app


def is_gold(stored: StoredItem, gold: dict[str, Any], persona: Persona) -> bool:
    """Whether a vault item is the gold item a question names."""
    names = {
        s.name for s in persona.sources if s.file == gold["file"] or gold["file"].startswith(s.file + "/")
    }
    if names and stored.source not in names:
        return False
    item, locator = stored.item, str(gold["locator"])
    bare = locator.strip("<>")
    native = item.native_id
    return (
        native in (locator, bare)
        or native.startswith(bare + "@")  # an occurrence of a recurring event: <uid>@<start>
        or native.endswith(":" + bare)
        or item.origin.endswith(", " + locator)  # a CSV row: "row 12"
        or item.text.startswith(locator)
    )
