"""The suite's own socket guard: any connection beyond loopback fails, loopback works."""

from __future__ import annotations

import socket

import httpx
import pytest


def test_a_connection_beyond_loopback_fails_the_test():
    with socket.socket() as s, pytest.raises(AssertionError, match="non-loopback"):
        s.connect(("93.184.216.34", 80))


def test_resolving_an_outside_name_fails_the_test():
    with pytest.raises(AssertionError, match="non-loopback host"):
        httpx.get("http://example.com/", timeout=2)


def test_loopback_still_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            conn, _ = server.accept()
            conn.close()
