"""One conversation with an IMAP server through the standard library's `imaplib` (RFC 3501).

Read-only by construction: mailboxes are opened with EXAMINE and messages fetched with BODY.PEEK[],
so nothing on the server changes, not even the \\Seen flag. Every failure of the network, TLS or the
server becomes a SourceError that names the account, never the password.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from homebody.connectors.imap.account import Account
from homebody.connectors.imap.parse import Fetched, parse_fetch, parse_list, parse_status, quote
from homebody.errors import SourceError

logger = logging.getLogger(__name__)

#: UIDs asked about per listing round trip (RFC 3501 section 6.4.8: UID FETCH over a UID range).
LIST_WINDOW = 10_000
#: Messages fetched per round trip, and the bytes a batch may announce before it is cut.
BATCH_MESSAGES = 200
BATCH_BYTES = 32 * 1024 * 1024
# BODY.PEEK[] is the whole message without setting \Seen (RFC 3501 section 6.4.5).
_FETCH_ITEMS = "(UID FLAGS INTERNALDATE BODY.PEEK[])"


class Session:
    """A logged-in connection to one account's server; use it in a `with` block."""

    def __init__(self, account: Account, password: str, *, timeout: float) -> None:
        self.account = account
        self._password = password
        self._timeout = timeout
        self._conn: imaplib.IMAP4 | None = None

    def __enter__(self) -> Session:
        with self._errors("connecting"):
            if self.account.tls:
                context = ssl.create_default_context()
                self._conn = imaplib.IMAP4_SSL(
                    self.account.host, self.account.port, ssl_context=context, timeout=self._timeout
                )
            else:
                self._conn = imaplib.IMAP4(self.account.host, self.account.port, timeout=self._timeout)
        try:
            self._login()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def conn(self) -> imaplib.IMAP4:
        """The open imaplib connection."""
        if self._conn is None:
            raise SourceError(f"IMAP {self.account.login}: not connected")
        return self._conn

    def _login(self) -> None:
        capabilities = set(self.conn.capabilities)
        with self._errors("login"):
            if "AUTH=PLAIN" in capabilities:
                # RFC 4616 PLAIN carries the password as UTF-8; LOGIN (RFC 3501 6.2.3) is ASCII only.
                token = f"\0{self.account.user}\0{self._password}".encode()
                self.conn.authenticate("PLAIN", lambda _challenge: token)
            elif "LOGINDISABLED" in capabilities:
                raise SourceError(
                    f"IMAP {self.account.login}: the server accepts no password without TLS; "
                    "use an imaps:// URL"
                )
            else:
                self.conn.login(self.account.user, self._password)
        logger.debug("IMAP login done")

    def close(self) -> None:
        """Log out and close the socket, whatever state the connection is in."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.logout()
        except (imaplib.IMAP4.error, OSError, EOFError):
            try:
                conn.shutdown()
            except OSError:
                logger.debug("IMAP socket already closed")

    def mailboxes(self) -> list[str]:
        """Every selectable mailbox of the account (wire names), in the server's order."""
        with self._errors("listing the mailboxes"):
            typ, data = self.conn.list('""', "*")
        if typ != "OK":
            raise SourceError(f"IMAP {self.account.login}: the server refused to list the mailboxes")
        names: list[str] = []
        unquotable = 0
        for listed in parse_list(data):
            try:
                quote(listed.name)
            except ValueError:
                unquotable += 1  # a name only a literal could carry: rare enough to leave out
                continue
            if listed.selectable and listed.name not in names:
                names.append(listed.name)
        if unquotable:
            logger.warning("IMAP: %d mailboxes with control characters in their names left out", unquotable)
        return names

    def status(self, wire: str) -> dict[str, int]:
        """UIDVALIDITY, UIDNEXT and MESSAGES of a mailbox, without opening it; SourceError if none."""
        with self._errors("asking for the mailbox's status"):
            typ, data = self.conn.status(self._quoted(wire), "(UIDVALIDITY UIDNEXT MESSAGES)")
        if typ != "OK":
            raise SourceError(f"IMAP {self.account.login}: {self._no_mailbox(wire)}")
        return parse_status(data)

    def examine(self, wire: str) -> tuple[int | None, int | None]:
        """Open a mailbox read-only (EXAMINE, RFC 3501 6.3.2): its UIDVALIDITY and UIDNEXT."""
        with self._errors("opening the mailbox"):
            typ, _data = self.conn.select(self._quoted(wire), readonly=True)
            if typ != "OK":
                raise SourceError(f"IMAP {self.account.login}: {self._no_mailbox(wire)}")
            return self._response_number("UIDVALIDITY"), self._response_number("UIDNEXT")

    def uids(self, up_to: int) -> set[int]:
        """The UIDs from 1 to `up_to` still in the open mailbox (RFC 3501 section 6.4.4, UID SEARCH)."""
        if up_to < 1:
            return set()
        with self._errors("listing the messages"):
            typ, data = self.conn.uid("SEARCH", f"UID 1:{up_to}")
        if typ != "OK":
            raise SourceError(f"IMAP {self.account.login}: the server refused to list messages")
        found: set[int] = set()
        for line in data:
            if isinstance(line, bytes):
                found.update(int(n) for n in line.split() if n.isdigit())
        # "1:n" also matches the highest UID when it is below 1 (RFC 3501 section 6.4.8): never here,
        # but a UID past `up_to` is not one this search was about.
        return {uid for uid in found if uid <= up_to}

    def batches(self, after: int, uidnext: int | None) -> Iterator[list[Fetched]]:
        """The messages with a UID above `after`, whole, in UID order, a batch at a time."""
        for sizes in self._listing(after, uidnext):
            batch: list[int] = []
            total = 0
            for uid, size in sizes:
                if batch and (len(batch) >= BATCH_MESSAGES or total + size > BATCH_BYTES):
                    yield self._fetch(batch)
                    batch, total = [], 0
                batch.append(uid)
                total += size
            if batch:
                yield self._fetch(batch)

    def _listing(self, after: int, uidnext: int | None) -> Iterator[list[tuple[int, int]]]:
        """(UID, size) of the new messages, a window of UIDs at a time so no response grows huge."""
        if uidnext is None:
            windows = [f"{after + 1}:*"]
        else:
            windows = [
                f"{start}:{min(start + LIST_WINDOW - 1, uidnext - 1)}"
                for start in range(after + 1, uidnext, LIST_WINDOW)
            ]
        for window in windows:
            with self._errors("listing the new messages"):
                typ, data = self.conn.uid("FETCH", window, "(UID RFC822.SIZE)")
            if typ != "OK":
                raise SourceError(f"IMAP {self.account.login}: the server refused to list messages")
            # "n:*" always includes the highest UID, even one below n (RFC 3501 section 6.4.8).
            found = {f.uid: f.size or 0 for f in parse_fetch(data) if f.uid is not None and f.uid > after}
            yield sorted(found.items())

    def _fetch(self, uids: list[int]) -> list[Fetched]:
        wanted = set(uids)
        with self._errors("fetching messages"):
            typ, data = self.conn.uid("FETCH", f"{uids[0]}:{uids[-1]}", _FETCH_ITEMS)
        if typ != "OK" and all(d is None for d in data):
            raise SourceError(f"IMAP {self.account.login}: the server refused to send messages")
        got: dict[int, Fetched] = {}
        for fetched in parse_fetch(data):
            # Unsolicited FETCH responses (flag changes by another client) come without a body.
            uid = fetched.uid
            if uid is not None and uid in wanted and (uid not in got or got[uid].body is None):
                got[uid] = fetched
        if typ != "OK":
            # NO with data (RFC 3501 section 6.4.5: "fetch error"): some messages could not be sent.
            # Each one missing becomes a bad record rather than silently passing the cursor by.
            logger.warning(
                "IMAP FETCH answered %s for %d of %d messages", typ, len(wanted - got.keys()), len(uids)
            )
            return [got.get(uid, Fetched(uid)) for uid in uids]
        # A message expunged since the listing is simply gone; one sent without a body is reported.
        return [got[uid] for uid in uids if uid in got]

    def _response_number(self, code: str) -> int | None:
        _typ, values = self.conn.response(code)
        for value in reversed(values or []):
            text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
            if text.strip().isdigit():
                return int(text.strip())
        return None

    def _quoted(self, wire: str) -> str:
        try:
            return quote(wire)
        except ValueError:
            raise SourceError(
                f"IMAP {self.account.login}: a mailbox name holds characters IMAP cannot quote"
            ) from None

    def _no_mailbox(self, wire: str) -> str:
        return f"no mailbox {wire!r} on the server (or it cannot be opened)"

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn imaplib's, the socket's and TLS's exceptions into SourceErrors without the password."""
        where = f"IMAP {self.account.login} ({self.account.host}:{self.account.port})"
        try:
            yield
        except ssl.SSLCertVerificationError as err:
            raise SourceError(
                f"{where}: the server's TLS certificate is not trusted ({err.verify_message})"
            ) from err
        except imaplib.IMAP4.error as err:
            raise SourceError(f"{where}: {what} failed: {self._redact(err)}") from err
        except (OSError, EOFError) as err:
            reason = getattr(err, "strerror", None) or type(err).__name__
            raise SourceError(f"{where}: {what} failed: {reason}") from err
        except UnicodeError as err:
            raise SourceError(f"{where}: {what} failed: text the server cannot take") from err

    def _redact(self, err: Exception) -> str:
        parts = [a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a) for a in err.args]
        text = " ".join(parts)[:300]
        return text.replace(self._password, "***") if self._password else text
