"""`homebody sync`, `embed` and `search` with vectors from an embeddings server on loopback."""

from __future__ import annotations

import importlib.util
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from homebody.cli import cli
from homebody.demo.run import persona_dir

_spec = importlib.util.spec_from_file_location("words", Path(__file__).parent / "retrieval" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_words = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_words)


class _Embeddings(BaseHTTPRequestHandler):
    """POST /v1/embeddings as OpenAI answers it, from the stand-in bag-of-words model."""

    model = _words.WordsEmbedder()
    requests: list[int] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        self.requests.append(len(texts))
        vectors = self.model.embed_passages(texts)
        reply = json.dumps(
            {
                "data": [{"index": n, "embedding": v.tolist()} for n, v in enumerate(vectors)],
                "model": body["model"],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    thread = threading.Thread(target=httpd.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def home(tmp_path, monkeypatch, server):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'timezone = "Europe/London"\n[embedding]\nbackend = "openai"\nbase_url = "{server}"\n'
        'name = "words"\n'
    )
    monkeypatch.setenv("HOMEBODY_HOME", str(home))
    monkeypatch.setenv("HOMEBODY_NOW", "2026-11-21T12:00:00+00:00")
    shutil.copy(persona_dir() / "WhatsApp Chat with Sam Okafor.txt", tmp_path / "sam.txt")
    shutil.copy(persona_dir() / "calendar.ics", tmp_path / "calendar.ics")
    return home


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_sync_computes_vectors_and_search_uses_them(home, tmp_path):
    run("add", "whatsapp", str(tmp_path / "sam.txt"), "--name", "sam")
    run("add", "ics", str(tmp_path / "calendar.ics"))
    out = run("sync", "--quiet", "--embed")
    assert "vectors: " in out and "items" in out
    assert "Every item has its vectors." in run("embed", "--quiet")
    hits = json.loads(run("search", "Alfama", "--json", "--mode", "vector", "--limit", "3"))
    assert hits and all(h["found_by"] == ["vector"] for h in hits)
    assert "alfama" in hits[0]["excerpt"].lower()
    both = json.loads(run("search", "Alfama", "--json", "--limit", "3"))
    assert "bm25" in both[0]["found_by"] and "vector" in both[0]["found_by"]


def test_a_new_embedding_model_reembeds_everything(home, tmp_path):
    run("add", "ics", str(tmp_path / "calendar.ics"))
    run("sync", "--quiet", "--no-embed")
    assert "vectors: " in run("embed", "--quiet", "--limit", "5")  # stopped early: resumable
    assert "vectors: " in run("embed", "--quiet")
    config = home / "config.toml"
    config.write_text(config.read_text().replace('name = "words"', 'name = "words-v2"'))
    assert "The embedding model changed to words-v2" in run("embed", "--quiet")


def test_a_period_in_the_query_filters_search(home, tmp_path):
    run("add", "whatsapp", str(tmp_path / "sam.txt"), "--name", "sam")
    run("sync", "--quiet", "--no-embed")
    hits = json.loads(run("search", "Lisbon in September", "--json", "--mode", "bm25"))
    assert hits and all(h["ts"].startswith("2026-09") for h in hits)


def test_sync_embeds_by_default_and_the_config_can_say_not_to(home, tmp_path, monkeypatch):
    monkeypatch.delenv("HOMEBODY_EMBED_AFTER_SYNC")
    run("add", "ics", str(tmp_path / "calendar.ics"))
    assert "vectors: " in run("sync", "--quiet")
    config = home / "config.toml"
    config.write_text(config.read_text() + "after_sync = false\n")
    run("add", "whatsapp", str(tmp_path / "sam.txt"), "--name", "sam")
    assert "vectors: " not in run("sync", "--quiet")
    assert "vectors: " in run("embed", "--quiet")
