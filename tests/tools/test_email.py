"""Email tools against a real SMTP server on loopback (aiosmtpd): what arrives is what was previewed."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from homebody.errors import ConfigError, ToolError, ToolUnavailable
from homebody.tools.base import ToolContext
from homebody.vault.items import Item, Kind

USER = "me@example.org"
# aiosmtpd warns when AUTH is offered without TLS; on loopback that is what the test wants.
_AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
PASSWORD = "smtp secret 1"


@dataclass
class Received:
    """One message as the server got it: envelope and bytes."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> Any:
        return email.message_from_bytes(self.data.replace(b"\r\n", b"\n"), policy=email.policy.default)


@dataclass
class Inbox:
    """What the SMTP server received, and the logins it saw."""

    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.endswith("@refused.example"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Smtp:
    """A running SMTP server on loopback."""

    port: int
    inbox: Inbox


def _serve(inbox: Inbox, **kwargs: Any) -> Iterator[Smtp]:
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Smtp(port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    """An SMTP server taking mail without a login."""
    yield from _serve(Inbox())


@pytest.fixture
def smtp_auth() -> Iterator[Smtp]:
    """An SMTP server that requires AUTH (allowed without TLS: it is loopback)."""
    inbox = Inbox()

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == USER
            and data.password.decode() == PASSWORD
        )
        if ok:
            inbox.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    yield from _serve(inbox, authenticator=check, auth_require_tls=False, auth_required=True)


@pytest.fixture
def mail(configure):
    """`mail(port, **email_settings)`: a context whose [email] account sends to that loopback port."""

    def make(port: int, **email_settings: Any) -> ToolContext:
        return _ctx(configure, port, **email_settings)

    return make


def _ctx(configure: Any, port: int, **email_settings: Any) -> ToolContext:
    account = {
        "address": USER,
        "name": "Alex Example",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": "none",
        "username": "",
        **email_settings,
    }
    return configure(email=account)


def _original(context: ToolContext) -> str:
    """An email from Sam in the vault, the second of a thread; returns its item id."""
    source = context.vault.add_source("mail", "mbox", "/mail.mbox")
    item = Item(
        kind=Kind.EMAIL,
        native_id="dinner-2@sam.example",
        text="Are you free for dinner on Friday?",
        author="Sam Okafor <sam@sam.example>",
        title="Dinner on Friday?",
        thread="dinner-1@sam.example",
        meta={
            "from": [["Sam Okafor", "sam@sam.example"]],
            "to": [["Alex Example", USER], ["Dev", "dev@dev.example"]],
            "cc": [["Priya", "priya@priya.example"]],
            "in_reply_to": "dinner-1@sam.example",
            "references": ["dinner-1@sam.example"],
        },
    )
    context.vault.upsert(source, item, "/mail.mbox")
    return str(next(context.vault.iter_items()).id)


def _without_date(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("Date:"))


def _as_read(received: Received) -> str:
    message = received.message
    headers = "\n".join(
        f"{k}: {v}" for k, v in message.items() if k not in ("X-Peer", "X-MailFrom", "X-RcptTo")
    )
    return f"{headers}\n\n{message.get_content()}"


def test_reply_goes_to_the_sender_in_the_thread_exactly_as_previewed(registry, mail, smtp) -> None:
    ctx = mail(smtp.port)
    item_id = _original(ctx)
    tool = registry.get("reply_email")
    args = tool.validate({"item_id": item_id, "body": "Friday works. See you at 7 — Alex"})

    preview = tool.describe(args, ctx)
    result = tool.run(args, ctx)

    [got] = smtp.inbox.messages
    assert got.mail_from == USER
    assert got.rcpt_tos == ["sam@sam.example"]
    message = got.message
    assert message["To"] == "Sam Okafor <sam@sam.example>"
    assert message["Subject"] == "Re: Dinner on Friday?"
    assert message["In-Reply-To"] == "<dinner-2@sam.example>"
    assert message["References"] == "<dinner-1@sam.example> <dinner-2@sam.example>"
    assert message.get_content() == "Friday works. See you at 7 — Alex\n"
    assert "Cc" not in message
    # The person approved exactly this: every header and the body (the Date is stamped at sending).
    assert _without_date(_as_read(got)) == _without_date(preview)
    assert "In-Reply-To: <dinner-2@sam.example>" in preview
    assert result.data["message_id"] == message["Message-ID"]


def test_reply_all_copies_the_others_but_not_the_user(registry, mail, smtp) -> None:
    ctx = mail(smtp.port)
    item_id = _original(ctx)
    tool = registry.get("reply_email")
    tool.run(tool.validate({"item_id": item_id, "body": "Yes!", "reply_all": True}), ctx)
    [got] = smtp.inbox.messages
    assert sorted(got.rcpt_tos) == ["dev@dev.example", "priya@priya.example", "sam@sam.example"]
    assert got.message["Cc"] == "Dev <dev@dev.example>, Priya <priya@priya.example>"


def test_reply_to_a_missing_or_non_email_item_is_a_tool_error(registry, mail) -> None:
    ctx = mail(1)
    tool = registry.get("reply_email")
    with pytest.raises(ToolError, match="no item"):
        tool.run(tool.validate({"item_id": "abcdef0123", "body": "hi"}), ctx)
    source = ctx.vault.add_source("cal", "ics", "/c.ics")
    ctx.vault.upsert(source, Item(kind=Kind.EVENT, native_id="e1", text="Dentist"), "/c.ics")
    event_id = next(ctx.vault.iter_items()).id
    with pytest.raises(ToolError, match="not an email"):
        tool.run(tool.validate({"item_id": event_id, "body": "hi"}), ctx)


@_AUTH_WITHOUT_TLS
def test_send_logs_in_and_delivers_utf8_as_readable_8bit(registry, mail, smtp_auth, monkeypatch) -> None:
    monkeypatch.setenv("HOMEBODY_SMTP_PASSWORD_ME_EXAMPLE_ORG", PASSWORD)
    ctx = mail(smtp_auth.port, username=USER)
    tool = registry.get("send_email")
    args = tool.validate(
        {
            "to": ["Zoë <zoe@zoe.example>"],
            "cc": ["ann@ann.example"],
            "subject": "Café at 8?",
            "body": "Ça va?",
        }
    )
    preview = tool.describe(args, ctx)
    tool.run(args, ctx)
    [got] = smtp_auth.inbox.messages
    assert smtp_auth.inbox.logins == [USER]
    assert sorted(got.rcpt_tos) == ["ann@ann.example", "zoe@zoe.example"]
    assert got.message["Subject"] == "Café at 8?"
    assert got.message["Content-Transfer-Encoding"] == "8bit"
    assert "Ça va?".encode() in got.data  # sent as written, not base64: what was shown is what went
    assert _without_date(_as_read(got)) == _without_date(preview)


@_AUTH_WITHOUT_TLS
def test_a_wrong_password_is_a_config_error_and_sends_nothing(registry, mail, smtp_auth, monkeypatch) -> None:
    monkeypatch.setenv("HOMEBODY_SMTP_PASSWORD_ME_EXAMPLE_ORG", "wrong")
    ctx = mail(smtp_auth.port, username=USER)
    tool = registry.get("send_email")
    with pytest.raises(ConfigError, match="refused the login"):
        tool.run(tool.validate({"to": ["a@a.example"], "subject": "s", "body": "b"}), ctx)
    assert smtp_auth.inbox.messages == []


def test_starttls_required_but_not_offered_refuses_to_send(registry, mail, smtp) -> None:
    ctx = mail(smtp.port, security="starttls")
    tool = registry.get("send_email")
    with pytest.raises(ConfigError, match="STARTTLS"):
        tool.run(tool.validate({"to": ["a@a.example"], "subject": "s", "body": "b"}), ctx)
    assert smtp.inbox.messages == []


def test_an_unreachable_server_is_retryable_and_a_refused_recipient_is_not(registry, mail, smtp) -> None:
    tool = registry.get("send_email")
    args = tool.validate({"to": ["x@refused.example"], "subject": "s", "body": "b"})
    with pytest.raises(ToolUnavailable, match="nothing was sent"):
        tool.run(args, mail(_free_port()))
    with pytest.raises(ToolError, match="refused every recipient") as info:
        tool.run(args, mail(smtp.port))
    assert not isinstance(info.value, ToolUnavailable)
    partly = tool.run(
        tool.validate({"to": ["x@refused.example", "ok@ok.example"], "subject": "s", "body": "b"}),
        mail(smtp.port),
    )
    assert partly.data["refused"] == ["x@refused.example"]
    assert [m.rcpt_tos for m in smtp.inbox.messages] == [["ok@ok.example"]]


def test_plain_smtp_to_a_remote_host_is_refused_before_connecting(registry, mail) -> None:
    ctx = mail(25, smtp_host="smtp.example.org")
    tool = registry.get("send_email")
    with pytest.raises(ConfigError, match="unencrypted"):
        tool.run(tool.validate({"to": ["a@a.example"], "subject": "s", "body": "b"}), ctx)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to", ["not an address"]),
        ("to", ["a@a.example\r\nBcc: evil@evil.example"]),
        ("subject", "a\r\nBcc: x@y.z"),
    ],
)
def test_header_injection_and_bad_addresses_are_refused(registry, mail, field, value) -> None:
    ctx = mail(1)
    tool = registry.get("draft_email")
    args = {"to": ["a@a.example"], "subject": "s", "body": "b", field: value}
    with pytest.raises(ToolError):
        tool.run(tool.validate(args), ctx)
    assert not (ctx.settings.home / "drafts").exists() or not list((ctx.settings.home / "drafts").iterdir())


