"""The guard's entry point: one proposed action in, a verdict (allow, confirm or block) with reasons out.

The same function serves the agent loop (which passes the tool's declaration and the user's trusted
facts from the vault) and `homebody guard assess` (which passes AgentDojo's declarations and facts from
config). It is pure: no I/O, no clock, no model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from homebody.guard.case import EFFECT_NAMES, Case, Finding, Level
from homebody.guard.context import ContextIndex
from homebody.guard.infer import infer_spec
from homebody.guard.known import Known, learn
from homebody.guard.policy import Policy
from homebody.guard.provenance import Provenance
from homebody.guard.risk import CHECKS
from homebody.guard.scope import scope_of
from homebody.tools.effects import Action, Effect, Request, ToolSpec

_MAX_REASONS = 4


class Decision(StrEnum):
    """What happens to the action."""

    ALLOW = "allow"
    CONFIRM = "confirm"
    BLOCK = "block"


@dataclass(frozen=True)
class Verdict:
    """The guard's answer: the decision, a risk in 0..1, short reasons, and whether it waits in a queue.

    `queued` is True for a `confirm` in an unattended run: the action waits for the user and is never
    done without them.
    """

    decision: Decision
    risk: float
    reasons: tuple[str, ...]
    queued: bool = False


def assess(
    action: Action,
    request: Request,
    *,
    spec: ToolSpec | None,
    policy: Policy,
    known: Known,
    specs: Mapping[str, ToolSpec] | None = None,
) -> Verdict:
    """Judge one proposed action against what the user asked, where its values came from, and the policy.

    `spec` is the action's tool declaration (inferred from its name and arguments when None); `specs`
    declares the tools named in the request's context, so the guard knows which outputs were reads.
    """
    declared = specs or {}
    spec = spec or declared.get(action.tool) or infer_spec(action.tool, action.args)

    def spec_of(name: str) -> ToolSpec:
        """The declaration of a tool named in the context."""
        return declared.get(name) or infer_spec(name)

    index = ContextIndex.build(request.context, spec_of)
    facts = learn(policy.known().merged(known), index)
    case = Case(
        action,
        request,
        spec,
        policy,
        facts,
        scope_of(request.instruction),
        index,
        Provenance(request, facts, index),
    )
    findings = [f for check in CHECKS for f in check(case)]
    return _verdict(case, findings, policy.tools.get(action.tool), request.unattended)


def _verdict(case: Case, findings: list[Finding], override: str | None, unattended: bool) -> Verdict:
    level = max((f.level for f in findings), default=Level.NOTE)
    risk = 1.0
    for f in findings:
        risk *= 1.0 - f.risk
    risk = round(1.0 - risk, 3)
    ordered = sorted(findings, key=lambda f: (-f.level, -f.risk))
    reasons = list(dict.fromkeys(f.reason for f in ordered))[:_MAX_REASONS]
    if override == "block":
        level = Level.BLOCK
        reasons.insert(0, f"Your policy blocks '{case.action.tool}'.")
    elif override == "confirm" and level < Level.CONFIRM:
        level = Level.CONFIRM
        reasons.insert(0, f"Your policy asks before every '{case.action.tool}'.")
    elif override == "allow" and level == Level.CONFIRM:
        level = Level.NOTE
        reasons.insert(0, f"Your policy allows '{case.action.tool}' without asking.")
    if unattended and level == Level.NOTE and risk >= case.policy.unattended_risk:
        level = Level.CONFIRM
        reasons.insert(0, "Nobody is watching this run, so it waits for you.")
    if not reasons:
        reasons.append(_plain_allow(case))
    decision = (Decision.ALLOW, Decision.CONFIRM, Decision.BLOCK)[level]
    return Verdict(decision, risk, tuple(reasons), queued=unattended and decision is Decision.CONFIRM)


def _plain_allow(case: Case) -> str:
    effects = case.effects - {Effect.READ, Effect.LOCAL_WRITE}
    if not effects:
        return "It only reads or changes your own things."
    names = " and ".join(EFFECT_NAMES[e] for e in sorted(effects))
    return f"You asked for {names}, and its recipients and amounts came from you or your trusted data."
