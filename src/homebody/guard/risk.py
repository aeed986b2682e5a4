"""The checks of one proposed action, each returning findings: how bad, how sure, and why in plain words.

Each check looks at one kind of harm (issue 5, item 1): money, audience, data leaving, irreversibility
and scope, tone, and whether the user asked for this at all. A finding is a NOTE (worth saying, not
worth asking), a CONFIRM (the user must say yes) or a BLOCK (refused: the action was not the user's
choice and would do lasting harm).
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

from homebody.guard.context import ContextIndex
from homebody.guard.known import Known
from homebody.guard.policy import Policy
from homebody.guard.provenance import Provenance, Trace, words
from homebody.guard.scope import Scope
from homebody.guard.sensitive import Secret, asked_for, labelled, leaked
from homebody.guard.values import (
    EMAIL_RE,
    URL_RE,
    Kind,
    email_domain,
    flat,
    levenshtein,
    scalars,
    to_number,
    url_key,
)
from homebody.tools.effects import Action, Effect, Origin, Request, Role, ToolSpec


class Level(IntEnum):
    """How strongly a finding speaks against the action."""

    NOTE = 0
    CONFIRM = 1
    BLOCK = 2


@dataclass(frozen=True)
class Finding:
    """One reason about one action: its level, a risk in 0..1, and a sentence a person understands."""

    level: Level
    risk: float
    reason: str


EFFECT_NAMES = {
    Effect.MONEY: "a payment",
    Effect.SEND: "sending something to other people",
    Effect.DELETE: "deleting something",
    Effect.CREDENTIALS: "changing your account's password or details",
    Effect.PUBLISH: "publishing something",
}
_CONTROLLING = (
    Role.RECIPIENT,
    Role.PAYEE,
    Role.URL,
    Role.SECRET,
    Role.ACCOUNT,
    Role.TARGET,
    Role.AMOUNT,
    Role.ATTACHMENT,
)
_SHOWN = 48


def shown(text: str) -> str:
    """A value as a reason quotes it: short, on one line."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= _SHOWN else one_line[: _SHOWN - 1] + "…"


def where(trace: Trace) -> str:
    """Where a value came from, in words."""
    if trace.origin is Origin.USER:
        return "your request"
    if trace.origin is Origin.TRUSTED:
        return "your own trusted data"
    if trace.origin is Origin.MODEL:
        return "nowhere: neither you nor anything the agent read gave it"
    if trace.in_text and not trace.listed:
        return f"text someone else wrote (returned by {trace.tool})"
    if trace.in_text:
        return f"a record listed by {trace.tool}, and text someone else wrote mentions it"
    return f"a record listed by {trace.tool}, not from you"


