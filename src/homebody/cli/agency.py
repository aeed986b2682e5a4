"""Commands that act or judge actions: do, doctor, approvals, the outbox, the audit ledger, the guard."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from homebody.agent import outbox
from homebody.agent.sources import excerpt, local_time
from homebody.app import App
from homebody.cli.base import cli, emit_json, err, out
from homebody.errors import HomebodyError, ToolError
from homebody.vault.approvals import Approval, Approvals, State
from homebody.vault.ledger import Ledger
from homebody.views import (
    approval_view,
    entry_summary,
    entry_view,
)


@cli.command("do")
@click.argument("instruction")
@click.option("--json", "as_json", is_flag=True, help="Print the proposed actions, verdicts and approvals.")
@click.option("--unattended", is_flag=True, help="Run as a background job would: nothing waits on you.")
@click.pass_obj
def do_cmd(app: App, instruction: str, as_json: bool, unattended: bool) -> None:
    """Carry out INSTRUCTION: reads run, side effects wait for your approval."""
    from homebody.agent.act import build_agent, ensure_trusted

    ensure_trusted(app, checking=lambda: err.print("checking once that the model can make tool calls…"))
    run = build_agent(app).run(instruction, unattended=unattended)
    if as_json:
        emit_json(run.as_json())
        return
    if not run.steps:
        out.print("Nothing to do: no tool fits that request.")
    for step in run.steps:
        mark = {
            "done": "[green]done[/]",
            "queued": "[yellow]waiting for you[/]",
            "scheduled": "[green]sending after the undo window[/]",
            "blocked": "[red]refused[/]",
        }
        out.print(f"{mark.get(step.status, step.status)} · {escape(step.tool)}")
        if step.preview:
            for line in step.preview.splitlines():
                out.print(f"    {escape(line)}")
        for reason in step.reasons:
            out.print(f"    [dim]{escape(reason)}[/]")
        if step.approval:
            out.print(f"    approve: homebody approve {step.approval}   deny: homebody deny {step.approval}")
        if step.status not in ("done", "queued"):
            out.print(f"    {escape(step.output)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--skip-probes", is_flag=True, help="Only check that models are local and reachable.")
@click.pass_obj
def doctor(app: App, as_json: bool, skip_probes: bool) -> None:
    """Check each configured model: local, reachable, and able to make valid tool calls."""
    from homebody.agent.doctor import check_chat, check_embedder, save_stamp
    from homebody.models import load_chat_model

    reports = []
    with err.status("checking the chat model (tool-call probes take a minute on the embedded model)…"):
        chat = check_chat(app.settings, load_chat_model, probes=not skip_probes)
    if not skip_probes:
        save_stamp(app.settings.home, chat)
    reports.append(chat)
    with err.status("checking the embedding model…"):
        reports.append(check_embedder(app.settings))
    if as_json:
        emit_json([r.as_json() for r in reports])
    else:
        for report in reports:
            out.print(f"[bold]{report.role}[/] {escape(report.model)}")
            for check in report.checks:
                mark = (
                    "[green]ok[/]  "
                    if check.ok
                    else ("[red]FAIL[/]" if check.required else "[yellow]miss[/]")
                )
                out.print(f"  {mark} {escape(check.name)}: {escape(check.detail)}")
    if not all(r.ok for r in reports):
        sys.exit(1)


@cli.command("mcp")
@click.pass_obj
def mcp_cmd(app: App) -> None:
    """Serve read-only search and ask to other local agents over MCP (stdio); off unless enabled."""
    from homebody.mcp_server import serve

    serve(app)


# --- agency: approvals, the outbox and the audit ledger ------------------------------------------


def _clock(when: datetime | None, app: App) -> str:
    return when.astimezone(app.settings.zone).strftime("%H:%M:%S") if when else "?"


def _print_approval(a: Approval, app: App, *, whole: bool) -> None:
    zone = app.settings.zone
    risk = a.verdict.get("risk")
    head = f"[bold]{a.id}[/] {escape(a.tool)} · {a.state}" + (f" · risk {escape(str(risk))}" if risk else "")
    if a.state is State.PENDING:
        head += f" · expires {local_time(a.expires_at, zone)}"
    elif a.state is State.APPROVED and a.not_before is not None:
        head += f" · runs {a.not_before.astimezone(zone):%a %d %b %Y %H:%M:%S}"
    out.print(head)
    if not whole:
        out.print(f"    {escape(excerpt(a.preview, [], 100))}")
        return
    for reason in a.verdict.get("reasons", []):
        out.print(f"    [dim]why asked: {escape(str(reason))}[/]")
    for line in a.preview.splitlines() or [""]:
        out.print(f"    │ {escape(line)}")


@cli.command("approvals")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "show_all", is_flag=True, help="Every approval, not only those waiting.")
@click.pass_obj
def approvals_cmd(app: App, as_json: bool, show_all: bool) -> None:
    """List proposed actions waiting for your approval, each with its preview."""
    queue = Approvals(app.vault)
    now = app.settings.current_time()
    if show_all:
        queue.expire(now)
        shown = queue.find(limit=100)
    else:
        shown = queue.pending(now)
    if as_json:
        emit_json([approval_view(a) for a in shown])
        return
    if not shown:
        out.print("Nothing waiting for approval." if not show_all else "No approvals yet.")
    for a in shown:
        _print_approval(a, app, whole=a.state is State.PENDING)
    if any(a.state is State.PENDING for a in shown):
        out.print("[dim]homebody approve ID · homebody deny ID [--reason TEXT][/]")


@cli.command("approve")
@click.argument("approval_id")
@click.pass_obj
def approve_cmd(app: App, approval_id: str) -> None:
    """Approve a proposed action: a send goes after the undo window, anything else runs now."""
    now = app.settings.current_time()
    approved = outbox.approve(app, approval_id, now)
    _print_approval(approved, app, whole=True)
    if approved.not_before is not None and approved.not_before > now:
        out.print(
            f"Approved. Sends at {_clock(approved.not_before, app)} unless you run "
            f"[bold]homebody cancel {approved.id}[/]."
        )
        out.print("[dim]It goes the first time the outbox runs after that: homebody outbox run.[/]")
        return
    outcome = outbox.run_one(app, approved.id, now)
    if outcome is None:  # another outbox claimed it first
        out.print("Approved; the outbox is running it.")
    elif outcome.ok:
        out.print(f"Approved and done: {escape(outcome.output or '')}")
    else:
        raise ToolError(f"approved, but it failed: {outcome.approval.error}")


@cli.command("deny")
@click.argument("approval_id")
@click.option("--reason", help="Why (kept in the audit ledger).")
@click.pass_obj
def deny_cmd(app: App, approval_id: str, reason: str | None) -> None:
    """Refuse a proposed action; it will never run."""
    denied = Approvals(app.vault).deny(approval_id, app.settings.current_time(), reason)
    out.print(f"Denied {denied.id} ({escape(denied.tool)}): it will not run.")


@cli.command("cancel")
@click.argument("approval_id")
@click.pass_obj
def cancel_cmd(app: App, approval_id: str) -> None:
    """Stop an approved send within its undo window."""
    cancelled = Approvals(app.vault).cancel(approval_id, app.settings.current_time())
    out.print(f"Cancelled {cancelled.id} ({escape(cancelled.tool)}): it will not go.")


@cli.group("outbox")
def outbox_cmd() -> None:
    """Approved actions waiting to run."""


@outbox_cmd.command("run")
@click.pass_context
def outbox_run(ctx: click.Context) -> None:
    """Run every approved action whose time has come (the daemon does the same)."""
    app: App = ctx.obj
    outcomes = outbox.run_due(app, app.settings.current_time())
    if not outcomes:
        out.print("Nothing due.")
    for o in outcomes:
        what = f"{o.approval.id} {escape(o.approval.tool)}"
        if o.ok:
            out.print(f"[green]✓[/] {what}: {escape(o.output or '')}")
        else:
            err.print(f"[red]✗[/] {what}: {escape(o.approval.error or '')}")
    if any(not o.ok for o in outcomes):
        ctx.exit(1)


@cli.group("audit", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000), help="Newest N.")
@click.option("--run", "run_id", help="Only the entries of this run.")
@click.pass_context
def audit(ctx: click.Context, as_json: bool, limit: int, run_id: str | None) -> None:
    """Show the audit ledger: every request, tool call, verdict, approval and result."""
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    entries = Ledger(app.vault).entries(run_id=run_id, limit=limit, newest=True)
    if as_json:
        emit_json([entry_view(e) for e in entries])
        return
    if not entries:
        out.print("The ledger is empty.")
    for e in entries:
        run = f" · {escape(e.run_id)}" if e.run_id else ""
        out.print(
            f"{e.seq:>5} {local_time(e.at, app.settings.zone)} [bold]{e.kind}[/]{run} · "
            f"{escape(entry_summary(e))}"
        )


@audit.command("verify")
@click.pass_obj
def audit_verify(app: App) -> None:
    """Check the ledger's hash chain: any edited, inserted or deleted entry is reported."""
    report = Ledger(app.vault).check()
    out.print(f"ledger intact: {report.entries} entries (head {report.head[:16]})")


