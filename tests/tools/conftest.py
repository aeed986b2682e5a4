"""Fixtures for the tools: a home folder with a real vault, settings and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from homebody.config import Settings
from homebody.tools.base import ToolContext, load_tools
from homebody.vault.store import Vault

#: A Tuesday; 15 March 2025 11:00 in London is GMT, a fortnight before the clocks change.
NOW = datetime(2025, 3, 11, 11, 0, tzinfo=UTC)


def make_settings(home: Path, **sections: Any) -> Settings:
    """Settings for a home folder, in London time, with the given config sections."""
    return Settings.model_validate({"home": home, "timezone": "Europe/London", "region": "GB", **sections})


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    """A real, empty vault in the test's folder."""
    with Vault.open(tmp_path / "home" / "vault.db") as v:
        yield v


@pytest.fixture
def context(tmp_path: Path, vault: Vault) -> ToolContext:
    """A tool context with default settings; tests replace `settings` for what they configure."""
    return ToolContext(settings=make_settings(tmp_path / "home"), vault=vault, now=NOW)


@pytest.fixture
def configure(context: ToolContext) -> Callable[..., ToolContext]:
    """`configure(email={...}, tools={...})`: the context with those config sections set."""

    def with_sections(**sections: Any) -> ToolContext:
        return replace(context, settings=make_settings(context.settings.home, **sections))

    return with_sections


@pytest.fixture(scope="session")
def registry() -> Any:
    """Every built-in tool."""
    return load_tools()
