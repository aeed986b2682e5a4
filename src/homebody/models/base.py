"""What homebody asks of a model: JSON that fits a schema, and embeddings.

A 0.5B local model is weak, so the agent never lets it choose facts it cannot check: it writes
inside a JSON schema (constrained decoding where the backend has it), and code parses dates and
amounts and picks citations from what retrieval found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from homebody.errors import ModelOutputError

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: str  # "system", "user" or "assistant"
    content: str


@dataclass(frozen=True)
class Completion:
    """A model's JSON answer and what it cost."""

    data: dict[str, Any]
    prompt_tokens: int
    completion_tokens: int
    seconds: float


class ChatModel(Protocol):
    """A language model that answers in JSON fitting a schema."""

    name: str

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int = 256
    ) -> Completion:
        """The model's reply to `messages`, parsed as JSON fitting `schema`."""
        ...

    def close(self) -> None:
        """Release the model's memory or connections."""
        ...


class Embedder(Protocol):
    """A model that turns text into unit vectors."""

    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """One row per text, for documents to be searched."""
        ...

    def embed_query(self, text: str) -> Vector:
        """One vector for a search query."""
        ...


def parse_json_reply(content: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON object in a model's reply, checked for the schema's required keys."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ModelOutputError(f"the model did not return JSON: {err}") from err
    if not isinstance(data, dict):
        raise ModelOutputError("the model returned JSON that is not an object")
    missing = [key for key in schema.get("required", []) if key not in data]
    if missing:
        raise ModelOutputError(f"the model's JSON lacks {', '.join(missing)}")
    return data
