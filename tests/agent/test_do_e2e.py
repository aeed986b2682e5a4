"""`homebody do` end to end on the real embedded model: a reply drafted in the right thread, queued,
approved and sent to a real SMTP server on loopback; a payment that lands in the sandbox only after
approval; and a ledger that records it all and still verifies."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from homebody.agent.doctor import ModelReport, model_identity, save_stamp
from homebody.cli import cli
from homebody.config import load_settings

pytestmark = pytest.mark.model

MBOX = """\
From sam@okafor.example Thu Nov 19 18:02:00 2026
From: Sam Okafor <sam@okafor.example>
To: Maya Lindqvist <maya@example.org>
Subject: Dinner on Saturday
Date: Thu, 19 Nov 2026 18:02:00 +0000
Message-ID: <dinner-1@okafor.example>

Table booked at Tasca for 1pm on Saturday, see you there!

From news@shop.example Thu Nov 19 09:00:00 2026
From: Shop <news@shop.example>
To: maya@example.org
Subject: Weekend offers
Date: Thu, 19 Nov 2026 09:00:00 +0000
Message-ID: <offer-7@shop.example>

Twenty percent off all garden furniture this weekend.

From sam@okafor.example Mon Nov 16 10:00:00 2026
From: Sam Okafor <sam@okafor.example>
To: Maya Lindqvist <maya@example.org>
Subject: Concert tickets
Date: Mon, 16 Nov 2026 10:00:00 +0000
Message-ID: <tickets-1@okafor.example>

I got the concert tickets, you owe me 45 dollars.

"""


@dataclass
class Inbox:
    messages: list[bytes] = field(default_factory=list)
    rcpt: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.original_content)
        self.rcpt.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def home(tmp_path, smtp, monkeypatch):
    port, _ = smtp
    monkeypatch.setenv("HOMEBODY_NOW", "2026-11-21T12:00:00+00:00")
    (tmp_path / "config.toml").write_text(
        'timezone = "Europe/London"\nregion = "GB"\n\n'
        "[agent]\nundo_seconds = 0\n\n"
        f'[email]\naddress = "maya@example.org"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        'security = "none"\nusername = ""\n\n'
        '[payments]\nsandbox_accounts = { checking = "500.00 USD" }\n',
        encoding="utf-8",
    )
    (tmp_path / "mail.mbox").write_text(MBOX, encoding="utf-8")
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["--home", str(tmp_path), "add", "mbox", str(tmp_path / "mail.mbox")]).exit_code
        == 0
    )
    assert runner.invoke(cli, ["--home", str(tmp_path), "sync", "--quiet"]).exit_code == 0
    # The tool-call probes are the doctor's to test (test_doctor.py); here the model is taken as checked.
    settings = load_settings(tmp_path)
    report = ModelReport("chat", model_identity(settings), probes_passed=4, probes_total=4)
    save_stamp(tmp_path, report)
    return tmp_path


def _run(home, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_a_reply_is_drafted_queued_approved_and_sent(home, smtp):
    _, inbox = smtp
    result = _run(home, "do", "reply to Sam that I'll be 10 minutes late", "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)
    [action] = run["actions"]
    assert action["tool"] == "reply_email"
    # The guard decides whether the user is asked; a send goes through the outbox either way.
    assert (action["status"], action["verdict"]) in {("queued", "confirm"), ("scheduled", "allow")}
    assert action["reasons"], "every verdict says why"
    assert "10 minutes" in action["args"]["body"]
    assert "In-Reply-To: <dinner-1@okafor.example>" in action["preview"], "Sam's latest email is answered"
    assert inbox.messages == [], "nothing leaves inside the run: the outbox sends it"

    if action["status"] == "queued":
        approved = _run(home, "approve", action["approval"])
        assert approved.exit_code == 0, approved.output
    sent = _run(home, "outbox", "run")
    assert sent.exit_code == 0, sent.output
    [raw] = inbox.messages
    message = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
    assert inbox.rcpt == [["sam@okafor.example"]]
    assert message["In-Reply-To"] == "<dinner-1@okafor.example>"
    assert message["Subject"] == "Re: Dinner on Saturday"
    assert "10 minutes" in message.get_content()

    audit = _run(home, "audit", "--json")
    kinds = [e["kind"] for e in json.loads(audit.output)]
    for kind in ("request", "retrieval", "tool_call", "verdict", "approval", "result"):
        assert kind in kinds
    assert _run(home, "audit", "verify").exit_code == 0


def test_a_payment_lands_in_the_sandbox_only_after_approval(home):
    result = _run(home, "do", "pay Sam 45 dollars for the concert tickets", "--json")
    assert result.exit_code == 0, result.output
    actions = json.loads(result.output)["actions"]
    assert len(actions) == 1, json.dumps(actions, indent=1)
    [action] = actions
    assert action["tool"] == "pay" and action["status"] == "queued"
    assert float(action["args"]["amount"]) == 45.0 and action["args"]["currency"] == "USD"
    assert "sam" in action["args"]["payee"].lower()

    def payments() -> list[Any]:
        db = home / "sandbox-payments.db"
        if not db.exists():
            return []
        with sqlite3.connect(db) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return [row for t in tables if "payment" in t for row in conn.execute(f"SELECT * FROM {t}")]

    assert payments() == [], "no money moves before approval"
    approved = _run(home, "approve", action["approval"])
    assert approved.exit_code == 0, approved.output
    _run(home, "outbox", "run")
    assert len(payments()) == 1
    assert _run(home, "audit", "verify").exit_code == 0
