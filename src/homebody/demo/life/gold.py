"""Find the stored item a gold locator names, after a sync.

A gold entry is `{"file", "locator"}` (questions.json, as in the demo persona). The locator is what
the file format keys a record by; an item of the file's source matches, in this order, when:

1. its native id is the locator (angle brackets of a Message-ID dropped): mail, events and their
   occurrences (`UID@<UTC start>`), Messages guids, card UIDs, notes' paths, feed guids;
2. its native id ends with `:<locator>`: OFX (`<ACCTID>:<FITID>`) and Venmo (`venmo:<ID>`);
3. its origin ends with `, <locator>`: a CSV row (`row 12`);
4. its text starts with the locator: a WhatsApp message's first characters.

The first rule that matches anything decides, and it must match exactly one item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from homebody.errors import NotFound
from homebody.vault.store import Vault


def _in_file(stored: str | None, gold_file: str) -> bool:
    return stored is not None and (stored == gold_file or stored.endswith("/" + gold_file))


def resolve_one(vault: Vault, source: str, file: str, locator: str) -> str:
    """The id of the one item of `source` (read from `file`) that `locator` names."""
    rows = vault.conn.execute(
        """SELECT i.id, i.native_id, i.origin, i.text, i.file FROM items i
           JOIN sources s ON s.id = i.source_id WHERE s.name = ?""",
        (source,),
    ).fetchall()
    rows = [r for r in rows if _in_file(r["file"], file)]
    bare = locator[1:-1] if locator.startswith("<") and locator.endswith(">") else locator
    rules: tuple[Any, ...] = (
        lambda r: r["native_id"] == bare,
        lambda r: r["native_id"].endswith(":" + locator),
        lambda r: r["origin"].endswith(", " + locator),
        lambda r: r["text"].startswith(locator),
    )
    for rule in rules:
        found = [r["id"] for r in rows if rule(r)]
        if len(found) == 1:
            return str(found[0])
        if found:
            raise NotFound(f"gold locator {locator!r} in {file} names {len(found)} items, not one")
    raise NotFound(f"gold locator {locator!r} names no item of {file} (source {source!r})")


def resolve_gold(
    vault: Vault, source_names: Mapping[str, str], gold: Iterable[Mapping[str, str]]
) -> list[str]:
    """The item ids of a question's gold entries, in order; NotFound unless each names exactly one item.

    `source_names` maps a gold entry's file (as questions.json names it) to the source that reads it.
    """
    ids = []
    for entry in gold:
        file, locator = entry["file"], entry["locator"]
        source = source_names.get(file)
        if source is None:
            raise NotFound(f"no source reads the gold file {file!r}")
        ids.append(resolve_one(vault, source, file, locator))
    return ids