def test_a_draft_is_saved_as_an_eml_file_and_nothing_is_sent(registry, mail, smtp) -> None:
    ctx = mail(smtp.port)
    tool = registry.get("draft_email")
    result = tool.run(
        tool.validate({"to": ["sam@sam.example"], "subject": "Plans", "body": "Draft text"}), ctx
    )
    path = ctx.settings.home / "drafts" / f"{result.data['draft_id']}.eml"
    saved = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert saved["To"] == "sam@sam.example"
    assert saved.get_content() == "Draft text\n"
    assert path.stat().st_mode & 0o077 == 0
    assert smtp.inbox.messages == []


def test_one_action_keeps_its_message_id_from_preview_to_send(registry, mail) -> None:
    ctx = mail(1)
    tool = registry.get("send_email")
    args = tool.validate({"to": ["a@a.example"], "subject": "s", "body": "b"})

    def message_id(c: ToolContext) -> str:
        [line] = [x for x in tool.describe(args, c).splitlines() if x.startswith("Message-ID:")]
        return line

    approved_later = replace(ctx, action_id="act-1", now=ctx.now + timedelta(hours=3))
    assert message_id(replace(ctx, action_id="act-1")) == message_id(approved_later)
    assert message_id(replace(ctx, action_id="act-1")) != message_id(replace(ctx, action_id="act-2"))


def test_without_an_email_account_the_tool_says_how_to_add_one(registry, context) -> None:
    tool = registry.get("send_email")
    with pytest.raises(ConfigError, match=r"\[email\]"):
        tool.run(tool.validate({"to": ["a@a.example"], "subject": "s", "body": "b"}), context)
