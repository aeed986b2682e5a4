"""The checks of one proposed action, each returning findings: how bad, how sure, and why in plain words.

Each check looks at one kind of harm (issue 5, item 1): whether the user asked for this at all, who
receives it and where their address came from, money (`money`), data leaving (`leaving`), audience and
tone, irreversibility and scope, fetched links, and undeclared tools.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from homebody.guard.case import CONTROLLING, EFFECT_NAMES, Case, Finding, Level, shown, where
from homebody.guard.leaving import check_data
from homebody.guard.money import check_money
from homebody.guard.provenance import Trace
from homebody.guard.values import Kind, classify, email_domain, flat, url_key
from homebody.tools.effects import Effect, Origin, Role


def check_request(case: Case) -> Iterator[Finding]:
    """Did the user ask for this kind of effect? An unasked effect chosen by outside data is refused."""
    controlling = case.by_role(*CONTROLLING)
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
    texts = (case.prov.request.words, case.prov.private_words)
    return all(any(f" {p} " in text for text in texts) for p in parts)


def pointed_to(case: Case, trace: Trace) -> bool:
    """Whether a value for a reversible call is in the very source the request says holds the details.

    "Invite our new colleague; you can find details in the message from Bob in Alice's inbox": the user
    chose that message, so the name in it is theirs by reference. Only a record the request itself picks
    out counts (not every result of a search, nor a page the message links to), and only for calls that
    can be undone.
    """
    return (
        case.scope.pointed
        and case.spec.reversible
        and trace.outside
        and case.prov.in_picked_record(trace.value)
    )


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
                    Level.NOTE,
                    0.25,
                    f"'{shown(t.value.raw)}' is inside your organisation; it came from {where(t)}.",
                )
            elif pointed_to(case, t):
                yield Finding(
                    Level.NOTE,
                    0.25,
                    f"'{shown(t.value.raw)}' is named in {t.tool}'s result, where your request said "
                    "the details are.",
                )
            elif t.origin is Origin.MODEL and built_from_data(case, t):
                yield Finding(
                    Level.NOTE,
                    0.3,
                    f"The address '{shown(t.value.raw)}' was put together from a name and a domain "
                    "in your data.",
                )
            elif t.origin is Origin.MODEL or (t.origin is Origin.UNTRUSTED and (t.public or not t.listed)):
                yield Finding(
                    Level.CONFIRM, 0.6, f"The recipient '{shown(t.value.raw)}' came from {where(t)}."
                )
            elif t.origin is Origin.UNTRUSTED:
                yield Finding(
                    Level.NOTE, 0.25, f"'{shown(t.value.raw)}' is a new recipient, found in {where(t)}."
                )
    if effects & {Effect.SEND, Effect.PUBLISH}:
        for t in case.by_role(Role.TARGET):
            if pointed_to(case, t):
                continue
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
                f"The text to '{shown(sensitive[0].value.raw)}' (someone you marked sensitive) "
                "is not in your words.",
            )


def scoped_deletion(case: Case, targets: list[Trace]) -> bool:
    """Whether a deletion removes records the request itself picks out by one of their fields.

    "Delete the e-mails from offers@shop.example" names what goes; each id deleted belongs to a listed
    record whose sender the user typed. Not when an id was also written in anyone's text (that is how
    an injected deletion names its target), nor made up; "the largest file" describes nothing the guard
    can check, so that deletion still asks. How many go at once is the bulk check's business.
    """
    if not any(t.outside for t in targets) or not case.scope.asks(Effect.DELETE, case.action.tool):
        return False
    ids = {
        v.key
        for s in case.index.segments
        if not s.free_text
        and (s.call, s.record) in case.prov.picked
        and s.key.casefold().strip("_").endswith("id")
        and (v := classify(s.text.strip().strip("'\""))) is not None
    }
    return all(
        t.origin is Origin.UNTRUSTED and t.listed and not t.in_text and not t.public and t.value.key in ids
        for t in targets
        if t.outside  # the ones the user typed are theirs already
    )


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
            if unnamed and scoped_deletion(case, targets):
                yield Finding(
                    Level.NOTE,
                    0.4,
                    f"It deletes '{shown(unnamed[0].value.raw)}', listed by {unnamed[0].tool} as what your "
                    "request describes; that cannot be undone.",
                )
            elif unnamed:
                yield Finding(
                    Level.CONFIRM,
                    0.5,
                    f"It deletes '{shown(unnamed[0].value.raw)}', which you did not name; "
                    "that cannot be undone.",
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
                Level.CONFIRM,
                0.4,
                f"It opens '{shown(address)}' from {where(t)}, not from what your request pointed to.",
            )
        elif t.in_text and case.prov.in_direct_source(t.value):
            yield Finding(
                Level.NOTE,
                0.2,
                f"It opens '{shown(address)}', a link in what {t.tool} returned for the source you named.",
            )
        elif t.in_text and not t.listed and not _BROWSING.search(case.request.instruction):
            yield Finding(
                Level.CONFIRM,
                0.4,
                f"It opens '{shown(address)}' from {where(t)}; you did not ask to open web pages.",
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
