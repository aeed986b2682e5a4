"""The outbox: approved actions run once, when due, through the tool registry; nothing else runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

import homebody
from homebody.agent.outbox import approve, queue_action, run_due, run_one, undo_window
from homebody.config import AgentSettings, Settings
from homebody.errors import ApprovalError, ToolError
from homebody.tools.base import Tool, ToolRegistry, ToolResult
from homebody.tools.effects import Action, Effect, Role, ToolSpec
from homebody.vault.approvals import Approvals, State
from homebody.vault.ledger import Ledger
from homebody.vault.store import Vault

T0 = datetime(2026, 10, 5, 14, 3, tzinfo=UTC)
VERDICT = {"decision": "ask", "risk": "high", "reasons": ["moves money"]}


class _Send(BaseModel):
    to: str
    body: str


class _Pay(BaseModel):
    payee: str
    amount: float


@dataclass
class World:
    """What the fake tools changed: the sent messages and the sandbox payments ledger."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    paid: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def fake_tools(world: World, *, slow: float = 0.0) -> ToolRegistry:
    """A send, a payment, a tool that refuses and one with a bug."""

    def send(args: _Send, ctx) -> ToolResult:
        time.sleep(slow)  # widen the window in which a second outbox could run it too
        with world.lock:
            world.sent.append((args.to, args.body))
        return ToolResult(f"sent to {args.to}", {"message_id": f"m{len(world.sent)}"})

    def pay(args: _Pay, ctx) -> ToolResult:
        with world.lock:
            world.paid.append((args.payee, args.amount))
        return ToolResult(f"paid {args.amount:.2f}", {"payment": len(world.paid)})

    def refuse(args: _Send, ctx) -> ToolResult:
        raise ToolError("the server refused the recipient")

    def buggy(args: _Send, ctx) -> ToolResult:
        raise KeyError("oops")

    registry = ToolRegistry()
    registry.register(
        Tool(
            ToolSpec("send_note", "Send a note.", frozenset({Effect.SEND}), False, {"to": Role.RECIPIENT}),
            _Send,
            send,
            preview=lambda a, c: f"To: {a.to}\n\n{a.body}",
        )
    )
    registry.register(
        Tool(
            ToolSpec("pay", "Pay someone.", frozenset({Effect.MONEY}), False, {"payee": Role.PAYEE}),
            _Pay,
            pay,
        )
    )
    for name, run in (("refuse", refuse), ("buggy", buggy)):
        registry.register(Tool(ToolSpec(name, name, frozenset({Effect.LOCAL_WRITE}), True), _Send, run))
    return registry


@dataclass
class Host:
    settings: Settings
    vault: Vault
    tools: ToolRegistry


@pytest.fixture
def world():
    return World()


@pytest.fixture
def host(tmp_path, world):
    settings = Settings(home=tmp_path, agent=AgentSettings(undo_seconds=30, approval_ttl_hours=2))
    with Vault.open(settings.vault_path) as vault:
        yield Host(settings, vault, fake_tools(world))


def _queue(host, tool="send_note", args=None, now=T0, run_id="run-1"):
    args = args or {"to": "sam@example.com", "body": "Saturday works."}
    return queue_action(host, Action(tool, args), verdict=VERDICT, run_id=run_id, now=now)


def test_queueing_renders_the_preview_and_refuses_bad_arguments(host):
    queued = _queue(host)
    assert queued.preview == "To: sam@example.com\n\nSaturday works."
    assert queued.effects == {Effect.SEND} and queued.expires_at == T0 + timedelta(hours=2)
    paying = _queue(host, "pay", {"payee": "GB29 NWBK 6016 1331 9268 19", "amount": "12.5"})
    assert paying.args == {"payee": "GB29 NWBK 6016 1331 9268 19", "amount": 12.5}
    assert "amount: 12.5" in paying.preview  # a tool without a preview shows its arguments
    with pytest.raises(ToolError, match="amount"):
        _queue(host, "pay", {"payee": "x", "amount": "lots"})
    with pytest.raises(ToolError, match="no tool named"):
        _queue(host, "teleport", {})
    assert len(Approvals(host.vault).pending(T0)) == 2


def test_a_payment_lands_only_after_approval(host, world):
    queued = _queue(host, "pay", {"payee": "Harbour Dental", "amount": 45})
    assert run_due(host, T0 + timedelta(hours=1)) == []
    assert world.paid == []
    approved = approve(host, queued.id, T0)
    assert approved.not_before == T0  # not a send: no undo window
    (outcome,) = run_due(host, T0)
    assert outcome.ok and outcome.output == "paid 45.00"
    assert world.paid == [("Harbour Dental", 45.0)]
    assert outcome.approval.result == {"output": "paid 45.00", "data": {"payment": 1}}
    assert run_due(host, T0 + timedelta(days=1)) == []
    assert world.paid == [("Harbour Dental", 45.0)]
    kinds = [e.kind.value for e in Ledger(host.vault).entries(run_id="run-1")]
    assert kinds == ["approval", "approval", "tool_call", "result"]


def test_a_send_waits_out_the_undo_window(host, world):
    queued = _queue(host)
    assert undo_window(host, queued) == timedelta(seconds=30)
    approve(host, queued.id, T0)
    assert run_due(host, T0 + timedelta(seconds=29)) == []
    assert run_one(host, queued.id, T0 + timedelta(seconds=29)) is None
    assert world.sent == []
    (outcome,) = run_due(host, T0 + timedelta(seconds=30))
    assert outcome.ok and world.sent == [("sam@example.com", "Saturday works.")]


