"""`homebody demo`: a fresh home with Maya's fictional life, synced, then three questions answered.

The persona (in `persona/`, CC0) is a few months of Gmail Takeout mail, WhatsApp exports and a
calendar, with facts spread across them. The clock is fixed to the persona's "today" so the demo is
reproducible; everything runs offline on the embedded model.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from homebody.agent.answer import Answer
from homebody.app import App
from homebody.config import default_home, load_settings

DEMO_NOW = "2026-11-21T12:00:00+00:00"
DEMO_ZONE = "Europe/London"
SOURCES = (
    ("ics", "calendar.ics", "calendar"),
    ("mbox", "mail.mbox", "gmail"),
    ("whatsapp", "WhatsApp Chat with Sam Okafor.txt", "whatsapp-sam"),
    ("whatsapp", "WhatsApp Chat with Family.txt", "whatsapp-family"),
)


def persona_dir() -> Path:
    """The folder of persona files shipped inside the package."""
    return Path(str(resources.files("homebody.demo").joinpath("persona")))


def demo_questions() -> list[dict[str, Any]]:
    """The persona's labelled questions (the ones marked `demo` are asked by `homebody demo`)."""
    data = json.loads((persona_dir() / "questions.json").read_text(encoding="utf-8"))
    return list(data)


def prepare_home(home: Path, *, fresh: bool) -> App:
    """A demo home at `home` with the persona's sources registered, and an app for it."""
    if fresh and home.exists():
        if not (home / ".homebody-demo").exists() and any(home.iterdir()):
            from homebody.errors import ConfigError

            raise ConfigError(f"{home} is not a demo home; refusing to empty it (use another --home)")
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / ".homebody-demo").touch()
    config = home / "config.toml"
    if not config.exists():
        config.write_text(f'timezone = "{DEMO_ZONE}"\n', encoding="utf-8")
    settings = load_settings(home)
    settings.now = datetime.fromisoformat(DEMO_NOW)
    app = App(settings)
    taken = {s.name for s in app.vault.sources()}
    for kind, file, name in SOURCES:
        if name not in taken:
            app.vault.add_source(name, kind, str(persona_dir() / file))
    return app


def run_demo(
    app: App,
    *,
    fresh: bool,
    sync: Callable[[App], None],
    show: Callable[[App, Answer], None],
    say: Callable[[str], None],
    embed: Callable[[App], None] | None = None,
) -> list[Answer]:
    """Set up the demo home, sync it, and answer the demo questions; the caller draws the output.

    Vectors are computed only when `embed` is given: on two busy cores the embedding model needs
    a minute or more for the persona, more than the demo's answers take, so by default the demo
    searches by words alone and says how to add meaning search.
    """
    given = app.settings.home
    home = given if given != default_home() else default_home() / "demo"
    demo_app = prepare_home(home, fresh=fresh)
    try:
        say(f"[bold]homebody demo[/] — Maya's fictional life, in an encrypted vault at {home}")
        sync(demo_app)
        if embed is not None:
            embed(demo_app)
        elif not demo_app.retriever.has_vectors():
            say(
                "[dim]Searching by words only; for search by meaning too, run "
                f"homebody --home {home} embed (then ask again).[/]"
            )
        answers = []
        for question in (q for q in demo_questions() if q.get("demo")):
            say(f"\n[bold cyan]> {question['question']}[/]")
            answer = demo_app.ask(question["question"])
            show(demo_app, answer)
            answers.append(answer)
        say("\nAsk your own: [bold]homebody --home " + str(home) + ' ask "…"[/]')
        return answers
    finally:
        demo_app.close()
