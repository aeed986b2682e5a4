"""`homebody mcp`: a real MCP client talks to the server process over stdio."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime

import anyio
import pytest
from click.testing import CliRunner
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from homebody.cli import cli
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEBODY_PASSPHRASE", "correct horse battery staple")
    with Vault.open(tmp_path / "vault.db") as vault:
        mail = vault.add_source("gmail", "mbox", "/x")
        vault.upsert(
            mail,
            Item(
                kind=Kind.EMAIL,
                native_id="m1@example.org",
                text="Your dentist appointment moved to Thursday 29 October at 15:30.",
                title="Appointment moved",
                ts=datetime(2026, 10, 20, 9, tzinfo=UTC),
                author="Harbour Dental <desk@dental.example>",
            ),
            None,
        )
        vault.conn.commit()
    return tmp_path


def _call(home, *calls):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "homebody", "--home", str(home), "mcp"],
        env={**os.environ, "HOMEBODY_KEYRING": "off"},
    )
    results = {}

    async def talk():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            results["tools"] = sorted(t.name for t in (await session.list_tools()).tools)
            for name, args in calls:
                reply = await session.call_tool(name, args)
                results[name] = reply

    anyio.run(talk)
    return results


def test_the_server_is_off_unless_the_config_enables_it(home):
    result = CliRunner().invoke(cli, ["--home", str(home), "mcp"])
    assert result.exit_code == 2
    assert "serve = true" in result.output


def test_another_agent_can_search_and_ask_and_do_nothing_else(home):
    (home / "config.toml").write_text("[mcp]\nserve = true\n", encoding="utf-8")
    results = _call(
        home,
        ("search", {"query": "dentist appointment", "limit": 5}),
        ("ask", {"question": "How much did I pay Sam last month?"}),
    )
    assert results["tools"] == ["ask", "search"], "read-only: no tool that acts is exposed"
    hits = json.loads(results["search"].content[0].text)
    hits = hits if isinstance(hits, list) else [hits]
    assert hits[0]["native_id"] == "m1@example.org"
    answer = json.loads(results["ask"].content[0].text)
    # No bank or payment source is connected: answered from coverage, without a model.
    assert not answer["found"]
    assert "transaction" in answer["coverage"]["not_connected"]
