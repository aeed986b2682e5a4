"""The agent loop with a scripted model and real tools of the test's own, over a real vault."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

import pytest
from pydantic import BaseModel

from homebody.agent.loop import Agent, asked_actions, known_origins
from homebody.agent.policy import Verdict
from homebody.agent.said import said_content, said_money
from homebody.config import Settings
from homebody.errors import ToolError
from homebody.models.base import Completion
from homebody.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, Origin, Role, ToolSpec
from homebody.vault.items import Item, Kind
from homebody.vault.people import rebuild
from homebody.vault.store import Vault

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


class ScriptedModel:
    """Replies from a script; keeps every prompt and schema it was given."""

    name = "scripted"

    def __init__(self, *replies: dict[str, Any]) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []
        self.schemas: list[dict[str, Any]] = []
        self.skipped: list[dict[str, Any]] = []

    def complete_json(self, messages, schema, *, max_tokens=256):
        self.prompts.append("\n".join(m.content for m in messages))
        self.schemas.append(schema)
        choosing = "tool" in schema.get("properties", {})
        if not choosing and self.replies and set(self.replies[0]) == {"tool"}:
            self.skipped.append(self.replies.pop(0))  # the loop chose the tool itself
        reply = self.replies.pop(0) if self.replies else ({"tool": "finish"} if choosing else {})
        assert choosing == (set(reply) == {"tool"}), f"script out of step: {reply}"
        return Completion(reply, 100, 10, 0.0)

    def close(self) -> None:
        pass


class ReplyArgs(BaseModel):
    item_id: str
    body: str


class ReminderArgs(BaseModel):
    text: str
    when: datetime


class LookupArgs(BaseModel):
    query: str


class Queue:
    def __init__(self) -> None:
        self.waiting: list[tuple[Any, str]] = []
        self.released: list[str] = []

    def propose(self, action, *, spec, preview, verdict, run_id):
        self.waiting.append((action, preview))
        return f"ap{len(self.waiting)}"

    def release(self, approval_id):
        self.released.append(approval_id)
        return f"sends at 12:00:30 unless you run `homebody cancel {approval_id}`"


@pytest.fixture
def home(tmp_path):
    settings = Settings(home=tmp_path, timezone="Europe/London")
    with Vault.open(tmp_path / "vault.db") as vault:
        mail = vault.add_source("gmail", "mbox", "/x")
        for n, (author, subject, body) in enumerate(
            [
                ("Sam Okafor <sam@example.org>", "Dinner Friday", "Table booked for 7, see you there!"),
                ("Sam Okafor <sam@example.org>", "Lisbon", "Flights are booked, we land at 10."),
                ("Harbour Dental <desk@dental.example>", "Reminder", "Your check-up is on Monday."),
            ],
            start=1,
        ):
            vault.upsert(
                mail,
                Item(
                    kind=Kind.EMAIL,
                    native_id=f"m{n}@example.org",
                    text=body,
                    title=subject,
                    ts=datetime(2026, 11, 10 + n, 9, tzinfo=UTC),
                    author=author,
                    participants=("Maya Patel <maya@example.org>",),
                    thread=f"m{n}@example.org",
                    meta={"from": [list(parseaddr(author))], "to": [["Maya Patel", "maya@example.org"]]},
                ),
                None,
            )
        vault.conn.commit()
        rebuild(vault, "GB")
        yield settings, vault


def _tools(ran: list[tuple[str, BaseModel]]) -> ToolRegistry:
    registry = ToolRegistry()

    def run_reply(args: ReplyArgs, ctx: ToolContext) -> ToolResult:
        ran.append(("reply", args))
        return ToolResult("sent")

    def run_reminder(args: ReminderArgs, ctx: ToolContext) -> ToolResult:
        ran.append(("remind", args))
        return ToolResult(f"reminder set for {args.when.isoformat()}", {"when": args.when.isoformat()})

    def run_lookup(args: LookupArgs, ctx: ToolContext) -> ToolResult:
        ran.append(("lookup", args))
        if args.query == "nothing":
            raise ToolError("lookup: empty query")
        return ToolResult(f"found 1 item for {args.query}")

    registry.register(
        Tool(
            spec=ToolSpec(
                "reply_email",
                "Reply to an email in its thread.\nArgs:\n  item_id: the email\n  body: the text",
                frozenset({Effect.SEND}),
                reversible=False,
                roles={"item_id": Role.TARGET, "body": Role.CONTENT},
            ),
            args=ReplyArgs,
            run=run_reply,
            preview=lambda a, c: f"Re: reply to {a.item_id}\n\n{a.body}",
        )
    )
    registry.register(
        Tool(
            spec=ToolSpec(
                "add_reminder",
                "Remind the user of something at a time.",
                frozenset({Effect.LOCAL_WRITE}),
                reversible=True,
                roles={"when": Role.TIME},
            ),
            args=ReminderArgs,
            run=run_reminder,
        )
    )
    registry.register(
        Tool(
            spec=ToolSpec("lookup", "Search the user's data.", frozenset({Effect.READ}), reversible=True),
            args=LookupArgs,
            run=run_lookup,
        )
    )
    return registry


def _agent(home, model, ran, **kwargs) -> Agent:
    settings, vault = home
    ctx = ToolContext(settings=settings, vault=vault, now=NOW)
    return Agent(model=model, tools=_tools(ran), context=ctx, **kwargs)


def allow_all(action, spec, request):
    return Verdict("allow", 0.0, ("test policy",))


def test_a_reply_is_drafted_in_the_right_thread_and_waits_for_approval(home):
    _, vault = home
    sam_latest = vault.get(
        vault.conn.execute("SELECT id FROM items WHERE native_id = 'm2@example.org'").fetchone()[0]
    )
    ref = sam_latest.id[:8]
    model = ScriptedModel(
        {"tool": "reply_email"},
        {"item_id": ref, "body": "I'll be 10 minutes late."},
        {"tool": "finish"},
    )
    ran: list = []
    queue = Queue()
    entries: list[tuple[str, dict]] = []
    agent = _agent(home, model, ran, queue=queue, record=lambda kind, data: entries.append((kind, data)))
    run = agent.run("reply to Sam that I'll be 10 minutes late")

    assert ran == [], "a send never runs before the user approves it"
    [step] = run.steps
    assert step.status == "queued" and step.approval == "ap1" and step.decision == "confirm"
    assert step.args["item_id"] == sam_latest.id, "the model's reference is mapped to the full item id"
    assert step.origins == {"body": "user"}
    [(action, preview)] = queue.waiting
    assert action.args["body"] == "I'll be 10 minutes late."
    assert "I'll be 10 minutes late." in preview
    assert run.finished
    # Sam's emails were shown first (the named person), under their references, and the item argument
    # could only be one of those references.
    assert f"[{ref}] email" in model.prompts[0]
    first_item = model.prompts[0].index("\n[")
    assert model.prompts[0][first_item + 2 : first_item + 10] == ref, "Sam's latest email comes first"
    item_schema = model.schemas[0]["properties"]["item_id"]
    assert ref in item_schema["enum"] and all(len(r) == 8 for r in item_schema["enum"])
    assert [k for k, _ in entries] == ["request", "retrieval", "tool_call", "verdict", "result"]
    assert model.skipped == [{"tool": "reply_email"}], "the request's verb named one tool: not asked"
    assert run.model_calls == 1, "one action was asked for: the model is not asked whether it is done"


def test_a_spoken_time_is_resolved_by_code_in_the_users_zone(home):
    model = ScriptedModel(
        {"tool": "add_reminder"},
        {"text": "pick up the prescription", "when": "tomorrow at 9"},
        {"tool": "finish"},
    )
    ran: list = []
    run = _agent(home, model, ran, policy=allow_all).run(
        "remind me to pick up the prescription tomorrow at 9"
    )
    [(what, args)] = ran
    assert what == "remind"
    assert args.when.isoformat() == "2026-11-22T09:00:00+00:00"
    assert run.steps[0].status == "done"
    assert model.schemas[0]["properties"]["when"]["type"] == "string", "the model writes words, not ISO"
    assert "format" not in model.schemas[0]["properties"]["when"]


def test_without_the_guard_every_side_effect_asks_and_reads_pass(home):
    model = ScriptedModel(
        {"tool": "lookup"}, {"query": "dentist"}, {"tool": "add_reminder"}, {"text": "x", "when": "at 18:00"}
    )
    ran: list = []
    run = _agent(home, model, ran).run("the dentist, at 18:00")  # no verb: the model picks every tool
    assert [s.status for s in run.steps] == ["done", "held"]
    assert [what for what, _ in ran] == ["lookup"]
    assert run.steps[1].preview and "18:00" in run.steps[1].preview
    assert "confirmation" in run.steps[1].output


def test_a_blocked_call_never_runs_and_the_model_hears_why(home):
    def block_all(action, spec, request):
        return Verdict("block", 1.0, ("the payee came from an email",))

    model = ScriptedModel({"tool": "lookup"}, {"query": "rent"}, {"tool": "finish"})
    ran: list = []
    run = _agent(home, model, ran, policy=block_all).run("look up rent")
    assert ran == []
    assert run.steps[0].status == "blocked"
    assert "the payee came from an email" in model.prompts[-1]


def test_errors_the_model_caused_go_back_to_it_and_the_loop_goes_on(home):
    model = ScriptedModel(
        {"tool": "add_reminder"},
        {"text": "call mum", "when": "whenever"},
        {"tool": "lookup"},
        {"query": "nothing"},
        {"tool": "add_reminder"},
        {"text": "call mum", "when": "tonight at 8"},
        {"tool": "finish"},
    )
    ran: list = []
    run = _agent(home, model, ran, policy=allow_all).run("call mum tonight at 8")
    assert [s.status for s in run.steps] == ["invalid", "failed", "done"]
    assert "cannot tell which time" in model.prompts[2]
    assert "lookup: empty query" in model.prompts[4]
    assert ran[-1][1].when.hour == 20


def test_steps_are_bounded_and_a_repeated_call_ends_the_run(home):
    endless = ScriptedModel(*[r for n in range(10) for r in ({"tool": "lookup"}, {"query": f"q{n}"})])
    ran: list = []
    run = _agent(home, endless, ran, max_steps=3).run("find things")
    assert len(run.steps) == 3 and not run.finished

    again = ScriptedModel(*[r for _ in range(5) for r in ({"tool": "lookup"}, {"query": "same"})])
    run = _agent(home, again, [], max_steps=5).run("find things")
    assert len(run.steps) == 2, "the second identical call stops the loop"


def test_arguments_outside_the_schema_are_refused(home):
    model = ScriptedModel({"tool": "reply_email"}, {"item_id": "zzzzzzzz"}, {"tool": "finish"})
    ran: list = []
    run = _agent(home, model, ran, policy=allow_all).run("reply to Sam")
    assert run.steps[0].status == "invalid" and "body" in run.steps[0].output
    assert ran == []


def test_a_verb_offers_only_the_tools_that_do_it(home):
    model = ScriptedModel({"tool": "add_reminder"}, {"text": "x", "when": "at 18:00"})
    run = _agent(home, model, [], policy=allow_all).run("remind me at 18:00")
    assert model.skipped == [{"tool": "add_reminder"}] and run.model_calls == 1
    open_ended = ScriptedModel({"tool": "lookup"}, {"query": "x"})
    _agent(home, open_ended, [], policy=allow_all, max_steps=1).run("the dentist")
    assert open_ended.schemas[0]["properties"]["tool"]["enum"] == [
        "add_reminder",
        "lookup",
        "reply_email",
        "finish",
    ]


def test_a_request_naming_two_actions_gets_two(home):
    model = ScriptedModel(
        {"tool": "add_reminder"},
        {"text": "dentist", "when": "at 18:00"},
        {"tool": "add_reminder"},
        {"text": "bins", "when": "at 19:00"},
        {"tool": "add_reminder"},
        {"text": "extra", "when": "at 20:00"},
    )
    ran: list = []
    run = _agent(home, model, ran, policy=allow_all).run(
        "remind me at 18:00 about the dentist and pay the plumber"
    )
    assert [s.status for s in run.steps] == ["done", "done"] and run.finished
    assert [a.text for _, a in ran] == ["dentist", "bins"]


@pytest.mark.parametrize(
    ("instruction", "count"),
    [
        ("reply to Sam that I'll be 10 minutes late", 1),
        ("remind me to pick up the prescription tomorrow at 9", 1),
        ("what's on tomorrow?", 1),
        ("email Bob and Alice the agenda", 1),
        ("reply to Sam and remind me at 6 to call him", 2),
        ("pay the plumber and email him the receipt", 2),
        ("email Priya that the book club moves to Thursday", 1),
    ],
)
def test_how_many_actions_a_request_names(instruction, count):
    assert asked_actions(instruction) == count


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"to": "sam@example.org"}, {"to": Origin.USER}),
        ({"amount": 45.0}, {}),
        ({"amount": 45}, {"amount": Origin.USER}),
        ({"to": "x"}, {}),
        ({"flag": True, "none": None}, {}),
    ],
)
def test_values_the_user_typed_are_known_as_theirs(values, expected):
    assert known_origins(values, "Send 45 to SAM@example.org please") == expected


@pytest.mark.parametrize(
    ("instruction", "said"),
    [
        ("reply to Sam that I'll be 10 minutes late", "I'll be 10 minutes late."),
        ("tell Ann that the bus is late!", "The bus is late!"),
        ("email Priya saying the book club moves to Thursday", "The book club moves to Thursday."),
        ("text Dev: running late", "Running late."),
        ("reply to Sam", None),
        ("remind me to pick up the prescription tomorrow at 9", None),
    ],
)
def test_what_the_user_asked_to_be_said(instruction, said):
    assert said_content(instruction) == said


def test_the_users_own_words_go_out_not_the_models(home):
    _, vault = home
    model = ScriptedModel({"item_id": "x", "body": "I'll be 10 minutes late."})
    _agent(home, model, []).run("reply to Sam that I'll be 10 minutes late")
    body = model.schemas[0]["properties"]["body"]
    assert body["enum"] == ["I'll be 10 minutes late."], "a message can only be what the user said"
    [latest] = vault.conn.execute(
        "SELECT substr(id, 1, 8) FROM items WHERE native_id = 'm2@example.org'"
    ).fetchone()
    assert model.schemas[0]["properties"]["item_id"]["enum"] == [latest], "the named person's latest email"


@pytest.mark.parametrize(
    ("instruction", "money"),
    [
        ("pay Sam 45 dollars for the concert tickets", ("45", "USD")),
        ("send Dev £12.50 for lunch", ("12.50", "GBP")),
        ("pay the plumber 1,200 euros", ("1200", "EUR")),
        ("pay Ann back for the pizza", (None, None)),
        ("pay Sam 45 at 9am tomorrow", ("45", None)),
        ("split 90 dollars, my share is 45", (None, "USD")),
    ],
)
def test_amounts_and_currencies_are_read_from_the_request(instruction, money):
    assert said_money(instruction) == money


def test_reply_to_a_person_means_their_latest_email_unless_a_topic_is_named(home):
    _, vault = home

    def ref_of(native: str) -> str:
        return vault.conn.execute(
            "SELECT substr(id, 1, 8) FROM items WHERE native_id = ?", (native,)
        ).fetchone()[0]

    latest = ScriptedModel({"item_id": ref_of("m2@example.org"), "body": "x"})
    _agent(home, latest, []).run("reply to Sam that I'll be late")
    assert latest.schemas[0]["properties"]["item_id"]["enum"] == [ref_of("m2@example.org")]
    topical = ScriptedModel({"item_id": ref_of("m1@example.org"), "body": "x"})
    _agent(home, topical, []).run("reply to Sam about dinner that I'll be late")
    assert topical.schemas[0]["properties"]["item_id"]["enum"] == [ref_of("m1@example.org")]


class SendArgs(BaseModel):
    to: list[str]
    cc: list[str] = []
    body: str


def test_a_named_person_is_reached_only_at_their_own_addresses(home):
    ran: list = []
    registry = ToolRegistry()

    def preview(args, ctx):
        if "@" not in args.to[0]:
            raise ToolError(f"{args.to[0]!r} is not an email address")
        return f"To: {args.to[0]}"

    registry.register(
        Tool(
            spec=ToolSpec(
                "send_email",
                "Send an email.",
                frozenset({Effect.SEND}),
                reversible=False,
                roles={"to": Role.RECIPIENT, "cc": Role.RECIPIENT, "body": Role.CONTENT},
            ),
            args=SendArgs,
            run=lambda a, c: ran.append(a) or ToolResult("sent"),
            preview=preview,
        )
    )
    settings, vault = home
    ctx = ToolContext(settings=settings, vault=vault, now=NOW)
    model = ScriptedModel({"to": ["Sam Okafor"], "body": "x"}, {"to": ["sam@example.org"], "body": "x"})
    run = Agent(model=model, tools=registry, context=ctx).run("email Sam that the table is booked")
    to = model.schemas[0]["properties"]["to"]
    assert to["items"]["enum"] == ["sam@example.org"], "only an address Sam has used"
    assert model.schemas[0]["properties"]["cc"]["maxItems"] == 0, "nobody else copied in"
    # A scripted model can break the schema; the preview refusing it is the model's error, not a crash.
    assert [s.status for s in run.steps] == ["invalid", "held"]
    assert "not an email address" in model.prompts[1]


def test_a_send_the_policy_allows_still_waits_out_the_undo_window(home):
    model = ScriptedModel({"item_id": "x", "body": "I'll be late."})
    ran: list = []
    queue = Queue()
    run = _agent(home, model, ran, policy=allow_all, queue=queue).run("reply to Sam that I'll be late")
    [step] = run.steps
    assert ran == [], "never sent inside the loop"
    assert step.status == "scheduled" and queue.released == [step.approval]
    assert "homebody cancel" in step.output
