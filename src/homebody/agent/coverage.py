"""Coverage: which kinds of the user's data homebody can see, and which it cannot.

An agent that sees email but not the bank must not guess about money. Every answer carries this
picture, and a question about data no connected source holds is answered with exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from homebody.connectors.base import Registry
from homebody.errors import UnknownSourceKind
from homebody.vault.items import Kind
from homebody.vault.store import Vault

#: How each kind of data is named to the user.
LABELS: dict[Kind, str] = {
    Kind.EMAIL: "email",
    Kind.MESSAGE: "messages",
    Kind.EVENT: "calendar",
    Kind.TRANSACTION: "payments and bank transactions",
    Kind.CONTACT: "contacts",
    Kind.ARTICLE: "news feeds",
    Kind.NOTE: "notes",
}

#: Source kinds that bring each kind of data, including those of connectors still to come, so the
#: user is told what to connect.
SOURCE_KINDS: dict[Kind, tuple[str, ...]] = {
    Kind.EMAIL: ("mbox", "eml", "imap"),
    Kind.MESSAGE: ("whatsapp", "imessage"),
    Kind.EVENT: ("ics", "caldav"),
    Kind.TRANSACTION: ("ofx", "bank-csv", "venmo"),
    Kind.CONTACT: ("vcard",),
    Kind.ARTICLE: ("feed",),
    Kind.NOTE: ("notes",),
}

# Words that mean the question is about records only that kind of source holds. Kept narrow on
# purpose: "owe" or "birthday" can be answered from messages, "how much did I spend" cannot.
_TOPICS: dict[Kind, re.Pattern[str]] = {
    Kind.TRANSACTION: re.compile(
        r"\b(pa(y|id|ying|yment|yments)|spen[dt]|spending|bank|balance|transactions?|venmo|"
        r"charged?|refund(ed)?|salary|deposit(ed)?|transfer(red)?|statement|overdraft|"
        r"how much money|credit card|debit card)\b",
        re.IGNORECASE,
    ),
    Kind.CONTACT: re.compile(r"\b(phone number|contact details|home address)\b", re.IGNORECASE),
    Kind.ARTICLE: re.compile(r"\b(news|headlines?|articles?)\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class SourceView:
    """One connected source as coverage reports it."""

    name: str
    kind: str
    items: int
    first: datetime | None
    last: datetime | None
    last_ok: datetime | None
    errors: int
    provides: frozenset[Kind]


@dataclass(frozen=True)
class Coverage:
    """What the vault can and cannot see."""

    searched: tuple[Kind, ...]
    not_connected: tuple[Kind, ...]
    sources: tuple[SourceView, ...]

    def searched_phrase(self) -> str:
        """'your email (mbox), messages (whatsapp) and calendar (ics)'."""
        parts = []
        for kind in self.searched:
            names = sorted({s.kind for s in self.sources if kind in s.provides})
            parts.append(f"{LABELS[kind]} ({', '.join(names)})" if names else LABELS[kind])
        if not parts:
            return "nothing: no source is connected yet"
        return "your " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])

    def horizons(self) -> list[KindHorizon]:
        """For every kind of data: connected or not, first and last item, last good sync, errors."""
        out = []
        for kind in Kind:
            views = [s for s in self.sources if kind in s.provides]
            firsts = [s.first for s in views if s.first]
            lasts = [s.last for s in views if s.last]
            syncs = [s.last_ok for s in views if s.last_ok]
            out.append(
                KindHorizon(
                    kind=kind,
                    connected=bool(views),
                    sources=tuple(f"{s.name} ({s.kind})" for s in views),
                    first=min(firsts) if firsts else None,
                    last=max(lasts) if lasts else None,
                    # Freshness is only as good as the stalest source of that kind.
                    last_sync=min(syncs) if len(syncs) == len(views) and syncs else None,
                    errors=sum(s.errors for s in views),
                )
            )
        return out

    def horizon_phrase(self, zone: ZoneInfo) -> str:
        """'Your email runs from 1 Aug 2026 to 20 Nov 2026; ...' for every connected kind."""
        parts = []
        for h in self.horizons():
            if not h.connected:
                continue
            if h.first and h.last:
                span = f"{h.first.astimezone(zone):%d %b %Y} to {h.last.astimezone(zone):%d %b %Y}"
                parts.append(f"{LABELS[h.kind]} from {span}")
            else:
                parts.append(f"{LABELS[h.kind]}: nothing yet")
            if h.errors:
                parts[-1] += f" ({h.errors} unreadable record{'s' if h.errors > 1 else ''})"
        return ("I can see your " + "; ".join(parts) + ".") if parts else ""


@dataclass(frozen=True)
class KindHorizon:
    """How far homebody can see into one kind of data."""

    kind: Kind
    connected: bool
    sources: tuple[str, ...]
    first: datetime | None
    last: datetime | None
    last_sync: datetime | None
    errors: int


def coverage(vault: Vault, registry: Registry) -> Coverage:
    """The current coverage of the vault, from its sources and their connectors."""
    views = []
    connected: set[Kind] = set()
    held = vault.kinds_by_source()
    for stats in vault.source_stats():
        try:
            provides = registry.get(stats.source.kind).provides
        except UnknownSourceKind:
            provides = frozenset()
        # A source says it covers what it holds; an empty one what its connector can bring.
        provides = held.get(stats.source.id, provides)
        connected |= provides
        views.append(
            SourceView(
                stats.source.name,
                stats.source.kind,
                stats.items,
                stats.first,
                stats.last,
                stats.source.last_ok_at,
                stats.errors,
                provides,
            )
        )
    searched = tuple(k for k in Kind if k in connected)
    missing = tuple(k for k in Kind if k not in connected)
    return Coverage(searched, missing, tuple(views))


def topics(question: str) -> set[Kind]:
    """Kinds of data a question is specifically about (payments, contacts, news)."""
    return {kind for kind, pattern in _TOPICS.items() if pattern.search(question)}


def missing_phrase(kinds: list[Kind]) -> str:
    """'no payments and bank transactions source is connected (add one with ...)'."""
    labels = " or ".join(LABELS[k] for k in kinds)
    commands = ", ".join(f"`homebody add {s} PATH`" for k in kinds for s in SOURCE_KINDS[k])
    return f"no source of {labels} is connected, so I cannot see them (connect one with {commands})"
