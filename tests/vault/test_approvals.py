"""The approvals queue: a state machine on a fake clock, each move recorded in the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from homebody.errors import ApprovalError, NotFound
from homebody.tools.effects import Action, Effect, Origin
from homebody.vault.approvals import ID_ALPHABET, Approvals, State, args_digest
from homebody.vault.db import connect
from homebody.vault.ledger import Ledger
from homebody.vault.store import Vault

T0 = datetime(2026, 10, 5, 14, 3, tzinfo=UTC)
TTL = timedelta(hours=24)
UNDO = timedelta(seconds=30)
PREVIEW = "To: sam@example.com\nSubject: Re: Saturday\n\nSaturday works, see you at 10."
VERDICT = {"decision": "ask", "risk": "medium", "reasons": ["sends an email to a known contact"]}


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "vault.db") as v:
        yield v


@pytest.fixture
def queue(vault):
    return Approvals(vault)


def _propose(queue, *, tool="send_email", effects=(Effect.SEND,), ttl=TTL, now=T0, run_id="run-1"):
    action = Action(
        tool,
        {"to": "sam@example.com", "subject": "Re: Saturday", "body": "Saturday works, see you at 10."},
        {"to": Origin.TRUSTED, "body": Origin.MODEL},
    )
    return queue.propose(
        action, preview=PREVIEW, verdict=VERDICT, effects=effects, run_id=run_id, now=now, ttl=ttl
    )


def _events(vault, approval_id):
    return [
        (e.kind.value, e.data.get("event"))
        for e in Ledger(vault).entries()
        if e.data.get("approval") == approval_id
    ]


def test_a_proposal_waits_with_its_preview_and_is_recorded(vault, queue):
    proposed = _propose(queue)
    assert len(proposed.id) == 6 and set(proposed.id) <= set(ID_ALPHABET)
    assert proposed.state is State.PENDING and proposed.sends
    assert proposed.expires_at == T0 + TTL
    assert [a.id for a in queue.pending(T0)] == [proposed.id]
    got = queue.get(proposed.id.upper())
    assert got.preview == PREVIEW and got.verdict == VERDICT
    assert got.action == Action(proposed.tool, proposed.args, {"to": Origin.TRUSTED, "body": Origin.MODEL})
    (entry,) = Ledger(vault).entries()
    assert entry.kind == "approval" and entry.run_id == "run-1"
    assert entry.data["event"] == "proposed" and entry.data["preview"] == PREVIEW
    assert entry.data["args_sha256"] == args_digest(proposed.args) and entry.data["verdict"] == VERDICT
    assert "body" not in entry.data  # the arguments themselves stay in the queue, not the ledger


def test_unknown_id_is_not_found(queue):
    with pytest.raises(NotFound, match="zzzzzz"):
        queue.get("zzzzzz")
    with pytest.raises(NotFound):
        queue.approve("zzzzzz", T0)


def test_ids_are_distinct(queue):
    ids = {_propose(queue).id for _ in range(40)}
    assert len(ids) == 40


def test_approved_without_a_window_is_due_at_once(vault, queue):
    proposed = _propose(queue, tool="add_event", effects=(Effect.LOCAL_WRITE,))
    approved = queue.approve(proposed.id, T0)
    assert approved.state is State.APPROVED and approved.not_before == T0
    assert [a.id for a in queue.due(T0)] == [proposed.id]
    assert queue.pending(T0) == []
    assert _events(vault, proposed.id) == [("approval", "proposed"), ("approval", "approved")]


def test_a_send_waits_out_its_undo_window(queue):
    proposed = _propose(queue)
    queue.approve(proposed.id, T0, UNDO)
    assert queue.due(T0) == []
    assert queue.due(T0 + UNDO - timedelta(microseconds=1)) == []
    assert [a.id for a in queue.due(T0 + UNDO)] == [proposed.id]


def test_cancel_within_the_window_stops_it(vault, queue):
    proposed = _propose(queue)
    queue.approve(proposed.id, T0, UNDO)
    cancelled = queue.cancel(proposed.id, T0 + timedelta(seconds=29))
    assert cancelled.state is State.CANCELLED
    assert queue.due(T0 + timedelta(hours=1)) == []
    assert queue.claim(proposed.id, T0 + timedelta(hours=1)) is None
    assert _events(vault, proposed.id)[-1] == ("approval", "cancelled")


def test_cancel_after_the_window_is_refused(queue):
    proposed = _propose(queue)
    queue.approve(proposed.id, T0, UNDO)
    with pytest.raises(ApprovalError, match="too late to cancel .*14:03:30"):
        queue.cancel(proposed.id, T0 + UNDO)
    assert queue.get(proposed.id).state is State.APPROVED


def test_cancel_of_a_pending_or_finished_one_is_refused(queue):
    proposed = _propose(queue)
    with pytest.raises(ApprovalError, match="waiting for a decision"):
        queue.cancel(proposed.id, T0)
    queue.approve(proposed.id, T0)
    queue.claim(proposed.id, T0)
    queue.mark_done(proposed.id, {"output": "sent"}, now=T0)
    with pytest.raises(ApprovalError, match="already ran"):
        queue.cancel(proposed.id, T0)


def test_a_denied_action_is_never_due_and_cannot_be_approved(vault, queue):
    proposed = _propose(queue)
    denied = queue.deny(proposed.id, T0, "wrong day")
    assert denied.state is State.DENIED and denied.reason == "wrong day"
    with pytest.raises(ApprovalError, match="denied"):
        queue.approve(proposed.id, T0)
    assert queue.due(T0 + timedelta(days=2)) == []
    assert queue.claim(proposed.id, T0 + timedelta(days=2)) is None
    entry = Ledger(vault).entries()[-1]
    assert entry.data == {
        "approval": proposed.id,
        "tool": "send_email",
        "event": "denied",
        "reason": "wrong day",
    }


def test_an_unanswered_proposal_expires_and_can_never_run(vault, queue):
    proposed = _propose(queue, ttl=timedelta(hours=1))
    assert [a.id for a in queue.pending(T0 + timedelta(minutes=59))] == [proposed.id]
    assert queue.pending(T0 + timedelta(hours=1)) == []
    assert queue.get(proposed.id).state is State.EXPIRED
    with pytest.raises(ApprovalError, match="expired unapproved"):
        queue.approve(proposed.id, T0 + timedelta(hours=2))
    with pytest.raises(ApprovalError, match="expired"):
        queue.deny(proposed.id, T0 + timedelta(hours=2))
    assert queue.due(T0 + timedelta(days=3)) == []
    assert _events(vault, proposed.id) == [("approval", "proposed"), ("approval", "expired")]


def test_approving_past_expiry_expires_it_instead(queue):
    proposed = _propose(queue, ttl=timedelta(hours=1))
    with pytest.raises(ApprovalError, match="expired"):
        queue.approve(proposed.id, T0 + timedelta(hours=1, seconds=1))
    assert queue.get(proposed.id).state is State.EXPIRED


def test_approving_twice_is_refused(queue):
    proposed = _propose(queue)
    queue.approve(proposed.id, T0, UNDO)
    with pytest.raises(ApprovalError, match="already approved"):
        queue.approve(proposed.id, T0)


def test_a_due_action_is_claimed_once_and_finished_once(vault, queue):
    proposed = _propose(queue, effects=(Effect.LOCAL_WRITE,))
    queue.approve(proposed.id, T0)
    claimed = queue.claim(proposed.id, T0)
    assert claimed is not None and claimed.state is State.RUNNING
    assert queue.claim(proposed.id, T0) is None
    assert queue.due(T0) == []
    done = queue.mark_done(proposed.id, {"output": "saved", "data": {"event_id": "e1"}}, now=T0)
    assert done.state is State.DONE and done.result == {"output": "saved", "data": {"event_id": "e1"}}
    with pytest.raises(ApprovalError, match="already ran"):
        queue.mark_failed(proposed.id, "late", now=T0)
    kinds = [k for k, _ in _events(vault, proposed.id)]
    assert kinds == ["approval", "approval", "tool_call", "result"]
    assert Ledger(vault).verify().ok


def test_a_failure_is_recorded(vault, queue):
    proposed = _propose(queue)
    queue.approve(proposed.id, T0)
    queue.claim(proposed.id, T0)
    failed = queue.mark_failed(proposed.id, "SMTP server refused the recipient", now=T0)
    assert failed.state is State.FAILED and failed.error == "SMTP server refused the recipient"
    entry = Ledger(vault).entries()[-1]
    assert entry.kind == "error" and entry.run_id == "run-1"
    assert entry.data["error"] == "SMTP server refused the recipient"


def test_arguments_edited_in_the_queue_after_proposal_are_never_run(vault, queue):
    proposed = _propose(queue)
    queue.approve(proposed.id, T0)
    other = connect(vault.path, create=False)
    other.execute(
        "UPDATE approvals SET args = ? WHERE id = ?",
        ('{"body":"x","subject":"y","to":"eve@example.net"}', proposed.id),
    )
    other.close()
    refused = queue.claim(proposed.id, T0)
    assert refused is not None and refused.state is State.FAILED
    assert "arguments differ" in (refused.error or "")
    assert Ledger(vault).entries()[-1].kind == "error"


def test_every_move_of_a_run_is_in_its_ledger(vault, queue):
    a = _propose(queue, run_id="run-7")
    b = _propose(queue, run_id="run-7", ttl=timedelta(minutes=1))
    queue.approve(a.id, T0, UNDO)
    queue.cancel(a.id, T0 + timedelta(seconds=1))
    queue.pending(T0 + timedelta(minutes=2))
    events = [(e.data["approval"], e.data.get("event")) for e in Ledger(vault).entries(run_id="run-7")]
    assert events == [
        (a.id, "proposed"),
        (b.id, "proposed"),
        (a.id, "approved"),
        (a.id, "cancelled"),
        (b.id, "expired"),
    ]
    assert Ledger(vault).verify().ok


def test_listing_all_shows_every_state_newest_first(queue):
    first = _propose(queue)
    second = _propose(queue, now=T0 + timedelta(minutes=1))
    queue.deny(first.id, T0 + timedelta(minutes=2))
    assert [(a.id, a.state) for a in queue.find()] == [(second.id, State.PENDING), (first.id, State.DENIED)]
    assert [a.id for a in queue.find(states={State.DENIED})] == [first.id]
    assert len(queue.find(limit=1)) == 1
