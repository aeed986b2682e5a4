"""`homebody tools`: every built-in tool with its declaration, as the user and the guard see it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from homebody.cli import cli
from homebody.tools.base import load_tools

BUILT_IN = {
    "add_note", "add_reminder", "buy", "complete_reminder", "create_event", "draft_email", "draft_message",
    "fetch_page", "invite_to_event", "list_folder", "list_notes", "list_payment_accounts", "list_reminders",
    "pay", "read_file", "reply_email", "send_email", "update_event", "write_file",
}  # fmt: skip


def test_every_built_in_tool_declares_itself_and_documents_its_arguments() -> None:
    registry = load_tools()
    assert set(registry.names()) == BUILT_IN
    for tool in registry.tools():
        spec = tool.spec
        assert spec.effects, spec.name
        assert "Args:" in spec.description, spec.name
        properties = tool.json_schema().get("properties", {})
        for arg in properties:
            assert f"{arg}:" in spec.description, (spec.name, arg)
        assert set(spec.roles) <= set(properties), spec.name
        # Whatever reaches another person or moves money cannot be undone by homebody.
        if spec.effects & {"external_send", "money"}:
            assert not spec.reversible, spec.name


def test_homebody_tools_lists_effects_undo_and_roles(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOMEBODY_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["tools", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    views = {v["name"]: v for v in data["tools"]}
    assert views["pay"]["effects"] == ["money"] and views["pay"]["reversible"] is False
    assert views["pay"]["roles"]["payee"] == "payee"
    assert views["reply_email"]["effects"] == ["external_send"]
    assert views["draft_email"]["reversible"] is True
    assert data["problems"] == []
    table = CliRunner().invoke(cli, ["tools"])
    assert table.exit_code == 0
    assert "send_email" in table.output and "external_send" in table.output


def test_homebody_tools_names_an_mcp_server_that_would_not_start(tmp_path, monkeypatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[[mcp.servers]]\nname = "gone"\ncommand = "{tmp_path / "missing"}"\n', encoding="utf-8"
    )
    monkeypatch.setenv("HOMEBODY_HOME", str(home))
    result = CliRunner().invoke(cli, ["tools"])
    assert result.exit_code == 0
    assert "not loaded" in result.output and "gone" in result.output
