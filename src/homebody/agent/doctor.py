"""`homebody doctor`: is each configured model reachable, local, and able to make tool calls?

A model is trusted with actions only after it passed a fixed probe set: the same prompts and schemas
the agent loop uses, over probe tools that do nothing, checked by code (the right tool, arguments that
validate, the values the request gave). The result is kept per model in `<home>/doctor.json`, so the
probes run once per model, not once per request.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from homebody.agent.prompting import (
    args_prompt,
    args_schema,
    choice_schema,
    reply,
    system_prompt,
    task_prompt,
)
from homebody.agent.times import resolve_time
from homebody.config import Settings
from homebody.errors import ConfigError, HomebodyError, ToolError
from homebody.models.base import ChatModel
from homebody.models.egress import check_endpoint
from homebody.tools.base import Tool, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec

log = logging.getLogger(__name__)

PASS_MARK = 0.75  # share of probes a model must pass before it may propose actions
STAMPS = "doctor.json"
_PROBE_NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


class _Reminder(BaseModel):
    text: str
    when: datetime


class _Email(BaseModel):
    to: str
    subject: str
    body: str


class _Pay(BaseModel):
    payee: str
    amount: float
    memo: str = ""


def _noop(args: Any, ctx: Any) -> ToolResult:
    return ToolResult("done")


PROBE_TOOLS = [
    Tool(
        ToolSpec(
            "add_reminder",
            "Remind the user of something at a time.\nArgs:\n  text: what to remember\n  when: the time",
            frozenset({Effect.LOCAL_WRITE}),
            reversible=True,
            roles={"when": Role.TIME},
        ),
        _Reminder,
        _noop,
    ),
    Tool(
        ToolSpec(
            "send_email",
            "Send a new email.\nArgs:\n  to: the address\n  subject: the subject\n  body: the text",
            frozenset({Effect.SEND}),
            reversible=False,
            roles={"to": Role.RECIPIENT, "body": Role.CONTENT},
        ),
        _Email,
        _noop,
    ),
    Tool(
        ToolSpec(
            "pay",
            "Pay someone money.\nArgs:\n  payee: who is paid\n  amount: how much\n  memo: what for",
            frozenset({Effect.MONEY}),
            reversible=False,
            roles={"payee": Role.PAYEE, "amount": Role.AMOUNT},
        ),
        _Pay,
        _noop,
    ),
]


@dataclass(frozen=True)
class Probe:
    """One instruction, the tool it needs, and a check of the arguments the model gave."""

    instruction: str
    tool: str
    check: Callable[[dict[str, Any]], bool]


def _reminder_ok(args: dict[str, Any]) -> bool:
    try:
        when = resolve_time(str(args.get("when", "")), _PROBE_NOW, ZoneInfo("UTC"))
    except ToolError:
        return False
    return when.day == 15 and when.hour == 9 and "plumber" in str(args.get("text", "")).lower()


PROBES = [
    Probe("Remind me to call the plumber tomorrow at 9", "add_reminder", _reminder_ok),
    # No verb of any tool: the model must pick the tool itself.
    Probe("Don't let me forget the plumber tomorrow at 9", "add_reminder", _reminder_ok),
    Probe(
        "Email bob@example.com that the meeting moved to 3pm",
        "send_email",
        lambda a: a.get("to") == "bob@example.com" and "3" in str(a.get("body", "")),
    ),
    Probe(
        "Pay Alice 20 dollars for the pizza",
        "pay",
        lambda a: "alice" in str(a.get("payee", "")).lower() and float(a.get("amount") or 0) == 20.0,
    ),  # fmt: skip
]


@dataclass
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    required: bool = True  # a failed probe is reported, but only the pass mark decides trust


@dataclass
class ModelReport:
    """What the doctor found about one configured model."""

    role: str  # "chat" or "embedding"
    model: str
    checks: list[Check] = field(default_factory=list)
    probes_passed: int = 0
    probes_total: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every required check passed (for a chat model: trusted with actions)."""
        return all(c.ok for c in self.checks if c.required)

    def as_json(self) -> dict[str, Any]:
        """The report as `doctor --json` prints it."""
        data = asdict(self)
        data["ok"] = self.ok
        return data


def model_identity(settings: Settings) -> str:
    """A name for the configured chat model that changes when the model does."""
    config = settings.model
    if config.backend == "openai":
        return f"openai:{config.base_url}:{config.name}"
    if config.path is not None:
        path = config.path.expanduser()
        stat = path.stat() if path.exists() else None
        return f"embedded:{path}:{config.sha256 or (stat.st_size, stat.st_mtime_ns) if stat else 'missing'}"
    from homebody.models.files import DEFAULT_LLM_SHA256

    return f"embedded:default:{DEFAULT_LLM_SHA256[:16]}"


