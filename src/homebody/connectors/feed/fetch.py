"""Fetch a feed over HTTP with a conditional GET, keeping its body and validators in the user's cache.

RFC 9110 §13.1: a client that kept a response's `ETag` and `Last-Modified` sends them back as
`If-None-Match` and `If-Modified-Since`, and the server answers 304 Not Modified when the feed has
not changed. The body is kept next to its validators (`<sha256 of url>.xml` and `.json` under
`user_cache_dir("homebody")/feeds`), so the sync reads an ordinary file: after a 304 that file is
untouched, and the sync, which skips files whose size and mtime did not change, reads nothing new.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import platformdirs

from homebody.connectors.feed.links import display_url
from homebody.errors import SourceError

logger = logging.getLogger(__name__)

USER_AGENT = "homebody-feed/0.1"
TIMEOUT_SECONDS = 30.0
#: A feed larger than this is refused rather than held in memory.
MAX_BYTES = 32 * 1024 * 1024
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
# `Path("https://host/feed")` collapses `//` into `/`, and resolving it prefixes the working folder.
_URL_IN_PATH = re.compile(r"(?:^|/)(https?):/+(.+)$", re.IGNORECASE)


def url_from_path(path: Path) -> str | None:
    """The http(s) URL a path built from one stands for (`/cwd/https:/host/feed`), or None."""
    match = _URL_IN_PATH.search(path.as_posix())
    if match is None:
        return None
    return f"{match.group(1).lower()}://{match.group(2)}"


def default_cache_dir() -> Path:
    """Where fetched feeds and their validators are kept: the user's cache folder, `feeds/`."""
    return Path(platformdirs.user_cache_dir("homebody", appauthor=False)) / "feeds"


@dataclass(frozen=True)
class CachedFeed:
    """A fetched feed's sidecar: the URL asked for, the URL answered (after redirects), validators."""

    url: str
    final_url: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def cached_feed(body: Path, folder: Path) -> CachedFeed | None:
    """The sidecar of a fetched feed's body in the cache folder, or None for any other file."""
    if body.parent != folder or body.suffix != ".xml":
        return None
    try:
        state = json.loads(body.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("url"), str):
        return None
    return CachedFeed(
        url=state["url"],
        final_url=_opt(state.get("final_url")) or state["url"],
        content_type=_opt(state.get("content_type")),
        etag=_opt(state.get("etag")),
        last_modified=_opt(state.get("last_modified")),
    )


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    final_url: str
    headers: httpx.Headers
    body: bytes | None  # None: larger than MAX_BYTES


def _get(url: str, validators: dict[str, str]) -> _Answer:
    """One GET, the body read to at most MAX_BYTES; network failures become SourceError."""
    shown = display_url(url)
    client = httpx.Client(
        timeout=httpx.Timeout(TIMEOUT_SECONDS, connect=10.0),
        # No proxy or netrc from the environment: a feed is fetched the same way wherever we run.
        trust_env=False,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
    )
    try:
        with client, client.stream("GET", url, headers=validators) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    break
                chunks.append(chunk)
            return _Answer(
                status=response.status_code,
                reason=response.reason_phrase,
                final_url=str(response.url),
                headers=response.headers,
                body=None if size > MAX_BYTES else b"".join(chunks),
            )
    except httpx.TimeoutException as err:
        raise SourceError(f"cannot fetch {shown}: no answer within {TIMEOUT_SECONDS:.0f} s") from err
    except httpx.ConnectError as err:
        raise SourceError(f"cannot fetch {shown}: cannot connect ({err})") from err
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as err:
        raise SourceError(f"cannot fetch {shown}: {type(err).__name__}") from err


def _write(path: Path, data: bytes) -> None:
    """Replace a file at once, so a crash never leaves half a feed or half a sidecar."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def fetch(url: str, folder: Path) -> Path:
    """The cached body of the feed at URL, fetched again only if the server says it changed."""
    shown = display_url(url)
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    body_file = folder / f"{key}.xml"
    state = cached_feed(body_file, folder) if body_file.exists() else None
    validators: dict[str, str] = {}
    if state is not None and state.etag:
        validators["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        validators["If-Modified-Since"] = state.last_modified
    started = time.monotonic()
    answer = _get(url, validators)
    elapsed = time.monotonic() - started
    if answer.status == 304 and state is not None:
        logger.debug("feed %s: not modified (%.2f s)", key[:12], elapsed)
        return body_file
    if not 200 <= answer.status < 300:
        raise SourceError(f"cannot fetch {shown}: the server answered {answer.status} {answer.reason}")
    if answer.body is None:
        raise SourceError(f"cannot fetch {shown}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    sidecar = {
        "url": url,
        "final_url": answer.final_url,
        "content_type": answer.headers.get("content-type"),
        "etag": answer.headers.get("etag"),
        "last_modified": answer.headers.get("last-modified"),
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(body_file, answer.body)
        _write(body_file.with_suffix(".json"), json.dumps(sidecar, indent=1).encode("utf-8"))
    except OSError as err:
        raise SourceError(f"cannot keep the fetched feed in {folder}: {err.strerror or err}") from err
    logger.debug("feed %s: HTTP %d, %d bytes (%.2f s)", key[:12], answer.status, len(answer.body), elapsed)
    return body_file
