"""`homebody demo --whole-life`: generate Maya's whole life into a demo home, add every source, sync.

Sources are registered the way `homebody add` registers them (the connector lists the path's files
first, so a bad path fails the same way) and synced by the caller's `sync`, the CLI's own. No model
is loaded: the labelled questions are written beside the data for the evaluation harness.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from homebody.app import App
from homebody.config import default_home, load_settings
from homebody.demo.run import DEMO_NOW, DEMO_ZONE
from homebody.demo.wholelife import Manifest, generate, read_manifest
from homebody.errors import ConfigError

MARKER = ".homebody-demo"


def _fresh_home(home: Path, fresh: bool) -> None:
    if fresh and home.exists():
        if not (home / MARKER).exists() and any(home.iterdir()):
            raise ConfigError(f"{home} is not a demo home; refusing to empty it (use another --home)")
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).touch()
    config = home / "config.toml"
    if not config.exists():
        # Maya is in London: numbers written without +44 on her cards are UK numbers.
        config.write_text(f'timezone = "{DEMO_ZONE}"\nregion = "GB"\n', encoding="utf-8")


def add_sources(app: App, manifest: Manifest) -> None:
    """Register every generated source not yet registered, as `homebody add KIND PATH --name NAME` does."""
    taken = {s.name for s in app.vault.sources()}
    for source in manifest.sources:
        if source.name in taken:
            continue
        app.registry.get(source.kind).files(source.path)
        app.vault.add_source(source.name, source.kind, str(source.path.resolve()))


def items_by_kind(app: App) -> dict[str, int]:
    """How many items the vault holds of each kind."""
    rows = app.vault.conn.execute("SELECT kind, count(*) FROM items GROUP BY kind ORDER BY kind")
    return {str(kind): int(n) for kind, n in rows}


def run_whole_life(
    app: App,
    *,
    fresh: bool,
    seed: int,
    scale: int,
    sync: Callable[[App], None],
    say: Callable[[str], None],
) -> Manifest:
    """Set up the whole-life demo home, generate (or reuse) the life, add its sources and sync them."""
    given = app.settings.home
    home = given if given != default_home() else default_home() / "whole-life"
    _fresh_home(home, fresh)
    data = home / "life"
    if not (data / "questions.json").exists():
        shutil.rmtree(data, ignore_errors=True)
        manifest = generate(data, seed=seed, scale=scale)
    else:
        manifest = read_manifest(data)
    settings = load_settings(home)
    settings.now = datetime.fromisoformat(DEMO_NOW)
    life_app = App(settings)
    try:
        say(f"[bold]homebody demo --whole-life[/] — Maya's generated six months, in a vault at {home}")
        add_sources(life_app, manifest)
        sync(life_app)
        counts = items_by_kind(life_app)
        say(f"{sum(counts.values())} items: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        say(f"{len(manifest.load_questions())} labelled questions: {manifest.questions}")
        say(f'Try: [bold]homebody --home {home} person "Dev Patel"[/]')
        return manifest
    finally:
        life_app.close()
