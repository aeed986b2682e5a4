"""`homebody approvals / approve / deny / cancel / outbox run / audit` as a user runs them.

Proposals are queued through the outbox API (the agent loop's job); the tools are a plugin module the
test's config names, the same way a user adds one. `HOMEBODY_NOW` is the clock.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from click.testing import CliRunner

from homebody.agent.outbox import queue_action
from homebody.app import App
from homebody.cli import cli
from homebody.errors import LedgerBroken
from homebody.tools.effects import Action
from homebody.vault.db import connect

PLUGIN = "hb_agency_test_tools"
NOW = "2026-10-05T14:03:00"  # Europe/London, BST: 13:03 UTC
VERDICT = {"decision": "ask", "risk": "medium", "reasons": ["sends an email"]}

_PLUGIN_SOURCE = """
import os
from pydantic import BaseModel
from homebody.tools.base import Tool, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec


class Email(BaseModel):
    to: str
    subject: str
    body: str


class Payment(BaseModel):
    payee: str
    amount: float


def _record(line):
    with open(os.environ["HB_TEST_WORLD"], "a", encoding="utf-8") as world:
        world.write(line + "\\n")


def send(args, ctx):
    _record(f"sent {args.to} {args.subject}")
    return ToolResult(f"sent to {args.to}", {"message_id": "<m1@homebody>"})


def pay(args, ctx):
    _record(f"paid {args.payee} {args.amount:.2f}")
    return ToolResult(f"paid {args.amount:.2f}")


def register(registry):
    registry.register(Tool(
        ToolSpec("test_send", "Send an email.", frozenset({Effect.SEND}), False, {"to": Role.RECIPIENT}),
        Email, send,
        preview=lambda a, c: f"To: {a.to}\\nSubject: {a.subject}\\n\\n{a.body}",
    ))
    registry.register(Tool(
        ToolSpec("test_pay", "Pay someone.", frozenset({Effect.MONEY}), False, {"payee": Role.PAYEE}),
        Payment, pay,
    ))
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[tools]\nplugins = ["{PLUGIN}"]\n', encoding="utf-8")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / f"{PLUGIN}.py").write_text(textwrap.dedent(_PLUGIN_SOURCE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(plugins))
    monkeypatch.delitem(sys.modules, PLUGIN, raising=False)
    monkeypatch.setenv("HOMEBODY_HOME", str(home))
    monkeypatch.setenv("HOMEBODY_TIMEZONE", "Europe/London")
    monkeypatch.setenv("HOMEBODY_NOW", NOW)
    monkeypatch.setenv("HB_TEST_WORLD", str(tmp_path / "world.txt"))
    return home


def _world(home) -> list[str]:
    path = home.parent / "world.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def run(*args, code=0):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    return result


def _queue(home, tool="test_send", args=None) -> str:
    args = args or {
        "to": "sam@example.com",
        "subject": "Re: Saturday",
        "body": "Saturday works, see you at 10.",
    }
    app = App.from_home(home)
    try:
        return queue_action(
            app, Action(tool, args), verdict=VERDICT, run_id="run-1", now=app.settings.current_time()
        ).id
    finally:
        app.close()


def test_a_reply_is_queued_approved_and_sent_after_the_undo_window(home, monkeypatch):
    approval_id = _queue(home)
    listing = run("approvals").output
    assert approval_id in listing and "test_send" in listing
    assert "Subject: Re: Saturday" in listing and "Saturday works, see you at 10." in listing
    assert "why asked: sends an email" in listing
    (shown,) = json.loads(run("approvals", "--json").output)
    assert shown["id"] == approval_id and shown["state"] == "pending"
    assert shown["preview"].startswith("To: sam@example.com\nSubject: Re: Saturday")

    approved = run("approve", approval_id).output
    assert "Saturday works, see you at 10." in approved
    assert f"Sends at 14:03:30 unless you run homebody cancel {approval_id}" in approved
    assert "Nothing due." in run("outbox", "run").output
    assert _world(home) == []
    assert "Nothing waiting for approval." in run("approvals").output

    monkeypatch.setenv("HOMEBODY_NOW", "2026-10-05T14:03:30")
    ran = run("outbox", "run").output
    assert f"{approval_id} test_send: sent to sam@example.com" in ran
    assert _world(home) == ["sent sam@example.com Re: Saturday"]
    assert "Nothing due." in run("outbox", "run").output
    assert _world(home) == ["sent sam@example.com Re: Saturday"]

    entries = json.loads(run("audit", "--json").output)
    assert [e["kind"] for e in entries] == ["approval", "approval", "tool_call", "result"]
    assert entries[-1]["data"]["result"]["data"] == {"message_id": "<m1@homebody>"}
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    text = run("audit", "--limit", "2").output
    assert "tool_call" in text and "sent to sam@example.com" in text and "proposed" not in text
    assert "ledger intact: 4 entries" in run("audit", "verify").output
    (done,) = json.loads(run("approvals", "--all", "--json").output)
    assert done["state"] == "done"


