"""What the user's request asks for: which kinds of effect, on what, and whether it hands the task to data.

The request fixes the task. An action whose effect the request never asks for (a deletion when the user
asked for a summary, an e-mail when they asked for a calendar event, a payment when they asked about a
meeting) did not come from the user. The guard reads the request for the plain words people use to ask
for each effect, and for deletions and messages also for the kind of thing acted on: "delete the largest
file" asks to delete a file, not an e-mail. When the request delegates ("do the tasks in that e-mail",
"update my details according to the file"), the data may name actions, but every action it names is the
data's choice, so it is confirmed rather than done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from homebody.tools.effects import Effect


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")", re.IGNORECASE)


_SOMEONE = r"(?!me\b|us\b|myself\b)\w+"  # "tell Bob", not "tell me": an answer to the user sends nothing
_MONEY = _words(
    r"pay\b",
    r"pays\b",
    r"paying",
    r"paid",
    r"payment",
    r"transfer",
    r"refund",
    r"reimburs",
    r"wire\b",
    r"purchas",
    r"buy",
    r"order\b",
    r"book\b",
    r"booking",
    r"reserv",
    r"subscri",
    r"donat",
    r"tip\b",
    r"settle",
    r"(?:scheduled?|recurring|standing) (?:transaction|payment|order|transfer)",
    r"(?:send|make|schedul|set up|create|initiate)\w* (?:\w+ ){0,3}transactions?",
    r"(?:send|give|return|owe)\w* (?:\w+ ){0,4}"
    r"(?:money|difference|amount|cash|\$|€|£|dollars?|euros?|pounds?|bill|invoice|rent|fee)",
    r"(?:send|give|transfer|wire|return)\w* (?:\w+ ){0,2}[$€£]?\d[\d,.]*\b",
)
# Ways of reaching people, each with the words that ask for it.
_GENERAL_SEND = (
    r"send",
    r"sent\b",
    r"forward",
    r"repl(?:y|ies)",
    r"respond",
    rf"tell {_SOMEONE}",
    rf"let {_SOMEONE} know",
    rf"ask {_SOMEONE}",
    rf"remind {_SOMEONE}",
    r"notify",
    r"inform\b",
    r"write\b(?!\s*(?:[?.!]|$)|\s+about\b)",  # "write to Sam", not "what did Sam write (about X)?"
    r"contact\b",
    r"congratulat",
    r"thank",
    r"introduc",
    r"welcome",
    r"announc",
    r"cc\b",
)
# "email Bob", "message the team": the verb, not "the e-mails" or "a message" a request talks about.
_NOT_AFTER = (
    r"(?<!the )(?<!an )(?<!a )(?<!this )(?<!that )(?<!my )(?<!your )(?<!his )(?<!her )(?<!their )(?<!new )"
)
_EMAIL_VERB = _NOT_AFTER + r"\be-?mail\b(?! address)"
_MESSAGE_VERB = _NOT_AFTER + r"\bmessage\b"
_CHANNELS: dict[str, re.Pattern[str]] = {
    "email": _words(*_GENERAL_SEND, _EMAIL_VERB, r"mail\b"),
    "chat": _words(*_GENERAL_SEND, _MESSAGE_VERB, r"\bdms?\b", r"chat\b", r"text\b", r"post\b", r"say\b"),
    "calendar": _words(
        r"event", r"meeting", r"appointment", r"invit", r"participant", r"attendee", r"schedul", r"calendar"
    ),
    "access": _words(
        r"share", r"invit", r"add\b", r"grant", r"access", r"permission", r"join", r"onboard", r"welcome"
    ),
}
_ANY_SEND = _words(*_GENERAL_SEND, _EMAIL_VERB, _MESSAGE_VERB, r"invit", r"post\b", r"participant", r"share")
_TOOL_CHANNEL = (
    ("email", re.compile(r"e?mail", re.IGNORECASE)),
    ("calendar", re.compile(r"event|calendar|meeting|appointment|participant", re.IGNORECASE)),
    ("access", re.compile(r"share|invite|user|member|access|permission", re.IGNORECASE)),
    ("chat", re.compile(r"message|channel|\bdm|chat|sms|text", re.IGNORECASE)),
)
_ASKS: dict[Effect, re.Pattern[str]] = {
    Effect.MONEY: _MONEY,
    Effect.PUBLISH: _words(
        r"post\b", r"posts\b", r"publish", r"upload", r"website", r"web ?page", r"blog", r"tweet", r"public"
    ),
    Effect.DELETE: _words(
        r"delet",
        r"remov",
        r"eras",
        r"trash",
        r"discard",
        r"clear\b",
        r"clean",
        r"purg",
        r"wip(?:e|ing)\b",
        r"cancel",
        r"unsubscrib",
        r"get rid",
        r"kick",
    ),
    Effect.CREDENTIALS: _words(
        r"password",
        r"passcode",
        r"passphrase",
        r"credential",
        r"\bpin\b",
        r"2fa",
        r"two-factor",
        r"(?:update|change|modify|set|reset|correct|edit)\w* (?:\w+ ){0,4}"
        r"(?:account|profile|info|information|details|address|e-?mail|phone|name|street|city)",
        r"moved\b",
        r"new address",
    ),
}
# The things a tool acts on, by the words of its name, and the words a request uses for them.
_OBJECTS: dict[str, str] = {
    "email": r"e-?mails?|mail|inbox|messages?",
    "file": r"files?|documents?|docs?\b|docx|pdf|spreadsheets?|sheets?|folders?|drive|attachments?",
    "event": r"events?|meetings?|appointments?|calendar|invit",
    "calendar": r"events?|meetings?|appointments?|calendar|invit",
    "user": r"users?|members?|people|person|colleagues?|accounts?|him\b|her\b|them\b|workspace",
    "message": r"messages?|\bdms?\b|chats?|texts?|posts?",
    "channel": r"channels?",
    "slack": r"slack|workspace",
}
_NOT_OBJECTS = frozenset(
    {
        "delete",
        "remove",
        "cancel",
        "erase",
        "trash",
        "purge",
        "clear",
        "from",
        "to",
        "by",
        "the",
        "a",
        "an",
        "of",
    }
)
# "do the tasks on my TODO list at ...", "follow the instructions in the e-mail from ...": the request hands
# the choice of actions to data. "Perform the following tasks" lists them in the request itself.
_DATA = (
    r"(?:e-?mail|message|file|document|doc|note|list|page|site|website|url|link|inbox|channel|letter|ticket)"
)
_DELEGATES = re.compile(
    r"\b(?:do|perform|complete|follow|execute|carry out|handle|take care of|action|work through|go through)\b"
    r"[^.!?]{0,60}?\b(?:tasks?|actions?|instructions?|todos?|to-dos?|steps|requests?|asks?|items|what)\b"
    r"[^.!?]{0,40}?\b(?:in|on|from|at|of)\b[^.!?]{0,30}?\b"
    + _DATA
    + r"|\baccordingly\b|\bas (?:described|instructed|requested|asked|specified|listed) in\b",
    re.IGNORECASE,
)

# "You can find details in the message from Bob", "the info is in his inbox": the request says where the
# particulars of its task are written, so the people and places named there are the user's by reference.
_POINTS = re.compile(
    r"\b(?:find|see|get|look up|check|are|is|has|have)\s+(?:the\s+|all\s+(?:the\s+)?|more\s+|any\s+)?"
    r"(?:details?|info(?:rmation)?|particulars|specifics)\s+(?:you need\s+)?(?:in|on|at|from)\b"
    r"|\b(?:details?|info(?:rmation)?|particulars|specifics)\s+(?:are|is)\s+(?:all\s+)?(?:in|on|at)\b"
    r"|\b(?:based on|according to)\b",
    re.IGNORECASE,
)


def _objects_named(tool: str, instruction: str) -> bool:
    """Whether the request names what the tool acts on (true when the tool's name names nothing)."""
    nouns = [w for w in re.split(r"[^a-z]+", tool.casefold()) if len(w) > 2 and w not in _NOT_OBJECTS]
    if not nouns:
        return True
    singular = [n[:-1] if n.endswith("s") and n[:-1] in _OBJECTS else n for n in nouns]
    pattern = "|".join(_OBJECTS.get(n, re.escape(n[:5])) for n in singular)
    return re.search(r"\b(?:" + pattern + r")", instruction, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Scope:
    """What the user's request asks for: its text, and whether it hands the choice of actions to data.

    `pointed` is True when the request names a source for the task's particulars ("details are in the
    message from Bob"), or delegates to one.
    """

    instruction: str
    delegated: bool
    pointed: bool = False

    def asks(self, effect: Effect, tool: str = "") -> bool:
        """Whether the request asks for this effect by this tool (reads and private writes: always)."""
        return _asks(self.instruction, effect, tool)


# The agent loop asks about every call of a run with the same request: read it once.
@lru_cache(maxsize=1024)
def _asks(instruction: str, effect: Effect, tool: str) -> bool:
    if effect in (Effect.READ, Effect.LOCAL_WRITE):
        return True
    if effect is Effect.SEND:
        channel = next((name for name, pattern in _TOOL_CHANNEL if pattern.search(tool)), None)
        pattern = _CHANNELS[channel] if channel else _ANY_SEND
        return pattern.search(instruction) is not None
    if _ASKS[effect].search(instruction) is None:
        return False
    return effect is not Effect.DELETE or _objects_named(tool, instruction)


@lru_cache(maxsize=256)
def scope_of(instruction: str) -> Scope:
    """Read the user's request for what it asks."""
    delegated = _DELEGATES.search(instruction) is not None
    return Scope(instruction, delegated, delegated or _POINTS.search(instruction) is not None)
