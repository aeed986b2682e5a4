"""Commands over the vault: sources and sync, vectors, search, ask, people, tools and the demo."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from homebody.agent.answer import Answer
from homebody.agent.sources import excerpt, local_time
from homebody.app import App
from homebody.cli.base import cli, emit_json, err, out
from homebody.retrieval.embed import EmbedReport, embed_pending
from homebody.retrieval.filters import Filters
from homebody.retrieval.hybrid import MODES
from homebody.sync import SourceReport, sync_all
from homebody.vault.people import find_identity, override, rebuild
from homebody.vault.persons import lookup, persons, reasons, recent_items
from homebody.vault.store import Source
from homebody.views import (
    answer_view,
    hit_view,
    item_view,
    person_view,
    source_view,
    tool_view,
)


@cli.command()
@click.argument("kind")
@click.argument("location")
@click.option("--name", help="A name for the source (default: from the path).")
@click.pass_obj
def add(app: App, kind: str, location: str, name: str | None) -> None:
    """Register a source of KIND (mbox, eml, whatsapp, ics, ...) read from a PATH (or feed URL)."""
    connector = app.registry.get(kind)
    # Accounts and feeds are URLs (imaps://, https://): kept as written, never resolved as paths.
    is_url = re.match(r"^[a-z][a-z0-9+.-]*://", location) is not None
    path = Path(location) if is_url else Path(location).expanduser().resolve()
    files = connector.files(path)
    taken = {s.name for s in app.vault.sources()}
    if name is None:
        base = name = path.stem or kind
        n = 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
    source = app.vault.add_source(name, kind, location if is_url else str(path))
    out.print(
        f"Added source [bold]{escape(source.name)}[/] ({kind}, {len(files)} file(s)). "
        "Run [bold]homebody sync[/] to read it."
    )


class _Bar:
    """Sync progress drawn as a rich progress bar, one line per source."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None
        self.items = 0

    def source_started(self, source: Source, files: int) -> None:
        self.items = 0
        self.task = self.progress.add_task(f"{source.name} ({source.kind})", total=max(files, 1))

    def file_done(self, source: Source, file: Path) -> None:
        self.progress.advance(self.task)

    def items_read(self, count: int) -> None:
        self.items += count
        self.progress.update(
            self.task,
            description=f"{self.progress.tasks[-1].description.split(' · ')[0]} · {self.items} records",
        )


def _sync(app: App, only: str | None = None, *, quiet: bool = False) -> list[SourceReport]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False, disable=quiet) as progress:
        return sync_all(app.vault, app.registry, app.sync_context(), _Bar(progress), only)


