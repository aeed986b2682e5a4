"""A tiny MCP server for the tests, over stdio, written with the mcp package's MCPServer (ex-FastMCP)."""

from __future__ import annotations

import time

from mcp.server.mcpserver import MCPServer

server = MCPServer("tiny")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two whole numbers."""
    return a + b


@server.tool()
def post(to: str, text: str) -> str:
    """Post a message to someone."""
    return f"posted {len(text)} characters to {to}"


@server.tool()
def fail(reason: str) -> str:
    """Always fails."""
    raise ValueError(reason)


@server.tool()
def nap(seconds: float) -> str:
    """Sleep, then answer."""
    time.sleep(seconds)
    return "awake"


if __name__ == "__main__":
    server.run()
