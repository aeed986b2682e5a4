"""Language and embedding models: the embedded defaults and any OpenAI-compatible local server."""

from __future__ import annotations

from typing import Any

from homebody.config import EndpointSettings, Settings, models_dir
from homebody.errors import ConfigError
from homebody.models.base import ChatModel, Completion, Embedder, Message
from homebody.models.files import default_llm, verify

__all__ = [
    "ChatModel",
    "Completion",
    "Embedder",
    "LazyChat",
    "Message",
    "load_chat_model",
    "load_embedder",
]


class LazyChat:
    """The configured chat model, loaded only when first asked something.

    Many answers need no model (nothing found, data not connected); they should not wait for one.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model: ChatModel | None = None
        self.name = settings.model.name or settings.model.backend

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded."""
        return self._model is not None

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int = 256
    ) -> Completion:
        """Load the model if needed, then ask it."""
        if self._model is None:
            self._model = load_chat_model(self._settings)
            self.name = self._model.name
        return self._model.complete_json(messages, schema, max_tokens=max_tokens)

    def close(self) -> None:
        """Release the model if it was loaded."""
        if self._model is not None:
            self._model.close()
            self._model = None


def _server_options(config: EndpointSettings, section: str) -> tuple[str, str, dict[str, Any]]:
    """Base URL, model name and client options of an OpenAI-compatible server section."""
    if not config.base_url or not config.name:
        raise ConfigError(f'[{section}] backend = "openai" needs base_url and name in config.toml')
    options = {
        "api_key": config.api_key.resolve() if config.api_key else None,
        "allow_remote": config.allow_remote,
    }
    return config.base_url, config.name, options


def load_chat_model(settings: Settings) -> ChatModel:
    """The chat model the settings name, loaded and checked."""
    config = settings.model
    if config.backend == "openai":
        from homebody.models.openai import OpenAIChat

        url, name, options = _server_options(config, "model")
        return OpenAIChat(url, name, timeout=config.timeout, **options)
    from homebody.models.embedded import EmbeddedChat

    if config.path is not None:
        path = config.path.expanduser()
        if config.sha256:
            verify(path, config.sha256)
    else:
        path = default_llm(models_dir())
    return EmbeddedChat(path, context=config.context, threads=config.threads)


def load_embedder(settings: Settings) -> Embedder:
    """The embedding model the settings name."""
    config = settings.embedding
    if config.backend == "openai":
        from homebody.models.openai import OpenAIEmbedder

        url, name, options = _server_options(config, "embedding")
        return OpenAIEmbedder(url, name, **options)
    from homebody.models.embedded import EmbeddedEmbedder

    return EmbeddedEmbedder()
