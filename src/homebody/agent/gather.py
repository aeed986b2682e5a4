"""What the agent looks at before it acts: the items of the vault an instruction is about.

"Reply to Sam that I'll be late" is about Sam's latest messages, not about the words "late" or
"reply"; so the person the instruction names comes first, then a search for its other words. Each item
is shown to the model under a short reference (the first 8 characters of its id), which is the only
way the model can point at an item: arguments that name an item are constrained to these references.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from homebody.agent.said import said_content
from homebody.agent.sources import excerpt, headline
from homebody.retrieval.filters import Filters
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
_GLUE = {"to", "that", "me", "my", "the", "a", "an", "about", "re", "on", "for", "saying", "say", "i", "i'll"}


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
        topic = _topic(instruction, person.name)
        topical = [h.stored for h in search(vault, topic, limit=3, filters=Filters(person=person.id))]
        ranked = [s for s in topical if s.kind is not Kind.CONTACT] + latest
        found += list({s.id: s for s in ranked}.values())[:3]  # the topic's items first, then the latest
        theirs = {s.id for s in found}
    words = " ".join(w for w in instruction.split() if _bare(w) not in _ACTION_WORDS)
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


def _bare(word: str) -> str:
    return word.casefold().strip(".,!?:;\"'")


def _topic(instruction: str, name: str) -> str:
    """The words of a request that say what it is about: not its verb, the person, or what to say."""
    said = said_content(instruction)
    if said:
        instruction = instruction[: instruction.casefold().rfind(said[:-1].casefold()[:12])]
    names = {_bare(part) for part in name.split()}
    kept = [w for w in instruction.split() if _bare(w) not in _ACTION_WORDS | names | _GLUE]
    return " ".join(kept)