def test_a_payment_runs_as_soon_as_it_is_approved_and_not_before(home):
    approval_id = _queue(home, "test_pay", {"payee": "Harbour Dental", "amount": "45"})
    assert "amount: 45.0" in run("approvals").output
    run("outbox", "run")
    assert _world(home) == []
    approved = run("approve", approval_id).output
    assert "Approved and done: paid 45.00" in approved
    assert _world(home) == ["paid Harbour Dental 45.00"]
    run("outbox", "run")
    assert _world(home) == ["paid Harbour Dental 45.00"]


def test_a_denied_action_never_runs_and_cannot_be_approved(home, monkeypatch):
    approval_id = _queue(home, "test_pay", {"payee": "Unknown Ltd", "amount": "900"})
    assert f"Denied {approval_id}" in run("deny", approval_id, "--reason", "never ordered").output
    refused = run("approve", approval_id, code=1)
    assert "cannot approve" in refused.output and "denied" in refused.output
    monkeypatch.setenv("HOMEBODY_NOW", "2026-10-06T14:03:00")
    run("outbox", "run")
    assert _world(home) == []
    (denied,) = json.loads(run("approvals", "--all", "--json").output)
    assert denied["state"] == "denied" and denied["reason"] == "never ordered"
    assert "denied" in run("approvals", "--all").output


def test_cancel_works_within_the_undo_window_only(home, monkeypatch):
    first, second = _queue(home), _queue(home)
    run("approve", first)
    run("approve", second)
    monkeypatch.setenv("HOMEBODY_NOW", "2026-10-05T14:03:20")
    assert f"Cancelled {first}" in run("cancel", first).output
    monkeypatch.setenv("HOMEBODY_NOW", "2026-10-05T14:03:40")
    late = run("cancel", second, code=1)
    assert "too late to cancel" in late.output
    run("outbox", "run")
    assert _world(home) == ["sent sam@example.com Re: Saturday"]  # the second only


def test_an_unanswered_proposal_expires(home, monkeypatch):
    approval_id = _queue(home)
    monkeypatch.setenv("HOMEBODY_NOW", "2026-10-06T14:03:00")  # 24 hours later
    assert "Nothing waiting for approval." in run("approvals").output
    assert "expired unapproved" in run("approve", approval_id, code=1).output
    assert "expired" in run("approvals", "--all").output


def test_an_unknown_id_is_an_error(home):
    assert "no approval with id 'abcdef'" in run("approve", "abcdef", code=1).output
    assert run("deny", "abcdef", code=1)
    assert run("cancel", "abcdef", code=1)


def test_audit_verify_catches_a_deleted_last_entry(home):
    approval_id = _queue(home)
    run("deny", approval_id)
    assert "ledger intact: 2 entries" in run("audit", "verify").output
    other = connect(home / "vault.db", create=False)
    other.execute("DELETE FROM ledger WHERE seq = 2")
    other.close()
    broken = run("audit", "verify", code=LedgerBroken.exit_code)
    assert "ledger broken at entry 2" in broken.output and "deleted from the end" in broken.output


def test_audit_verify_catches_an_edited_entry(home):
    _queue(home)
    other = connect(home / "vault.db", create=False)
    other.execute("UPDATE ledger SET data = replace(data, 'sam@', 'eve@') WHERE seq = 1")
    other.close()
    broken = run("audit", "verify", code=LedgerBroken.exit_code)
    assert "ledger broken at entry 1" in broken.output and "edited" in broken.output


def test_an_empty_ledger_and_queue(home):
    assert "The ledger is empty." in run("audit").output
    assert "ledger intact: 0 entries" in run("audit", "verify").output
    assert "No approvals yet." in run("approvals", "--all").output
