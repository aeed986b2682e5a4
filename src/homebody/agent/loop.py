"""The agent loop: the model proposes tool calls, code checks them, a policy judges them.

One run of `homebody do`: gather the items the instruction is about, then up to `max_steps` steps.
In each step the model names a tool and fills its arguments inside JSON schemas; code maps item
references to ids and the user's words for times to datetimes, validates the arguments against the
tool's model, and asks the policy. Allowed calls run; calls that need the user wait in the approvals
queue with a preview; blocked ones are refused. Errors the model caused (an unknown tool, a bad
argument, a tool refusing a value) go back to it as the step's result; errors of our own propagate.
Every request, retrieval, proposal, verdict and result is handed to the recorder (the ledger).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from homebody.agent.gather import Seen, gather
from homebody.agent.policy import Judgement, Policy, reads_pass_side_effects_ask
from homebody.agent.prompting import (
    FINISH,
    args_prompt,
    args_schema,
    choice_schema,
    first_line,
    is_date_only,
    is_item_ref,
    is_time,
    next_prompt,
    reply,
    system_prompt,
    task_prompt,
)
from homebody.agent.said import command_part, said_content, said_money
from homebody.agent.times import resolve_time
from homebody.errors import ModelOutputError, ToolError
from homebody.models.base import ChatModel, Message
from homebody.tools.base import Tool, ToolContext, ToolRegistry
from homebody.tools.effects import Action, ContextEntry, Effect, Origin, Request, Role, ToolSpec
from homebody.vault.persons import Person, person_in_question
from homebody.vault.store import Vault

log = logging.getLogger(__name__)

MAX_STEPS = 4
Status = Literal["done", "queued", "scheduled", "blocked", "invalid", "failed", "held"]
_SENDS = frozenset({Effect.SEND, Effect.PUBLISH})


@dataclass
class Step:
    """One proposed call and what became of it."""

    tool: str
    args: dict[str, Any]
    status: Status
    output: str
    decision: str | None = None
    risk: float | None = None
    reasons: tuple[str, ...] = ()
    origins: dict[str, str] = field(default_factory=dict)
    preview: str | None = None
    approval: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The step as `do --json` prints it."""
        return {
            "tool": self.tool,
            "args": self.args,
            "origins": self.origins,
            "status": self.status,
            "verdict": self.decision,
            "risk": self.risk,
            "reasons": list(self.reasons),
            "approval": self.approval,
            "preview": self.preview,
            "output": self.output,
        }


@dataclass
class Run:
    """What one instruction led to."""

    id: str
    instruction: str
    seen: list[Seen]
    steps: list[Step] = field(default_factory=list)
    finished: bool = False
    model_seconds: float = 0.0
    total_seconds: float = 0.0
    model_calls: int = 0

    def as_json(self) -> dict[str, Any]:
        """The run as `do --json` prints it."""
        return {
            "run": self.id,
            "instruction": self.instruction,
            "seen": [s.stored.id for s in self.seen],
            "actions": [s.as_json() for s in self.steps],
            "finished": self.finished,
            "timing": {
                "total_seconds": round(self.total_seconds, 3),
                "model_seconds": round(self.model_seconds, 3),
                "model_calls": self.model_calls,
            },
        }


class Queue(Protocol):
    """Where calls that need the user wait: returns the approval's id."""

    def propose(
        self, action: Action, *, spec: ToolSpec, preview: str, verdict: Judgement, run_id: str
    ) -> str: ...

    def release(self, approval_id: str) -> str:
        """Approve a queued send the policy allowed: it goes after the undo window; says when."""
        ...


#: Appends one entry (kind, data) to the ledger of a run.
Recorder = Callable[[str, dict[str, Any]], None]


def _forget(kind: str, data: dict[str, Any]) -> None:
    """A recorder that keeps nothing (for callers without a ledger)."""


