"""What one card says about a person, company or group, read from its properties.

Property names and meanings: RFC 2426 (3.0), RFC 6350 (4.0), vCard 2.1; Apple and Google
extensions as FORMATS.md §7 lists them (`itemN.X-ABLabel`, `X-ABUID`, `X-ABShowAs`,
`X-ADDRESSBOOKSERVER-KIND/MEMBER`, `X-APPLE-OMIT-YEAR`, Android's `X-ANDROID-CUSTOM` nickname).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from homebody.connectors.vcard.lines import Prop
from homebody.connectors.vcard.values import (
    birthday,
    e164,
    fields,
    plain_label,
    revision,
    split_escaped,
    type_label,
    unescape,
)

_URN_UUID = "urn:uuid:"
# Apple's X-ABUID names the record type after the id: `5AD380FD-…:ABPerson`.
_ABUID_SUFFIXES = (":ABPerson", ":ABGroup")
_ANDROID_NICKNAME = "vnd.android.cursor.item/nickname"
_FIELD_NAMES = {
    "TEL": "phone",
    "EMAIL": "email",
    "ADR": "address",
    "URL": "url",
    "X-ABRELATEDNAMES": "related name",
    "X-ABDATE": "date",
}
_ADR_KEYS = ("po_box", "extended", "street", "city", "region", "postcode", "country")


@dataclass
class Card:
    """The fields of one vCard, decoded; empty where the card says nothing."""

    version: str | None = None
    fn: str | None = None
    name_parts: list[str] = field(
        default_factory=lambda: [""] * 5
    )  # family, given, additional, prefix, suffix
    nicknames: list[str] = field(default_factory=list)
    orgs: list[list[str]] = field(default_factory=list)
    title: str | None = None
    role: str | None = None
    emails: list[tuple[str, str | None]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    birthday: str | None = None
    notes: list[str] = field(default_factory=list)
    urls: list[tuple[str, str | None]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    labels: list[dict[str, str]] = field(default_factory=list)
    related: list[dict[str, str | None]] = field(default_factory=list)
    uid: str | None = None
    abuid: str | None = None
    rev: tuple[datetime, str, bool] | None = None
    group: bool = False
    company: bool = False
    members: list[str] = field(default_factory=list)
    photo: bool = False

    @property
    def family(self) -> str:
        """The family name from N."""
        return self.name_parts[0]

    @property
    def given(self) -> str:
        """The given name from N."""
        return self.name_parts[1]

    def assembled_name(self) -> str:
        """N read as a name: prefix, given, additional, family, suffix."""
        family, given, additional, prefix, suffix = self.name_parts[:5]
        return " ".join(p for p in (prefix, given, additional, family, suffix) if p)


def member_id(value: str) -> str:
    """A card or member id without the `urn:uuid:` prefix (RFC 4122), so both sides match."""
    text = value.strip()
    return text[len(_URN_UUID) :] if text.lower().startswith(_URN_UUID) else text


def read_card(props: list[Prop], region: str, zone: tzinfo) -> Card:
    """The card's fields, from its properties in file order."""
    card = Card()
    group_labels = {
        p.group: plain_label(unescape(p.value)) for p in props if p.name == "X-ABLABEL" and p.group
    }
    for prop in props:
        label = group_labels.get(prop.group) if prop.group else None
        _read(card, prop, label, region, zone)
        if label and prop.name in _FIELD_NAMES:
            value = _display_value(prop)
            if value:
                card.labels.append({"field": _FIELD_NAMES[prop.name], "label": label, "value": value})
    return card


def _display_value(prop: Prop) -> str:
    if prop.name == "ADR":
        return ", ".join(p for p in fields(prop.value, 7) if p).replace("\n", ", ")
    return unescape(prop.value).strip()


