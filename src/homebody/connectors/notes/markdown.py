"""Read a Markdown note: YAML front matter, title, Obsidian `[[wikilinks]]` and `#tags`. Pure.

Front matter is a YAML block between `---` lines at the very top of the file (Jekyll, Hugo and
Obsidian "properties"). Tags and links follow Obsidian's rules (help.obsidian.md, "Tags" and
"Internal links"): a tag is `#` then letters, digits, `_`, `-` or `/`, not all digits, at the start
of a line or after white space; nothing inside code counts. No installed library reads Obsidian's
tags or wikilinks, so these few patterns are written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

# The block must close with `---` (or YAML's document end `...`) on a line of its own.
_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\n(?P<yaml>.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.MULTILINE | re.DOTALL
)
# CommonMark §4.5: a fence is 3+ backticks or tildes, indented at most 3 spaces; it closes with at
# least as many of the same character.
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+).+?\1")
# CommonMark §4.2: an ATX heading of level 1; optional closing hashes are not part of the title.
_H1 = re.compile(r"^ {0,3}#[ \t]+(?P<title>.+?)(?:[ \t]+#+)?[ \t]*$")
_TAG = re.compile(r"(?<!\S)#(?P<tag>[\w/-]+)")
_WIKILINK = re.compile(r"!?\[\[(?P<inner>[^\[\]\n]+?)\]\]")
_TAG_SPLIT = re.compile(r"[,\s]+")
_DATE_KEYS = ("date", "created")


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, but timestamps stay strings, so parse.py reads every date one way and
    an impossible one (`2024-02-30`) does not make the whole block unreadable."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)  # type: ignore[type-var]


@dataclass(frozen=True)
class MarkdownNote:
    """What a Markdown file says about itself."""

    text: str
    title: str | None
    date: str | None
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def read_markdown(source: str) -> MarkdownNote:
    """The note in a Markdown text (already decoded, "\\n" line ends): body, title, date, tags, links."""
    properties, body = split_front_matter(source)
    prose = _without_code(body)
    tags = _front_matter_tags(properties) + [m["tag"] for m in _TAG.finditer(prose) if not m["tag"].isdigit()]
    return MarkdownNote(
        text=body.strip("\n").rstrip(),
        title=_scalar(properties.get("title")) or _first_heading(body),
        date=next((d for d in (_scalar(properties.get(k)) for k in _DATE_KEYS) if d), None),
        tags=_unique(tags),
        links=_unique(_link_target(m["inner"]) for m in _WIKILINK.finditer(prose)),
    )


def split_front_matter(source: str) -> tuple[dict[Any, Any], str]:
    """(front matter properties, the rest) of a Markdown text; no properties if it has no block.

    A block that is not a YAML mapping (prose between two horizontal rules, or YAML with an error)
    is left in the text: nothing of the note is lost, it just carries no properties.
    """
    match = _FRONT_MATTER.match(source)
    if match is None:
        return {}, source
    try:
        # Safe: _Loader is yaml.SafeLoader with one constructor changed.
        loaded = yaml.load(match["yaml"], Loader=_Loader)  # noqa: S506
    # Deep nesting overflows the composer's recursion; big numbers or odd scalars raise ValueError.
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return {}, source
    if loaded is None:
        return {}, source[match.end() :]
    if not isinstance(loaded, dict):
        return {}, source
    return loaded, source[match.end() :]


def _scalar(value: object) -> str | None:
    """A property's value as text, if it is a single string or number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value).strip() or None


def _front_matter_tags(properties: dict[Any, Any]) -> list[str]:
    """`tags:` (or the older `tag:`) as a YAML list, or a string of tags split at commas and spaces."""
    tags: list[str] = []
    for key in ("tags", "tag"):
        value = properties.get(key)
        values = value if isinstance(value, list) else [value]
        for entry in values:
            text = _scalar(entry)
            if text:
                tags.extend(t.lstrip("#") for t in _TAG_SPLIT.split(text))
    return [t for t in tags if t]


def _without_code(body: str, *, inline: bool = True) -> str:
    """The text without fenced code blocks (and inline code): tags and links there are code."""
    kept: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match["fence"]
        elif fence is not None:
            if match and match["fence"][0] == fence[0] and len(match["fence"]) >= len(fence):
                fence = None
        else:
            kept.append(_INLINE_CODE.sub(" ", line) if inline else line)
    return "\n".join(kept)


def _first_heading(body: str) -> str | None:
    for line in _without_code(body, inline=False).split("\n"):
        match = _H1.match(line)
        if match:
            return match["title"].strip()
    return None


def _link_target(inner: str) -> str:
    """The note a wikilink points to: `[[Note#Heading|shown text]]` → "Note".

    Inside a table the alias pipe is escaped as `\\|` (Obsidian), so a trailing backslash goes too.
    """
    target = inner.split("|", 1)[0].split("#", 1)[0]
    return target.rstrip("\\").strip()


def _unique(values: Iterable[str]) -> list[str]:
    return [v for v in dict.fromkeys(values) if v]
