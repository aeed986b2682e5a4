"""Outgoing mail: build an RFC 5322 message with the standard library, and hand it to SMTP.

The message a person approves is the message that leaves: `build` is a pure function of the
arguments, the account and a seed (the ledger's action id, else the arguments), so the preview and
the send make the same Message-ID, headers and body; only `Date` is stamped again at sending. The
body goes as 7bit or 8bit text when its lines fit RFC 5322's 998-octet limit (section 2.1.1), so what
is shown is what is sent byte for byte, and as quoted-printable otherwise.

SMTP failures say whether anything left: a server that cannot be reached, or refuses before the
message is handed over, is `ToolUnavailable` (nothing was sent, retry later); a refusal of the
recipients or the message is a `ToolError`; a connection lost while handing it over is a `ToolError`
saying it may have gone.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from homebody.config import EmailSettings, Settings
from homebody.connectors.passwords import account_password
from homebody.errors import ConfigError, ToolError, ToolUnavailable
from homebody.models.egress import is_local_host

log = logging.getLogger(__name__)

KEYRING_SERVICE = "homebody-smtp"
PASSWORD_ENV_PREFIX = "HOMEBODY_SMTP_PASSWORD_"  # noqa: S105 - a variable name, not a password
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.?[^@\s<>()\[\],;:\"]*")
_MAX_LINE = 998  # RFC 5322 section 2.1.1, without the CRLF


def account(settings: Settings) -> EmailSettings:
    """The user's outgoing account, or a ConfigError saying how to set one up."""
    if settings.email is None:
        raise ConfigError(
            "no outgoing mail account: add an [email] section with address and smtp_host to config.toml"
        )
    return settings.email


def parse_recipients(values: Sequence[str]) -> list[Address]:
    """Addresses as the model wrote them ("Sam <sam@x.org>" or "sam@x.org"), checked; else ToolError."""
    out: list[Address] = []
    for value in values:
        if any(c in value for c in "\r\n\x00"):
            raise ToolError("a recipient holds a line break: write one address per list entry")
        pairs = getaddresses([value])
        if len(pairs) != 1 or not _ADDRESS.fullmatch(pairs[0][1]):
            raise ToolError(f"{value!r} is not one email address (write name@example.org)")
        name, addr = pairs[0]
        user, _, domain = addr.rpartition("@")
        out.append(Address(display_name=name, username=user, domain=domain))
    return out


def message_id(sender: EmailSettings, seed: str) -> str:
    """A Message-ID (RFC 5322 section 3.6.4) unique to the seed, at the sender's domain."""
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.homebody@{sender.address.rpartition('@')[2]}>"


def build(
    sender: EmailSettings,
    *,
    to: Sequence[Address],
    cc: Sequence[Address] = (),
    subject: str,
    body: str,
    date: datetime,
    msg_id: str,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
) -> EmailMessage:
    """The message as it will go out (RFC 5322), with threading headers for a reply (section 3.6.4)."""
    if not to:
        raise ToolError("the email has no recipient")
    if any(c in subject for c in "\r\n"):
        raise ToolError("the subject holds a line break")
    message = EmailMessage(policy=email_policy.SMTP)
    user, _, domain = sender.address.rpartition("@")
    message["From"] = Address(display_name=sender.name or "", username=user, domain=domain)
    message["To"] = list(to)
    if cc:
        message["Cc"] = list(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = msg_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    text = body.replace("\r\n", "\n").rstrip("\n") + "\n"
    message.set_content(text, charset="utf-8", cte=_transfer_encoding(text))
    return message


def _transfer_encoding(text: str) -> str:
    if any(len(line.encode("utf-8")) > _MAX_LINE for line in text.splitlines()):
        return "quoted-printable"
    return "7bit" if text.isascii() else "8bit"


def show(message: EmailMessage) -> str:
    """The message as a person reads it: every header in sending order, a blank line, the body."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.items())
    body = message.get_content()
    return f"{headers}\n\n{body}"


def recipients(message: EmailMessage) -> list[str]:
    """Every envelope recipient: the To and Cc addresses."""
    values = [str(v) for v in message.get_all("To", []) + message.get_all("Cc", [])]
    return [addr for _, addr in getaddresses(values)]


def send(sender: EmailSettings, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
    """Send through the account's SMTP server; returns the recipients it refused (none, usually)."""
    if sender.security == "none" and not is_local_host(sender.smtp_host):
        raise ConfigError(
            f"[email] security = 'none' would send your mail and password unencrypted to "
            f"{sender.smtp_host}: homebody allows it only to this machine or your local network; "
            f"use 'starttls' or 'ssl'"
        )
    password = _password(sender) if sender.login else None
    to = recipients(message)
    try:
        client = _connect(sender)
    except (OSError, smtplib.SMTPException) as err:
        raise ToolUnavailable(
            f"cannot reach the mail server {sender.smtp_host}:{sender.port} ({type(err).__name__}); "
            f"nothing was sent"
        ) from err
    with client:
        _prepare(client, sender, password)
        try:
            refused = client.send_message(message, from_addr=sender.address, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as err:
            raise ToolError(
                f"the mail server refused every recipient ({len(err.recipients)}); nothing was sent"
            ) from err
        except smtplib.SMTPSenderRefused as err:
            raise ToolError(
                f"the mail server refused the sender address (code {err.smtp_code}); nothing was sent"
            ) from err
        except smtplib.SMTPDataError as err:
            raise ToolError(f"the mail server refused the message (code {err.smtp_code})") from err
        except (OSError, smtplib.SMTPException) as err:
            raise ToolError(
                f"the connection to {sender.smtp_host} failed while sending ({type(err).__name__}): "
                f"the message may or may not have been sent; check the Sent folder before retrying"
            ) from err
    log.info("email sent: %d recipients, %d refused", len(to), len(refused))
    return refused


def _password(sender: EmailSettings) -> str:
    login = sender.login
    env = PASSWORD_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", login.upper())
    return account_password(
        protocol="SMTP", login=f"{login}@{sender.smtp_host}", env=env, keyring_service=KEYRING_SERVICE
    )


def _connect(sender: EmailSettings) -> smtplib.SMTP:
    if sender.security == "ssl":
        # RFC 8314: implicit TLS from the first byte (port 465).
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(sender.smtp_host, sender.port, timeout=sender.timeout, context=context)
    return smtplib.SMTP(sender.smtp_host, sender.port, timeout=sender.timeout)


def _prepare(client: smtplib.SMTP, sender: EmailSettings, password: str | None) -> None:
    """EHLO, STARTTLS when asked, and login: anything failing here sent nothing."""
    try:
        client.ehlo()
        if sender.security == "starttls":
            if not client.has_extn("starttls"):
                raise ConfigError(
                    f"the mail server {sender.smtp_host}:{sender.port} does not offer STARTTLS, so homebody "
                    f"will not send through it unencrypted; nothing was sent (check [email] security)"
                )
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if password is not None:
            client.login(sender.login, password)
    except smtplib.SMTPAuthenticationError as err:
        raise ConfigError(
            f"the mail server {sender.smtp_host} refused the login of {sender.login}: check its password"
        ) from err
    except (OSError, smtplib.SMTPException) as err:
        raise ToolUnavailable(
            f"the mail server {sender.smtp_host} failed before the message was handed over "
            f"({type(err).__name__}); nothing was sent"
        ) from err
