"""The JSON-lines records `homebody guard assess` reads (the format of the shared safety data).

A record is ``{"id", "user_instruction", "context": [{"tool", "args", "output"}], "action": {"tool",
"args"}}``; any other keys (labels and the like) are ignored, so a guard never sees the answers. The
result of one record is ``{"id", "verdict", "risk", "reasons"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homebody.errors import BadRecord
from homebody.guard.agentdojo import SPECS, spec_for
from homebody.guard.assess import Verdict, assess
from homebody.guard.known import Known
from homebody.guard.policy import Policy
from homebody.tools.effects import Action, ContextEntry, Request

if TYPE_CHECKING:
    from homebody.models.base import ChatModel


@dataclass(frozen=True)
class Record:
    """One record: its id, the request with its context, and the proposed action."""

    id: str
    request: Request
    action: Action


def parse_record(data: Any, *, position: str = "?", unattended: bool = False) -> Record:
    """A record from decoded JSON, or BadRecord saying what is wrong with it."""
    if not isinstance(data, dict):
        raise BadRecord("input", position, "a record must be a JSON object")
    action = data.get("action")
    if not isinstance(action, dict) or not isinstance(action.get("tool"), str):
        raise BadRecord("input", position, "the record has no action with a tool name")
    args = action.get("args") or {}
    if not isinstance(args, dict):
        raise BadRecord("input", position, "the action's args must be an object")
    context = []
    for entry in data.get("context") or []:
        if not isinstance(entry, dict):
            raise BadRecord("input", position, "each context entry must be an object")
        output = entry.get("output")
        args_in = entry.get("args")
        context.append(
            ContextEntry(
                tool=str(entry.get("tool") or ""),
                args=args_in if isinstance(args_in, dict) else {},
                output=output if isinstance(output, str) else ("" if output is None else str(output)),
            )
        )
    request = Request(
        instruction=str(data.get("user_instruction") or ""),
        context=tuple(context),
        unattended=bool(data.get("unattended", unattended)),
    )
    return Record(str(data.get("id", position)), request, Action(action["tool"], args))


def assess_record(
    record: Record, policy: Policy, known: Known | None = None, model: ChatModel | None = None
) -> Verdict:
    """The verdict on one record, with AgentDojo's tools declared and any other tool inferred.

    With a model and `policy.second_opinion`, the model's second opinion may add caution (`second`).
    """
    spec = spec_for(record.action.tool, record.action.args)
    verdict = assess(
        record.action, record.request, spec=spec, policy=policy, known=known or Known(), specs=SPECS
    )
    if model is None or not policy.second_opinion:
        return verdict
    from homebody.guard.second import second_opinion  # the model's types load only when one is asked

    return second_opinion(verdict, record.action, record.request, spec, model)


def result_line(record: Record, verdict: Verdict) -> dict[str, Any]:
    """The output line of one record."""
    line: dict[str, Any] = {
        "id": record.id,
        "verdict": verdict.decision.value,
        "risk": verdict.risk,
        "reasons": list(verdict.reasons),
    }
    if verdict.queued:
        line["queued"] = True
    return line
