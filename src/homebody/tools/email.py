"""Email tools: draft a message, send one, reply in a thread, through the user's own SMTP account.

A draft is an `.eml` file under `<home>/drafts` that any mail program opens; nothing leaves. Sending
and replying go through the `[email]` account in config.toml (see `_mail` for how failures read).
A reply finds the message it answers in the vault, addresses the original sender, and threads with
`In-Reply-To` and `References` (RFC 5322 section 3.6.4) and a "Re: " subject (section 3.6.5).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from email import policy as email_policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from homebody.errors import NotFound, ToolError
from homebody.tools import _mail
from homebody.tools._store import private_folder, write_atomic
from homebody.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec
from homebody.vault.items import Kind

log = logging.getLogger(__name__)

_RE = re.compile(r"^\s*(re|aw|sv|antw|ref)\s*(\[\d+\])?\s*:", re.IGNORECASE)


class MessageArgs(BaseModel):
    """A new email: recipients, subject and body."""

    model_config = ConfigDict(extra="forbid")
    to: list[str] = Field(min_length=1, max_length=50)
    cc: list[str] = Field(default_factory=list, max_length=50)
    subject: str = Field(max_length=500)
    body: str = Field(max_length=200_000)


class ReplyArgs(BaseModel):
    """A reply to an email in the vault."""

    model_config = ConfigDict(extra="forbid")
    item_id: str = Field(min_length=6, max_length=64)
    body: str = Field(max_length=200_000)
    reply_all: bool = False


def _seed(tool: str, args: BaseModel, context: ToolContext) -> str:
    """What the Message-ID derives from: the approved action, else the call itself."""
    if context.action_id:
        return f"{tool}:{context.action_id}"
    return f"{tool}:{json.dumps(args.model_dump(mode='json'), sort_keys=True)}"


def _new_message(tool: str, args: MessageArgs, context: ToolContext) -> EmailMessage:
    sender = _mail.account(context.settings)
    return _mail.build(
        sender,
        to=_mail.parse_recipients(args.to),
        cc=_mail.parse_recipients(args.cc),
        subject=args.subject,
        body=args.body,
        date=context.now.astimezone(context.settings.zone),
        msg_id=_mail.message_id(sender, _seed(tool, args, context)),
    )


def _is_message_id(native_id: str) -> bool:
    # The email parser names messages without a Message-ID "sha256:..." and attached ones "...#attached-N".
    return "@" in native_id and not native_id.startswith("sha256:") and "#attached-" not in native_id


def _address(name: str, addr: str) -> Address:
    try:
        return Address(display_name=name, addr_spec=addr)
    except (ValueError, IndexError, HeaderParseError) as err:
        raise ToolError(f"the address {addr!r} in the vault cannot be written into a reply") from err


def _reply(args: ReplyArgs, context: ToolContext) -> EmailMessage:
    sender = _mail.account(context.settings)
    try:
        original = context.vault.get(args.item_id)
    except NotFound as err:
        raise ToolError(f"no item with id {args.item_id!r} to reply to") from err
    if original.kind is not Kind.EMAIL:
        raise ToolError(f"item {original.id} is a {original.kind}, not an email: reply_email answers emails")
    meta = original.item.meta
    senders = [_address(n, a) for n, a in meta.get("from", []) if a]
    if not senders:
        raise ToolError(f"email {original.id} has no sender address to reply to")
    me = sender.address.lower()
    to = [a for a in senders if a.addr_spec.lower() != me] or senders
    cc: list[Address] = []
    if args.reply_all:
        seen = {a.addr_spec.lower() for a in to} | {me}
        for name, addr in [*meta.get("to", []), *meta.get("cc", [])]:
            if addr and addr.lower() not in seen:
                seen.add(addr.lower())
                cc.append(_address(name, addr))
    subject = original.item.title or ""
    if not _RE.match(subject):
        subject = f"Re: {subject}".rstrip()
    in_reply_to = None
    references = [f"<{r}>" for r in meta.get("references", [])]
    if _is_message_id(original.item.native_id):
        in_reply_to = f"<{original.item.native_id}>"
        references.append(in_reply_to)
    return _mail.build(
        sender,
        to=to,
        cc=cc,
        subject=subject,
        body=args.body,
        date=context.now.astimezone(context.settings.zone),
        msg_id=_mail.message_id(sender, _seed("reply_email", args, context)),
        in_reply_to=in_reply_to,
        references=references[-20:],  # a long thread's References is trimmed from the oldest
    )


def _reply_reaches(args: ReplyArgs, context: ToolContext) -> dict[str, Any]:
    """Who a reply goes to, worked out from the email it answers."""
    message = _reply(args, context)
    return {"to": [a.addr_spec for a in message["To"].addresses], "subject": str(message["Subject"])}


def _sent(message: EmailMessage, refused: dict[str, Any], what: str) -> ToolResult:
    to = _mail.recipients(message)
    note = f" ({len(refused)} recipients refused: {', '.join(sorted(refused))})" if refused else ""
    return ToolResult(
        f"{what} sent to {len(to) - len(refused)} recipients{note}.",
        {"message_id": message["Message-ID"], "recipients": to, "refused": sorted(refused)},
    )


def draft_email(args: MessageArgs, context: ToolContext) -> ToolResult:
    """Save the email as a draft under <home>/drafts; nothing is sent."""
    message = _new_message("draft_email", args, context)
    draft_id = secrets.token_hex(6)
    folder = private_folder(context.settings.home / "drafts")
    write_atomic(folder / f"{draft_id}.eml", message.as_bytes(policy=email_policy.default))
    log.info("email draft %s saved", draft_id)
    return ToolResult(
        f"Draft {draft_id} saved; it was not sent. The user can open it in their mail program.",
        {"draft_id": draft_id, "path": str(folder / f"{draft_id}.eml"), "message_id": message["Message-ID"]},
    )


def send_email(args: MessageArgs, context: ToolContext) -> ToolResult:
    """Send a new email from the user's account."""
    message = _new_message("send_email", args, context)
    return _sent(message, _mail.send(_mail.account(context.settings), message), "Email")


