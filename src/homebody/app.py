"""The objects a command works with, built once from the settings: vault, registry, model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from homebody.agent.answer import Answer, ask
from homebody.config import Settings, load_settings
from homebody.connectors.base import Registry, SyncContext, load_registry
from homebody.models import ChatModel, LazyChat, load_embedder
from homebody.retrieval.hybrid import Retriever
from homebody.tools.base import ToolRegistry, load_tools
from homebody.vault.store import Vault


@dataclass
class App:
    """One run of homebody against one home folder."""

    settings: Settings
    _vault: Vault | None = field(default=None, repr=False)
    _registry: Registry | None = field(default=None, repr=False)
    _model: ChatModel | None = field(default=None, repr=False)
    _tools: ToolRegistry | None = field(default=None, repr=False)
    _retriever: Retriever | None = field(default=None, repr=False)

    @classmethod
    def from_home(cls, home: Path | None) -> App:
        """An app for the home folder given, or `HOMEBODY_HOME`, or the platform default."""
        return cls(load_settings(home))

    @property
    def vault(self) -> Vault:
        """The vault, opened (and created) on first use."""
        if self._vault is None:
            self._vault = Vault.open(self.settings.vault_path)
        return self._vault

    @property
    def registry(self) -> Registry:
        """Built-in connectors plus the plugins the config names."""
        if self._registry is None:
            self._registry = load_registry(self.settings.plugins)
        return self._registry

    @property
    def tools(self) -> ToolRegistry:
        """Built-in tools plus the tool plugins the config names."""
        if self._tools is None:
            self._tools = load_tools(self.settings.tools.plugins, settings=self.settings)
        return self._tools

    @property
    def model(self) -> ChatModel:
        """The configured chat model, loaded when first asked something."""
        if self._model is None:
            self._model = LazyChat(self.settings)
        return self._model

    @property
    def retriever(self) -> Retriever:
        """Hybrid search over the vault; the embedding model loads when a search first needs it."""
        if self._retriever is None:
            settings = self.settings
            self._retriever = Retriever(self.vault, lambda: load_embedder(settings))
        return self._retriever

    def ask(self, question: str) -> Answer:
        """Answer a question from the vault, now, in the user's zone, with hybrid search."""
        return ask(
            self.vault,
            self.registry,
            self.model,
            question,
            now=self.settings.current_time(),
            zone=self.settings.zone,
            retriever=self.retriever,
        )

    def sync_context(self) -> SyncContext:
        """The clock and zone connectors see."""
        return SyncContext(
            now=self.settings.current_time(), timezone=self.settings.timezone, region=self.settings.region
        )

    def close(self) -> None:
        """Release the model and the vault."""
        if self._model is not None:
            self._model.close()
            self._model = None
        if self._retriever is not None:
            self._retriever.close()
            self._retriever = None
        if self._vault is not None:
            self._vault.close()
            self._vault = None