@dataclass
class Case:
    """One action under assessment, with everything the checks share."""

    action: Action
    request: Request
    spec: ToolSpec
    policy: Policy
    known: Known
    scope: Scope
    index: ContextIndex
    prov: Provenance
    traces: dict[str, list[Trace]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.action.args:
            if self.spec.roles.get(name) is not None:
                self.traces[name] = self.prov.of_arg(self.action, name)

    def by_role(self, *roles: Role) -> list[Trace]:
        """The traces of every value under arguments with these roles."""
        return [t for name, ts in self.traces.items() if self.spec.roles.get(name) in roles for t in ts]

    def text_of(self, *roles: Role) -> str:
        """The text of every argument with these roles, joined."""
        parts = [
            str(v)
            for name, value in self.action.args.items()
            if self.spec.roles.get(name) in roles
            for v in scalars(value)
        ]
        return "\n".join(parts)

    @cached_property
    def effects(self) -> frozenset[Effect]:
        """The effects this call actually has (a send with no recipient reaches nobody)."""
        effects = set(self.spec.effects)
        declared_recipients = any(r is Role.RECIPIENT for r in self.spec.roles.values())
        if Effect.SEND in effects and declared_recipients and not self.by_role(Role.RECIPIENT):
            effects.discard(Effect.SEND)
        return frozenset(effects)

    def leaked(self, text: str) -> list[Secret]:
        """The personal values of the user's data that the user did not type, in an outgoing text."""
        return leaked(text, self.index, self.request.instruction)

    @cached_property
    def destinations(self) -> list[Trace]:
        """Who or where the action's content goes to."""
        return self.by_role(Role.RECIPIENT, Role.PAYEE, Role.URL)

    @cached_property
    def destination_outside(self) -> Trace | None:
        """A destination the user neither typed nor trusts, if any."""
        return next((t for t in self.destinations if t.outside), None)


def check_request(case: Case) -> Iterator[Finding]:
    """Did the user ask for this kind of effect? An unasked effect chosen by outside data is refused."""
    controlling = case.by_role(*_CONTROLLING)
    # A value someone wrote in prose, or that nobody gave, is what an injected instruction supplies.
    chosen = next((t for t in controlling if t.origin is Origin.MODEL or (t.outside and t.in_text)), None)
    outside = chosen or next((t for t in controlling if t.outside), None)
    for effect in sorted(case.effects - {Effect.READ, Effect.LOCAL_WRITE}):
        if case.scope.asks(effect, case.action.tool):
            continue
        name = EFFECT_NAMES[effect]
        lasting = effect is not Effect.SEND and (
            not case.spec.reversible or effect in (Effect.CREDENTIALS, Effect.PUBLISH)
        )
        from_source = chosen is not None and all(
            t.named_source for t in controlling if t.origin is Origin.MODEL or (t.outside and t.in_text)
        )
        if case.scope.delegated and (chosen is None or (from_source and not lasting)):
            yield Finding(Level.NOTE, 0.3, f"The data your request points to asks for {name}.")
        elif case.scope.delegated:
            yield Finding(
                Level.CONFIRM,
                0.6,
                f"Your request hands the task to data the agent read; that data, not you, asks for {name}.",
            )
        elif outside is not None and not (lasting and chosen is not None):
            yield Finding(
                Level.CONFIRM,
                0.7,
                f"You did not ask for {name}; '{shown(outside.value.raw)}' came from {where(outside)}.",
            )
        elif outside is not None:
            yield Finding(
                Level.BLOCK,
                0.95,
                f"You did not ask for {name}, and '{shown(outside.value.raw)}' came from {where(outside)}.",
            )
        else:
            yield Finding(Level.CONFIRM, 0.6, f"You did not ask for {name}.")


# A place read from ("posted in 'general'"); "from Bob" and "my wife at jane@..." name people.
_SOURCE_WORDS = frozenset({"in", "on", "inside", "within"})
_DEST_WORDS = frozenset(
    {"to", "with", "for", "cc", "and", "message", "email", "dm", "invite", "tell", "ask", "notify"}
)


def source_only(instruction: str, value: str) -> bool:
    """Whether every mention of `value` in the request is as a source ("posted in 'general'")."""
    text = flat(instruction)
    key = flat(value)
    roles = set()
    for match in re.finditer(re.escape(key), text):
        before = re.findall(r"[\w']+", text[max(0, match.start() - 24) : match.start()])
        previous = [
            w for w in (b.strip("'") for b in before) if w and w not in {"the", "a", "an", "channel", "user"}
        ]
        if previous:
            roles.add("source" if previous[-1] in _SOURCE_WORDS else "other")
    return roles == {"source"}


def built_from_data(case: Case, trace: Trace) -> bool:
    """Whether an address nobody gave is a name found in the user's data at a domain listed there.

    "e-mail each person in the minutes" gives names; the agent writes firstname.lastname@ at the domain
    the user's own records use. The name must be in the user's private data or request, the domain in a
    listed address of the user's data.
    """
    if trace.value.kind is not Kind.EMAIL:
        return False
    local, _, domain = trace.value.key.partition("@")
    parts = [p for p in re.split(r"[._+-]", local) if p]
    if not parts or any(p.isdigit() for p in parts):
        return False
    private = [s for s in case.index.segments if not s.public]
    if not any(not s.free_text and "@" + domain in s.flat for s in private):
        return False
    text = words(case.request.instruction + "\n" + "\n".join(s.text for s in private))
    return all(f" {p} " in text for p in parts)


def inside(case: Case, trace: Trace) -> bool:
    """Whether an e-mail recipient is at the user's own organisation's domain."""
    return trace.value.kind is Kind.EMAIL and email_domain(trace.value.key) in case.known.own_domains


def check_values(case: Case) -> Iterator[Finding]:
    """Who receives, where it goes, what secret is set: from the user, or from outside data?"""
    effects = case.effects
    if effects <= {Effect.READ, Effect.LOCAL_WRITE}:
        return
    if effects & {Effect.SEND, Effect.PUBLISH}:
        recipients = case.by_role(Role.RECIPIENT)
        # One person in several arguments (a name and an address): the user naming them covers the lookup.
        person = len(case.traces) > 1 and len(recipients) == sum(
            1 for n, ts in case.traces.items() if case.spec.roles.get(n) is Role.RECIPIENT and len(ts) == 1
        )
        named = person and any(t.origin in (Origin.USER, Origin.TRUSTED) for t in recipients)
        for t in recipients:
            if named and t.outside:
                yield Finding(
                    Level.NOTE,
                    0.2,
                    f"The address '{shown(t.value.raw)}' of someone you named came from {where(t)}.",
                )
            elif t.origin is Origin.USER and source_only(case.request.instruction, t.value.raw):
                yield Finding(
                    Level.CONFIRM,
                    0.5,
                    f"Your request names '{shown(t.value.raw)}' as a place to read from, not as a recipient.",
                )
            elif (t.origin is Origin.MODEL or not t.listed) and inside(case, t):
                yield Finding(
                    Level.NOTE, 0.25, f"'{shown(t.value.raw)}' is inside your organisation; it came from {where(t)}."
                )
            elif t.origin is Origin.MODEL and built_from_data(case, t):
                yield Finding(
                    Level.NOTE,
                    0.3,
                    f"The address '{shown(t.value.raw)}' was put together from a name and a domain in your data.",
                )
            elif t.origin is Origin.MODEL:
                yield Finding(
                    Level.CONFIRM, 0.6, f"The recipient '{shown(t.value.raw)}' came from {where(t)}."
                )
            elif t.origin is Origin.UNTRUSTED and (t.public or not t.listed):
                yield Finding(
                    Level.CONFIRM, 0.6, f"The recipient '{shown(t.value.raw)}' came from {where(t)}."
                )
            elif t.origin is Origin.UNTRUSTED:
                yield Finding(
                    Level.NOTE, 0.25, f"'{shown(t.value.raw)}' is a new recipient, found in {where(t)}."
                )
    if effects & {Effect.SEND, Effect.PUBLISH}:
        for t in case.by_role(Role.TARGET):
            if t.origin is Origin.MODEL or (t.outside and t.in_text and not t.listed):
                yield Finding(
                    Level.CONFIRM, 0.5, f"Where it goes ('{shown(t.value.raw)}') came from {where(t)}."
                )
    for t in case.by_role(Role.URL):
        if t.outside and effects & {Effect.SEND, Effect.PUBLISH}:
            yield Finding(Level.CONFIRM, 0.6, f"The address '{shown(t.value.raw)}' came from {where(t)}.")
    for t in case.by_role(Role.SECRET):
        if t.outside:
            yield Finding(Level.CONFIRM, 0.7, f"The new password or code came from {where(t)}.")
    account = [t for t in case.by_role(Role.ACCOUNT) if t.outside]
    if account and all(t.named_source for t in account):
        yield Finding(Level.NOTE, 0.3, "The new account details came from the file or page you pointed to.")
    elif account:
        yield Finding(Level.CONFIRM, 0.5, f"The new account details came from {where(account[0])}.")


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
        elif t.outside and t.listed and case.spec.reversible and case.scope.asks(Effect.MONEY, case.action.tool):
            yield Finding(
                Level.NOTE, 0.3, f"It books '{shown(t.value.raw)}', chosen from {where(t)}; a booking can be cancelled."
            )
        elif t.outside:
            yield Finding(
                Level.CONFIRM,
                0.75 if t.in_text or t.origin is Origin.MODEL else 0.6,
                f"The payee '{shown(t.value.raw)}' is not one you named or paid before; it came from {where(t)}.",
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


def check_audience(case: Case) -> Iterator[Finding]:
    """How many people, whether outside the user's organisation, public, or a sensitive recipient."""
    effects = case.effects
    if not effects & {Effect.SEND, Effect.PUBLISH}:
        return
    recipients = case.by_role(Role.RECIPIENT)
    if len(recipients) > case.policy.max_recipients:
        yield Finding(Level.CONFIRM, 0.5, f"It goes to {len(recipients)} recipients at once.")
    domains = case.known.own_domains
    outsiders = [
        t
        for t in recipients
        if t.value.kind is Kind.EMAIL and t.outside and domains and email_domain(t.value.key) not in domains
    ]
    if outsiders:
        yield Finding(Level.NOTE, 0.2, f"'{shown(outsiders[0].value.raw)}' is outside your organisation.")
    if Effect.PUBLISH in effects:
        yield Finding(Level.NOTE, 0.4, "It publishes to the web, where anyone can read it.")
    sensitive = [t for t in recipients if t.value.key in case.known.sensitive]
    if sensitive:
        content = [t for t in case.by_role(Role.CONTENT) if t.origin is not Origin.USER]
        if content:
            yield Finding(
                Level.CONFIRM,
                0.6,
                f"The text to '{shown(sensitive[0].value.raw)}' (someone you marked sensitive) is not in your words.",
            )


_PASSAGES = 3
_MIN_PASSAGE = 30  # characters: a sentence, not a name or a date
# Requests to pass text on as it is, rather than to write something new from it.
_COPY_ASKED = re.compile(
    r"\b(?:forward|copy|copies|paste|concatenat|verbatim|word for word|as it is|as is|without altering|unaltered|"
    r"full (?:text|body|content)|entire|whole|all (?:the )?(?:messages|e-?mails|contents?|text)|contents? of|"
    r"body of)",
    re.IGNORECASE,
)


def _passages(case: Case, outgoing: str, *, private: bool, unnamed_prose: bool = False) -> int:
    text = flat(outgoing)
    if len(text) < _MIN_PASSAGE:
        return 0
    seen: set[str] = set()
    for segment in case.index.segments:
        if private and segment.public:
            continue  # a public web page is nobody's private data
        if unnamed_prose and (not segment.free_text or segment.call in case.prov.named_calls):
            continue
        for line in re.split(r"(?<=[.!?])\s+|\n", segment.text):
            passage = flat(line)
            if len(passage) >= _MIN_PASSAGE and passage not in seen and passage in text:
                seen.add(passage)
    return len(seen)


def check_data(case: Case) -> Iterator[Finding]:
    """Personal data, codes, many passages or files leaving for a destination the user did not give."""
    effects = case.effects
    if not effects & {Effect.SEND, Effect.PUBLISH, Effect.MONEY}:
        return
    outgoing = case.text_of(Role.CONTENT, Role.SUBJECT)
    outside = case.destination_outside
    dest = f"'{shown(outside.value.raw)}', which came from {where(outside)}" if outside else "its recipients"
    labels = sorted({s.label for s in case.leaked(outgoing)} | {s.label for s in labelled(outgoing, case.request.instruction)})
    named = any(t.origin is Origin.USER for t in case.destinations)
    for label in labels:
        asked = asked_for(label, case.request.instruction)
        if outside is not None and asked and named:
            yield Finding(Level.CONFIRM, 0.7, f"It sends {label} as you asked, but also to {dest}.")
        elif outside is not None:
            yield Finding(Level.BLOCK, 0.95, f"It sends {label} from your data to {dest}.")
        elif asked:
            yield Finding(Level.NOTE, 0.3, f"It sends {label}, as you asked.")
        else:
            yield Finding(
                Level.CONFIRM, 0.7, f"It sends {label} from your data, which you did not ask to share."
            )
    if outgoing and case.scope.delegated and _passages(case, outgoing, private=False, unnamed_prose=True):
        yield Finding(
            Level.CONFIRM,
            0.6,
            "It passes on text, word for word, from data other than what your request pointed to.",
        )
    private = _passages(case, outgoing, private=True) if outgoing else 0
    passages = _passages(case, outgoing, private=False) if outgoing else 0
    if private >= _PASSAGES and outside is not None:
        yield Finding(Level.BLOCK, 0.9, f"It copies {private} passages of your data to {dest}.")
    elif passages >= _PASSAGES:
        if _COPY_ASKED.search(case.request.instruction):
            yield Finding(
                Level.NOTE, 0.3, f"It copies {passages} passages of what the agent read, as you asked."
            )
        else:
            yield Finding(
                Level.CONFIRM,
                0.6,
                f"It passes on {passages} passages of text the agent read word for word; you did not ask to copy it.",
            )
    for match in itertools.chain(URL_RE.finditer(outgoing), EMAIL_RE.finditer(outgoing)):
        link = case.prov.of_value(match.group())
        if link is not None and link.origin is Origin.UNTRUSTED and link.public:
            yield Finding(
                Level.CONFIRM,
                0.5,
                f"It passes on '{shown(match.group())}', found on a web page, not given by you.",
            )
            break
    files = case.by_role(Role.ATTACHMENT)
    if files and outside is not None:
        yield Finding(Level.CONFIRM, 0.7, f"It shares {len(files)} of your files with {dest}.")
    elif len(files) > case.policy.bulk_items:
        yield Finding(Level.CONFIRM, 0.6, f"It shares {len(files)} files at once.")


def check_irreversible(case: Case) -> Iterator[Finding]:
    """Deletes, credential changes and sends that cannot be undone, and many items at once."""
    effects = case.effects
    if Effect.DELETE in effects:
        targets = case.by_role(Role.TARGET)
        named = [t for t in targets if t.origin is Origin.UNTRUSTED and t.in_text]
        if named:
            yield Finding(
                Level.CONFIRM,
                0.7,
                f"What it deletes ('{shown(named[0].value.raw)}') is named in {where(named[0])}.",
            )
        earlier = sum(1 for tool, _, _ in case.index.written if tool == case.action.tool)
        if len(targets) > case.policy.bulk_items:
            yield Finding(Level.CONFIRM, 0.7, f"It deletes {len(targets)} items at once.")
        elif earlier + 1 > case.policy.bulk_items:
            yield Finding(Level.CONFIRM, 0.7, f"It would be deletion number {earlier + 1} in this task.")
        if not case.spec.reversible:
            unnamed = [t for t in targets if t.outside]
            if unnamed:
                yield Finding(
                    Level.CONFIRM,
                    0.5,
                    f"It deletes '{shown(unnamed[0].value.raw)}', which you did not name, and that cannot be undone.",
                )
            else:
                yield Finding(Level.NOTE, 0.4, "A deletion cannot be undone.")
    if Effect.CREDENTIALS in effects:
        yield Finding(Level.NOTE, 0.5, "It changes your account's password or details.")
    if Effect.SEND in effects and not case.spec.reversible:
        yield Finding(Level.NOTE, 0.1, "A message cannot be unsent.")


_BROWSING = re.compile(
    r"\b(?:web|site|page|url|link|article|blog|online|internet|visit|brows|open|www|https?:)", re.IGNORECASE
)


def check_reads(case: Case) -> Iterator[Finding]:
    """A fetched link that carries the user's data out in its address."""
    if not case.spec.read_only:
        return
    for t in case.by_role(Role.URL):
        if not t.outside:
            continue
        address = url_key(t.value.raw)
        carried = case.leaked(re.sub(r"[/?&=#+]", " ", address))
        if carried:
            yield Finding(
                Level.BLOCK, 0.9, f"The link '{shown(address)}' carries {carried[0].label} from your data."
            )
        elif t.public:
            yield Finding(
                Level.CONFIRM,
                0.4,
                f"It opens '{shown(address)}', a link found on a web page, not in your own data.",
            )
        elif t.in_text and not t.named_source and case.scope.delegated:
            yield Finding(
                Level.CONFIRM, 0.4, f"It opens '{shown(address)}' from {where(t)}, not from what your request pointed to."
            )
        elif t.in_text and not t.listed and not _BROWSING.search(case.request.instruction):
            yield Finding(
                Level.CONFIRM, 0.4, f"It opens '{shown(address)}' from {where(t)}; you did not ask to open web pages."
            )
        else:
            yield Finding(Level.NOTE, 0.15, f"It opens '{shown(address)}', which came from {where(t)}.")


def check_declared(case: Case) -> Iterator[Finding]:
    """An undeclared tool is judged by its name and arguments, and the verdict says so."""
    if case.spec.declared:
        return
    if not case.spec.effects:
        yield Finding(
            Level.CONFIRM, 0.5, f"'{case.action.tool}' is not a known tool, and its effects are unclear."
        )
    else:
        kinds = ", ".join(sorted(e.value for e in case.spec.effects))
        yield Finding(
            Level.NOTE, 0.2, f"'{case.action.tool}' is not a declared tool; judged from its name as {kinds}."
        )


CHECKS: tuple[Callable[[Case], Iterator[Finding]], ...] = (
    check_request,
    check_values,
    check_money,
    check_audience,
    check_data,
    check_irreversible,
    check_reads,
    check_declared,
)