def _read(card: Card, prop: Prop, label: str | None, region: str, zone: tzinfo) -> None:
    name, value = prop.name, prop.value
    if name == "VERSION":
        card.version = value.strip()
    elif name == "FN":
        card.fn = card.fn or unescape(value).strip() or None
    elif name == "N":
        card.name_parts = fields(value, 5)
    elif name == "NICKNAME":
        card.nicknames += [n for n in split_escaped(value, ",") if n and n not in card.nicknames]
    elif name == "X-ANDROID-CUSTOM":
        parts = split_escaped(value, ";")
        if parts[0] == _ANDROID_NICKNAME and len(parts) > 1 and parts[1] not in card.nicknames:
            card.nicknames.append(parts[1])
    elif name == "ORG":
        components = [c for c in fields(value, 1) if c]
        if components:
            card.orgs.append(components)
    elif name == "TITLE":
        card.title = card.title or unescape(value).strip() or None
    elif name == "ROLE":
        card.role = card.role or unescape(value).strip() or None
    elif name == "EMAIL":
        address = unescape(value).strip()
        address = address[7:] if address[:7].lower() == "mailto:" else address
        if address:
            card.emails.append((address.lower(), label or type_label(prop.types)))
    elif name == "TEL":
        raw = unescape(value).strip()
        if raw:
            card.phones.append(
                {"raw": raw, "e164": e164(raw, region), "label": label or type_label(prop.types)}
            )
    elif name == "ADR":
        _address(card, prop, label)
    elif name == "BDAY":
        card.birthday = card.birthday or birthday(value, "X-APPLE-OMIT-YEAR" in prop.params)
    elif name == "NOTE":
        note = unescape(value).strip()
        if note:
            card.notes.append(note)
    elif name in ("URL", "X-SOCIALPROFILE"):
        url = unescape(value).strip()
        if url:
            # X-SOCIALPROFILE names the network in TYPE (`type=linkedin`).
            network = sorted(t for t in prop.types if t != "pref") if name == "X-SOCIALPROFILE" else []
            card.urls.append((url, label or type_label(prop.types) or (network[0] if network else None)))
    elif name == "CATEGORIES":
        card.categories += [c for c in split_escaped(value, ",") if c and c not in card.categories]
    elif name in ("X-ABRELATEDNAMES", "RELATED"):
        other = unescape(value).strip()
        if other and not (name == "RELATED" and "uri" in (v.lower() for v in prop.params.get("VALUE", []))):
            kinds = sorted(t for t in prop.types if t != "pref")
            card.related.append({"name": other, "label": label or (kinds[0] if kinds else None)})
    else:
        _read_ids(card, prop, zone)


def _read_ids(card: Card, prop: Prop, zone: tzinfo) -> None:
    name, value = prop.name, prop.value.strip()
    if name == "UID":
        card.uid = card.uid or member_id(unescape(value)) or None
    elif name == "X-ABUID":
        abuid = unescape(value)
        for suffix in _ABUID_SUFFIXES:
            abuid = abuid.removesuffix(suffix)
        card.abuid = card.abuid or abuid or None
    elif name == "REV":
        card.rev = card.rev or revision(value, zone)
    elif name == "PHOTO":
        card.photo = card.photo or bool(value)
    elif name in ("X-ADDRESSBOOKSERVER-KIND", "KIND"):
        # RFC 6350 §6.1.4 KIND; Apple's CardDAV groups (FORMATS.md §7).
        card.group = card.group or value.lower() == "group"
        card.company = card.company or value.lower() == "org"
    elif name == "X-ABSHOWAS":
        card.company = card.company or value.upper() == "COMPANY"
    elif name in ("X-ADDRESSBOOKSERVER-MEMBER", "MEMBER"):
        member = member_id(unescape(value))
        if member:
            card.members.append(member)


def _address(card: Card, prop: Prop, label: str | None) -> None:
    parts = [p.replace("\n", ", ") for p in fields(prop.value, 7)[:7]]
    if not any(parts):
        return
    po_box, extended, street, city, region, postcode, country = parts
    locality = " ".join(
        p for p in (city + ("," if city and (region or postcode) else ""), region, postcode) if p
    )
    text = ", ".join(p for p in (po_box, extended, street, locality, country) if p)
    entry: dict[str, Any] = {"label": label or type_label(prop.types)}
    entry.update(zip(_ADR_KEYS, parts, strict=True))
    entry["text"] = text
    card.addresses.append(entry)
