"""The MCP client's workings (see `mcp_client`): kept apart because importing `mcp` takes seconds.

Tools of the MCP servers the user configures: homebody as a Model Context Protocol client.

Each `[[mcp.servers]]` entry of config.toml names a command that speaks MCP over stdio. Its tools are
listed once when the registry is built and registered as `<server>__<tool>`; each call starts the
server again, calls the one tool and stops it, so no process or thread outlives a call.

What a server's tools can do is declared by the user, not the server: its own descriptions and
annotations are third-party text. By default every tool of a server counts as sending something out
and cannot be undone; `read_only = true` makes them reads, and `effects`/`reversible`/`roles` say
more. Arguments are checked against the tool's JSON Schema before the server sees them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio
import jsonschema
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from mcp.types import PaginatedRequestParams
from pydantic import BaseModel, ConfigDict, model_validator

from homebody.config import McpServerSettings
from homebody.errors import ConfigError, ToolError, ToolUnavailable
from homebody.tools.base import Tool, ToolContext, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_OUTPUT = 20_000
START_TIMEOUT = 60  # seconds for a server to start and answer `initialize`
# Argument names whose meaning is plain enough to give them a role when the config names none.
_GUESSED_ROLES = {
    Role.RECIPIENT: {"to", "cc", "bcc", "recipient", "recipients", "email", "phone", "channel", "chat_id"},
    Role.AMOUNT: {"amount", "price", "total"},
    Role.PAYEE: {"payee", "merchant", "iban"},
    Role.ACCOUNT: {"account", "account_id"},
    Role.PATH: {"path", "file", "filename", "folder", "directory"},
    Role.URL: {"url", "uri", "link", "href"},
    Role.CONTENT: {"body", "text", "message", "content", "comment", "post"},
    Role.SUBJECT: {"subject", "title"},
    Role.TARGET: {"id", "item_id", "event_id", "message_id"},
}


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end from synchronous code (on a short-lived thread if a loop is running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return anyio.run(make)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, make).result()


def _parameters(server: McpServerSettings) -> StdioServerParameters:
    env = {}
    for name, ref in server.env.items():
        value = ref.resolve()
        if value is None:
            raise ConfigError(f"MCP server {server.name}: the secret for {name} is not set")
        env[name] = value
    return StdioServerParameters(command=server.command, args=server.args, env=env or None)


async def _session(server: McpServerSettings, work: Callable[[ClientSession], Awaitable[T]]) -> T:
    """Start the server, open a session, do the work, stop the server."""
    started = False
    try:
        # The server's stderr may quote the user's data: it goes nowhere.
        with open(os.devnull, "w", encoding="utf-8") as devnull, anyio.fail_after(START_TIMEOUT) as deadline:  # noqa: PTH123
            async with (
                stdio_client(_parameters(server), errlog=devnull) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                # Starting may be slow on a busy machine; the work itself gets the configured time.
                started = True
                deadline.deadline = anyio.current_time() + server.timeout
                return await work(session)
    except TimeoutError as err:
        if started:
            raise ToolUnavailable(
                f"MCP server {server.name} did not answer within {server.timeout:g} s"
            ) from err
        raise ToolUnavailable(f"MCP server {server.name} did not start within {START_TIMEOUT} s") from err


def _call(server: McpServerSettings, work: Callable[[ClientSession], Awaitable[T]]) -> T:
    """`_session` from synchronous code, its failures translated to homebody's errors."""
    try:
        return _run(lambda: _session(server, work))
    except (ConfigError, ToolError):
        raise
    except (OSError, MCPError, anyio.BrokenResourceError, anyio.ClosedResourceError) as err:
        raise ToolUnavailable(f"MCP server {server.name} failed ({type(err).__name__})") from err
    except BaseExceptionGroup as group:
        # anyio task groups wrap the one failure that ended the session.
        first = group.exceptions[0] if group.exceptions else group
        raise ToolUnavailable(f"MCP server {server.name} failed ({type(first).__name__})") from group


