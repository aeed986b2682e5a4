"""Investment statements (INVSTMTRS): trades and income, named from the file's security list.

OFX spec §13.9.2.2–13.9.2.4: each child of INVTRANLIST is either INVBANKTRAN (a cash STMTTRN, read like a
bank transaction) or an investment transaction (BUYSTOCK, SELLMF, INCOME, REINVEST, TRANSFER, ...)
whose INVTRAN holds FITID, DTTRADE and MEMO; TOTAL is the cash it moved (absent for TRANSFER and
SPLIT), and SECID points into SECLIST, where SECINFO (§13.8.5.1) gives the security's name and ticker.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from homebody.connectors.ofx.fields import When, amount, leaf, optional_amount, when

# The element that says which kind of buy, sell, income or transfer it was (OFX spec §13.9.2.4.4).
_ACTIONS = ("BUYTYPE", "SELLTYPE", "OPTBUYTYPE", "OPTSELLTYPE", "INCOMETYPE", "TFERACTION", "RELTYPE")


@dataclass(frozen=True)
class Draft:
    """One transaction's fields, read from a STMTTRN or an investment transaction."""

    fitid: str | None
    when: When
    amount: str | None
    currency: str | None
    counterparty: str | None
    memo: str | None
    type: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def securities(root: ET.Element) -> dict[str, dict[str, str | None]]:
    """The file's SECLIST: security id (CUSIP, ISIN, ...) to its id, name and ticker."""
    found: dict[str, dict[str, str | None]] = {}
    for info in root.iter("SECINFO"):
        unique_id = leaf(info, "SECID/UNIQUEID")
        if unique_id:
            found[unique_id] = {
                "id": unique_id,
                "name": leaf(info, "SECNAME"),
                "ticker": leaf(info, "TICKER"),
            }
    return found


def is_trade(record: ET.Element) -> bool:
    """True for an INVTRANLIST child that is an investment transaction (it holds an INVTRAN)."""
    return record.find(".//INVTRAN") is not None


def read_trade(
    record: ET.Element,
    zone: ZoneInfo,
    currency: str | None,
    known: dict[str, dict[str, str | None]],
) -> Draft:
    """A buy, sell, income, reinvestment or transfer as a draft transaction."""
    inv = record.find(".//INVTRAN")
    posted = when(leaf(inv, "DTTRADE"), "DTTRADE", zone)
    total = leaf(record, ".//TOTAL")
    unique_id = leaf(record, ".//SECID/UNIQUEID")
    security = known.get(unique_id or "", {"id": unique_id, "name": None, "ticker": None})
    action = next((value for tag in _ACTIONS if (value := leaf(record, tag))), None)
    return Draft(
        fitid=leaf(inv, "FITID"),
        when=posted,
        amount=amount(total, "TOTAL") if total is not None else None,
        currency=leaf(record, ".//CURRENCY/CURSYM") or currency,
        counterparty=security["name"] or security["ticker"] or unique_id,
        memo=leaf(inv, "MEMO"),
        type=record.tag,
        extra={
            "action": action.upper() if action else None,
            "security": dict(security) if unique_id else None,
            "units": optional_amount(leaf(record, ".//UNITS")),
            "unit_price": optional_amount(leaf(record, ".//UNITPRICE")),
        },
    )
