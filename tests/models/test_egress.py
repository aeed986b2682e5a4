"""Model endpoints: loopback and private networks pass; anything else needs the user's say-so."""

from __future__ import annotations

import pytest

from homebody.errors import ConfigError, EgressRefused
from homebody.models.egress import check_endpoint


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:11434/v1",
        "http://localhost:8080/v1/",
        "http://[::1]:8000/v1",
        "http://192.168.1.20:1234/v1",
        "http://10.0.0.5:8000/v1",
        "http://172.16.4.2/v1",
        "http://mac-mini:11434/v1",
        "http://studio.local:1234/v1",
        "http://gpu-box.lan:8000/v1",
    ],
)
def test_local_endpoints_are_accepted(url):
    assert check_endpoint(url, allow_remote=False, what="model server") == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "https://api.openai.com/v1",
        "http://8.8.8.8/v1",
        "http://example.com:11434/v1",
        "http://[2606:4700:4700::1111]/v1",
    ],
)
def test_remote_endpoints_are_refused_unless_allowed(url):
    with pytest.raises(EgressRefused, match="allow_remote = true"):
        check_endpoint(url, allow_remote=False, what="model server")
    assert check_endpoint(url, allow_remote=True, what="model server")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "127.0.0.1:8080", "http:///v1"])
def test_malformed_endpoints_are_config_errors(url):
    with pytest.raises(ConfigError, match="not an http"):
        check_endpoint(url, allow_remote=True, what="model server")
