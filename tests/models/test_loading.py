"""Choosing a model from config: a misconfigured server section is a clear config error."""

from __future__ import annotations

import pytest

from homebody.config import load_settings
from homebody.errors import ConfigError, EgressRefused
from homebody.models import load_chat_model, load_embedder


@pytest.mark.parametrize(
    ("toml", "loader", "message"),
    [
        ('[model]\nbackend = "openai"\n', load_chat_model, '[model] backend = "openai" needs base_url'),
        ('[embedding]\nbackend = "openai"\nname = "e5"\n', load_embedder, "[embedding]"),
    ],
)
def test_server_section_without_address_is_a_config_error(tmp_path, toml, loader, message):
    (tmp_path / "config.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        loader(load_settings(tmp_path))


def test_remote_server_in_config_is_refused(tmp_path):
    (tmp_path / "config.toml").write_text(
        '[model]\nbackend = "openai"\nbase_url = "https://api.example.com/v1"\nname = "big"\n'
    )
    with pytest.raises(EgressRefused):
        load_chat_model(load_settings(tmp_path))


def test_unknown_config_keys_are_refused(tmp_path):
    (tmp_path / "config.toml").write_text('[model]\nbackend = "openai"\nbase_ulr = "http://127.0.0.1"\n')
    with pytest.raises(ConfigError, match="base_ulr"):
        load_settings(tmp_path)
