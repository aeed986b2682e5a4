"""MCP servers' tools, against a real stdio MCP server started from the test folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from homebody.errors import ToolError, ToolUnavailable
from homebody.tools.base import load_tools
from homebody.tools.effects import Effect, Role

SERVER = Path(__file__).parent / "mcp" / "tiny_server.py"


def _server(name: str = "tiny", **options: Any) -> dict[str, Any]:
    return {"name": name, "command": sys.executable, "args": [str(SERVER)], **options}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Any:
    """A registry with the tiny server's tools (default declaration) and a read-only copy of `add`."""
    from homebody.config import Settings

    settings = Settings.model_validate(
        {
            "home": tmp_path_factory.mktemp("home"),
            "mcp": {
                "servers": [
                    _server(roles={"text": "subject"}),
                    _server("calc", read_only=True, tools=["add"]),
                ]
            },
        }
    )
    return load_tools(settings=settings), settings


def test_tools_are_registered_as_sending_and_irreversible_unless_declared_read_only(tiny) -> None:
    registry, _ = tiny
    assert registry.problems == []
    post = registry.get("tiny__post")
    assert post.spec.effects == {Effect.SEND}
    assert not post.spec.reversible
    # Guessed from the argument name, and the user's declaration wins over a guess.
    assert post.spec.roles == {"to": Role.RECIPIENT, "text": Role.SUBJECT}
    add = registry.get("calc__add")
    assert add.spec.read_only and add.spec.reversible
    assert "calc__post" not in registry.names()  # only the tools the config lists
    assert "Args:" in post.spec.description and "to: (string)" in post.spec.description
    assert add.json_schema()["required"] == ["a", "b"]


def test_a_call_starts_the_server_and_returns_its_answer(tiny, context) -> None:
    registry, _ = tiny
    tool = registry.get("calc__add")
    result = tool.run(tool.validate({"a": 2, "b": 40}), context)
    assert result.output == "42"
    assert result.data["structured"] == {"result": 42}
    preview = tool.describe(tool.validate({"a": 2, "b": 40}), context)
    assert "add" in preview and "calc" in preview and "a: 2" in preview


def test_arguments_off_the_schema_are_refused_before_the_server_sees_them(tiny) -> None:
    registry, _ = tiny
    tool = registry.get("tiny__post")
    with pytest.raises(ToolError, match="text"):
        tool.validate({"to": "sam"})
    with pytest.raises(ToolError, match="not of type 'string'"):
        tool.validate({"to": 7, "text": "x"})


def test_a_failing_tool_is_a_tool_error_for_the_model(tiny, context) -> None:
    registry, _ = tiny
    tool = registry.get("tiny__fail")
    with pytest.raises(ToolError, match="tiny__fail failed") as caught:
        tool.run(tool.validate({"reason": "no"}), context)
    assert not isinstance(caught.value, ToolUnavailable)


def test_a_server_too_slow_is_unavailable(context, tmp_path) -> None:
    from homebody.config import Settings

    settings = Settings.model_validate(
        {"home": tmp_path, "mcp": {"servers": [_server(tools=["nap"], timeout=3)]}}
    )
    tool = load_tools(settings=settings).get("tiny__nap")
    with pytest.raises(ToolUnavailable, match="did not answer within 3 s"):
        tool.run(tool.validate({"seconds": 30}), context)


def test_a_server_that_will_not_start_is_noted_and_the_others_still_load(tmp_path) -> None:
    from homebody.config import Settings

    settings = Settings.model_validate(
        {
            "home": tmp_path,
            "mcp": {
                "servers": [
                    {"name": "broken", "command": str(tmp_path / "no-such-program")},
                    _server("calc", tools=["add", "multiply"]),
                ]
            },
        }
    )
    registry = load_tools(settings=settings)
    assert any("broken" in p for p in registry.problems)
    assert any("no tool named multiply" in p for p in registry.problems)
    assert "draft_email" in registry.names()
    assert not [n for n in registry.names() if n.startswith(("broken__", "calc__"))]
