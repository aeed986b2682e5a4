"""The tool registry and argument validation."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from homebody.errors import ConfigError, ToolError
from homebody.tools.base import Tool, ToolRegistry, ToolResult, load_tools
from homebody.tools.effects import Effect, Role, ToolSpec


class _Args(BaseModel):
    to: str
    amount: float


def _tool(name: str = "pay") -> Tool:
    spec = ToolSpec(
        name=name,
        description="Pay someone.",
        effects=frozenset({Effect.MONEY}),
        reversible=False,
        roles={"to": Role.PAYEE, "amount": Role.AMOUNT},
    )
    return Tool(spec=spec, args=_Args, run=lambda a, c: ToolResult(f"paid {a.amount}"))


def test_invalid_arguments_become_a_tool_error_naming_the_field() -> None:
    with pytest.raises(ToolError, match=r"pay: invalid arguments: amount"):
        _tool().validate({"to": "x", "amount": "lots"})


def test_valid_arguments_are_coerced_into_the_model() -> None:
    args = _tool().validate({"to": "x", "amount": "12.5"})
    assert isinstance(args, _Args)
    assert args.amount == 12.5


def test_unknown_tool_is_a_tool_error_listing_the_known_ones() -> None:
    registry = ToolRegistry()
    registry.register(_tool())
    with pytest.raises(ToolError, match=r"no tool named 'buy'.*pay"):
        registry.get("buy")


def test_two_tools_with_one_name_are_refused() -> None:
    registry = ToolRegistry()
    registry.register(_tool())
    with pytest.raises(ConfigError):
        registry.register(_tool())


def test_spec_knows_read_only_tools() -> None:
    spec = ToolSpec(name="look", description="", effects=frozenset({Effect.READ}), reversible=True)
    assert spec.read_only
    assert not _tool().spec.read_only


def test_a_plugin_without_register_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no register"):
        load_tools(["homebody.tools.effects"])
    with pytest.raises(ConfigError, match="cannot import"):
        load_tools(["homebody.tools.no_such_module"])
