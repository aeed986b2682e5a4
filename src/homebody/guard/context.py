"""What the agent read, cut into fields: a record's listed fields apart from the free text inside it.

Tool outputs are YAML, JSON, Python reprs or plain text. A value the guard finds in a *field* of a
record (a sender, a participant, an account) was put there by the system that keeps the record; a value
found only inside *free text* (a body, a page, a review, a file's content) was written by whoever wrote
that text, which is where injected instructions live. Only outputs of tools that read are sources: what
the agent's own writes echo back is what it chose, not evidence of where a value came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from homebody.guard.values import compact, flat, numbers_in, to_number
from homebody.tools.effects import ContextEntry, Role, ToolSpec

# Keys whose values are prose someone wrote: what an attacker controls in a message, page or file.
FREE_TEXT_KEYS = frozenset(
    {
        "body",
        "content",
        "text",
        "description",
        "message",
        "messages",
        "subject",
        "title",
        "summary",
        "notes",
        "note",
        "review",
        "reviews",
        "comment",
        "comments",
        "snippet",
        "html",
        "caption",
        "bio",
        "about",
        "output",
        "result",
        "data",
    }
)

_SENTENCE_WORDS = 12
_PROSE_WORDS = 5  # a field holds a name, an address, a number; a line of five words or more is prose
_YAML_KEY = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[A-Za-z_][\w.-]{0,40}):(?:\s+(?P<value>.*))?$")
_DICT_PAIR = re.compile(
    r"""['"](?P<key>[^'"]{1,60})['"]\s*:\s*(?:'(?P<s1>(?:[^'\\]|\\.)*)'|"(?P<s2>(?:[^"\\]|\\.)*)"|(?P<bare>[^,}\]]+))"""
)


@dataclass
class Segment:
    """A piece of one tool output: the field it sits under and its text, pre-normalised for lookups."""

    tool: str
    key: str
    text: str
    free_text: bool
    record: int = 0
    public: bool = False  # from a public web page, not from the user's own data
    call: int = -1  # which context entry returned it
    _flat: str | None = field(default=None, repr=False)
    _compact: str | None = field(default=None, repr=False)
    _numbers: frozenset[str] | None = field(default=None, repr=False)

    @property
    def flat(self) -> str:
        """The text case-folded with whitespace runs made one space."""
        if self._flat is None:
            self._flat = flat(self.text)
        return self._flat

    @property
    def compact(self) -> str:
        """The text's letters and digits only, upper-cased."""
        if self._compact is None:
            self._compact = compact(self.text)
        return self._compact

    @property
    def numbers(self) -> frozenset[str]:
        """The canonical keys of the numbers in the text."""
        if self._numbers is None:
            self._numbers = numbers_in(self.text)
        return self._numbers


def _key_kind(key: str) -> bool:
    """Whether values under this key are free text (True) or a listed field (False)."""
    if not key:
        return False  # unkeyed text: a bare list of names, or prose, as `_prose` decides by its lines
    base = key.casefold().strip("_")
    return base in FREE_TEXT_KEYS or len(base.split()) > 1


def _prose(key: str, text: str) -> bool:
    """Whether a segment is prose: under a free-text key, or sentence-like whatever its key.

    Unkeyed text is a listing (one name a line, perhaps under a heading) unless it holds a sentence or
    a third of its lines are long.
    """
    if _key_kind(key):
        return True
    lengths = [len(line.split()) for line in text.splitlines() if line.strip()]
    if key:
        return any(n >= _PROSE_WORDS for n in lengths)
    long_lines = sum(1 for n in lengths if n >= _PROSE_WORDS)
    return any(n >= _SENTENCE_WORDS for n in lengths) or 3 * long_lines > len(lengths)


def split_output(tool: str, output: str) -> list[Segment]:
    """Cut one tool output into segments by the field each line sits under."""
    return [Segment(tool, key, text, prose, record) for key, text, prose, record in _fields(output)]


# The agent loop asks the guard before every call with the whole context so far, so each output is
# cut again at every later step of a run; the cut depends on the text alone.
@lru_cache(maxsize=512)
def _fields(output: str) -> tuple[tuple[str, str, bool, int], ...]:
    """The (key, text, prose, record) of each segment of one output."""
    return tuple((s.key, s.text, s.free_text, s.record) for s in _split("", output))