# --- guard: judge proposed actions (issue 5) -------------------------------------------------------


def _guard_lines(paths: tuple[Path, ...]) -> Any:
    """(where, text) of every non-empty line of the files given (.jsonl or .jsonl.gz), or of stdin."""
    import gzip

    if not paths:
        for n, line in enumerate(sys.stdin, 1):
            yield f"stdin:{n}", line
        return
    for path in paths:
        opener: Any = gzip.open if path.name.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
                for n, line in enumerate(handle, 1):
                    yield f"{path.name}:{n}", line
        except OSError as error:
            raise HomebodyError(f"cannot read {path}: {error}") from error


@cli.group()
def guard() -> None:
    """The guard: judge proposed actions before they happen (allow, confirm or block)."""


@guard.command("assess")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per record.")
@click.option("--unattended", is_flag=True, help="Judge as an unattended run: confirmations wait in a queue.")
@click.pass_obj
def guard_assess(app: App, files: tuple[Path, ...], as_json: bool, unattended: bool) -> None:
    """Judge JSON-lines records {id, user_instruction, context, action} from FILES (or stdin)."""
    import gc

    from homebody.errors import BadRecord
    from homebody.guard.records import assess_record, parse_record, result_line

    policy = app.settings.guard
    gc.freeze()  # what import and config built lives to the end: collections need not walk it per record
    table = Table("id", "verdict", "risk", "why")
    counts: dict[str, int] = {"allow": 0, "confirm": 0, "block": 0, "skipped": 0}
    for where, raw in _guard_lines(files):
        text = raw.replace("\0", "").strip()  # some exports pad lines with NUL bytes
        if not text:
            continue
        try:
            data = json.loads(text)
            if isinstance(data, dict) and data.get("action") is None:
                counts["skipped"] += 1  # a scenario with no proposed action: nothing to judge
                continue
            record = parse_record(data, position=where, unattended=unattended)
        except (json.JSONDecodeError, BadRecord) as error:
            counts["skipped"] += 1
            err.print(f"[yellow]skipped[/] {escape(where)}: {escape(str(error))}")
            continue
        line = result_line(record, assess_record(record, policy, model=app.model))
        counts[line["verdict"]] += 1
        if as_json:
            click.echo(json.dumps(line, ensure_ascii=False))
        else:
            style = {"allow": "green", "confirm": "yellow", "block": "red"}[line["verdict"]]
            table.add_row(
                escape(line["id"]),
                f"[{style}]{line['verdict']}[/]" + (" (queued)" if line.get("queued") else ""),
                f"{line['risk']:.2f}",
                escape(line["reasons"][0] if line["reasons"] else ""),
            )
    if not as_json:
        out.print(table)
    err.print(
        f"{counts['allow']} allowed, {counts['confirm']} to confirm, {counts['block']} blocked"
        + (f", {counts['skipped']} skipped" if counts["skipped"] else "")
    )
