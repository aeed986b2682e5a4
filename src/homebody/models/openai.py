"""Any OpenAI-compatible local server: Ollama, vLLM, SGLang, llama.cpp's server, LM Studio, MLC LLM.

Structured output goes through `response_format: {"type": "json_schema"}`, which all of these accept
(Ollama maps it to its `format` field); the reply is still checked against the schema's required keys.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from homebody.errors import ModelError, ModelUnavailable
from homebody.models.base import Completion, Message, Vector, parse_json_reply
from homebody.models.egress import check_endpoint


def _client(base_url: str, api_key: str | None, timeout: float) -> httpx.Client:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    # trust_env=False: a proxy from the environment must not carry private prompts off the machine.
    return httpx.Client(base_url=base_url, headers=headers, timeout=timeout, trust_env=False)


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        response = client.post(path, json=body)
    except httpx.TimeoutException as err:
        raise ModelUnavailable(f"the model server at {client.base_url} timed out") from err
    except httpx.HTTPError as err:
        raise ModelUnavailable(f"cannot reach the model server at {client.base_url}: {err}") from err
    if response.status_code >= 400:
        raise ModelError(f"the model server answered {response.status_code} to {path}: {response.text[:300]}")
    try:
        data = response.json()
    except ValueError as err:
        raise ModelError(f"the model server's reply to {path} is not JSON") from err
    if not isinstance(data, dict):
        raise ModelError(f"the model server's reply to {path} is not a JSON object")
    return data


class _Endpoint:
    """A model behind an OpenAI-compatible server, reached only if the egress policy allows it."""

    what = "model server"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        allow_remote: bool = False,
        timeout: float = 300.0,
    ) -> None:
        self.base_url = check_endpoint(base_url, allow_remote=allow_remote, what=self.what)
        self.name = model
        self._client = _client(self.base_url, api_key, timeout)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


class OpenAIChat(_Endpoint):
    """Chat completions from an OpenAI-compatible server."""

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int = 256
    ) -> Completion:
        """The server's reply, requested under the JSON schema."""
        started = time.perf_counter()
        data = _post(
            self._client,
            "/chat/completions",
            {
                "model": self.name,
                "messages": [{"role": m.role, "content": m.content} for m in messages],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": schema, "strict": True},
                },
                "max_tokens": max_tokens,
                "temperature": 0,
                "seed": 0,
            },
        )
        try:
            content = data["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as err:
            raise ModelError("the model server's reply has no choices[0].message.content") from err
        usage = data.get("usage") or {}
        return Completion(
            data=parse_json_reply(content, schema),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            seconds=time.perf_counter() - started,
        )


class OpenAIEmbedder(_Endpoint):
    """Embeddings from an OpenAI-compatible `/embeddings` endpoint."""

    what = "embedding server"

    def __init__(self, base_url: str, model: str, **options: Any) -> None:
        super().__init__(base_url, model, **options)
        self.dim = len(self.embed_query("dimension probe"))

    def _embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        data = _post(self._client, "/embeddings", {"model": self.name, "input": texts})
        try:
            rows = sorted(data["data"], key=lambda r: r["index"])
            matrix = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as err:
            raise ModelError("the embedding server's reply has no data[].embedding") from err
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)

    def embed_passages(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """One unit vector per document text."""
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        return self._embed(texts)

    def embed_query(self, text: str) -> Vector:
        """One unit vector for a search query."""
        vector: Vector = self._embed([text])[0]
        return vector
