"""What the agent looks at before it acts: the items of the vault an instruction is about.

"Reply to Sam that I'll be late" is about Sam's latest messages, not about the words "late" or
"reply"; so the person the instruction names comes first, then a search for its other words. Each item
is shown to the model under a short reference (the first 8 characters of its id), which is the only
way the model can point at an item: arguments that name an item are constrained to these references.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from homebody.agent.sources import excerpt, headline
from homebody.retrieval.search import search
from homebody.vault.items import Kind
from homebody.vault.persons import person_in_question, recent_items
from homebody.vault.store import StoredItem, Vault

REF = 8  # characters of an item id the model sees and copies
SHOWN = 400  # characters of an item's text the model reads
_ACTION_WORDS = {
    "reply", "replying", "answer", "send", "email", "mail", "message", "text", "tell", "write", "remind",
    "reminder", "schedule", "create", "add", "book", "pay", "buy", "order", "please", "draft", "note",
}  # fmt: skip


@dataclass(frozen=True)
class Seen:
    """One item the agent read, as the model sees it, and whether it is the user's own trusted data."""

    ref: str
    stored: StoredItem
    trusted: bool
    about_person: bool = False  # one of the latest items of the person the request names

    def shown(self, zone: ZoneInfo) -> str:
        """The item as the model reads it: reference, headline, and the start of its text."""
        text = excerpt(self.stored.item.text, (), SHOWN)
        return f"[{self.ref}] {headline(self.stored, zone)}\n{text}"


def gather(vault: Vault, instruction: str, *, limit: int = 6) -> list[Seen]:
    """The items an instruction is most likely about: the named person's latest, then search hits."""
    found: list[StoredItem] = []
    person = person_in_question(vault, instruction)
    theirs: set[str] = set()
    if person is not None:
        latest = [s for s in recent_items(vault, person, per_channel=2) if s.kind is not Kind.CONTACT]
        latest.sort(key=lambda s: s.item.ts.timestamp() if s.item.ts else 0.0, reverse=True)
        found += latest[:3]
        theirs = {s.id for s in found}
    words = " ".join(w for w in instruction.split() if w.casefold().strip(".,!?") not in _ACTION_WORDS)
    found += [hit.stored for hit in search(vault, words, limit=limit)]
    seen: list[Seen] = []
    refs: set[str] = set()
    for stored in found:
        ref = stored.id[:REF]
        if ref in refs:
            continue
        refs.add(ref)
        seen.append(
            Seen(
                ref=ref, stored=stored, trusted=stored.kind is Kind.CONTACT, about_person=stored.id in theirs
            )
        )
        if len(seen) >= limit:
            break
    return seen
