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

    [agent]
    undo_seconds = 30                  # an approved send waits this long; `homebody cancel ID` stops it
    approval_ttl_hours = 24            # a proposal nobody approves expires after this

    [email]                            # the user's outgoing account, for the email tools
    address = "me@example.org"
    smtp_host = "smtp.example.org"
    smtp_port = 587                    # default: 587 for starttls, 465 for ssl, 25 for none
    security = "starttls"              # or "ssl"; "none" only to this machine or its local network
    username = "me@example.org"        # default: the address; password from the environment or keyring

    [tools]
    allowed_folders = ["~/Documents/homebody"]   # the file tools work inside these folders only
    web_hosts = ["en.wikipedia.org"]   # hosts beyond the local network the fetch tool may reach
    calendar = "~/homebody.ics"        # or a CalDAV calendar's URL, https://user@host/path/
    plugins = []                       # tool plugin modules to load; none by default

    [payments]
    provider = "sandbox"               # a local pretend bank with its own ledger
    sandbox_accounts = { checking = "1000.00 USD" }

    [mcp]
    serve = false                      # `homebody mcp`: other local agents may search and ask (read-only)

    [[mcp.servers]]                    # tools of an MCP server, started as a local process
    name = "weather"
    command = "uvx"
    args = ["weather-mcp"]
    read_only = true                   # default false: its tools are treated as sending, not undoable

    [guard]                            # what the guard asks about or refuses: see homebody.guard.policy
    confirm_amount = 500.0
    trusted_contacts = ["sam@example.com"]
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
from homebody.guard.policy import Policy
from homebody.tools.effects import Effect, Role

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


class AgentSettings(BaseModel):
    """How the agent acts: approvals and the undo window of sends."""

    model_config = ConfigDict(extra="forbid")
    undo_seconds: float = Field(default=30.0, ge=0)
    approval_ttl_hours: float = Field(default=24.0, gt=0)


class EmailSettings(BaseModel):
    """The user's outgoing mail account: who they are and which SMTP server sends for them."""

    model_config = ConfigDict(extra="forbid")
    address: str = Field(pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    name: str | None = None
    smtp_host: str = Field(min_length=1)
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None  # default: the address; "" for a server that takes no login
    timeout: float = Field(default=60.0, gt=0)

    @property
    def port(self) -> int:
        """The SMTP port: the one set, else the usual one for the security chosen (RFC 8314)."""
        return self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]

    @property
    def login(self) -> str:
        """The user name to log in with ("" for none)."""
        return self.address if self.username is None else self.username


class ToolsSettings(BaseModel):
    """What the built-in tools may touch: folders, web hosts, the calendar to write to."""

    model_config = ConfigDict(extra="forbid")
    allowed_folders: list[Path] = Field(default_factory=list)
    web_hosts: list[str] = Field(default_factory=list)
    calendar: str | None = None
    plugins: list[str] = Field(default_factory=list)


class PaymentSettings(BaseModel):
    """Which payment provider the pay and buy tools use."""

    model_config = ConfigDict(extra="forbid")
    provider: Literal["sandbox"] = "sandbox"
    sandbox_accounts: dict[str, str] = Field(default_factory=lambda: {"checking": "1000.00 USD"})


class McpServerSettings(BaseModel):
    """One MCP server the user runs as a local process, and what its tools are declared to do."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    command: str = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    env: dict[str, SecretRef] = Field(default_factory=dict)
    read_only: bool = False
    effects: list[Effect] | None = None  # default: external_send, or read when read_only
    reversible: bool = False
    roles: dict[str, Role] = Field(default_factory=dict)
    tools: list[str] | None = None  # only these of the server's tools; default all
    timeout: float = Field(default=60.0, gt=0)


class McpSettings(BaseModel):
    """MCP both ways: the servers whose tools homebody may call, and whether it serves the vault."""

    model_config = ConfigDict(extra="forbid")
    servers: list[McpServerSettings] = Field(default_factory=list)
    serve: bool = False  # `homebody mcp`: other local agents may search and ask (read-only); off by default


class Settings(BaseModel):
    """Everything homebody is configured with, for one home folder."""

    model_config = ConfigDict(extra="forbid")
    home: Path
    timezone: str = "UTC"
    region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    plugins: list[str] = Field(default_factory=list)
    model: ModelSettings = Field(default_factory=ModelSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    email: EmailSettings | None = None
    tools: ToolsSettings = Field(default_factory=ToolsSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    mcp: McpSettings = Field(default_factory=McpSettings)
    guard: Policy = Field(default_factory=Policy)
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
