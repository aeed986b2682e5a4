"""The approvals queue: proposed side effects wait here, with a preview, until a person decides.

Each approval is a small state machine; every move is one transaction that also appends to the ledger::

    pending ──approve──> approved ──(not_before passed) claim──> running ──> done | failed
       │                    └──cancel (before not_before: the undo window)──> cancelled
       ├──deny──> denied
       └──(expires_at passed)──> expired          denied, expired, cancelled: never run

`running` is written before the tool runs, in the same transaction that checks the approval is still
`approved`, so two outboxes (or one restarted after a crash) never run an action twice: an action
interrupted mid-run stays `running` and is shown, not retried (a payment or an email is at most once).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from homebody.errors import ApprovalError, NotFound
from homebody.tools.effects import Action, Effect, Origin
from homebody.vault.ledger import EntryKind, Ledger, canonical, time_text
from homebody.vault.tx import transaction

if TYPE_CHECKING:
    from homebody.vault.db import Connection
    from homebody.vault.store import Vault

log = logging.getLogger(__name__)

# No 0/o, 1/l/i: the id is read off a screen and typed back.
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ID_LENGTH = 6


class State(StrEnum):
    """Where an approval is in its life."""

    PENDING = "pending"  # waiting for a person
    APPROVED = "approved"  # will run at not_before (at once, or after the undo window of a send)
    DENIED = "denied"  # a person said no
    EXPIRED = "expired"  # nobody decided in time
    CANCELLED = "cancelled"  # approved, then taken back within the undo window
    RUNNING = "running"  # claimed by an outbox; the tool is running (or was, when it crashed)
    DONE = "done"  # the tool ran
    FAILED = "failed"  # the tool ran and failed, or could not be run


FINAL = frozenset({State.DENIED, State.EXPIRED, State.CANCELLED, State.DONE, State.FAILED})


@dataclass(frozen=True)
class Approval:
    """A proposed action waiting for (or past) a person's decision."""

    id: str
    tool: str
    args: dict[str, Any]
    origins: dict[str, str]
    preview: str
    verdict: dict[str, Any]
    effects: frozenset[Effect]
    run_id: str | None
    state: State
    proposed_seq: int
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None = None
    not_before: datetime | None = None
    reason: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def sends(self) -> bool:
        """Whether it reaches other people (a send or a post): such actions get an undo window."""
        return bool(self.effects & {Effect.SEND, Effect.PUBLISH})

    @property
    def action(self) -> Action:
        """The tool call it approves."""
        return Action(self.tool, self.args, {k: Origin(v) for k, v in self.origins.items()})

    @property
    def args_digest(self) -> str:
        """sha256 of the arguments' canonical JSON: what the ledger records of them."""
        return args_digest(self.args)