def reply_email(args: ReplyArgs, context: ToolContext) -> ToolResult:
    """Send a reply to an email in the vault, in its thread."""
    message = _reply(args, context)
    return _sent(message, _mail.send(_mail.account(context.settings), message), "Reply")


_ARGS_NEW = """
Args:
    to: the recipients' email addresses, each "name@example.org" or "Name <name@example.org>".
    cc: more recipients who get a copy (may be empty).
    subject: the subject line.
    body: the message text, plain text, as the user would sign it."""

DRAFT = ToolSpec(
    name="draft_email",
    description="Write an email and save it as a draft the user can review; it is not sent." + _ARGS_NEW,
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"to": Role.RECIPIENT, "cc": Role.RECIPIENT, "subject": Role.SUBJECT, "body": Role.CONTENT},
)
SEND = ToolSpec(
    name="send_email",
    description="Send a new email from the user's own account. It cannot be unsent." + _ARGS_NEW,
    effects=frozenset({Effect.SEND}),
    reversible=False,
    roles={"to": Role.RECIPIENT, "cc": Role.RECIPIENT, "subject": Role.SUBJECT, "body": Role.CONTENT},
)
REPLY = ToolSpec(
    name="reply_email",
    description="""Reply to an email in the user's vault, in the same thread, to its sender.

It cannot be unsent. The subject and recipients come from the email being answered.

Args:
    item_id: the vault id of the email being answered.
    body: the reply text, plain text.
    reply_all: true to copy everyone else the email was addressed to.""",
    effects=frozenset({Effect.SEND}),
    reversible=False,
    roles={"item_id": Role.TARGET, "body": Role.CONTENT},
    targets=frozenset({"email"}),
)


def register(registry: ToolRegistry) -> None:
    """Register the email tools."""
    registry.register(
        Tool(DRAFT, MessageArgs, draft_email, lambda a, c: _mail.show(_new_message("draft_email", a, c)))
    )
    registry.register(
        Tool(SEND, MessageArgs, send_email, lambda a, c: _mail.show(_new_message("send_email", a, c)))
    )
    registry.register(
        Tool(REPLY, ReplyArgs, reply_email, lambda a, c: _mail.show(_reply(a, c)), effective=_reply_reaches)
    )
