"""What a tool is, and the registry built-in and plugin tools register into.

A tool is a typed function with a declaration (`ToolSpec`: effects, reversibility, the arguments that
matter). Its arguments are a pydantic model, because they come from a model's output and are untrusted
until validated. `preview` renders what a person must see to judge the call (the email exactly as it
will go out, the payee, amount and account); `run` does it. Modules register tools with a
`register(registry)` function, the same hook an outside plugin uses (like connectors).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from homebody.errors import ConfigError, ToolError
from homebody.tools.effects import ToolSpec

if TYPE_CHECKING:
    from homebody.config import Settings
    from homebody.vault.store import Vault


@dataclass
class ToolContext:
    """What a tool may use while it runs: settings (accounts, allowed folders), the vault, the clock."""

    settings: Settings
    vault: Vault
    now: datetime
    # The ledger's id of the approved action, when there is one: tools derive idempotency keys and
    # Message-IDs from it, so a retried call is recognisable as the same action.
    action_id: str | None = None


@dataclass(frozen=True)
class ToolResult:
    """What a call did: a short text the model reads next, and structured data for the ledger."""

    output: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tool:
    """A tool: its declaration, its argument model, how to preview a call and how to run it."""

    spec: ToolSpec
    args: type[BaseModel]
    run: Callable[[Any, ToolContext], ToolResult]
    preview: Callable[[Any, ToolContext], str] | None = None
    # Values a call will use that its arguments only point to (a reply's recipients, from the email
    # it answers), by argument role name, so the guard judges who is really reached.
    effective: Callable[[Any, ToolContext], dict[str, Any]] | None = None

    @property
    def name(self) -> str:
        """The tool's name, as the model calls it."""
        return self.spec.name

    def validate(self, raw: dict[str, Any]) -> BaseModel:
        """The arguments as the tool's model, or a ToolError the agent loop hands back to the model."""
        try:
            return self.args.model_validate(raw)
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in err.errors()
            )
            raise ToolError(f"{self.name}: invalid arguments: {problems}") from err

    def describe(self, args: BaseModel, context: ToolContext) -> str:
        """The preview a person judges the call by (the arguments, if the tool has no preview)."""
        if self.preview is not None:
            return self.preview(args, context)
        return "\n".join(f"{k}: {v}" for k, v in args.model_dump(mode="json").items())

    def json_schema(self) -> dict[str, Any]:
        """The arguments' JSON schema, for the model's constrained decoding."""
        return self.args.model_json_schema()


class ToolRegistry:
    """The tools this process knows, by name."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        # What could not be registered and why (an MCP server that would not start), for `homebody tools`.
        self.problems: list[str] = []

    def register(self, tool: Tool) -> None:
        """Add a tool; a second one with the same name is a configuration error."""
        if tool.name in self._tools:
            raise ConfigError(f"two tools claim the name {tool.name!r}")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool:
        """The tool of that name, or a ToolError (the model asked for a tool that does not exist)."""
        try:
            return self._tools[name]
        except KeyError:
            known = ", ".join(sorted(self._tools))
            raise ToolError(f"no tool named {name!r} (tools: {known})") from None

    def names(self) -> list[str]:
        """Every registered tool name, sorted."""
        return sorted(self._tools)

    def tools(self) -> list[Tool]:
        """Every registered tool, by name."""
        return [self._tools[n] for n in self.names()]


def builtin_modules() -> list[str]:
    """The built-in tool modules: each public module of this package, and each folder with a tool.py."""
    import homebody.tools as package

    names = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name in {"base", "effects"} or info.name.startswith("_"):
            continue  # the shared vocabulary, and private helper modules of the tools
        folder = Path(package.__path__[0]) / info.name
        if info.ispkg and not (folder / "tool.py").exists():
            continue
        names.append(f"{package.__name__}.{info.name}" + (".tool" if info.ispkg else ""))
    return names


def load_tools(plugins: Sequence[str] = (), settings: Settings | None = None) -> ToolRegistry:
    """The built-in tools, the plugins the config names, and (given settings) the MCP servers' tools."""
    registry = ToolRegistry()
    for name in (*builtin_modules(), *plugins):
        try:
            module = importlib.import_module(name)
        except ImportError as err:
            raise ConfigError(f"cannot import tool plugin {name!r}: {err}") from err
        hook = getattr(module, "register", None)
        if hook is None:
            raise ConfigError(f"tool plugin {name!r} has no register(registry) function")
        hook(registry)
    if settings is not None:
        from homebody.tools.mcp_client import register_servers

        register_servers(registry, settings)
    return registry
