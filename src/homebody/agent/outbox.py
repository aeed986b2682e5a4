"""The outbox: approved actions run here, once each, when their time comes.

A proposed side effect is queued with the preview its tool renders (`queue_action`). A person approves
it (`approve`): a send or a post then waits out the undo window (`[agent] undo_seconds`), anything
else is due at once. `run_due` runs what is due through the tool registry, claiming each action
(`running`) in the same transaction that checks it is still approved, so a second outbox, or one
restarted after a crash, never runs it again. `homebody outbox run` calls it; the daemon will too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from homebody.errors import HomebodyError
from homebody.tools.base import ToolContext
from homebody.tools.effects import Action, Effect
from homebody.vault.approvals import Approval, Approvals, State

if TYPE_CHECKING:
    from homebody.config import Settings
    from homebody.tools.base import ToolRegistry
    from homebody.vault.store import Vault

log = logging.getLogger(__name__)

SENDS = frozenset({Effect.SEND, Effect.PUBLISH})


class Host(Protocol):
    """What the outbox needs of an app: settings, the vault and the tools (`homebody.app.App` fits)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def vault(self) -> Vault: ...

    @property
    def tools(self) -> ToolRegistry: ...


@dataclass(frozen=True)
class Outcome:
    """What became of one due action: the approval in its final state, and the tool's output."""

    approval: Approval
    output: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the action ran and succeeded."""
        return self.approval.state is State.DONE


def queue_action(
    host: Host, action: Action, *, verdict: dict[str, Any], run_id: str | None, now: datetime
) -> Approval:
    """Validate an action, render its preview and queue it for approval (ToolError if it is invalid)."""
    tool = host.tools.get(action.tool)
    args = tool.validate(action.args)
    preview = tool.describe(args, ToolContext(host.settings, host.vault, now))
    ttl = timedelta(hours=host.settings.agent.approval_ttl_hours)
    return Approvals(host.vault).propose(
        Action(action.tool, args.model_dump(mode="json"), action.origins),
        preview=preview,
        verdict=verdict,
        effects=tool.spec.effects,
        run_id=run_id,
        now=now,
        ttl=ttl,
    )


def undo_window(host: Host, approval: Approval) -> timedelta:
    """How long an approved action waits: the undo window for sends and posts, else nothing."""
    effects = set(approval.effects)
    if approval.tool in host.tools.names():  # the tool's current declaration counts too
        effects |= host.tools.get(approval.tool).spec.effects
    return timedelta(seconds=host.settings.agent.undo_seconds) if effects & SENDS else timedelta(0)


def approve(host: Host, approval_id: str, now: datetime) -> Approval:
    """Approve a pending action with the undo window its effects call for."""
    queue = Approvals(host.vault)
    return queue.approve(approval_id, now, undo_window(host, queue.get(approval_id)))


def run_due(host: Host, now: datetime) -> list[Outcome]:
    """Run every approved action whose time has come; each is claimed first, so it runs at most once."""
    outcomes = []
    for approval in Approvals(host.vault).due(now):
        outcome = _run(host, approval.id, now)
        if outcome is not None:
            outcomes.append(outcome)
    if outcomes:
        log.info("outbox ran %d action(s), %d failed", len(outcomes), sum(not o.ok for o in outcomes))
    return outcomes


def run_one(host: Host, approval_id: str, now: datetime) -> Outcome | None:
    """Run one approved action if it is due (None if it is not, or another outbox took it)."""
    return _run(host, Approvals(host.vault).get(approval_id).id, now)


def _run(host: Host, approval_id: str, now: datetime) -> Outcome | None:
    queue = Approvals(host.vault)
    claimed = queue.claim(approval_id, now)
    if claimed is None or claimed.state is not State.RUNNING:
        return None if claimed is None else Outcome(claimed)
    try:
        tool = host.tools.get(claimed.tool)
        args = tool.validate(claimed.args)
        result = tool.run(args, ToolContext(host.settings, host.vault, now))
    except HomebodyError as err:
        log.info("approval %s: tool %s failed (%s)", claimed.id, claimed.tool, type(err).__name__)
        return Outcome(queue.mark_failed(claimed.id, str(err), now=now))
    except Exception as err:
        # A bug in a tool: recorded as failed (never retried, never left `running`), then raised.
        log.error("approval %s: tool %s raised %s", claimed.id, claimed.tool, type(err).__name__)  # noqa: TRY400
        queue.mark_failed(claimed.id, f"internal error in the tool ({type(err).__name__})", now=now)
        raise
    done = queue.mark_done(claimed.id, {"output": result.output, "data": result.data}, now=now)
    return Outcome(done, result.output)
