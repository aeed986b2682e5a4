"""Money: a payee never paid before or slightly different from a known one, an amount far above the usual.

Amounts are compared with what the user usually pays that payee (their history), then with what their
past purchases of the same thing cost, and only without any history with the policy's fixed limit. An
amount the user typed is theirs; a payee the user typed is theirs, even if new.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from homebody.guard.case import Case, Finding, Level, shown, where
from homebody.guard.provenance import words
from homebody.guard.values import Kind, levenshtein, to_number
from homebody.tools.effects import Effect, Origin, Role


def _near(key: str, known: set[str], kind: Kind) -> str | None:
    if kind not in (Kind.IBAN, Kind.EMAIL, Kind.PHONE, Kind.URL) or len(key) < 6:
        return None
    for other in known:
        if other != key and abs(len(other) - len(key)) <= 2 and levenshtein(key, other, 3) <= 2:
            return other
    return None


def _typical(case: Case, payee_keys: list[str]) -> tuple[float, str] | None:
    history: list[float] = []
    for key in payee_keys:
        history.extend(case.known.payees.get(key, ()))
    if history:
        return statistics.median(history), "you usually pay this payee"
    for target in case.by_role(Role.TARGET):
        amount = case.index.amount_of(target.value.key)
        if amount:
            return amount, "the payment it changes was for"
    if not case.known.spending:
        return None
    text = words(case.request.instruction + " " + " ".join(str(v) for v in case.action.args.values()))
    for name, amounts in case.known.spending.items():
        if amounts and words(name) in text:
            return statistics.median(amounts), f"your past '{shown(name)}' purchases cost"
    return None


def check_money(case: Case) -> Iterator[Finding]:
    """The payee and amount: new, slightly different from a known payee, or far above the usual."""
    if Effect.MONEY not in case.effects:
        return
    payees = case.by_role(Role.PAYEE) or case.by_role(Role.RECIPIENT)
    known_payees = set(case.known.payees) | set(case.known.contacts)
    for t in payees:
        near = _near(t.value.key, known_payees, t.value.kind)
        if near and t.value.key not in known_payees and t.origin is Origin.USER:
            yield Finding(
                Level.NOTE,
                0.3,
                f"You typed '{shown(t.value.raw)}'; note it is close to '{shown(near)}', a payee you know.",
            )
        elif near and t.value.key not in known_payees:
            yield Finding(
                Level.BLOCK,
                0.95,
                f"The payee '{shown(t.value.raw)}' differs slightly from '{shown(near)}', a payee you know.",
            )
        elif (
            t.outside
            and t.listed
            and case.spec.reversible
            and case.scope.asks(Effect.MONEY, case.action.tool)
        ):
            yield Finding(
                Level.NOTE,
                0.3,
                f"It books '{shown(t.value.raw)}', chosen from {where(t)}; a booking can be cancelled.",
            )
        elif t.outside:
            yield Finding(
                Level.CONFIRM,
                0.75 if t.in_text or t.origin is Origin.MODEL else 0.6,
                f"The payee '{shown(t.value.raw)}' is not one you named or paid before; "
                f"it came from {where(t)}.",
            )
        elif t.origin is Origin.USER and t.value.key not in case.known.payees:
            yield Finding(
                Level.NOTE, 0.3, f"You have not paid '{shown(t.value.raw)}' before (you named them)."
            )
    for t in case.by_role(Role.AMOUNT):
        amount = to_number(t.value.raw)
        if amount is None:
            continue
        amount = abs(amount)
        if case.policy.block_amount is not None and amount > case.policy.block_amount:
            yield Finding(
                Level.BLOCK,
                0.95,
                f"{amount:,.2f} is above the most you allow ({case.policy.block_amount:,.2f}).",
            )
            continue
        if t.origin is Origin.USER:
            continue
        typical = _typical(case, [p.value.key for p in payees])
        if typical is not None and typical[0] > 0:
            if amount > case.policy.amount_ratio * typical[0]:
                ratio = amount / typical[0]
                yield Finding(
                    Level.CONFIRM,
                    min(0.99, 0.6 + 0.1 * ratio / case.policy.amount_ratio),
                    f"{amount:,.2f} is {ratio:,.0f} times what {typical[1]} ({typical[0]:,.2f}).",
                )
        elif amount > case.policy.confirm_amount:
            yield Finding(
                Level.CONFIRM,
                0.6,
                f"{amount:,.2f} is above {case.policy.confirm_amount:,.2f} and you did not give the amount.",
            )