class _EmbedBar:
    """Embedding progress drawn as a rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def started(self, total: int) -> None:
        self.task = self.progress.add_task("vectors (embedding model)", total=max(total, 1))

    def advanced(self, items: int) -> None:
        self.progress.advance(self.task, items)


def _embed(app: App, *, quiet: bool = False, limit: int | None = None) -> EmbedReport | None:
    """Compute vectors for items that have none; None when no embedding model is available."""
    embedder = app.retriever.embedder()
    if embedder is None:
        return None
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("items"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False, disable=quiet) as progress:
        return embed_pending(app.vault, embedder, progress=_EmbedBar(progress), limit=limit)


def _print_embed(report: EmbedReport | None) -> None:
    if report is None:
        err.print("[yellow]no embedding model could be loaded:[/] search works by words only")
        return
    if report.rebuilt:
        out.print(f"The embedding model changed to {escape(report.model)}: every item is embedded again.")
    if report.items:
        rate = report.items / report.seconds if report.seconds else 0.0
        out.print(
            f"[green]✓[/] vectors: {report.items} items ({report.chunks} passages) in "
            f"{report.seconds:.1f} s, {rate:.1f} items/s"
        )


def _print_reports(reports: list[SourceReport]) -> None:
    for r in reports:
        if r.failure:
            err.print(f"[red]✗[/] {escape(r.source)}: {escape(r.failure)}")
            continue
        line = (
            f"[green]✓[/] {escape(r.source)}: {r.added} new, {r.updated} changed, "
            f"{r.unchanged} unchanged from {r.files_read} of {r.files} file(s)"
        )
        if r.deleted:
            line += f", {r.deleted} deleted (gone from the source)"
        if r.errors:
            line += f", [yellow]{len(r.errors)} bad record(s) skipped[/]"
        out.print(line)
        for bad in r.errors[:5]:
            err.print(
                f"  [yellow]skipped[/] {escape(bad.file)} at {escape(bad.position)}: {escape(bad.reason)}"
            )
        if len(r.errors) > 5:
            err.print(f"  … and {len(r.errors) - 5} more (homebody sources --errors)")


@cli.command()
@click.option("--source", "only", help="Sync only this source.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--embed/--no-embed",
    default=None,
    help="Compute vectors for new items afterwards (default: [embedding] after_sync, true).",
)
@click.pass_obj
def sync(app: App, only: str | None, quiet: bool, embed: bool | None) -> None:
    """Read every source into the vault: only new or changed records; then their vectors."""
    reports = _sync(app, only, quiet=quiet)
    if not reports:
        out.print("No sources yet: add one with [bold]homebody add KIND PATH[/].")
    _print_reports(reports)
    if reports and (app.settings.embedding.after_sync if embed is None else embed):
        _print_embed(_embed(app, quiet=quiet))


@cli.command()
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--limit", type=click.IntRange(1), help="Embed at most this many items now.")
@click.pass_obj
def embed(app: App, quiet: bool, limit: int | None) -> None:
    """Compute the vectors of items that have none (resumable: stop and run again any time)."""
    report = _embed(app, quiet=quiet, limit=limit)
    _print_embed(report)
    if report is not None and not report.items:
        out.print("Every item has its vectors.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--errors", is_flag=True, help="List the bad records of the last syncs.")
@click.pass_obj
def sources(app: App, as_json: bool, errors: bool) -> None:
    """List sources: kind, item count, time span, last sync and errors."""
    if errors:
        rows = [
            dict(r)
            for r in app.vault.conn.execute(
                """SELECT s.name AS source, e.file, e.position, e.reason, e.seen_at
               FROM sync_errors e JOIN sources s ON s.id = e.source_id ORDER BY e.id"""
            )
        ]
        if as_json:
            emit_json(rows)
        for row in [] if as_json else rows:
            out.print(
                f"{escape(row['source'])}: {escape(row['file'])} at {escape(row['position'])}: "
                f"{escape(row['reason'])}"
            )
        return
    stats = app.vault.source_stats()
    if as_json:
        emit_json([source_view(s) for s in stats])
        return
    if not stats:
        out.print("No sources yet: add one with [bold]homebody add KIND PATH[/].")
        return
    table = Table("name", "kind", "items", "first", "last", "last sync", "errors")
    zone = app.settings.zone
    for s in stats:
        table.add_row(
            escape(s.source.name),
            s.source.kind,
            str(s.items),
            local_time(s.first, zone),
            local_time(s.last, zone),
            local_time(s.source.last_sync_at, zone) if s.source.last_sync_at else "never",
            str(s.errors) + (" (source failed)" if s.source.last_error else ""),
        )
    out.print(table)


@cli.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--person", "person_name", help="Only items this person is part of.")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="hybrid",
    show_default=True,
    help="Words (bm25), meaning (vector), or both fused.",
)
@click.pass_obj
def search_cmd(app: App, query: str, as_json: bool, limit: int, person_name: str | None, mode: str) -> None:
    """Search the vault for QUERY; dates, channels and amounts in it ("last month") filter."""
    filters = Filters(person=lookup(app.vault, person_name).id) if person_name else None
    found = app.retriever.search(
        query,
        now=app.settings.current_time(),
        zone=app.settings.zone,
        limit=limit,
        mode=mode,  # type: ignore[arg-type]
        filters=filters,
    )
    hits = found.hits
    if as_json:
        emit_json([hit_view(h) for h in hits])
        return
    if not hits:
        out.print("Nothing found.")
    for hit in hits:
        item = hit.stored.item
        when = local_time(item.ts, app.settings.zone)
        out.print(
            f"[bold]{hit.id}[/] {item.kind} · {when} · {escape(hit.stored.source)} · "
            f"{escape(item.title or item.author or '')}"
        )
        out.print(f"    {escape(excerpt(hit.passage, hit.matched))}")


def _print_answer(answer: Answer, app: App) -> None:
    out.print(escape(answer.text))
    for c in answer.citations:
        item = c.stored.item
        out.print(
            f"  [{c.number}] {item.kind} · {local_time(item.ts, app.settings.zone)} · "
            f"{escape(item.title or item.author or '')} · id {c.stored.id}"
        )
        out.print(f"      “{escape(c.excerpt)}”")
    out.print(f"[dim]{escape(answer.coverage_line())}[/]")


@cli.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def ask_cmd(app: App, question: str, as_json: bool) -> None:
    """Answer QUESTION from the vault, with numbered citations and coverage."""
    answer = app.ask(question)
    if as_json:
        emit_json(answer_view(answer))
    else:
        _print_answer(answer, app)


@cli.command()
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(app: App, item_id: str, as_json: bool) -> None:
    """Print one item whole."""
    view = item_view(app.vault.get(item_id))
    if as_json:
        emit_json(view)
        return
    text = view.pop("text")
    meta = view.pop("meta")
    for key, value in view.items():
        if value not in (None, [], ""):
            out.print(f"[bold]{key}[/]: {escape(str(value))}")
    if meta:
        out.print(f"[bold]meta[/]: {escape(json.dumps(meta, ensure_ascii=False))}")
    out.print()
    out.print(escape(text))


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def people(ctx: click.Context, as_json: bool) -> None:
    """List the people in your data, each joined across channels."""
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    found = persons(app.vault)
    if as_json:
        emit_json([person_view(p) for p in found])
        return
    if not found:
        out.print("No people yet: add sources and run [bold]homebody sync[/].")
    for p in found:
        channels = ", ".join(f"{k} {n}" for k, n in p.channels.items())
        out.print(
            f"[bold]{escape(p.name)}[/] · {p.items} items ({channels}) · {len(p.identities)} identities"
        )


@people.command("merge")
@click.argument("first")
@click.argument("second")
@click.pass_obj
def people_merge(app: App, first: str, second: str) -> None:
    """Say that FIRST and SECOND (addresses, numbers or names) are the same person."""
    region = app.settings.region
    a, b = find_identity(app.vault, first, region), find_identity(app.vault, second, region)
    override(app.vault, "merge", a, b)
    rebuild(app.vault, region)
    out.print(f"Merged: {escape(first)} and {escape(second)} are now one person.")


@people.command("split")
@click.argument("who")
@click.pass_obj
def people_split(app: App, who: str) -> None:
    """Take WHO (an address, number or name) out of the person it was joined into."""
    region = app.settings.region
    override(app.vault, "split", find_identity(app.vault, who, region))
    rebuild(app.vault, region)
    out.print(f"Split: {escape(who)} now stands on its own.")


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def person(app: App, name: str, as_json: bool) -> None:
    """Show a person: their identities, why they were joined, and recent items on every channel."""
    found = lookup(app.vault, name)
    why = reasons(app.vault, found)
    items = recent_items(app.vault, found)
    if as_json:
        emit_json(
            {
                **person_view(found),
                "joined_because": [{"a": a, "b": b, "reason": r} for a, b, r in why],
                "recent": [item_view(i, whole=False) for i in items],
            }
        )
        return
    out.print(f"[bold]{escape(found.name)}[/] · {found.items} items")
    for kind, value, display in found.identities:
        out.print(
            f"  {kind}: {escape(value)}" + (f" ({escape(display)})" if display.casefold() != value else "")
        )
    for a, b, reason in why:
        out.print(f"  [dim]joined {escape(a)} + {escape(b)}: {escape(reason)}[/]")
    for stored in items:
        item = stored.item
        out.print(
            f"  {stored.source_kind} · {local_time(item.ts, app.settings.zone)} · "
            f"{escape(excerpt(item.text, [], 90))} · id {stored.id}"
        )


@cli.command("tools")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def tools_cmd(app: App, as_json: bool) -> None:
    """List the tools homebody may use: what each does, whether it can be undone, what matters in it."""
    registry = app.tools
    views = [tool_view(t) for t in registry.tools()]
    if as_json:
        emit_json({"tools": views, "problems": registry.problems})
        return
    table = Table("tool", "effects", "undo", "arguments that matter")
    for view in views:
        roles = ", ".join(f"{arg} ({role})" for arg, role in view["roles"].items())
        table.add_row(view["name"], ", ".join(view["effects"]), "yes" if view["reversible"] else "no", roles)
    out.print(table)
    for problem in registry.problems:
        err.print(f"[yellow]not loaded:[/] {escape(problem)}")


@cli.command()
@click.option("--fresh/--keep", default=True, help="Start from an empty demo home (default).")
@click.option(
    "--whole-life",
    is_flag=True,
    help="Instead: generate six months of Maya's life on every kind of source and sync it (no model).",
)
@click.option("--seed", default=7, show_default=True, help="With --whole-life: the generator's seed.")
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(1, 100),
    help="With --whole-life: how many times the background noise.",
)
@click.option("--embed", is_flag=True, help="Also compute vectors, for search by meaning (slower).")
@click.pass_context
def demo(ctx: click.Context, fresh: bool, whole_life: bool, seed: int, scale: int, embed: bool) -> None:
    """Ingest a sample life and answer questions about it, offline, on the embedded model."""
    from homebody.demo.run import run_demo

    app: App = ctx.obj
    if whole_life:
        from homebody.demo.lifehome import run_whole_life

        run_whole_life(
            app,
            fresh=fresh,
            seed=seed,
            scale=scale,
            sync=lambda a: _print_reports(_sync(a)),
            say=out.print,
        )
        return
    run_demo(
        app,
        fresh=fresh,
        sync=lambda a: _print_reports(_sync(a)),
        show=lambda a, ans: _print_answer(ans, a),
        say=out.print,
        embed=(lambda a: _print_embed(_embed(a))) if embed else None,
    )


# --- acting: do, doctor, mcp -------------------------------------------------------------------------
