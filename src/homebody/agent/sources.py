"""How retrieved items are shown to the model and to the user: dated, attributed, short excerpts."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from homebody.retrieval.search import Hit
from homebody.vault.items import Kind
from homebody.vault.store import StoredItem, Vault

EXCERPT = 240
BLOCK = 500


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


def block(vault: Vault, hit: Hit, words: tuple[str, ...], zone: ZoneInfo) -> str:
    """What the model reads of one source: a headline and the text, with chat context for messages.

    A long item shows the passage that matched, not its opening.
    """
    stored = hit.stored
    item = stored.item
    if item.kind is Kind.MESSAGE:
        lines = []
        for other in vault.neighbours(stored, before=1, after=1):
            mark = ">>" if other.id == stored.id else "  "
            who = other.item.author or "system"
            when = local_time(other.item.ts, zone)
            lines.append(f"{mark} {when} {who}: {_flat(other.item.text, 240)}")
        return headline(stored, zone) + "\n" + "\n".join(lines)
    body = hit.passage
    if item.kind is Kind.EVENT:
        details = [_span(item.ts, item.meta.get("end"), zone, all_day=bool(item.meta.get("all_day")))]
        if item.meta.get("location"):
            details.append(f"at {item.meta['location']}")
        body = "; ".join(details) + "\n" + body
    return headline(stored, zone) + "\n" + excerpt(body, words, BLOCK)


def quotable(hit: Hit, zone: ZoneInfo) -> str:
    """The item's own words, as they may be quoted in an answer: no headlines, no other items."""
    item = hit.stored.item
    # When a message was sent or a payment made is the item's own word too ("when did my salary
    # last arrive?"), written as a chat transcript or a statement line would. (Not an email's: its
    # sending date read before "your appointment is on Saturday" would pass for the appointment's.)
    dated = local_time(item.ts, zone, all_day=item.kind is Kind.TRANSACTION) if item.ts else None
    if item.kind is Kind.MESSAGE:
        return f"{item.author or 'system'}{f' ({dated})' if dated else ''}: {item.text}"
    if item.kind is Kind.TRANSACTION and dated:
        return f"{dated}: {hit.passage}"
    if item.kind is Kind.EVENT:
        when = local_time(item.ts, zone, all_day=bool(item.meta.get("all_day")))
        where = f" at {item.meta['location']}" if item.meta.get("location") else ""
        return f"{item.title or 'Event'} on {when}{where}.\n{item.text}"
    return hit.passage


def collapse_occurrences(hits: list[Hit], now: datetime) -> list[Hit]:
    """One hit per recurring event: the occurrence nearest `now`, upcoming ones first."""
    best: dict[str, Hit] = {}
    for hit in hits:
        item = hit.stored.item
        if item.kind is not Kind.EVENT or not item.thread or item.ts is None:
            continue
        kept = best.get(item.thread)
        if kept is None or _nearness(item.ts, now) < _nearness(kept.stored.item.ts, now):
            best[item.thread] = hit
    out = []
    for hit in hits:
        item = hit.stored.item
        if item.kind is Kind.EVENT and item.thread in best:
            if best[item.thread] is hit:
                out.append(hit)
        else:
            out.append(hit)
    return out


def _nearness(ts: datetime | None, now: datetime) -> tuple[int, float]:
    if ts is None:
        return (2, 0.0)
    delta = (ts - now).total_seconds()
    return (0, delta) if delta >= 0 else (1, -delta)


def _flat(text: str, width: int) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _span(start: datetime | None, end_value: object, zone: ZoneInfo, *, all_day: bool) -> str:
    """When an event happens, as one phrase: 'Thu 29 Oct 2026 15:30-16:00' on one day.

    A small model asked "when is ..." picked the end time out of "starts 15:30; ends 16:00"; a range
    on one day reads as one time.
    """
    begins = local_time(start, zone, all_day=all_day)
    if all_day and isinstance(end_value, str) and len(end_value) == 10:
        # An all-day event's end date is exclusive (RFC 5545): 12-16 Nov is four days, the 12th to the 15th.
        try:
            last = date.fromisoformat(end_value) - timedelta(days=1)
        except ValueError:
            last = None
        if last is not None:
            end_value = last.isoformat()
            if start is not None and last <= start.astimezone(zone).date():
                return begins
    end = _end(end_value, zone)
    if not end:
        return begins
    if start is not None and not all_day and end[:15] == begins[:15]:
        return f"{begins}-{end[16:]}"
    return f"from {begins} until {end}"


def _end(value: object, zone: ZoneInfo) -> str | None:
    """An event's end as the user reads it, from the ISO text the connector stored."""
    if not isinstance(value, str) or not value:
        return None
    try:
        end = datetime.fromisoformat(value)
    except ValueError:
        return value
    if end.tzinfo is None:
        return end.strftime("%a %d %b %Y") if len(value) <= 10 else end.strftime("%a %d %b %Y %H:%M")
    return local_time(end, zone)