def _split(tool: str, output: str) -> list[Segment]:
    text = output.strip()
    if text.startswith("<<") and text.endswith(">>"):
        # Spotlighting by delimiting (Hines et al. 2024; AgentDojo's `spotlighting_with_delimiting`)
        # wraps each tool output in << >>: the markers are not part of the data.
        text = text[2:-2].strip()
    if not text:
        return []
    if text[0] in "{[" and ("':" in text or '":' in text):
        pairs = list(_DICT_PAIR.finditer(text))
        if pairs:
            return [
                Segment(tool, key, value, _prose(key, value))
                for m in pairs
                for key, value in [(m["key"], m["s1"] or m["s2"] or m["bare"] or "")]
            ]
    if text.startswith("- ") and not _YAML_KEY.match(text.split("\n", 1)[0]):
        # A bare list (channels, members, names): each item is its own segment, so one item of prose
        # does not make its neighbours prose.
        items = re.split(r"\n(?=- )", text)
        return [
            Segment(tool, "", item, _prose("", item), record)
            for record, item in enumerate((i[2:] for i in items), 1)
        ]
    segments: list[Segment] = []
    lines: list[str] = []
    key, key_column, record = "", 0, 0
    for line in text.splitlines():
        match = _YAML_KEY.match(line) if ":" in line else None
        # A key line starts a new field unless it is indented under a free-text field or under the
        # unkeyed text an output starts with (prose with colons): YAML indents a multi-line value deeper
        # than its key.
        inside_prose = _key_kind(key) if key else bool(lines)  # unkeyed text started: keep it whole
        if match and not (inside_prose and match.start("key") > key_column):
            if lines:
                segments.append(Segment(tool, key, "\n".join(lines), _prose(key, "\n".join(lines)), record))
            if not match["indent"] and line.lstrip().startswith("-"):
                record += 1  # a new item of a top-level list: the next record
            key, key_column = match["key"], match.start("key")
            lines = [match["value"] or ""]
        else:
            lines.append(line.strip().removeprefix("- ") if key else line)
    if lines:
        segments.append(Segment(tool, key, "\n".join(lines), _prose(key, "\n".join(lines)), record))
    return segments


@dataclass
class ContextIndex:
    """Every segment the agent read in this request, for provenance and history lookups."""

    segments: list[Segment]
    written: list[tuple[str, dict[str, object], int]]  # each write call: tool, arguments, position
    calls: list[dict[str, object]] = field(default_factory=list)  # the arguments of every context entry

    @classmethod
    def build(cls, context: tuple[ContextEntry, ...], spec_of: Callable[[str], ToolSpec]) -> ContextIndex:
        """Index the outputs of the read calls; remember the write calls and their arguments."""
        segments: list[Segment] = []
        written: list[tuple[str, dict[str, object], int]] = []
        for call, entry in enumerate(context):
            spec = spec_of(entry.tool)
            if spec.read_only:
                public = Role.URL in spec.roles.values()
                for segment in split_output(entry.tool, entry.output or ""):
                    segment.public, segment.call = public, call
                    segments.append(segment)
            else:
                written.append((entry.tool, entry.args, call))
        return cls(segments, written, [dict(entry.args) for entry in context])

    def amount_of(self, record_id: str) -> float | None:
        """The amount of the listed record with this id (a scheduled payment), if one is listed."""
        by_record: dict[tuple[int, int], dict[str, str]] = {}
        for s in self.segments:
            if not s.free_text:
                fields = by_record.setdefault((s.call, s.record), {})
                fields[s.key.casefold().strip("_")] = s.text.strip().strip("'\"")
        wanted = to_number(record_id)
        for fields in by_record.values():
            if (
                "id" in fields
                and "amount" in fields
                and wanted is not None
                and to_number(fields["id"]) == wanted
            ):
                return to_number(fields["amount"])
        return None

    @cached_property
    def private_flat(self) -> str:
        """The flat text of every segment of the user's own data (not public pages), a line each."""
        return "\n".join(s.flat for s in self.segments if not s.public)

    def free_text(self) -> Iterator[Segment]:
        """The segments that are prose someone else wrote."""
        return (s for s in self.segments if s.free_text)
