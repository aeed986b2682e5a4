"""The settings object: `config.toml` in the home folder, then `HOMEBODY_*` environment variables.

Secrets are references, never values in the file (datasette's `$env`)::

    timezone = "Europe/London"
    region = "GB"                      # for phone numbers written without a +country code
    plugins = []                       # connector plugin modules to load; none by default

    [model]
    backend = "embedded"               # or "openai" for any OpenAI-compatible local server
    base_url = "http://127.0.0.1:11434/v1"
    name = "qwen2.5:0.5b"
    api_key = { env = "OLLAMA_KEY" }   # optional
    allow_remote = false               # a non-local address is refused unless this is true
    path = "/models/other.gguf"        # embedded backend: use this GGUF instead of the default
    sha256 = "..."                     # ... and refuse it unless it has this digest

    [embedding]
    backend = "embedded"               # or "openai" (base_url, name, api_key as for [model])
    after_sync = true                  # `homebody sync` computes new vectors; else `homebody embed`
"""

from __future__ import annotations

import os
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from homebody.errors import ConfigError

CONFIG_FILE = "config.toml"


class SecretRef(BaseModel):
    """Where a secret lives: an environment variable or an OS keyring entry, never the file."""

    model_config = ConfigDict(extra="forbid")
    env: str | None = None
    keyring: str | None = None

    def resolve(self) -> str | None:
        """The secret's value, or None when it is not set."""
        if self.env:
            return os.environ.get(self.env)
        if self.keyring:
            import keyring

            value = keyring.get_password("homebody", self.keyring)
            return str(value) if value is not None else None
        return None


class EndpointSettings(BaseModel):
    """Where a model runs: embedded in this process, or behind an OpenAI-compatible server."""

    model_config = ConfigDict(extra="forbid")
    backend: Literal["embedded", "openai"] = "embedded"
    base_url: str | None = None
    name: str | None = None
    api_key: SecretRef | None = None
    allow_remote: bool = False


class ModelSettings(EndpointSettings):
    """Which language model answers, and where it runs."""

    path: Path | None = None
    sha256: str | None = None
    context: int = Field(default=4096, ge=512)
    threads: int | None = Field(default=None, ge=1)
    timeout: float = Field(default=300.0, gt=0)


class EmbeddingSettings(EndpointSettings):
    """Which embedding model turns text into vectors, and whether `sync` computes them right away."""

    after_sync: bool = True


class Settings(BaseModel):
    """Everything homebody is configured with, for one home folder."""

    model_config = ConfigDict(extra="forbid")
    home: Path
    timezone: str = "UTC"
    region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    plugins: list[str] = Field(default_factory=list)
    model: ModelSettings = Field(default_factory=ModelSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    now: datetime | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @property
    def vault_path(self) -> Path:
        """The vault database file."""
        return self.home / "vault.db"

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone."""
        return ZoneInfo(self.timezone)

    def current_time(self) -> datetime:
        """Now, in UTC, unless `HOMEBODY_NOW` fixed it for reproducible runs."""
        from datetime import UTC

        return self.now.astimezone(UTC) if self.now else datetime.now(UTC)


def default_home() -> Path:
    """The platform's user data folder for homebody."""
    return Path(platformdirs.user_data_dir("homebody", appauthor=False))


def models_dir() -> Path:
    """Where joined model files are cached, shared by every home folder of this user."""
    return Path(platformdirs.user_data_dir("homebody", appauthor=False)) / "models"


def load_settings(home: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read `config.toml` from the home folder, then apply `HOMEBODY_*` variables."""
    environ = dict(os.environ if env is None else env)
    home = home or (Path(environ["HOMEBODY_HOME"]) if environ.get("HOMEBODY_HOME") else None)
    home = (home or default_home()).expanduser()
    config_path = Path(environ.get("HOMEBODY_CONFIG") or home / CONFIG_FILE)
    data: dict[str, Any] = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"cannot read {config_path}: {err}") from err
    data["home"] = home
    if environ.get("HOMEBODY_REGION"):
        data["region"] = environ["HOMEBODY_REGION"]
    if environ.get("HOMEBODY_TIMEZONE"):
        data["timezone"] = environ["HOMEBODY_TIMEZONE"]
    if environ.get("HOMEBODY_NOW"):
        data["now"] = environ["HOMEBODY_NOW"]
    model = dict(data.get("model", {}))
    for key in ("backend", "base_url", "name"):
        if environ.get(f"HOMEBODY_MODEL_{key.upper()}"):
            model[key] = environ[f"HOMEBODY_MODEL_{key.upper()}"]
    data["model"] = model
    if environ.get("HOMEBODY_EMBED_AFTER_SYNC"):
        after = environ["HOMEBODY_EMBED_AFTER_SYNC"].lower() not in ("0", "off", "no", "false")
        data["embedding"] = {**data.get("embedding", {}), "after_sync": after}
    try:
        settings = Settings.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"invalid configuration in {config_path}: {problems}") from err
    if settings.now is not None and settings.now.tzinfo is None:
        settings.now = settings.now.replace(tzinfo=settings.zone)
    return settings
