"""How retrieved items are shown to the model and to the user: dated, attributed, short excerpts."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from homebody.vault.items import Kind
from homebody.vault.store import StoredItem, Vault

EXCERPT = 240
BLOCK = 700


def local_time(ts: datetime | None, zone: ZoneInfo, *, all_day: bool = False) -> str:
    """'Thu 29 Oct 2026 15:30' in the user's zone ('Thu 29 Oct 2026' for all-day events)."""
    if ts is None:
        return "undated"
    local = ts.astimezone(zone)
    return local.strftime("%a %d %b %Y") if all_day else local.strftime("%a %d %b %Y %H:%M")


def excerpt(text: str, words: tuple[str, ...] | list[str], width: int = EXCERPT) -> str:
    """The part of `text` around the first matched word, on one line, about `width` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= width:
        return flat
    start = 0
    lowered = flat.lower()
    positions = [lowered.find(w[: max(4, len(w) - 2)]) for w in words]
    positions = [p for p in positions if p >= 0]
    if positions:
        start = max(0, min(positions) - width // 3)
        # Start at a word boundary.
        space = flat.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start > 0 else start
    piece = flat[start : start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(flat) else "")


def headline(stored: StoredItem, zone: ZoneInfo) -> str:
    """One line that says what an item is: kind, when, who, and its title."""
    item = stored.item
    when = local_time(item.ts, zone, all_day=bool(item.meta.get("all_day")))
    who = item.author or ""
    if item.kind is Kind.EMAIL:
        return f"email, {when}, from {who}, subject: {item.title or '(none)'}"
    if item.kind is Kind.MESSAGE:
        chat = (item.thread or "").removeprefix("whatsapp:")
        return f"{stored.source_kind} message, {when}, chat {chat!r}, from {who or 'system'}"
    if item.kind is Kind.EVENT:
        return f"calendar event, {when}: {item.title or '(untitled)'}"
    return f"{item.kind}, {when}: {item.title or ''}".rstrip(": ")


def block(vault: Vault, stored: StoredItem, words: tuple[str, ...], zone: ZoneInfo) -> str:
    """What the model reads of one source: a headline and the text, with chat context for messages."""
    item = stored.item
    if item.kind is Kind.MESSAGE:
        lines = []
        for other in vault.neighbours(stored, before=2, after=2):
            mark = ">>" if other.id == stored.id else "  "
            who = other.item.author or "system"
            when = local_time(other.item.ts, zone)
            lines.append(f"{mark} {when} {who}: {_flat(other.item.text, 240)}")
        return headline(stored, zone) + "\n" + "\n".join(lines)
    body = item.text
    if item.kind is Kind.EVENT:
        details = [f"starts {local_time(item.ts, zone, all_day=bool(item.meta.get('all_day')))}"]
        if item.meta.get("end"):
            details.append(f"ends {item.meta['end']}")
        if item.meta.get("location"):
            details.append(f"at {item.meta['location']}")
        body = "; ".join(details) + "\n" + body
    return headline(stored, zone) + "\n" + excerpt(body, words, BLOCK)


def _flat(text: str, width: int) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= width else flat[: width - 1] + "…"
