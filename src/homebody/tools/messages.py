"""Drafts for the user's chat apps: the text and the recipient, and a link that opens the app on it.

homebody never sends through iMessage or WhatsApp itself: neither has an official API for a person's
own account, and unofficial ones break their terms and put the account at risk. Instead a draft is
kept in `<home>/drafts/messages.jsonl` with a link the user taps to send it themselves:
`sms:` (RFC 5724; Messages on Apple devices sends it as an iMessage where it can) or WhatsApp's
documented click-to-chat link `https://wa.me/<number>?text=...`.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Literal
from urllib.parse import quote

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field

from homebody.errors import ToolError
from homebody.tools._store import update_records
from homebody.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec

log = logging.getLogger(__name__)

DRAFTS = "drafts/messages.jsonl"
_APPS = {"imessage": "iMessage", "whatsapp": "WhatsApp", "sms": "SMS"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class MessageArgs(BaseModel):
    """A chat message to prepare."""

    model_config = ConfigDict(extra="forbid")
    app: Literal["imessage", "whatsapp", "sms"]
    to: str = Field(min_length=3, max_length=200)
    text: str = Field(min_length=1, max_length=10_000)


def recipient(args: MessageArgs, region: str) -> str:
    """The recipient as the app wants it: an E.164 number, or an email address for iMessage."""
    if args.app == "imessage" and _EMAIL.fullmatch(args.to.strip()):
        return args.to.strip().lower()
    try:
        number = phonenumbers.parse(args.to, region)
    except phonenumbers.NumberParseException as err:
        raise ToolError(f"{args.to!r} is not a phone number") from err
    if not phonenumbers.is_valid_number(number):
        raise ToolError(f"{args.to!r} is not a valid phone number (region {region})")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def link(app: str, to: str, text: str) -> str:
    """The link that opens the app with the message filled in, ready for the user to send."""
    if app == "whatsapp":
        return f"https://wa.me/{to.lstrip('+')}?text={quote(text, safe='')}"
    return f"sms:{quote(to, safe='+@.')}?body={quote(text, safe='')}"


def draft_message(args: MessageArgs, context: ToolContext) -> ToolResult:
    """Prepare a chat message as a draft with a link the user taps to send it."""
    to = recipient(args, context.settings.region)
    record = {
        "id": "m-" + secrets.token_hex(4),
        "app": args.app,
        "to": to,
        "text": args.text,
        "link": link(args.app, to, args.text),
        "created": context.now.isoformat(),
    }
    update_records(context.settings.home / DRAFTS, lambda records: [*records, record])
    log.info("message draft %s prepared for %s", record["id"], args.app)
    return ToolResult(
        f"{_APPS[args.app]} draft {record['id']} prepared; it was not sent. The user sends it by opening "
        f"{record['link']}",
        dict(record),
    )


def _preview(args: MessageArgs, context: ToolContext) -> str:
    to = recipient(args, context.settings.region)
    return f"{_APPS[args.app]} message to {to} (a draft; the user sends it):\n\n{args.text}"


DRAFT = ToolSpec(
    name="draft_message",
    description="""Prepare a message for the user to send from iMessage, WhatsApp or SMS. homebody does not
send it: the user gets a link that opens the app with the message filled in.

Args:
    app: "imessage", "whatsapp" or "sms".
    to: the recipient's phone number (with the country code if they are abroad), or for iMessage an
        email address.
    text: the message.""",
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"to": Role.RECIPIENT, "text": Role.CONTENT},
)


def register(registry: ToolRegistry) -> None:
    """Register the chat message tool."""
    registry.register(Tool(DRAFT, MessageArgs, draft_message, _preview))
