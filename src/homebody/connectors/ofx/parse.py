"""Parse an OFX / QFX file into transaction items. Pure: bytes in, items out.

FORMATS.md §5 "OFX / QFX": a file holds one statement per account (bank STMTRS, credit card
CCSTMTRS, investment INVSTMTRS), each a list of STMTTRN (and, for investments, trades). FITID is
the bank's id for a transaction and the dedupe key, scoped by the account. A bank that refuses
the request sends a sign-on or statement response with an error STATUS and no statement.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from homebody.connectors.base import Parsed
from homebody.connectors.ofx.fields import Unreadable, amount, last4, leaf, status_error, when
from homebody.connectors.ofx.invest import Draft, is_trade, read_trade, securities
from homebody.connectors.ofx.markup import decode_ofx, read_tree
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

_STATEMENTS = frozenset({"STMTRS", "CCSTMTRS", "INVSTMTRS"})
_RESPONSES = frozenset({"STMTTRNRS", "CCSTMTTRNRS", "INVSTMTTRNRS"})
# ACCTTYPE values (OFX spec §11.3.1) in words, for the text line.
_ACCOUNT_WORDS = {"creditcard": "credit card", "creditline": "credit line", "moneymrkt": "money market"}


@dataclass(frozen=True)
class Account:
    """The account a statement is for; `id` is the full ACCTID (only its end is ever shown)."""

    id: str | None
    type: str | None
    bank: str | None
    currency: str | None

    def meta(self) -> dict[str, str | None]:
        """The account as `meta["account"]`."""
        return {"id": self.id, "type": self.type, "bank": self.bank}

    def words(self) -> str | None:
        """The account for people to read, masked: "checking account ending 5666"."""
        if self.id is None:
            return None
        kind = _ACCOUNT_WORDS.get(self.type or "", self.type or "")
        return f"{kind} account ending {last4(self.id)}".lstrip()


@dataclass
class _File:
    name: str
    zone: ZoneInfo
    org: str | None  # the institution's name from the sign-on (FI/ORG)
    known: dict[str, dict[str, str | None]]  # securities by id
    repeats: Counter[str] = field(default_factory=Counter)


def _account(statement: ET.Element, org: str | None) -> Account:
    currency = leaf(statement, "CURDEF")
    if statement.tag == "CCSTMTRS":
        return Account(leaf(statement, "CCACCTFROM/ACCTID"), "creditcard", org, currency)
    if statement.tag == "INVSTMTRS":
        source = statement.find("INVACCTFROM")
        return Account(leaf(source, "ACCTID"), "investment", leaf(source, "BROKERID") or org, currency)
    source = statement.find("BANKACCTFROM")
    kind = leaf(source, "ACCTTYPE")
    bank = leaf(source, "BANKID") or org
    return Account(leaf(source, "ACCTID"), kind.lower() if kind else None, bank, currency)


def _read_stmttrn(trn: ET.Element, account: Account, zone: ZoneInfo) -> Draft:
    """A bank, credit-card or investment-cash STMTTRN (OFX spec §11.4.3) as a draft."""
    posted = when(leaf(trn, "DTPOSTED"), "DTPOSTED", zone)
    value = amount(leaf(trn, "TRNAMT"), "TRNAMT")
    kind = leaf(trn, "TRNTYPE")
    return Draft(
        fitid=leaf(trn, "FITID"),
        when=posted,
        amount=value,
        # CURRENCY means the amount is in that currency, not CURDEF (OFX spec §5.2).
        currency=leaf(trn, "CURRENCY/CURSYM") or account.currency,
        counterparty=leaf(trn, "NAME") or leaf(trn, "PAYEE/NAME") or leaf(trn, "EXTDNAME"),
        memo=leaf(trn, "MEMO"),
        type=kind.upper() if kind else None,
        extra={"check_number": leaf(trn, "CHECKNUM")},
    )


def _native_id(draft: Draft, account: Account, repeats: Counter[str]) -> str:
    """`<ACCTID>:<FITID>`; without a FITID, a hash of the record plus `#k` for identical repeats."""
    scope = account.id or ""
    if draft.fitid:
        return f"{scope}:{draft.fitid}"
    payload = "\x1f".join((draft.when.local, draft.amount or "", draft.counterparty or "", draft.memo or ""))
    native_id = f"{scope}:hash-{hashlib.sha256(payload.encode('utf-8')).hexdigest()[:24]}"
    repeats[native_id] += 1
    return native_id if repeats[native_id] == 1 else f"{native_id}#{repeats[native_id]}"


def _item(draft: Draft, account: Account, file: _File, origin: str) -> Item:
    # Nothing about the statement itself (its balance, its date range) goes into the item: the
    # same transaction in two overlapping downloads must be the same record (sync dedupes on it).
    meta: dict[str, Any] = {
        "amount": draft.amount,
        "currency": draft.currency,
        "counterparty": draft.counterparty,
        "memo": draft.memo,
        "type": draft.type,
        "account": account.meta(),
        "fitid": draft.fitid,
        "date": draft.when.local[:10],
        **draft.extra,
    }
    if draft.when.assumed:
        meta["tz_assumed"] = True
    money = f"{draft.amount} {draft.currency or ''}".rstrip() if draft.amount else None
    memo = draft.memo if draft.memo != draft.counterparty else None
    parts = (draft.counterparty, memo, money, draft.type, account.words())
    return Item(
        kind=Kind.TRANSACTION,
        native_id=_native_id(draft, account, file.repeats),
        text=" · ".join(part for part in parts if part),
        ts=draft.when.ts,
        tz=draft.when.tz,
        author=None,
        title=draft.counterparty or draft.memo,
        origin=origin,
        meta=meta,
    )


def _records(statement: ET.Element) -> list[ET.Element]:
    """The statement's transactions in file order: STMTTRNs, and trades for investments."""
    if statement.tag != "INVSTMTRS":
        return list(statement.iter("STMTTRN"))
    found = statement.find("INVTRANLIST")
    if found is None:
        return []
    return [r for r in found if r.tag == "INVBANKTRAN" or is_trade(r)]


