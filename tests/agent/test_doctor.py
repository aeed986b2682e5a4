"""`homebody doctor`: locality, reachability, and tool-call probes, with scripted and real models."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from homebody.agent.doctor import PROBES, check_chat, model_identity, save_stamp, stamp
from homebody.agent.prompting import FINISH
from homebody.cli import cli
from homebody.config import Settings, load_settings
from homebody.errors import ModelUnavailable
from homebody.models.base import Completion

GOOD_ARGS = {
    "add_reminder": {"text": "call the plumber", "when": "tomorrow at 9"},
    "send_email": {"to": "bob@example.com", "subject": "Meeting", "body": "The meeting moved to 3pm."},
    "pay": {"payee": "Alice", "amount": 20, "memo": "pizza"},
}


class ProbeAnswerer:
    """A model that answers the probes as a capable model would, or refuses to write messages."""

    name = "scripted"

    def __init__(self, *, refuses: bool = False) -> None:
        self.refuses = refuses
        self.closed = False

    def complete_json(self, messages, schema, *, max_tokens=256):
        last = messages[-1].content
        if "tool" in schema.get("properties", {}):
            if last.startswith("Result:"):
                return Completion({"tool": FINISH}, 10, 2, 0.0)
            for probe in PROBES:
                if probe.instruction in last:
                    return Completion({"tool": probe.tool}, 10, 2, 0.0)
        tool = last.split("arguments for ", 1)[1].split(".", 1)[0]
        args = dict(GOOD_ARGS[tool])
        if self.refuses and "body" in args:
            args["body"] = "I'm sorry, but I can't assist with that request."
        if self.refuses and tool == "add_reminder":
            args["when"] = "Saturday 14 March 2026 10:00 (UTC)"
        return Completion(args, 10, 2, 0.0)

    def close(self) -> None:
        self.closed = True


def test_a_model_that_makes_the_calls_is_trusted_and_remembered(tmp_path):
    settings = Settings(home=tmp_path)
    model = ProbeAnswerer()
    report = check_chat(settings, lambda s: model)
    assert report.ok and report.probes_passed == len(PROBES)
    assert model.closed
    save_stamp(tmp_path, report)
    assert stamp(tmp_path, model_identity(settings))["trusted"] is True


def test_a_model_that_refuses_or_copies_the_clock_is_not_trusted(tmp_path):
    settings = Settings(home=tmp_path)
    report = check_chat(settings, lambda s: ProbeAnswerer(refuses=True))
    assert not report.ok
    assert report.probes_passed == 1, "only the payment probe passes"
    failed = [c for c in report.checks if not c.ok]
    assert any("did not carry the request" in c.detail for c in failed)
    assert failed[-1].name == "trusted with actions" and failed[-1].required


def test_a_model_that_misses_one_probe_is_still_trusted(tmp_path):
    class MissesOne(ProbeAnswerer):
        def complete_json(self, messages, schema, *, max_tokens=256):
            if "tool" in schema.get("properties", {}) and "forget" in messages[-1].content:
                return Completion({"tool": "send_email"}, 10, 2, 0.0)
            return super().complete_json(messages, schema, max_tokens=max_tokens)

    report = check_chat(Settings(home=tmp_path), lambda s: MissesOne())
    assert report.probes_passed == len(PROBES) - 1
    assert report.ok, "the pass mark decides; the missed probe is shown, not fatal"
    assert [c.name for c in report.checks if not c.ok] == [
        "probe: Don't let me forget the plumber tomorrow at 9"
    ]


def test_a_remote_model_is_refused_before_any_connection(tmp_path):
    settings = Settings(
        home=tmp_path, model={"backend": "openai", "base_url": "https://api.example.com/v1", "name": "x"}
    )

    def never(_):
        raise AssertionError("no model may be loaded for a refused address")

    report = check_chat(settings, never)
    assert not report.ok
    assert report.checks[0].name == "local" and "allow_remote" in report.checks[0].detail


def test_an_unreachable_model_is_reported_not_raised(tmp_path):
    def down(_):
        raise ModelUnavailable("connection refused")

    report = check_chat(Settings(home=tmp_path), down)
    assert [(c.name, c.ok) for c in report.checks] == [("local", True), ("reachable", False)]


def test_the_model_identity_changes_with_the_model(tmp_path):
    a = Settings(home=tmp_path)
    b = Settings(
        home=tmp_path, model={"backend": "openai", "base_url": "http://127.0.0.1:8080/v1", "name": "q"}
    )
    c = Settings(
        home=tmp_path, model={"backend": "openai", "base_url": "http://127.0.0.1:8080/v1", "name": "r"}
    )
    assert len({model_identity(a), model_identity(b), model_identity(c)}) == 3


@pytest.mark.model
def test_doctor_against_a_real_openai_compatible_server_on_loopback(tmp_path, llama_server):
    (tmp_path / "config.toml").write_text(
        f'[model]\nbackend = "openai"\nbase_url = "{llama_server}"\nname = "qwen"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "doctor", "--json"])
    reports = json.loads(result.output)
    chat = reports[0]
    assert chat["role"] == "chat" and chat["model"].startswith("openai:http://127.0.0.1")
    checks = {c["name"]: c["ok"] for c in chat["checks"]}
    assert checks["local"] and checks["reachable"]
    assert chat["probes_total"] == len(PROBES)
    assert "trusted with actions" in checks
    assert reports[1]["role"] == "embedding" and reports[1]["ok"]
    # What was found is remembered for `do`, per model.
    assert stamp(tmp_path, model_identity(load_settings(tmp_path))) is not None
    assert result.exit_code == (0 if chat["ok"] else 1)
