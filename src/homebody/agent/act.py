"""The agent loop put together for one app: its model, tools, policy, approvals queue and ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homebody.agent.loop import Agent
from homebody.agent.outbox import queue_action
from homebody.agent.policy import Judgement, Policy, reads_pass_side_effects_ask
from homebody.app import App
from homebody.tools.base import ToolContext
from homebody.tools.effects import Action, ToolSpec
from homebody.vault.ledger import Ledger


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
        policy=policy or reads_pass_side_effects_ask,
        queue=ApprovalQueue(app, now),
        record=record,
    )
