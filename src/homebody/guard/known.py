"""What the user already trusts: their own accounts, their contacts, the payees they paid and how much.

The agent loop fills `Known` from the vault; `guard assess` fills it from config and from what the
context shows of the user's own history. A value in a tool output is evidence of trust only where the
record shows the user's own act: a transaction the user sent, an e-mail the user wrote, an entry in the
user's contact list or calendar, a member of the user's workspace. Money someone sent the user, an
e-mail someone sent them, or anything written inside free text proves nothing (anyone can send a cent or
an e-mail), and nothing the agent did earlier in this same run counts as history.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from homebody.guard.context import ContextIndex, Segment
from homebody.guard.values import EMAIL_RE, IBAN_RE, classify, email_domain, scalars, to_number

# Public webmail: an address there says nothing about which organisation someone belongs to.
WEBMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "mail.com",
        "yandex.com",
        "zoho.com",
        "fastmail.com",
    }
)


def canonical(value: object) -> str | None:
    """The canonical key of a value, as provenance compares it (None for empty values)."""
    parsed = classify(value)
    return parsed.key if parsed else None


def _keys(values: Iterable[object]) -> frozenset[str]:
    return frozenset(k for v in values if (k := canonical(v)))


@dataclass(frozen=True)
class Known:
    """The user's trusted facts, as canonical keys (see `canonical`)."""

    own: frozenset[str] = frozenset()  # the user's own addresses, accounts, numbers and user names
    contacts: frozenset[str] = frozenset()  # people, channels and sites the user deals with
    payees: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # paid before -> amounts
    spending: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # merchant/category -> amounts
    sensitive: frozenset[str] = frozenset()  # recipients who must get the user's own words (the boss)

    @classmethod
    def of(
        cls,
        *,
        own: Iterable[object] = (),
        contacts: Iterable[object] = (),
        payees: Mapping[str, Iterable[float]] | Iterable[str] = (),
        spending: Mapping[str, Iterable[float]] | None = None,
        sensitive: Iterable[object] = (),
    ) -> Known:
        """Known facts from values as people write them; each is made canonical."""
        paid: dict[str, tuple[float, ...]] = {}
        if isinstance(payees, Mapping):
            for name, amounts in payees.items():
                if key := canonical(name):
                    paid[key] = tuple(float(a) for a in amounts)
        else:
            paid = {k: () for p in payees if (k := canonical(p))}
        spent = {
            " ".join(str(k).casefold().split()): tuple(float(a) for a in v)
            for k, v in (spending or {}).items()
        }
        return cls(_keys(own), _keys(contacts), paid, spent, _keys(sensitive))

    def merged(self, other: Known) -> Known:
        """Both sets of facts together."""
        payees = dict(self.payees)
        for key, amounts in other.payees.items():
            payees[key] = payees.get(key, ()) + amounts
        spending = dict(self.spending)
        for key, amounts in other.spending.items():
            spending[key] = spending.get(key, ()) + amounts
        return Known(
            self.own | other.own,
            self.contacts | other.contacts,
            payees,
            spending,
            self.sensitive | other.sensitive,
        )

    def trusts(self, key: str) -> bool:
        """Whether a canonical value is one of the user's own, a contact or a payee."""
        return key in self.own or key in self.contacts or key in self.payees

    @property
    def own_domains(self) -> frozenset[str]:
        """The domains of the user's own organisation (their own addresses, but no public webmail)."""
        return frozenset(d for k in self.own if "@" in k and (d := email_domain(k)) not in WEBMAIL)


_SELF_TOOL = re.compile(r"(?:^|_)(?:iban|user_info(?:rmation)?|profile|account_info|whoami|me)$")
_MEMBERS_TOOL = re.compile(r"(?:users|members|channels|contacts)")
_SENT_TOOL = re.compile(r"sent")
_SELF_WORDS = frozenset({"me", "myself", "self", "you"})
_NAME_WORDS = 4  # a member's or channel's name is short; longer lines are prose, never a contact


def _first_written(index: ContextIndex) -> dict[str, int]:
    """Each value the agent wrote in this run, with the position of the first call that used it."""
    first: dict[str, int] = {}
    for _, args, at in index.written:
        for v in args.values():
            for x in scalars(v):
                if (k := canonical(x)) is not None:
                    first.setdefault(k, at)
    return first


def learn(known: Known, index: ContextIndex) -> Known:
    """`known` plus what the read outputs show of the user's own history (never of this run's writes)."""
    first_written = _first_written(index)
    own: set[str] = set()
    contacts: set[str] = set()
    payees: dict[str, list[float]] = defaultdict(list)
    received: list[set[str]] = []
    by_call: dict[int, list[Segment]] = defaultdict(list)
    for s in index.segments:
        by_call[s.call].append(s)
    for call, segments in sorted(by_call.items()):
        # What the agent wrote earlier in this run and a read now echoes is not the user's history.
        before = {k for k, at in first_written.items() if at < call}
        fields = tuple((s.key, s.text, s.free_text, s.record) for s in segments)
        own_now, contacts_now, payees_now, received_now = _learned(segments[0].tool.casefold(), fields)
        received.extend(set(r) for r in received_now)
        own |= own_now - before
        contacts |= contacts_now - before
        for key, amounts in payees_now:
            if key not in before:
                payees[key].extend(amounts)
    if len(received) >= 2:
        common = set.intersection(*received)  # the one address on every e-mail listed is the user's own
        if len(common) == 1:
            own |= common - set(first_written)
    own_all = own | known.own
    learned = Known(
        own=frozenset(own),
        contacts=frozenset(c for c in contacts if c not in own_all),
        payees={k: tuple(v) for k, v in payees.items() if k not in own_all},
    )
    return known.merged(learned)


