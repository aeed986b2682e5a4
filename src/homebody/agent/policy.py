"""The hook the agent loop asks before every tool call, and the default it uses without the guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from homebody.tools.effects import Action, Request, ToolSpec

Decision = Literal["allow", "confirm", "block"]


class Judgement(Protocol):
    """What a policy answers: a decision, a risk between 0 and 1, and reasons a person understands."""

    @property
    def decision(self) -> str: ...  # "allow", "confirm" or "block" (a str enum counts)

    @property
    def risk(self) -> float: ...

    @property
    def reasons(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Verdict:
    """A policy's judgement of one proposed call."""

    decision: Decision
    risk: float
    reasons: tuple[str, ...]


#: A policy: given the proposed call, its tool's declaration and the request, a judgement.
Policy = Callable[[Action, ToolSpec, Request], Judgement]


def reads_pass_side_effects_ask(action: Action, spec: ToolSpec, request: Request) -> Verdict:
    """The policy before a guard is configured: reading is allowed, every side effect asks the user."""
    if spec.read_only:
        return Verdict("allow", 0.0, ("it only reads",))
    effects = ", ".join(sorted(e.value.replace("_", " ") for e in spec.effects))
    return Verdict("confirm", 0.5, (f"{spec.name} has side effects ({effects}); you decide",))
