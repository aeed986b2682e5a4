"""Language and embedding models: the embedded defaults and any OpenAI-compatible local server."""

from __future__ import annotations

from homebody.config import Settings, models_dir
from homebody.errors import ConfigError
from homebody.models.base import ChatModel, Completion, Embedder, Message
from homebody.models.files import default_llm, verify

__all__ = ["ChatModel", "Completion", "Embedder", "Message", "load_chat_model", "load_embedder"]


def load_chat_model(settings: Settings) -> ChatModel:
    """The chat model the settings name, loaded and checked."""
    config = settings.model
    if config.backend == "openai":
        from homebody.models.openai import OpenAIChat

        if not config.base_url or not config.name:
            raise ConfigError('[model] backend = "openai" needs base_url and name in config.toml')
        return OpenAIChat(
            config.base_url,
            config.name,
            api_key=config.api_key.resolve() if config.api_key else None,
            allow_remote=config.allow_remote,
            timeout=config.timeout,
        )
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

        if not config.base_url or not config.name:
            raise ConfigError('[embedding] backend = "openai" needs base_url and name in config.toml')
        return OpenAIEmbedder(
            config.base_url,
            config.name,
            api_key=config.api_key.resolve() if config.api_key else None,
            allow_remote=config.allow_remote,
        )
    from homebody.models.embedded import EmbeddedEmbedder

    return EmbeddedEmbedder()