def args_digest(args: dict[str, Any]) -> str:
    """sha256 of arguments as stored (canonical JSON)."""
    return hashlib.sha256(canonical(args).encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class Approvals:
    """The vault's approvals queue."""

    def __init__(self, vault: Vault, ledger: Ledger | None = None) -> None:
        self.vault = vault
        self.ledger = ledger or Ledger(vault)

    # --- proposing and reading ------------------------------------------------------------------

    def propose(
        self,
        action: Action,
        *,
        preview: str,
        verdict: dict[str, Any],
        effects: Iterable[Effect],
        run_id: str | None = None,
        now: datetime,
        ttl: timedelta,
    ) -> Approval:
        """Queue an action for a person to judge by its preview; it expires after `ttl`."""
        args = _jsonable(action.args)
        origins = {k: str(v) for k, v in action.origins.items()}
        verdict = _jsonable(verdict)
        effect_names = sorted(str(Effect(e)) for e in effects)
        expires_at = now + ttl
        with transaction(self.vault) as conn:
            approval_id = self._new_id(conn)
            entry = self.ledger.append(
                EntryKind.APPROVAL,
                {
                    "approval": approval_id,
                    "event": "proposed",
                    "tool": action.tool,
                    "args_sha256": args_digest(args),
                    "preview": preview,
                    "verdict": verdict,
                    "effects": effect_names,
                    "expires_at": time_text(expires_at),
                },
                run_id=run_id,
                at=now,
            )
            conn.execute(
                """INSERT INTO approvals (id, tool, args, origins, preview, verdict, effects, run_id, state,
                   proposed_seq, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    approval_id,
                    action.tool,
                    canonical(args),
                    canonical(origins),
                    preview,
                    canonical(verdict),
                    canonical(effect_names),
                    run_id,
                    str(State.PENDING),
                    entry.seq,
                    time_text(now),
                    time_text(expires_at),
                ),
            )
        log.info("approval %s proposed for tool %s", approval_id, action.tool)
        return self.get(approval_id)

    def get(self, approval_id: str) -> Approval:
        """The approval with this id (case does not matter), or NotFound."""
        row = self.vault.conn.execute(
            "SELECT * FROM approvals WHERE id = ?", (approval_id.strip().lower(),)
        ).fetchone()
        if row is None:
            raise NotFound(f"no approval with id {approval_id!r} (see `homebody approvals --all`)")
        return _approval(row)

    def pending(self, now: datetime) -> list[Approval]:
        """Approvals waiting for a decision, oldest first (those past their expiry are expired first)."""
        self.expire(now)
        return self.find(states={State.PENDING}, newest=False)

    def find(
        self, *, states: Collection[State] | None = None, limit: int | None = None, newest: bool = True
    ) -> list[Approval]:
        """Approvals in any (or the given) states, newest first unless `newest` is false."""
        sql = "SELECT * FROM approvals"
        params: list[object] = []
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            params.extend(str(s) for s in states)
        sql += f" ORDER BY created_at {'DESC' if newest else 'ASC'}, rowid {'DESC' if newest else 'ASC'}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_approval(r) for r in self.vault.conn.execute(sql, params)]

    def due(self, now: datetime) -> list[Approval]:
        """Approved actions whose time has come (their undo window, if any, has closed), oldest first."""
        rows = self.vault.conn.execute(
            "SELECT * FROM approvals WHERE state = ? AND not_before <= ? ORDER BY not_before, rowid",
            (str(State.APPROVED), time_text(now)),
        )
        return [_approval(r) for r in rows]

    # --- a person's decisions ---------------------------------------------------------------------

    def approve(self, approval_id: str, now: datetime, undo_window: timedelta = timedelta(0)) -> Approval:
        """Approve a pending action; it becomes due after `undo_window` (zero: at once)."""
        self.expire(now)
        not_before = now + undo_window
        return self._move(
            approval_id,
            now,
            frm={State.PENDING},
            to=State.APPROVED,
            verb="approve",
            sets={"decided_at": time_text(now), "not_before": time_text(not_before)},
            entry={"event": "approved", "not_before": time_text(not_before)},
        )

    def deny(self, approval_id: str, now: datetime, reason: str | None = None) -> Approval:
        """Refuse a pending action; it never runs."""
        self.expire(now)
        return self._move(
            approval_id,
            now,
            frm={State.PENDING},
            to=State.DENIED,
            verb="deny",
            sets={"decided_at": time_text(now), "reason": reason},
            entry={"event": "denied", "reason": reason},
        )

    def cancel(self, approval_id: str, now: datetime) -> Approval:
        """Take back an approved action while its undo window is open."""
        return self._move(
            approval_id,
            now,
            frm={State.APPROVED},
            to=State.CANCELLED,
            verb="cancel",
            sets={"finished_at": time_text(now)},
            entry={"event": "cancelled"},
            before_not_before=True,
        )

    def expire(self, now: datetime) -> list[Approval]:
        """Mark every pending approval past its expiry as expired (never to run); return them."""
        expired: list[Approval] = []
        query = "SELECT * FROM approvals WHERE state = ? AND expires_at <= ?"
        params = (str(State.PENDING), time_text(now))
        if self.vault.conn.execute(query, params).fetchone() is None:
            return expired  # the usual case: no write transaction just to list
        with transaction(self.vault) as conn:
            rows = conn.execute(query, params).fetchall()
            for row in rows:
                old = _approval(row)
                expired.append(
                    self._set(conn, old, now, State.EXPIRED, {}, {"event": "expired"}, EntryKind.APPROVAL)
                )
        if expired:
            log.info("%d approval(s) expired", len(expired))
        return expired

    # --- the outbox's moves -------------------------------------------------------------------------

    def claim(self, approval_id: str, now: datetime) -> Approval | None:
        """Mark a due approval running, once: None if it is not (or no longer) due.

        The arguments must still be the ones the ledger recorded when it was proposed; if they are not
        (the approvals table was edited), the approval fails instead of running.
        """
        with transaction(self.vault) as conn:
            row = conn.execute(
                "SELECT * FROM approvals WHERE id = ? AND state = ? AND not_before <= ?",
                (approval_id, str(State.APPROVED), time_text(now)),
            ).fetchone()
            if row is None:
                return None
            approval = _approval(row)
            problem = self._tampered(approval)
            if problem is not None:
                log.warning("approval %s refused: %s", approval.id, problem)
                return self._set(
                    conn,
                    approval,
                    now,
                    State.FAILED,
                    {"finished_at": time_text(now), "error": problem},
                    {"error": problem},
                    EntryKind.ERROR,
                )
            return self._set(
                conn,
                approval,
                now,
                State.RUNNING,
                {"started_at": time_text(now)},
                {"args_sha256": approval.args_digest},
                EntryKind.TOOL_CALL,
            )

    def mark_done(self, approval_id: str, result: dict[str, Any], *, now: datetime) -> Approval:
        """Record that a running action succeeded, with what it returned."""
        result = _jsonable(result)
        return self._move(
            approval_id,
            now,
            frm={State.RUNNING},
            to=State.DONE,
            verb="finish",
            sets={"finished_at": time_text(now), "result": canonical(result)},
            entry={"result": result},
            kind=EntryKind.RESULT,
        )

    def mark_failed(self, approval_id: str, error: str, *, now: datetime) -> Approval:
        """Record that a running action failed, and why."""
        return self._move(
            approval_id,
            now,
            frm={State.RUNNING},
            to=State.FAILED,
            verb="fail",
            sets={"finished_at": time_text(now), "error": error},
            entry={"error": error},
            kind=EntryKind.ERROR,
        )

    # --- internals --------------------------------------------------------------------------------

    def _move(
        self,
        approval_id: str,
        now: datetime,
        *,
        frm: set[State],
        to: State,
        verb: str,
        sets: dict[str, Any],
        entry: dict[str, Any],
        kind: EntryKind = EntryKind.APPROVAL,
        before_not_before: bool = False,
    ) -> Approval:
        with transaction(self.vault) as conn:
            approval = self.get(approval_id)
            if approval.state not in frm:
                raise ApprovalError(f"cannot {verb} {approval.id}: {describe_state(approval)}")
            if approval.state is State.PENDING and approval.expires_at <= now:
                raise ApprovalError(f"cannot {verb} {approval.id}: {describe_state(approval)}")
            if before_not_before and approval.not_before is not None and approval.not_before <= now:
                raise ApprovalError(
                    f"too late to {verb} {approval.id}: its undo window closed at "
                    f"{approval.not_before.isoformat(timespec='seconds')}"
                )
            moved = self._set(conn, approval, now, to, sets, entry, kind)
        log.info("approval %s: %s -> %s", moved.id, approval.state, to)
        return moved

    def _set(
        self,
        conn: Connection,
        approval: Approval,
        now: datetime,
        to: State,
        sets: dict[str, Any],
        entry: dict[str, Any],
        kind: EntryKind,
    ) -> Approval:
        columns = {"state": str(to), **sets}
        assignments = ", ".join(f"{name} = ?" for name in columns)
        conn.execute(
            f"UPDATE approvals SET {assignments} WHERE id = ?",  # noqa: S608 - column names are ours
            (*columns.values(), approval.id),
        )
        data = {"approval": approval.id, "tool": approval.tool, **entry}
        self.ledger.append(kind, data, run_id=approval.run_id, at=now)
        row = conn.execute("SELECT * FROM approvals WHERE id = ?", (approval.id,)).fetchone()
        return _approval(row)

    def _tampered(self, approval: Approval) -> str | None:
        proposal = self.ledger.get(approval.proposed_seq)
        if proposal is None or proposal.data.get("approval") != approval.id:
            return "its proposal is missing from the ledger"
        recorded = proposal.data
        if recorded.get("tool") != approval.tool or recorded.get("args_sha256") != approval.args_digest:
            return "its tool or arguments differ from the ones proposed"
        if recorded.get("preview") != approval.preview:
            return "its preview differs from the one proposed"
        return None

    def _new_id(self, conn: Connection) -> str:
        while True:
            candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
            if conn.execute("SELECT 1 FROM approvals WHERE id = ?", (candidate,)).fetchone() is None:
                return candidate


def describe_state(approval: Approval) -> str:
    """Where an approval stands, in words a person can act on."""
    a = approval
    words = {
        State.PENDING: f"it is waiting for a decision (it expires at {_iso(a.expires_at)})",
        State.APPROVED: f"it is already approved (it runs at {_iso(a.not_before)})",
        State.DENIED: f"it was denied at {_iso(a.decided_at)}",
        State.EXPIRED: f"it expired unapproved at {_iso(a.expires_at)}; ask for it again",
        State.CANCELLED: f"it was cancelled at {_iso(a.finished_at)}",
        State.RUNNING: "it is running, or was interrupted while running (it is never run twice)",
        State.DONE: f"it already ran at {_iso(a.finished_at)}",
        State.FAILED: f"it failed at {_iso(a.finished_at)}: {a.error}",
    }
    return words[a.state]


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "?"


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _approval(row: Any) -> Approval:
    return Approval(
        id=row["id"],
        tool=row["tool"],
        args=json.loads(row["args"]),
        origins=json.loads(row["origins"]),
        preview=row["preview"],
        verdict=json.loads(row["verdict"]),
        effects=frozenset(Effect(e) for e in json.loads(row["effects"])),
        run_id=row["run_id"],
        state=State(row["state"]),
        proposed_seq=row["proposed_seq"],
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        decided_at=_time(row["decided_at"]),
        not_before=_time(row["not_before"]),
        reason=row["reason"],
        started_at=_time(row["started_at"]),
        finished_at=_time(row["finished_at"]),
        result=json.loads(row["result"]) if row["result"] else None,
        error=row["error"],
    )