def _draft(record: ET.Element, account: Account, file: _File) -> Draft:
    if record.tag == "STMTTRN":
        return _read_stmttrn(record, account, file.zone)
    if record.tag == "INVBANKTRAN":
        trn = record.find("STMTTRN")
        if trn is None:
            raise Unreadable("INVBANKTRAN without STMTTRN")
        return _read_stmttrn(trn, account, file.zone)
    return read_trade(record, file.zone, account.currency, file.known)


def _statement(statement: ET.Element, number: int, file: _File) -> Iterator[Parsed]:
    account = _account(statement, file.org)
    where = f"account {last4(account.id)}" if account.id else f"statement {number}"
    for n, record in enumerate(_records(statement), start=1):
        position = f"statement {number}, transaction {n}"
        try:
            draft = _draft(record, account, file)
            yield _item(draft, account, file, f"{file.name}, {where}, transaction {n}")
        except Unreadable as err:
            yield BadRecord(file.name, position, str(err))
        # One record's surprise must not cost the file's other transactions; only the
        # exception's type is reported, never its message (it may quote the record).
        except Exception as err:  # noqa: BLE001
            yield BadRecord(file.name, position, f"unreadable transaction ({type(err).__name__})")


def _refusals(root: ET.Element, file_name: str, has_statements: bool) -> Iterator[BadRecord]:
    """A BadRecord for each response where the bank returned an error instead of a statement."""
    sign_on = root.find("SIGNONMSGSRSV1/SONRS")
    if not has_statements and sign_on is not None and (why := status_error(sign_on)):
        yield BadRecord(file_name, "sign-on", f"the bank refused the sign-on ({why}), no statement")
        return
    responses = [e for e in root.iter() if e.tag in _RESPONSES]
    for n, response in enumerate(responses, start=1):
        if any(child.tag in _STATEMENTS for child in response):
            continue
        if why := status_error(response):
            yield BadRecord(
                file_name, f"statement response {n}", f"the bank returned an error ({why}), no statement"
            )


def parse_ofx(data: bytes, *, file_name: str, tz: ZoneInfo) -> Iterator[Parsed]:
    """Yield one Item per transaction of every statement in an OFX file, a BadRecord per unreadable one.

    `tz` is the user's zone: posting dates are midnight there, and times without a zone are read
    in it (FORMATS.md §5).
    """
    root = read_tree(decode_ofx(data))
    if root is None:
        yield BadRecord(file_name, "whole file", "no <OFX> element: not an OFX or QFX file")
        return
    statements = [e for e in root.iter() if e.tag in _STATEMENTS]
    yield from _refusals(root, file_name, bool(statements))
    file = _File(file_name, tz, leaf(root, "SIGNONMSGSRSV1/SONRS/FI/ORG"), securities(root))
    for number, statement in enumerate(statements, start=1):
        yield from _statement(statement, number, file)
