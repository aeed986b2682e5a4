"""A declaration for a tool nobody declared, read from its name, its argument names and its description.

An unknown tool is never taken to be harmless: an argument called `recipient` means something reaches
another person, `amount` or `iban` means money moves, `password` means credentials change, whatever the
tool is called. Only a tool whose name and description say it reads, with no such argument, is judged
read-only, and the verdict still says that the tool was not declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from homebody.tools.effects import Effect, Role, ToolSpec

_NAME_EFFECTS: tuple[tuple[re.Pattern[str], Effect], ...] = tuple(
    (re.compile(r"(?:^|_|\b)(?:" + words + r")", re.IGNORECASE), effect)
    for words, effect in (
        (r"delet|remov|eras|trash|purg|wipe|destroy|drop|revok|cancel|kick|ban\b|unsubscrib", Effect.DELETE),
        (
            r"pay|transfer|send_money|money|purchas|buy|order|book|reserv|checkout|donat|tip\b|charg|wire|"
            r"invest|trade|sell|withdraw|deposit|transaction",
            Effect.MONEY,
        ),
        (
            r"password|credential|secret|2fa|mfa|permission|grant|passcode|user_info|account_info|profile",
            Effect.CREDENTIALS,
        ),
        (r"post|publish|tweet|upload|broadcast|blog", Effect.PUBLISH),
        (
            r"send|e?mail|messag|repl|forward|share|invit|notif|sms|text|dm\b|comment|add_user|participant",
            Effect.SEND,
        ),
        (
            r"creat|writ|updat|edit|append|sav|set|add|mov|renam|schedul|draft|note|remind|insert|put",
            Effect.LOCAL_WRITE,
        ),
    )
)
_READ_NAME = re.compile(
    r"^(?:get|list|search|read|find|fetch|view|show|check|lookup|look_up|query|browse|count|describe|summar|"
    r"retrieve|load|open|download)",
    re.IGNORECASE,
)
# Argument names, as word parts of the name (`user_email` has `email`), and the role each implies.
_ARG_ROLES: tuple[tuple[re.Pattern[str], Role], ...] = tuple(
    (re.compile(r"(?:^|_)(?:" + words + r")(?:s|es)?(?:$|_)", re.IGNORECASE), role)
    for words, role in (
        (r"password|passcode|pin|secret|token|otp|api_key|code|key|passphrase", Role.SECRET),
        (
            r"recipient|to|cc|bcc|email|phone|phone_number|number|user|username|member|participant|attendee|"
            r"channel|contact|invitee|assignee|guest",
            Role.RECIPIENT,
        ),
        (
            r"iban|account_number|payee|merchant|beneficiary|creditor|vendor|seller|store|hotel|company|restaurant",
            Role.PAYEE,
        ),
        (r"amount|price|total|sum|cost|value|fee|budget", Role.AMOUNT),
        (r"url|link|website|uri|endpoint|webhook|href|site", Role.URL),
        (r"path|file_path|filename|folder|directory|dir", Role.PATH),
        (r"attachment|file|files|file_id|document", Role.ATTACHMENT),
        (r"id|ids|uid", Role.TARGET),
        (r"body|content|text|message|description|note|comment|post|reply|caption", Role.CONTENT),
        (r"subject|title|headline", Role.SUBJECT),
        (r"date|time|day|start|end|when|start_time|end_time|deadline", Role.TIME),
        (r"quantity|count|nights|seats|qty", Role.QUANTITY),
    )
)
_STRONG_RECIPIENT = re.compile(r"^(?:recipients?|to|cc|bcc|send_to|receiver)$", re.IGNORECASE)


def role_of(arg: str) -> Role | None:
    """The role an argument's name implies, or None."""
    for pattern, role in _ARG_ROLES:
        if pattern.search(arg):
            return role
    return None


def infer_spec(name: str, args: Iterable[str] = (), description: str = "") -> ToolSpec:
    """A declaration for an undeclared tool from its name, argument names and description."""
    roles = {arg: role for arg in args if (role := role_of(arg)) is not None}
    words = f"{name} {description}"
    effects = {effect for pattern, effect in _NAME_EFFECTS if pattern.search(words)}
    reads = _READ_NAME.search(name) is not None
    if reads and not effects - {Effect.LOCAL_WRITE}:
        effects = {Effect.READ}
    present = set(roles.values())
    if any(_STRONG_RECIPIENT.match(a) for a in roles) or (Role.RECIPIENT in present and not reads):
        effects.add(Effect.SEND)
    if Role.PAYEE in present and Role.AMOUNT in present or (Role.AMOUNT in present and not reads):
        effects.add(Effect.MONEY)
    if Role.SECRET in present and not reads:
        effects.add(Effect.CREDENTIALS)
    if Role.URL in present and Role.CONTENT in present and not reads:
        effects.add(Effect.PUBLISH)
    if len(effects) > 1:
        effects.discard(Effect.READ)
    return ToolSpec(
        name=name,
        description=description or f"undeclared tool {name}",
        effects=frozenset(effects),
        reversible=not effects
        & {Effect.DELETE, Effect.MONEY, Effect.CREDENTIALS, Effect.PUBLISH, Effect.SEND},
        roles=roles,
        declared=False,
    )
