"""The agent loop put together for one app: its model, tools, policy, approvals queue and ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homebody.agent.doctor import check_chat, model_identity, save_stamp, stamp
from homebody.agent.loop import Agent
from homebody.agent.outbox import approve, queue_action
from homebody.agent.policy import Judgement, Policy
from homebody.agent.trust import trusted_facts
from homebody.app import App
from homebody.errors import ModelUnavailable
from homebody.tools.base import ToolContext
from homebody.tools.effects import Action, Effect, Request, ToolSpec
from homebody.vault.ledger import Ledger

#: What the loop's context entries of the user's vault are to the guard: reads.
VAULT_READ = ToolSpec("vault", "Items read from the user's vault.", frozenset({Effect.READ}), reversible=True)


class ApprovalQueue:
    """The loop's queue: proposals become approvals in the vault, with their preview and verdict."""

    def __init__(self, app: App, now: datetime) -> None:
        self._app = app
        self._now = now

    def propose(
        self, action: Action, *, spec: ToolSpec, preview: str, verdict: Judgement, run_id: str
    ) -> str:
        """Queue the action for the user; its approval's id."""
        judged = {"decision": verdict.decision, "risk": verdict.risk, "reasons": list(verdict.reasons)}
        return queue_action(self._app, action, verdict=judged, run_id=run_id, now=self._now).id

    def release(self, approval_id: str) -> str:
        """Approve a send the guard allowed; it goes after the undo window unless cancelled."""
        approval = approve(self._app, approval_id, self._now)
        when = approval.not_before.astimezone(self._app.settings.zone) if approval.not_before else self._now
        return f"sends at {when:%H:%M:%S} unless you run `homebody cancel {approval_id}`"


def ensure_trusted(app: App, *, checking: Callable[[], None] | None = None) -> None:
    """Refuse a chat model that has not passed the tool-call probes; probe it once if never checked."""
    identity = model_identity(app.settings)
    found = stamp(app.settings.home, identity)
    if found is None:
        if checking:
            checking()
        report = check_chat(app.settings, lambda s: app.model, close=False)  # the run uses it next
        save_stamp(app.settings.home, report)
        found = stamp(app.settings.home, identity)
    if not found or not found.get("trusted"):
        passed = f"{found.get('passed', 0)} of {found.get('total', 0)}" if found else "none"
        raise ModelUnavailable(
            f"the chat model is not trusted with actions: it passed {passed} tool-call probes. "
            "Run `homebody doctor` for details, or configure a stronger model in [model]"
        )


def guard_policy(app: App) -> Policy:
    """The guard as the loop's policy: the user's `[guard]` settings and their trusted facts."""
    from homebody.guard.assess import assess
    from homebody.guard.known import Known

    facts = trusted_facts(app.vault, app.settings)
    known = Known.of(own=facts.own, contacts=facts.contacts, payees=facts.payees, spending=facts.payees)
    specs = {t.name: t.spec for t in app.tools.tools()}
    specs["vault"] = VAULT_READ

    def judge(action: Action, spec: ToolSpec, request: Request) -> Judgement:
        verdict = assess(action, request, spec=spec, policy=app.settings.guard, known=known, specs=specs)
        if app.settings.guard.second_opinion:
            from homebody.guard.second import second_opinion

            return second_opinion(verdict, action, request, spec, app.model)
        return verdict

    return judge


def build_agent(app: App, *, policy: Policy | None = None) -> Agent:
    """The agent for this app: everything it proposes is judged, queued or run, and recorded."""
    now = app.settings.current_time()
    ledger = Ledger(app.vault)

    def record(kind: str, data: dict[str, Any]) -> None:
        ledger.append(kind, data, run_id=data.get("run"), at=now)

    return Agent(
        model=app.model,
        tools=app.tools,
        context=ToolContext(settings=app.settings, vault=app.vault, now=now),
        policy=policy or guard_policy(app),
        queue=ApprovalQueue(app, now),
        record=record,
    )