@dataclass
class Agent:
    """The loop, with everything it works with."""

    model: ChatModel
    tools: ToolRegistry
    context: ToolContext
    policy: Policy = reads_pass_side_effects_ask
    queue: Queue | None = None
    record: Recorder = _forget
    max_steps: int = MAX_STEPS

    def run(self, instruction: str, *, unattended: bool = False) -> Run:
        """Carry out one instruction as far as the policy lets it go without the user."""
        started = time.perf_counter()
        run = Run(id=secrets.token_hex(6), instruction=instruction, seen=[])
        self.record("request", {"run": run.id, "instruction": instruction, "unattended": unattended})
        run.seen = gather(self.context.vault, instruction)
        self.record("retrieval", {"run": run.id, "items": [s.stored.id for s in run.seen]})
        zone = self.context.settings.zone
        tools = self.tools.tools()
        messages = [
            system_prompt(tools),
            task_prompt(instruction, run.seen, zone),
        ]
        observed: list[ContextEntry] = [
            ContextEntry(tool="vault", args={"item": s.stored.id, "trusted": s.trusted}, output=s.shown(zone))
            for s in run.seen
        ]
        proposed: set[str] = set()
        acted, wanted = 0, asked_actions(instruction)
        said, money = said_content(instruction), said_money(instruction)
        for _ in range(self.max_steps):
            fitting = [t.name for t in tools_for(instruction, tools)] if acted == 0 else []
            if len(fitting) == 1:
                name = fitting[0]  # the request's verb names exactly one tool: no need to ask
            else:
                offered = fitting or [t.name for t in tools]
                name = str(self._ask(run, messages, choice_schema(offered), 64).get("tool", FINISH))
            if name == FINISH:
                run.finished = True
                break
            messages.append(reply({"tool": name}))
            try:
                tool = self.tools.get(name)
            except ToolError as err:
                run.steps.append(Step(tool=name, args={}, status="invalid", output=str(err)))
                messages.append(next_prompt(str(err)))
                continue
            writes = any(r is Role.CONTENT for r in tool.spec.roles.values())
            money_tool = Effect.MONEY in tool.spec.effects
            messages.append(args_prompt(tool, example=writes and not said and not money_tool))
            refs = target_refs(tool, run.seen)
            schema = args_schema(tool, refs, said, money)
            limit_recipients(schema, tool, person_of(self.context.vault, instruction))
            raw = self._ask(run, messages, schema, 400)
            messages.append(reply(raw))
            step = self._step(run, tool, raw, observed, unattended)
            run.steps.append(step)
            observed.append(ContextEntry(tool=tool.name, args=step.args, output=step.output))
            messages.append(next_prompt(step.output))
            if not tool.spec.read_only and step.status != "invalid":
                acted += 1
                if acted >= wanted:  # as many actions as the request names: done, whatever the model says
                    run.finished = True
                    break
            key = f"{tool.name}:{sorted(step.args.items())!r}"
            if key in proposed:  # the same call again: the model is going round in circles
                break
            proposed.add(key)
        run.total_seconds = time.perf_counter() - started
        self.record(
            "result",
            {"run": run.id, "finished": run.finished, "steps": [(s.tool, s.status) for s in run.steps]},
        )
        log.info(
            "run %s: %d steps, %d model calls, %.2f s (model %.2f s)",
            run.id, len(run.steps), run.model_calls, run.total_seconds, run.model_seconds,
        )  # fmt: skip
        return run

    def _ask(
        self, run: Run, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> dict[str, Any]:
        """One constrained answer from the model; its time is counted apart from the loop's own."""
        started = time.perf_counter()
        try:
            completion = self.model.complete_json(messages, schema, max_tokens=max_tokens)
            return completion.data
        except ModelOutputError as err:
            log.warning("run %s: model output did not fit the schema: %s", run.id, type(err).__name__)
            return {"tool": FINISH} if "tool" in schema.get("properties", {}) else {}
        finally:
            run.model_seconds += time.perf_counter() - started
            run.model_calls += 1

    def _step(
        self, run: Run, tool: Tool, raw: dict[str, Any], observed: list[ContextEntry], unattended: bool
    ) -> Step:
        """Check one proposed call, ask the policy, and run, queue or refuse it."""
        ctx = self.context
        try:
            args = tool.validate(self._resolve(tool, raw, run.seen))
        except ToolError as err:
            self.record("error", {"run": run.id, "tool": tool.name, "error": str(err)})
            return Step(tool=tool.name, args=raw, status="invalid", output=str(err))
        values = args.model_dump(mode="json")
        judged = dict(values)
        if tool.effective is not None:
            try:
                judged.update(tool.effective(args, ctx))
            except ToolError as err:
                self.record("error", {"run": run.id, "tool": tool.name, "error": str(err)})
                return Step(tool=tool.name, args=values, status="invalid", output=str(err))
        origins = known_origins(judged, run.instruction)
        action = Action(tool=tool.name, args=judged, origins=origins)
        request = Request(instruction=run.instruction, context=tuple(observed), unattended=unattended)
        self.record("tool_call", {"run": run.id, "tool": tool.name, "args": values})
        verdict = self.policy(action, tool.spec, request)
        step = Step(
            tool=tool.name,
            args=values,
            status="held",
            output="",
            decision=verdict.decision,
            risk=verdict.risk,
            reasons=tuple(verdict.reasons),
            origins={k: v.value for k, v in origins.items()},
        )
        self.record(
            "verdict",
            {
                "run": run.id,
                "tool": tool.name,
                "decision": verdict.decision,
                "reasons": list(verdict.reasons),
            },
        )
        if verdict.decision == "block":
            step.status = "blocked"
            step.output = "refused: " + "; ".join(verdict.reasons)
            return step
        sends = bool(tool.spec.effects & _SENDS) and self.queue is not None
        if verdict.decision == "confirm" or (verdict.decision == "allow" and sends):
            try:
                step.preview = tool.describe(args, ctx)
            except ToolError as err:  # the tool cannot even show the call: the model's arguments are wrong
                self.record("error", {"run": run.id, "tool": tool.name, "error": str(err)})
                step.status, step.output = "invalid", str(err)
                return step
            if self.queue is None:
                step.output = "not done: it needs the user's confirmation"
                return step
            queued = Action(tool=tool.name, args=values, origins=origins)
            step.approval = self.queue.propose(
                queued, spec=tool.spec, preview=step.preview, verdict=verdict, run_id=run.id
            )
            if verdict.decision == "allow":  # a send the policy allows still gets its undo window
                step.status = "scheduled"
                step.output = self.queue.release(step.approval)
                return step
            step.status = "queued"
            step.output = f"waiting for the user's approval ({step.approval})"
            return step
        try:
            result = tool.run(args, ctx)
        except ToolError as err:
            self.record("error", {"run": run.id, "tool": tool.name, "error": str(err)})
            step.status = "failed"
            step.output = str(err)
            return step
        self.record("result", {"run": run.id, "tool": tool.name, "data": result.data})
        step.status = "done"
        step.output = result.output
        return step

    def _resolve(self, tool: Tool, raw: dict[str, Any], seen: list[Seen]) -> dict[str, Any]:
        """The model's arguments with item references made ids and spoken times made ISO 8601."""
        props = tool.json_schema().get("properties", {})
        refs = {s.ref: s.stored.id for s in seen}
        out = dict(raw)
        for name, value in raw.items():
            prop = props.get(name, {})
            if isinstance(value, str) and is_item_ref(name):
                out[name] = refs.get(value.strip("[] "), value)
            elif isinstance(value, str) and value.strip() and is_time(tool, name, prop):
                moment = resolve_time(value, self.context.now, self.context.settings.zone)
                out[name] = moment.date().isoformat() if is_date_only(prop) else moment.isoformat()
        return out


_ACTION_VERBS = {
    "send": r"send|email|e-mail|mail|forward",
    "reply": r"reply|respond|answer|write back",
    "message": r"text|message|tell|let \w+ know|whatsapp",
    "remind": r"remind|reminder",
    "schedule": r"schedule|book|reserve|invite|set up a (?:meeting|call)|add .* to (?:my|the) calendar",
    "change": r"move|reschedule|cancel|change|update|rename",
    "pay": r"pay|send \S*\d|transfer|venmo",
    "buy": r"buy|order|purchase",
    "note": r"note|write down|jot",
    "delete": r"delete|remove|clear",
    "share": r"share|post|publish",
}


def asked_actions(instruction: str) -> int:
    """How many different actions a request names ("reply to Sam and remind me at 6" names two).

    The loop stops after that many side effects: a small model asked "anything else?" after sending a
    payment tends to find something else to do.
    """
    text = command_part(instruction).casefold()
    named = sum(1 for pattern in _ACTION_VERBS.values() if re.search(rf"\b(?:{pattern})\b", text))
    return max(1, named)


def person_of(vault: Vault, instruction: str) -> Person | None:
    """The one person a request names, if the people graph knows exactly one."""
    return person_in_question(vault, instruction)


def limit_recipients(schema: dict[str, Any], tool: Tool, person: Person | None) -> None:
    """Recipient arguments may only be the named person's own addresses (or numbers), from the vault.

    "Email Priya that ..." goes to an address Priya has used, never to one the model made up.
    """
    if person is None:
        return
    wanted = "email" if "email" in tool.name or "mail" in tool.spec.description.casefold()[:80] else "phone"
    values = [value for kind, value, _ in person.identities if kind == wanted]
    if not values:
        return
    first = True
    for name, prop in schema.get("properties", {}).items():
        if tool.spec.roles.get(name) is not Role.RECIPIENT:
            continue
        if not first:  # the request named one person: nobody else is copied in
            if prop.get("type") == "array":
                prop["maxItems"] = 0
            continue
        first = False
        if prop.get("type") == "array":
            prop["items"] = {"type": "string", "enum": values}
            prop["maxItems"] = len(values)
        else:
            title = prop.get("title")
            prop.clear()
            prop.update({"type": "string", "enum": values, **({"title": title} if title else {})})


def target_refs(tool: Tool, seen: list[Seen]) -> list[str]:
    """The items a tool's item argument may name: for a named person, the one their request means.

    "Reply to Sam" means Sam's latest email, so code picks it (the first of the person's items, which
    `gather` ranks by the request's topic words, then by date) rather than a small model choosing
    among several. Without a named person, every item shown may be named.
    """
    accepts = tool.spec.targets
    fitting = [s for s in seen if not accepts or str(s.stored.kind) in accepts]
    theirs = [s.ref for s in fitting if s.about_person]
    return theirs[:1] if theirs else [s.ref for s in fitting] or [s.ref for s in seen]


def tools_for(instruction: str, tools: list[Tool]) -> list[Tool]:
    """The side-effect tools whose name or description shares an action verb with the request.

    "Remind me ..." offers the reminder tools only; a 0.5B model offered every tool picks a wrong one
    about one time in three. Empty when the request names no action a tool declares.
    """
    text = command_part(instruction).casefold()
    asked = [p for p in _ACTION_VERBS.values() if re.search(rf"\b(?:{p})\b", text)]
    if not asked:
        return []
    found = []
    for tool in tools:
        if tool.spec.read_only:
            continue
        words = f"{tool.name.replace('_', ' ')} {first_line(tool.spec.description)}".casefold()
        if any(re.search(rf"\b(?:{p})", words) for p in asked):
            found.append(tool)
    return found


def known_origins(values: dict[str, Any], instruction: str) -> dict[str, Origin]:
    """The arguments whose value the user typed: found, as written, in the instruction.

    Other origins are left for the policy to work out from the request's context, where it can see
    what the agent read.
    """
    said = " ".join(instruction.casefold().split())
    found: dict[str, Origin] = {}
    for name, value in values.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float | str):
            text = " ".join(str(value).casefold().split()).strip(" .,;:!?")
            if len(text) >= 2 and text in said:
                found[name] = Origin.USER
    return found