def _args_model(name: str, schema: dict[str, Any]) -> type[BaseModel]:
    """A pydantic model that accepts exactly what the tool's JSON Schema accepts."""
    checker = jsonschema.validators.validator_for(schema)
    checker.check_schema(schema)
    validator = checker(schema)

    class McpArgs(BaseModel):
        model_config = ConfigDict(extra="allow")

        @model_validator(mode="before")
        @classmethod
        def _check(cls, data: Any) -> Any:
            errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
            if errors:
                raise ValueError(
                    "; ".join(
                        f"{'.'.join(map(str, e.absolute_path)) or 'arguments'}: {e.message}" for e in errors
                    )
                )
            return data

        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return schema

    McpArgs.__name__ = McpArgs.__qualname__ = f"{name}Args"
    return McpArgs


def _roles(server: McpServerSettings, schema: dict[str, Any]) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for arg in schema.get("properties", {}):
        for role, names in _GUESSED_ROLES.items():
            if arg.lower() in names:
                roles[arg] = role
    return roles | {k: v for k, v in server.roles.items() if k in schema.get("properties", {})}


def _description(server: McpServerSettings, text: str | None, schema: dict[str, Any]) -> str:
    lines = [
        f"[from the MCP server {server.name!r}] {(text or '').strip() or 'No description.'}",
        "",
        "Args:",
    ]
    required = set(schema.get("required", []))
    for arg, prop in schema.get("properties", {}).items():
        about = prop.get("description") or prop.get("title") or ""
        kind = prop.get("type", "any")
        lines.append(f"    {arg}: ({kind}{'' if arg in required else ', optional'}) {about}".rstrip())
    return "\n".join(lines)


def _tool(server: McpServerSettings, name: str, description: str | None, schema: dict[str, Any]) -> Tool:
    effects = server.effects or ([Effect.READ] if server.read_only else [Effect.SEND])
    full_name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{server.name}__{name}")[:64]
    spec = ToolSpec(
        name=full_name,
        description=_description(server, description, schema),
        effects=frozenset(effects),
        reversible=server.reversible or server.read_only,
        roles=_roles(server, schema),
    )

    def run(args: BaseModel, context: ToolContext) -> ToolResult:
        arguments = args.model_dump()
        result = _call(server, lambda session: session.call_tool(name, arguments))
        text = "\n".join(getattr(block, "text", f"[{block.type} content]") for block in result.content)
        if result.is_error:
            raise ToolError(f"{full_name} failed: {text[:2000]}")
        data: dict[str, Any] = {"server": server.name, "tool": name}
        if isinstance(result.structured_content, dict):
            data["structured"] = result.structured_content
        log.info("MCP tool %s called: %d content blocks", full_name, len(result.content))
        return ToolResult(text[:MAX_OUTPUT], data)

    def preview(args: BaseModel, context: ToolContext) -> str:
        shown = "\n".join(f"  {k}: {v!r}" for k, v in args.model_dump().items())
        return f"Call {name} on the MCP server {server.name} ({server.command}) with:\n{shown}"

    return Tool(spec=spec, args=_args_model(full_name, schema), run=run, preview=preview)


async def _list(session: ClientSession) -> list[Any]:
    tools: list[Any] = []
    cursor: str | None = None
    for _ in range(100):  # a server that pages forever cannot hang the registry
        page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            break
    return tools


def server_tools(server: McpServerSettings) -> list[Tool]:
    """The tools one configured server offers, as homebody tools (starts the server once to ask)."""
    listed = _call(server, _list)
    wanted = set(server.tools) if server.tools is not None else None
    out = []
    for found in listed:
        if wanted is not None and found.name not in wanted:
            continue
        try:
            out.append(_tool(server, found.name, found.description, dict(found.input_schema)))
        except jsonschema.SchemaError as err:
            raise ConfigError(f"MCP server {server.name}: tool {found.name} has an invalid schema") from err
    missing = (wanted or set()) - {t.name for t in listed}
    if missing:
        raise ConfigError(f"MCP server {server.name} has no tool named {', '.join(sorted(missing))}")
    return out
