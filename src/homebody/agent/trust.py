"""What the user's own data says they trust: contacts, people they wrote to, payees they paid.

The guard judges a recipient or payee against these facts. Only the user's own acts count: a card in
their address book, an email they sent, money that left their account. An email someone sent them, or
money someone sent them, proves nothing (anyone can send either).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from homebody.config import Settings
from homebody.vault.store import Vault


@dataclass
class Facts:
    """The user's trusted facts, as they appear in the vault."""

    own: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)
    payees: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def trusted_facts(vault: Vault, settings: Settings) -> Facts:
    """Own addresses and accounts, contacts, and payees with the amounts paid, from the vault."""
    facts = Facts()
    if settings.email is not None:
        facts.own.add(settings.email.address.lower())
    rows = vault.conn.execute("SELECT meta FROM items WHERE kind = 'contact'")
    for (meta_text,) in rows:
        meta = json.loads(meta_text)
        facts.contacts.update(str(e).lower() for e in meta.get("emails") or [])
        for phone in meta.get("phones") or []:
            number = phone.get("e164") if isinstance(phone, dict) else phone
            if number:
                facts.contacts.add(str(number))
    own = facts.own
    if own:
        rows = vault.conn.execute("SELECT meta FROM items WHERE kind = 'email'")
        for (meta_text,) in rows:
            meta = json.loads(meta_text)
            senders = {str(pair[1]).lower() for pair in meta.get("from") or [] if len(pair) > 1}
            if senders & own:  # an email the user wrote: whoever they wrote to, they deal with
                for field_name in ("to", "cc"):
                    for pair in meta.get(field_name) or []:
                        if len(pair) > 1 and "@" in str(pair[1]):
                            facts.contacts.add(str(pair[1]).lower())
    rows = vault.conn.execute("SELECT meta FROM items WHERE kind = 'transaction'")
    for (meta_text,) in rows:
        meta = json.loads(meta_text)
        try:
            amount = float(meta.get("amount"))
        except (TypeError, ValueError):
            continue
        party = str(meta.get("counterparty") or "").strip()
        if amount < 0 and party:  # money the user sent
            facts.payees[party].append(-amount)
        if meta.get("account"):
            facts.own.add(str(meta["account"]))
    return facts
