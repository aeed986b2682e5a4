"""The feed connector on real files and on a real HTTP server on loopback, and through a real sync."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from homebody.connectors.base import Registry, SyncContext, load_registry
from homebody.connectors.feed.connector import FeedConnector, register
from homebody.connectors.feed.fetch import USER_AGENT, url_from_path
from homebody.errors import BadRecord, SourceError
from homebody.sync import sync_all
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

FIXTURES = Path(__file__).parent / "fixtures"
NEWS = FIXTURES / "synthetic/rss20_news_content_encoded.xml"
BLOG = FIXTURES / "synthetic/atom10_blog_xml_base.xml"
CONTEXT = SyncContext(now=datetime(2024, 6, 1, tzinfo=UTC), timezone="Europe/London")
ETAG = '"v1-news"'
LAST_MODIFIED = "Tue, 09 Jan 2024 17:02:11 GMT"


def _read(path: Path, connector: FeedConnector | None = None) -> list[Item | BadRecord]:
    connector = connector or FeedConnector()
    return [p for file in connector.files(path) for p in connector.read(file, CONTEXT)]


@pytest.fixture(autouse=True)
def feed_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fetched feeds are cached under tmp_path, never in the user's own cache."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "homebody" / "feeds"


def test_register_adds_the_feed_kind() -> None:
    registry = Registry()
    register(registry)
    assert registry.get("feed").provides == frozenset({Kind.ARTICLE})
    assert registry.providers_of(Kind.ARTICLE) == ["feed"]


def test_a_feed_file(tmp_path: Path) -> None:
    file = tmp_path / "gazette.rss"
    shutil.copy(NEWS, file)
    assert FeedConnector().files(file) == [file]
    items = [p for p in _read(file) if isinstance(p, Item)]
    assert [i.title for i in items] == [
        "City council approves new bike lanes & bus routes",
        "Markets: stocks edge higher",
        "Non-RFC-822 date and no guid",
        "Podcast: Episode 12",
    ]
    assert items[0].origin == "gazette.rss, entry 1"
    assert items[0].meta["feed_url"] == "gazette.rss"


def test_a_folder_of_feeds_is_searched_recursively(tmp_path: Path) -> None:
    (tmp_path / "blogs").mkdir()
    shutil.copy(NEWS, tmp_path / "news.xml")
    shutil.copy(BLOG, tmp_path / "blogs" / "eng.atom")
    shutil.copy(FIXTURES / "feedparser/rss10.rdf", tmp_path / "blogs" / "old.rdf")
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset><url/></urlset>', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("<rss> is not here", encoding="utf-8")
    (tmp_path / "._news.xml").write_bytes(b"\x00\x05\x16\x07")
    connector = FeedConnector()
    assert connector.files(tmp_path) == [
        tmp_path / "blogs" / "eng.atom",
        tmp_path / "blogs" / "old.rdf",
        tmp_path / "news.xml",
    ]
    assert len([p for p in _read(tmp_path) if isinstance(p, Item)]) == 2 + 1 + 4


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        FeedConnector().files(tmp_path / "nowhere.xml")


def test_a_file_that_is_no_feed(tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        FeedConnector().files(pdf)
    # Named like a feed: accepted, and read as one bad record.
    page = tmp_path / "index.xml"
    page.write_text("<html><body><p>Welcome</p></body></html>", encoding="utf-8")
    [bad] = _read(page)
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position, bad.reason) == ("index.xml", "whole file", "not an RSS or Atom feed")


def _positions(parsed: list[Item | BadRecord]) -> list[tuple[str, str]]:
    return [(p.file, p.position) for p in parsed if isinstance(p, BadRecord)]


def test_corrupted_entry_in_the_middle_yields_one_bad_record(tmp_path: Path) -> None:
    file = tmp_path / "gazette.xml"
    file.write_bytes(
        NEWS.read_bytes().replace(
            b"<title>Markets: stocks edge higher</title>", b"<title>Markets <<< &&& </titl>"
        )
    )
    parsed = _read(file)
    assert _positions(parsed) == [("gazette.xml", "entry 2")]
    assert [p.title for p in parsed if isinstance(p, Item)] == [
        "City council approves new bike lanes & bus routes",
        "Non-RFC-822 date and no guid",
        "Podcast: Episode 12",
    ]


@pytest.mark.parametrize(
    ("path", "url"),
    [
        (Path("https://news.example.com/feed/all.xml"), "https://news.example.com/feed/all.xml"),
        (Path("http://h.example:8080/rss?cat=5").expanduser().resolve(), "http://h.example:8080/rss?cat=5"),
        (Path("/home/me/feeds/news.xml"), None),
    ],
    ids=["path", "resolved-path", "local"],
)
def test_url_recovered_from_a_cli_path(path: Path, url: str | None) -> None:
    assert url_from_path(path) == url


# --- a real HTTP server on loopback ------------------------------------------------------------


@dataclass
class FeedServer:
    """Serves feeds by path with ETag/Last-Modified, answering 304 to a matching conditional GET."""

    base: str
    feeds: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    validators: bool = True
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    state = FeedServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.partition("?")[0]
            headers = {k.lower(): v for k, v in self.headers.items()}
            if path in state.redirects:
                self._start(headers, 301)
                self.send_header("Location", state.redirects[path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = state.feeds.get(path)
            if body is None:
                state.requests.append((self.path, headers, 404))
                self.send_error(404)
                return
            etag = f'"{hash(body) & 0xFFFFFF:x}"' if state.validators else None
            # RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
            if "if-none-match" in headers:
                matches = headers["if-none-match"] == etag
            else:
                matches = headers.get("if-modified-since") == LAST_MODIFIED
            if state.validators and matches:
                self._start(headers, 304)
                self.send_header("ETag", str(etag))
                self.end_headers()
                return
            self._start(headers, 200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if state.validators:
                self.send_header("ETag", str(etag))
                self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            self.wfile.write(body)

        def _start(self, headers: dict[str, str], status: int) -> None:
            # Recorded before the answer goes out, so the test sees it once the client has it.
            state.requests.append((self.path, headers, status))
            self.send_response(status)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), name="feed-test-server")
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_url_is_fetched_then_answered_304(server: FeedServer, feed_cache: Path) -> None:
    server.feeds["/news.xml"] = NEWS.read_bytes()
    url = f"{server.base}/news.xml?token=secret"
    connector = FeedConnector()
    [cached] = connector.files(Path(url))
    assert cached.parent == feed_cache
    items = [p for p in connector.read(cached, CONTEXT) if isinstance(p, Item)]
    assert len(items) == 4
    # The query string (a private feed's token) is kept out of origins and metadata.
    assert items[0].origin == f"{server.base}/news.xml, entry 1"
    assert items[0].meta["feed_url"] == f"{server.base}/news.xml"
    assert items[0].meta["url"] == "https://news.example.com/2024/01/09/bike-lanes/"
    mtime = cached.stat().st_mtime_ns

    assert connector.files(Path(url)) == [cached]
    (_, first, first_status), (_, second, second_status) = server.requests
    assert (first_status, second_status) == (200, 304)
    assert "if-none-match" not in first
    assert first["user-agent"] == USER_AGENT
    assert second["if-none-match"] == f'"{hash(NEWS.read_bytes()) & 0xFFFFFF:x}"'
    assert second["if-modified-since"] == LAST_MODIFIED
    # Not modified: the cached copy is left as it was, so a sync does not read it again.
    assert cached.stat().st_mtime_ns == mtime
    # Handed the URL itself, read() fetches (conditionally) and reads the cached copy.
    again = [p for p in connector.read(Path(url), CONTEXT) if isinstance(p, Item)]
    assert [i.native_id for i in again] == [i.native_id for i in items]
    assert [r[2] for r in server.requests] == [200, 304, 304]


def test_redirected_feed_resolves_relative_links_against_the_final_url(server: FeedServer) -> None:
    server.redirects["/old"] = "/feeds/v2/all.xml"
    server.feeds["/feeds/v2/all.xml"] = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><title>A</title><link>item/1</link><guid>a-1</guid></item></channel></rss>"
    )
    [item] = _read(Path(f"{server.base}/old"))
    assert isinstance(item, Item)
    assert item.meta["url"] == f"{server.base}/feeds/v2/item/1"
    assert item.origin == f"{server.base}/old, entry 1"


@pytest.mark.parametrize(("path", "message"), [("/gone.xml", "answered 404 Not Found")])
def test_http_error_is_a_source_error(server: FeedServer, path: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        FeedConnector().files(Path(f"{server.base}{path}"))


def test_unreachable_server_is_a_source_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceError, match=f"cannot fetch http://127.0.0.1:{port}/feed: cannot connect"):
        FeedConnector().files(Path(f"http://127.0.0.1:{port}/feed"))


def test_sync_twice_adds_nothing_and_a_new_poll_only_new_entries(server: FeedServer, tmp_path: Path) -> None:
    server.feeds["/news.xml"] = NEWS.read_bytes()
    registry = load_registry()
    with Vault.open(tmp_path / "vault" / "vault.db") as vault:
        vault.add_source("gazette", "feed", f"{server.base}/news.xml")
        [first] = sync_all(vault, registry, CONTEXT)
        assert (first.added, first.errors, first.failure) == (4, [], None)
        [second] = sync_all(vault, registry, CONTEXT)
        assert (second.files_read, second.added, second.updated) == (0, 0, 0)
        assert server.requests[-1][2] == 304
        # The next poll: the oldest entry dropped, one new entry on top, the others unchanged.
        new_entry = (
            b"<item><title>Snow closes schools</title><link>https://news.example.com/2024/01/10/snow/"
            b"</link><guid>https://news.example.com/?p=48300</guid>"
            b"<pubDate>Wed, 10 Jan 2024 06:00:00 +0000</pubDate></item>"
        )
        body = NEWS.read_bytes().replace(b"<item>", new_entry + b"<item>", 1)
        server.feeds["/news.xml"] = body[: body.rindex(b"<item>")] + b"</channel></rss>"
        [third] = sync_all(vault, registry, CONTEXT)
        assert (third.added, third.updated, third.unchanged) == (1, 0, 3)
        assert vault.count() == 5


def test_server_without_validators_is_fetched_whole_each_time(server: FeedServer) -> None:
    server.validators = False
    server.feeds["/blog.atom"] = BLOG.read_bytes()
    connector = FeedConnector()
    connector.files(Path(f"{server.base}/blog.atom"))
    connector.files(Path(f"{server.base}/blog.atom"))
    assert [(r[2], "if-none-match" in r[1], "if-modified-since" in r[1]) for r in server.requests] == [
        (200, False, False),
        (200, False, False),
    ]