def test_a_send_cancelled_within_the_window_never_goes(host, world):
    queued = _queue(host)
    approve(host, queued.id, T0)
    Approvals(host.vault).cancel(queued.id, T0 + timedelta(seconds=10))
    assert run_due(host, T0 + timedelta(minutes=5)) == []
    assert world.sent == []


def test_a_denied_action_never_runs(host, world):
    queued = _queue(host, "pay", {"payee": "Unknown Ltd", "amount": 900})
    Approvals(host.vault).deny(queued.id, T0, "I never ordered this")
    assert run_due(host, T0 + timedelta(days=1)) == []
    assert run_one(host, queued.id, T0 + timedelta(days=1)) is None
    assert world.paid == []


def test_an_expired_proposal_never_runs(host, world):
    queued = _queue(host, "pay", {"payee": "Harbour Dental", "amount": 45})
    late = T0 + timedelta(hours=2)
    with pytest.raises(ApprovalError, match="expired"):
        approve(host, queued.id, late)
    assert run_due(host, late) == [] and world.paid == []


def test_a_refusing_tool_fails_and_the_rest_still_run(host, world):
    bad = _queue(host, "refuse", now=T0)
    good = _queue(host, "pay", {"payee": "Harbour Dental", "amount": 45}, now=T0 + timedelta(seconds=1))
    approve(host, bad.id, T0)
    approve(host, good.id, T0)
    outcomes = {o.approval.id: o for o in run_due(host, T0 + timedelta(seconds=1))}
    assert outcomes[bad.id].approval.state is State.FAILED
    assert outcomes[bad.id].approval.error == "the server refused the recipient"
    assert outcomes[good.id].ok and world.paid
    errors = Ledger(host.vault).entries(kind="error")
    assert [e.data["approval"] for e in errors] == [bad.id]


def test_a_bug_in_a_tool_is_recorded_raised_and_never_retried(host):
    queued = _queue(host, "buggy")
    approve(host, queued.id, T0)
    with pytest.raises(KeyError):
        run_due(host, T0)
    failed = Approvals(host.vault).get(queued.id)
    assert failed.state is State.FAILED and "KeyError" in (failed.error or "")
    assert run_due(host, T0 + timedelta(minutes=1)) == []


def test_two_outboxes_at_once_run_each_action_once(tmp_path, world):
    settings = Settings(home=tmp_path, agent=AgentSettings(undo_seconds=0))
    tools = fake_tools(world, slow=0.05)
    with Vault.open(settings.vault_path) as vault:
        host = Host(settings, vault, tools)
        for i in range(6):
            approve(host, _queue(host, args={"to": f"p{i}@example.com", "body": "hi"}).id, T0)

    outcomes: list = []
    start = threading.Barrier(2)

    def outbox() -> None:
        with Vault.open(settings.vault_path) as own:
            start.wait()
            outcomes.extend(run_due(Host(settings, own, tools), T0))

    threads = [threading.Thread(target=outbox) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(to for to, _ in world.sent) == [f"p{i}@example.com" for i in range(6)]
    assert len(outcomes) == 6 and all(o.ok for o in outcomes)
    with Vault.open(settings.vault_path) as vault:
        assert Ledger(vault).verify().ok


_CRASHING_OUTBOX = """
import os, sys
from datetime import datetime
from pydantic import BaseModel
from homebody.agent.outbox import run_due
from homebody.config import Settings
from homebody.tools.base import Tool, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, ToolSpec
from homebody.vault.store import Vault

class Args(BaseModel):
    to: str
    body: str

def send(args, ctx):
    with open(sys.argv[2], "a") as log:
        log.write(args.to + "\\n")
    os._exit(9)  # the process dies after the message left, before the outbox records it

tools = ToolRegistry()
tools.register(Tool(ToolSpec("send_note", "", frozenset({Effect.SEND}), False), Args, send))
settings = Settings(home=sys.argv[1])

class Host:
    pass

host = Host()
host.settings, host.vault, host.tools = settings, Vault.open(settings.vault_path), tools
run_due(host, datetime.fromisoformat(sys.argv[3]))
"""


def test_an_action_interrupted_by_a_crash_is_never_run_twice(host, world, tmp_path):
    queued = _queue(host)
    approve(host, queued.id, T0)
    host.vault.close()  # the approving process has gone; the action is approved, not yet run
    sent_log = tmp_path / "sent.txt"
    src = str(Path(homebody.__file__).parents[1])
    due = (T0 + timedelta(seconds=30)).isoformat()
    crashed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_CRASHING_OUTBOX), str(tmp_path), str(sent_log), due],
        env={**os.environ, "PYTHONPATH": src},
        capture_output=True,
        check=False,
    )
    assert crashed.returncode == 9, crashed.stderr.decode()
    assert sent_log.read_text() == "sam@example.com\n"
    with Vault.open(host.settings.vault_path) as vault:
        restarted = Host(host.settings, vault, host.tools)
        assert run_due(restarted, T0 + timedelta(minutes=5)) == []
        assert world.sent == []
        interrupted = Approvals(vault).get(queued.id)
        assert interrupted.state is State.RUNNING
        assert Ledger(vault).entries()[-1].kind == "tool_call"
        assert Ledger(vault).verify().ok


def test_an_approved_action_survives_a_restart_and_runs_once(tmp_path, world):
    settings = Settings(home=tmp_path)
    with Vault.open(settings.vault_path) as vault:
        host = Host(settings, vault, fake_tools(world))
        approve(host, _queue(host, "pay", {"payee": "Harbour Dental", "amount": 45}).id, T0)
    for _ in range(2):
        with Vault.open(settings.vault_path) as vault:
            run_due(Host(settings, vault, fake_tools(world)), T0 + timedelta(seconds=1))
    assert world.paid == [("Harbour Dental", 45.0)]
