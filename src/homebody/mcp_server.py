"""homebody as an MCP server for other local agents: read-only search and ask over the vault.

Off by default (`[mcp] serve = true` in config.toml turns it on): whoever runs it gets the
user's whole life to read. It speaks MCP over stdio, so only a program the user starts can reach it,
and it offers reading only; no tool of homebody that acts is exposed.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.mcpserver import MCPServer

from homebody.app import App
from homebody.errors import ConfigError, HomebodyError

log = logging.getLogger(__name__)


def build_server(app: App) -> MCPServer:
    """An MCP server with the read-only tools `search` and `ask` over this app's vault.

    The tools are coroutines that do their work inline: the SDK would run plain functions on worker
    threads, and the vault's SQLite connection belongs to one thread. One client talks over stdio, so
    a request that blocks the loop blocks no one else.
    """
    from homebody.retrieval.search import search as search_vault
    from homebody.views import answer_view, hit_view

    server = MCPServer("homebody", instructions="Read-only search and cited answers over the user's vault.")

    @server.tool()
    async def search(query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Search the user's vault (email, messages, calendar, money, contacts, notes) by words.

        Args:
            query: the words to look for
            limit: the most results to return (1-50)
        """
        hits = search_vault(app.vault, query, limit=max(1, min(limit, 50)))
        log.info("mcp search: %d hits", len(hits))
        return [hit_view(h) for h in hits]

    @server.tool()
    async def ask(question: str) -> dict[str, Any]:
        """Answer a question from the user's vault, with citations and what the vault cannot see.

        Args:
            question: the question, in plain words
        """
        try:
            answer = app.ask(question)
        except HomebodyError as err:
            return {"error": str(err)}
        return answer_view(answer)

    return server


def serve(app: App) -> None:
    """Serve MCP over stdio until the client closes it; refused unless the config enables it."""
    if not app.settings.mcp.serve:
        raise ConfigError(
            "the MCP server is off: it would let another program read your whole vault. "
            "To allow it, set serve = true under [mcp] in config.toml"
        )
    build_server(app).run("stdio")
