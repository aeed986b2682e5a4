"""One action under assessment, and what a check says about it: a finding with a level, a risk and a reason.

A finding is a NOTE (worth saying, not worth asking), a CONFIRM (the user must say yes) or a BLOCK
(refused: the action was not the user's choice and would do lasting harm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

from homebody.guard.context import ContextIndex
from homebody.guard.known import Known
from homebody.guard.policy import Policy
from homebody.guard.provenance import Provenance, Trace
from homebody.guard.scope import Scope
from homebody.guard.sensitive import Secret, leaked
from homebody.guard.values import scalars
from homebody.tools.effects import Action, Effect, Origin, Request, Role, ToolSpec


class Level(IntEnum):
    """How strongly a finding speaks against the action."""

    NOTE = 0
    CONFIRM = 1
    BLOCK = 2


@dataclass(frozen=True)
class Finding:
    """One reason about one action: its level, a risk in 0..1, and a sentence a person understands."""

    level: Level
    risk: float
    reason: str


EFFECT_NAMES = {
    Effect.MONEY: "a payment",
    Effect.SEND: "sending something to other people",
    Effect.DELETE: "deleting something",
    Effect.CREDENTIALS: "changing your account's password or details",
    Effect.PUBLISH: "publishing something",
}
CONTROLLING = (
    Role.RECIPIENT,
    Role.PAYEE,
    Role.URL,
    Role.SECRET,
    Role.ACCOUNT,
    Role.TARGET,
    Role.AMOUNT,
    Role.ATTACHMENT,
)
_SHOWN = 48


def shown(text: str) -> str:
    """A value as a reason quotes it: short, on one line."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= _SHOWN else one_line[: _SHOWN - 1] + "…"


def where(trace: Trace) -> str:
    """Where a value came from, in words."""
    if trace.origin is Origin.USER:
        return "your request"
    if trace.origin is Origin.TRUSTED:
        return "your own trusted data"
    if trace.origin is Origin.MODEL:
        return "nowhere: neither you nor anything the agent read gave it"
    if trace.in_text and not trace.listed:
        return f"text someone else wrote (returned by {trace.tool})"
    if trace.in_text:
        return f"a record listed by {trace.tool}, and text someone else wrote mentions it"
    return f"a record listed by {trace.tool}, not from you"


@dataclass
class Case:
    """One action under assessment, with everything the checks share."""

    action: Action
    request: Request
    spec: ToolSpec
    policy: Policy
    known: Known
    scope: Scope
    index: ContextIndex
    prov: Provenance
    traces: dict[str, list[Trace]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.action.args:
            if self.spec.roles.get(name) is not None:
                self.traces[name] = self.prov.of_arg(self.action, name)

    def by_role(self, *roles: Role) -> list[Trace]:
        """The traces of every value under arguments with these roles."""
        return [t for name, ts in self.traces.items() if self.spec.roles.get(name) in roles for t in ts]

    def text_of(self, *roles: Role) -> str:
        """The text of every argument with these roles, joined."""
        parts = [
            str(v)
            for name, value in self.action.args.items()
            if self.spec.roles.get(name) in roles
            for v in scalars(value)
        ]
        return "\n".join(parts)

    @cached_property
    def effects(self) -> frozenset[Effect]:
        """The effects this call actually has (a send with no recipient reaches nobody)."""
        effects = set(self.spec.effects)
        declared_recipients = any(r is Role.RECIPIENT for r in self.spec.roles.values())
        if Effect.SEND in effects and declared_recipients and not self.by_role(Role.RECIPIENT):
            effects.discard(Effect.SEND)
        return frozenset(effects)

    def leaked(self, text: str) -> list[Secret]:
        """The personal values of the user's data that the user did not type, in an outgoing text."""
        return leaked(text, self.index, self.request.instruction)

    @cached_property
    def destinations(self) -> list[Trace]:
        """Who or where the action's content goes to."""
        return self.by_role(Role.RECIPIENT, Role.PAYEE, Role.URL)

    @cached_property
    def destination_outside(self) -> Trace | None:
        """A destination the user neither typed nor trusts, if any."""
        return next((t for t in self.destinations if t.outside), None)
