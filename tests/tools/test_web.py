"""The web tool against a real HTTP server on loopback, and the egress policy it goes through."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from homebody.errors import ToolError, ToolUnavailable
from homebody.tools.web import allowed

PAGES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/page": (
        200,
        {"Content-Type": "text/html; charset=iso-8859-1"},
        "<html><head><title>Caf\xe9 menu</title><script>steal()</script></head>"
        "<body><h1>Menu</h1><p>Cr\xeape &amp; coffee: 4.50</p></body></html>".encode("latin-1"),
    ),
    "/moved": (302, {"Location": "/page"}, b""),
    "/away": (302, {"Location": "https://collector.example.com/collect?d=1"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/photo": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff"),
    "/plain": (200, {"Content-Type": "text/plain"}, "naïve plain text".encode()),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        status, headers, body = PAGES.get(self.path, (404, {"Content-Type": "text/plain"}, b"nope"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    """A web server on a free loopback port; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _fetch(registry, context, url):
    tool = registry.get("fetch_page")
    return tool.run(tool.validate({"url": url}), context)


def test_a_local_page_comes_back_as_text_with_its_title(registry, context, site) -> None:
    result = _fetch(registry, context, f"{site}/moved")
    assert result.data["title"] == "Café menu"
    assert result.data["url"] == f"{site}/page"
    assert "Crêpe & coffee: 4.50" in result.output
    assert "steal" not in result.output and "<h1>" not in result.output
    assert "naïve plain text" in _fetch(registry, context, f"{site}/plain").output


def test_a_redirect_off_the_local_network_is_not_followed(registry, context, site) -> None:
    # The conftest socket guard would fail the test if collector.example.com were even resolved.
    with pytest.raises(ToolError, match=r"collector\.example\.com is outside"):
        _fetch(registry, context, f"{site}/away")


@pytest.mark.parametrize(
    ("path", "message"),
    [("/photo", "image/jpeg, not text"), ("/loop", "redirects"), ("/missing", "answered 404")],
)
def test_pages_that_cannot_be_read(registry, context, site, path, message) -> None:
    with pytest.raises(ToolError, match=message):
        _fetch(registry, context, site + path)


def test_a_server_that_is_down_is_unavailable(registry, context) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ToolUnavailable):
        _fetch(registry, context, f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize(
    ("url", "hosts", "ok"),
    [
        ("http://192.168.1.20/status", [], True),
        ("http://nas.local/", [], True),
        ("https://en.wikipedia.org/wiki/Crêpe", [], False),
        ("https://en.wikipedia.org/wiki/Crêpe", ["en.wikipedia.org"], True),
        ("https://docs.python.org/3/", ["*.python.org"], True),
        ("https://python.org/", ["*.python.org"], True),
        ("https://evilpython.org/", ["*.python.org"], False),
        ("https://en.wikipedia.org.evil.example/", ["en.wikipedia.org"], False),
        ("ftp://192.168.1.20/", [], False),
        ("http://user:pw@127.0.0.1/", [], False),
    ],
)
def test_egress_policy(configure, url, hosts, ok) -> None:
    settings = configure(tools={"web_hosts": hosts}).settings
    if ok:
        assert allowed(url, settings) == url
    else:
        with pytest.raises(ToolError):
            allowed(url, settings)