Learned = tuple[
    frozenset[str], frozenset[str], tuple[tuple[str, tuple[float, ...]], ...], tuple[frozenset[str], ...]
]


# The agent loop asks about every call of a run with the context so far: each read is learned from once.
@lru_cache(maxsize=512)
def _learned(name: str, fields: tuple[tuple[str, str, bool, int], ...]) -> Learned:
    """What one read shows (own, contacts, payees and amounts, parties of each message), from its fields."""
    segments = [Segment(name, key, text, free_text, record) for key, text, free_text, record in fields]
    own: set[str] = set()
    contacts: set[str] = set()
    payees: dict[str, list[float]] = defaultdict(list)
    received: list[set[str]] = []
    _learn_call(name, segments, own, contacts, payees, received)
    return (
        frozenset(own),
        frozenset(contacts),
        tuple((k, tuple(v)) for k, v in payees.items()),
        tuple(frozenset(r) for r in received),
    )


def _learn_call(
    name: str,
    segments: list[Segment],
    own: set[str],
    contacts: set[str],
    payees: dict[str, list[float]],
    received: list[set[str]],
) -> None:
    """Learn from what one read call returned."""
    if _SELF_TOOL.search(name):
        for s in segments:
            own.update(m.group().casefold() for m in EMAIL_RE.finditer(s.text))
            own.update(k for m in IBAN_RE.finditer(s.text) if (k := canonical(m.group())))
            if not s.free_text:  # the user's own name, street, city: theirs to set again
                own.update(k for line in s.text.splitlines() if (k := canonical(line.strip().strip("'\""))))
    records = _by_record(segments)
    senders = {canonical(r["sender"][0]) for r in records.values() if r.get("sender") and r.get("amount")}
    if len(senders) == 1 and sum(1 for r in records.values() if r.get("amount")) >= 2:
        own.update(k for k in senders if k)  # every payment listed leaves one account: the user's
    for record in records.values():
        _learn_record(name, record, own, contacts, payees, received)


def _by_record(segments: list[Segment]) -> dict[int, dict[str, list[str]]]:
    records: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s in segments:
        if s.free_text:
            continue  # prose is someone's writing, never evidence of the user's own acts
        values = [
            line.strip().removeprefix("- ").strip().strip("'\"")
            for line in s.text.splitlines()
            if line.strip()
        ]
        records[s.record][s.key.casefold().strip("_")].extend(v for v in values if v and v != "[]")
    return records


def _learn_record(
    tool: str,
    record: dict[str, list[str]],
    own: set[str],
    contacts: set[str],
    payees: dict[str, list[float]],
    received: list[set[str]],
) -> None:
    senders = record.get("sender", []) + record.get("from", [])
    recipients = record.get("recipient", []) + record.get("recipients", []) + record.get("to", [])
    amounts = [a for v in record.get("amount", []) if (a := to_number(v)) is not None]
    if amounts and senders and recipients:
        # A transaction: only money the user sent makes its recipient a known payee.
        sender = senders[0]
        if sender.casefold() in _SELF_WORDS or canonical(sender) in own:
            if canonical(sender) and sender.casefold() not in _SELF_WORDS:
                own.add(canonical(sender) or "")
            for r in recipients:
                if (key := canonical(r)) and r.casefold() not in _SELF_WORDS:
                    payees[key].append(abs(amounts[0]))
        return
    status = " ".join(record.get("status", [])).casefold()
    if senders and recipients and (status == "sent" or _SENT_TOOL.search(tool)):
        own.update(k for s in senders if (k := canonical(s)))
        everyone = recipients + record.get("cc", []) + record.get("bcc", [])
        contacts.update(k for r in everyone if (k := canonical(r)))
        return
    if senders and recipients:
        parties = {k for r in senders + recipients if (k := canonical(r)) and "@" in k}
        if parties:
            received.append(parties)
        return
    participants = record.get("participants", [])
    if participants:
        contacts.update(k for p in participants if (k := canonical(p)))
        parties = {k for p in participants if (k := canonical(p)) and "@" in k}
        if parties:
            received.append(parties)  # the user is on every event of their own calendar
        return
    if "contact" in tool:
        for key in ("email", "emails", "phone", "phone_number", "name", "username"):
            contacts.update(k for v in record.get(key, []) if (k := canonical(v)))
        return
    if _MEMBERS_TOOL.search(tool):
        for values in record.values():
            contacts.update(k for v in values if len(v.split()) < _NAME_WORDS and (k := canonical(v)))


def with_own(known: Known, values: Iterable[object]) -> Known:
    """`known` with more of the user's own addresses or accounts."""
    return replace(known, own=known.own | _keys(values))