def run_probes(model: ChatModel, *, progress: Callable[[str], None] | None = None) -> tuple[int, list[Check]]:
    """How many probes the model passes, with a check per probe.

    Each probe goes the loop's way: the request's verb narrows the tools (`tools_for`), the model
    chooses only when more than one fits, then fills the arguments.
    """
    from homebody.agent.loop import tools_for

    zone = ZoneInfo("UTC")
    checks: list[Check] = []
    passed = 0
    for probe in PROBES:
        if progress:
            progress(probe.instruction)
        messages = [system_prompt(PROBE_TOOLS), task_prompt(probe.instruction, [], zone)]
        fitting = tools_for(probe.instruction, PROBE_TOOLS)
        if len(fitting) == 1:
            choice: object = fitting[0].name
        else:
            offered = [t.name for t in fitting or PROBE_TOOLS]
            choice = model.complete_json(messages, choice_schema(offered), max_tokens=64).data.get("tool")
        if choice != probe.tool:
            checks.append(
                Check(f"probe: {probe.instruction}", False, f"chose {choice!r}, not {probe.tool}", False)
            )
            continue
        tool = next(t for t in PROBE_TOOLS if t.name == probe.tool)
        messages += [reply({"tool": choice}), args_prompt(tool)]
        args = model.complete_json(messages, args_schema(tool, []), max_tokens=200).data
        ok = probe.check(args)
        detail = (
            "right tool and arguments"
            if ok
            else f"arguments did not carry the request: {json.dumps(args)[:120]}"
        )
        passed += ok
        checks.append(Check(f"probe: {probe.instruction}", ok, detail, required=False))
    return passed, checks


def check_chat(
    settings: Settings, load: Callable[[Settings], ChatModel], *, probes: bool = True, close: bool = True
) -> ModelReport:
    """Reachability, locality and (unless `probes` is false) tool-call probes of the chat model."""
    started = time.perf_counter()
    config = settings.model
    report = ModelReport("chat", model_identity(settings))
    if config.backend == "openai":
        try:
            check_endpoint(config.base_url or "", allow_remote=config.allow_remote, what="[model]")
            report.checks.append(Check("local", True, "on this machine or its network, or allowed"))
        except ConfigError as err:
            report.checks.append(Check("local", False, str(err)))
            return report
    else:
        report.checks.append(Check("local", True, "runs inside homebody"))
    try:
        model = load(settings)
    except HomebodyError as err:
        report.checks.append(Check("reachable", False, str(err)))
        return report
    try:
        report.checks.append(Check("reachable", True, f"loaded {model.name}"))
        if not probes:
            report.seconds = time.perf_counter() - started
            return report
        passed, results = run_probes(model)
    except HomebodyError as err:
        report.checks.append(Check("tool calls", False, str(err)))
        return report
    finally:
        if close:
            model.close()
    report.probes_passed, report.probes_total = passed, len(PROBES)
    report.checks += results
    share = passed / len(PROBES)
    report.checks.append(
        Check("trusted with actions", share >= PASS_MARK, f"{passed} of {len(PROBES)} probes passed")
    )
    report.seconds = time.perf_counter() - started
    return report


def check_embedder(settings: Settings) -> ModelReport:
    """Reachability and locality of the configured embedding model, and one embedding."""
    from homebody.models import load_embedder

    config = settings.embedding
    report = ModelReport("embedding", f"{config.backend}:{config.name or 'default'}")
    started = time.perf_counter()
    if config.backend == "openai":
        try:
            check_endpoint(config.base_url or "", allow_remote=config.allow_remote, what="[embedding]")
        except ConfigError as err:
            report.checks.append(Check("local", False, str(err)))
            return report
    report.checks.append(Check("local", True, "on this machine or its network, or allowed"))
    try:
        embedder = load_embedder(settings)
        vector = embedder.embed_query("when is the dentist?")
    except HomebodyError as err:
        report.checks.append(Check("reachable", False, str(err)))
        return report
    ok = len(vector) == embedder.dim and abs(float((vector**2).sum()) - 1.0) < 1e-3
    report.checks.append(Check("embeds", ok, f"{embedder.name}: {len(vector)} dimensions"))
    report.seconds = time.perf_counter() - started
    return report


def save_stamp(home: Path, report: ModelReport) -> None:
    """Remember whether this model passed, so the loop need not probe it again."""
    path = home / STAMPS
    stamps = _read(path)
    stamps[report.model] = {
        "trusted": report.ok,
        "passed": report.probes_passed,
        "total": report.probes_total,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stamps, indent=2), encoding="utf-8")
    tmp.replace(path)


def stamp(home: Path, identity: str) -> dict[str, Any] | None:
    """What the doctor last found about a model, if it ever checked it."""
    found = _read(home / STAMPS).get(identity)
    return found if isinstance(found, dict) else None


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
