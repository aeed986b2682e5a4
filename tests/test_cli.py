"""The `homebody` command as a user runs it: add, sync, sources, search, show, ask, and its errors."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from homebody.cli import cli
from homebody.demo.run import persona_dir


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEBODY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOMEBODY_TIMEZONE", "Europe/London")
    return tmp_path / "home"


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("mail.mbox", "calendar.ics", "WhatsApp Chat with Sam Okafor.txt"):
        shutil.copy(persona_dir() / name, folder / name)
    return folder


def run(*args, ok=True):
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def _synced(data):
    run("add", "mbox", str(data / "mail.mbox"), "--name", "gmail")
    run("add", "ics", str(data / "calendar.ics"))
    run("add", "whatsapp", str(data / "WhatsApp Chat with Sam Okafor.txt"), "--name", "sam")
    return run("sync", "--quiet")


def test_add_sync_sources(home, data):
    result = _synced(data)
    assert "gmail: 54 new" in result.output
    assert "sam: 118 new" in result.output
    sources = json.loads(run("sources", "--json").output)
    by_name = {s["name"]: s for s in sources}
    assert set(by_name) == {"gmail", "calendar", "sam"}
    assert by_name["gmail"]["kind"] == "mbox" and by_name["gmail"]["items"] == 54
    assert by_name["gmail"]["first"].startswith("2026-08-01")
    assert by_name["sam"]["errors"] == 0 and by_name["sam"]["last_sync"]
    assert (home / "vault.db").exists()
    again = run("sync", "--quiet")
    assert "gmail: 0 new, 0 changed" in again.output


def test_search_and_show(home, data):
    _synced(data)
    hits = json.loads(run("search", "dentist moved", "--json", "--limit", "3").output)
    assert len(hits) == 3
    assert any(h["native_id"] == "20260924093118.c41d7e05@harbourdental.example.com" for h in hits)
    item = json.loads(run("show", hits[0]["id"], "--json").output)
    assert item["id"] == hits[0]["id"] and item["text"]
    assert item["origin"] and item["source"] in ("gmail", "calendar", "sam")
    text = run("show", hits[0]["id"]).output
    assert item["text"].splitlines()[0] in text


def test_ask_about_unconnected_payments_says_so_without_a_model(home, data):
    _synced(data)
    answer = json.loads(run("ask", "How much did I pay Sam last month?", "--json").output)
    assert answer["found"] is False and answer["citations"] == []
    assert "transaction" in answer["coverage"]["not_connected"]
    assert set(answer["coverage"]["searched"]) == {"email", "event", "message"}
    assert "no source of payments" in answer["answer"]


def test_bad_record_is_listed_with_file_and_position(home, tmp_path):
    chat = tmp_path / "WhatsApp Chat with Ana.txt"
    chat.write_text(
        "12/01/2024, 09:14 - Ana: hello\n45/13/2024, 09:15 - Ana: broken date\n"
        "12/01/2024, 09:16 - Ana: still here\n",
        encoding="utf-8",
    )
    run("add", "whatsapp", str(chat))
    result = run("sync", "--quiet")
    assert "bad record" in result.output
    errors = json.loads(run("sources", "--errors", "--json").output)
    assert [(e["position"]) for e in errors] == ["line 2"]
    assert errors[0]["file"].endswith("WhatsApp Chat with Ana.txt")
    [source] = json.loads(run("sources", "--json").output)
    assert (source["items"], source["errors"]) == (2, 1)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("add", "fax", "/tmp"), 1, "no connector for source kind 'fax'"),
        (("add", "mbox", "/nonexistent/inbox.mbox"), 1, "/nonexistent/inbox.mbox"),
        (("show", "ffffffffffff"), 1, "no item with id"),
        (("sync", "--source", "nope"), 1, "no source named 'nope'"),
    ],
)
def test_errors_are_one_clear_line_and_an_exit_code(home, args, code, message):
    result = run(*args, ok=False)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_duplicate_source_name_is_refused(home, data):
    run("add", "ics", str(data / "calendar.ics"), "--name", "cal")
    result = run("add", "ics", str(data / "calendar.ics"), "--name", "cal", ok=False)
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_a_bad_config_is_a_config_error(home, monkeypatch):
    monkeypatch.delenv("HOMEBODY_TIMEZONE")
    home.mkdir(parents=True)
    (home / "config.toml").write_text('timezone = "Mars/Olympus"\n')
    result = run("sources", ok=False)
    assert result.exit_code == 2
    assert "unknown time zone" in result.output


def test_people_and_person(home, data):
    _synced(data)
    people = json.loads(run("people", "--json").output)
    sam = next(p for p in people if p["name"] == "Sam Okafor")
    assert sam["channels"] == {"mbox": 6, "whatsapp": 118}
    shown = json.loads(run("person", "Sam Okafor", "--json").output)
    assert {i["kind"] for i in shown["identities"]} == {"email", "name"}
    assert "writes from sam.okafor@example.com" in shown["joined_because"][0]["reason"]
    assert {r["source_kind"] for r in shown["recent"]} == {"mbox", "whatsapp"}
    hits = json.loads(run("search", "Lisbon", "--person", "Sam Okafor", "--json").output)
    assert {h["source_kind"] for h in hits} == {"mbox", "whatsapp"}
    run("people", "split", "sam.okafor@example.com")
    after = json.loads(run("person", "Sam Okafor", "--json").output)
    assert {i["kind"] for i in after["identities"]} == {"name"}
    address = json.loads(run("person", "sam.okafor@example.com", "--json").output)
    assert address["id"] != after["id"]
