"""The `homebody` command group: the only place that prints. HomebodyError becomes a message and an
exit code. The commands live beside it: `context.py` (the vault: sources, search, ask, people, demo)
and `agency.py` (actions: do, approvals, the outbox, the audit ledger, the guard, models).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from homebody import __version__
from homebody.app import App
from homebody.errors import HomebodyError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class _Group(click.Group):
    """Commands whose HomebodyErrors become a one-line message and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HomebodyError as error:
            err.print(f"[red]error:[/] {escape(str(error))}")
            ctx.exit(error.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="homebody")
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    envvar="HOMEBODY_HOME",
    help="Home folder holding the vault and config (default: your user data folder).",
)
@click.option("-v", "--verbose", count=True, help="Log more (ids, counts and timings only).")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, verbose: int) -> None:
    """homebody: your whole digital life in an encrypted local vault, answered with citations."""
    logging.basicConfig(
        level=logging.WARNING - 10 * min(verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = App.from_home(home)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Entry point of the `homebody` console script."""
    try:
        cli()
    except Exception:  # noqa: BLE001 - the process edge: log it and say where to look
        logging.getLogger("homebody").exception("unexpected error")
        err.print("[red]homebody hit an unexpected error[/] (details above); please report it.")
        sys.exit(70)
