"""Parse a `.vcf` file's text into contact items, one per card. Pure: text in, items out.

FORMATS.md §7: vCard 2.1, 3.0 and 4.0, many cards a file. A card is known by its UID, else Apple's
X-ABUID, else a hash of its names, e-mails and phones (stable across re-exports, which reorder
and reformat them). A card that cannot be read becomes a BadRecord and the next card is read.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, tzinfo
from typing import Any

from homebody.connectors.base import Parsed
from homebody.connectors.vcard.card import Card, read_card
from homebody.connectors.vcard.lines import CardError, RawCard, Stray, properties, split_cards
from homebody.connectors.vcard.values import phone_key, spoken_birthday
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

DEFAULT_REGION = "US"


def parse_vcards(
    text: str, *, file_name: str, region: str = DEFAULT_REGION, zone: tzinfo = UTC
) -> Iterator[Parsed]:
    """Yield one contact Item per card, and a BadRecord for each card or stray text it cannot read.

    `region` is the country phone numbers without a `+` prefix are read in; `zone` the user's
    time zone, for a REV written without one.
    """
    seen: Counter[str] = Counter()
    for entry in split_cards(text):
        if isinstance(entry, Stray):
            yield BadRecord(file_name, f"line {entry.line}", "text outside a vCard")
            continue
        if not entry.closed:
            yield BadRecord(file_name, entry.position, "card has no END:VCARD")
            continue
        try:
            item = _item(read_card(properties(entry), region, zone), entry, file_name, region)
        except CardError as err:
            yield BadRecord(file_name, f"card {entry.number}, line {err.line}", err.reason)
            continue
        # The per-card boundary (STYLE.md: a bad record is skipped, counted, and the file goes on):
        # vobject and phonenumbers can fail in ways they do not document on hostile input. Only the
        # exception's type is reported: its text may quote the card.
        except Exception as err:  # noqa: BLE001
            yield BadRecord(file_name, entry.position, f"unreadable card ({type(err).__name__})")
            continue
        if item is None:
            yield BadRecord(file_name, entry.position, "card has no name, organisation, e-mail or phone")
            continue
        seen[item.native_id] += 1
        if seen[item.native_id] > 1 and item.native_id.startswith("sha256:"):
            item = replace(item, native_id=f"{item.native_id}#{seen[item.native_id]}")
        yield item


def _title(card: Card) -> str | None:
    org = card.orgs[0][0] if card.orgs else None
    if card.company and org:
        return org
    first_phone = card.phones[0]["raw"] if card.phones else None
    first_email = card.emails[0][0] if card.emails else None
    nickname = card.nicknames[0] if card.nicknames else None
    candidates = (card.fn, card.assembled_name(), org, nickname, first_email, first_phone)
    return next((c for c in candidates if c), None)


def _native_id(card: Card, region: str) -> str:
    if card.uid:
        return card.uid
    if card.abuid:
        return card.abuid
    payload = [
        " ".join((card.fn or "").split()).casefold(),
        [" ".join(p.split()).casefold() for p in card.name_parts[:5]],
        sorted({address for address, _ in card.emails}),
        sorted({phone_key(p["raw"], region) for p in card.phones}),
    ]
    digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()
    return "sha256:" + digest[:32]


def _item(card: Card, raw: RawCard, file_name: str, region: str) -> Item | None:
    title = _title(card)
    if title is None:
        return None
    ts, tz, assumed = card.rev if card.rev else (None, None, False)
    meta = _meta(card, title)
    if assumed:
        meta["tz_assumed"] = True
    return Item(
        kind=Kind.CONTACT,
        native_id=_native_id(card, region),
        text=_text(card, title),
        ts=ts,
        tz=tz,
        title=title,
        origin=f"{file_name}, {raw.position}",
        meta=meta,
    )


def _meta(card: Card, title: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": card.fn or title,
        "given": card.given or None,
        "family": card.family or None,
        "nicknames": card.nicknames,
        "emails": list(dict.fromkeys(address for address, _ in card.emails)),
        "phones": card.phones,
        "orgs": [org[0] for org in card.orgs],
        "title": card.title,
        "birthday": card.birthday,
        "addresses": card.addresses,
        "urls": [url for url, _ in card.urls],
        "categories": card.categories,
        "labels": card.labels,
        "related": card.related,
        "group": card.group,
        "company": card.company,
        "photo": card.photo,
        "version": card.version,
    }
    if card.group:
        meta["members"] = card.members
    return meta


def _heading(label: str) -> str:
    return label[:1].upper() + label[1:]


def _labelled(value: str, label: str | None) -> str:
    return f"{value} ({label})" if label else value


def _text(card: Card, title: str) -> str:
    """The card as a person would read it: one field a line."""
    lines = [f"Group: {title}" if card.group else title]
    full_name = card.assembled_name()
    if full_name and full_name != title:
        lines.append(f"Name: {full_name}")
    if card.nicknames:
        lines.append(f"Nickname: {', '.join(card.nicknames)}")
    lines += [
        f"Organisation: {org[0]}" + (f" ({', '.join(org[1:])})" if org[1:] else "") for org in card.orgs
    ]
    if card.title:
        lines.append(f"Job title: {card.title}")
    if card.role:
        lines.append(f"Role: {card.role}")
    lines += [f"Email: {_labelled(address, label)}" for address, label in card.emails]
    lines += [f"Phone: {_labelled(p['raw'], p['label'])}" for p in card.phones]
    lines += [f"Address: {_labelled(a['text'], a['label'])}" for a in card.addresses]
    if card.birthday:
        lines.append(f"Birthday: {spoken_birthday(card.birthday)}")
    lines += [f"Website: {_labelled(url, label)}" for url, label in card.urls]
    lines += [f"{_heading(r['label'] or 'related')}: {r['name']}" for r in card.related]
    if card.categories:
        lines.append(f"Categories: {', '.join(card.categories)}")
    if card.group:
        lines.append(f"Members: {len(card.members)}")
    lines += [f"Note: {note}" for note in card.notes]
    return "\n".join(lines)
