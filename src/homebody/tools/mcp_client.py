"""Tools of the MCP servers the user configures: homebody as a Model Context Protocol client.

Each `[[mcp.servers]]` entry of config.toml names a command that speaks MCP over stdio; its tools are
registered as `<server>__<tool>`, declared as the user says (by default: sending something out, not
undoable). The work is in `_mcp`, imported only when a server is configured: the `mcp` package
takes seconds to import.
"""

from __future__ import annotations

import logging

from homebody.config import Settings
from homebody.errors import ConfigError, ToolError
from homebody.tools.base import ToolRegistry

log = logging.getLogger(__name__)


def register_servers(registry: ToolRegistry, settings: Settings) -> None:
    """Register the tools of every configured MCP server; a server that fails is noted and skipped."""
    if not settings.mcp.servers:
        return
    from homebody.tools._mcp import server_tools

    for server in settings.mcp.servers:
        try:
            tools = server_tools(server)
            for tool in tools:
                registry.register(tool)
        except (ConfigError, ToolError) as err:
            registry.problems.append(str(err))
            log.warning("MCP server %s skipped: %s", server.name, type(err).__name__)
            continue
        log.info("MCP server %s: %d tools", server.name, len(tools))


def register(registry: ToolRegistry) -> None:
    """MCP tools depend on the config, so they are registered by `register_servers`, not here."""
