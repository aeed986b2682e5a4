"""Find news feeds on disk or on the web and read them: a feed file, a folder of feeds, or a URL.

FORMATS.md §6. A URL is fetched with a conditional GET into the user's cache (fetch.py), and the
cached copy is what the sync reads, so an unchanged feed (HTTP 304) is not read again.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from homebody.connectors.base import Parsed, Registry, SyncContext, readable
from homebody.connectors.feed.fetch import cached_feed, default_cache_dir, fetch, url_from_path
from homebody.connectors.feed.links import display_url
from homebody.connectors.feed.parse import parse_feed
from homebody.errors import SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf"})
# The root element of RSS 0.9x/2.0 (`rss`), RSS 0.90/1.0 (`rdf:RDF`) and Atom (`feed`), maybe
# after an XML declaration, comments or a stylesheet instruction.
_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)[\s>/]")
_UTF16_32 = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _looks_like_feed(path: Path) -> bool:
    """True if the file's first bytes open an RSS, RDF or Atom document (not a sitemap, say)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    if head.startswith(_UTF16_32):
        # The BOM names its own codec; "utf-16"/"utf-32" read it.
        codec = "utf-32" if head.startswith(_UTF16_32[:2]) else "utf-16"
        text = head.decode(codec, errors="ignore")
    else:
        # Every other encoding a feed may use writes ASCII markup as ASCII bytes.
        text = head.decode("latin-1")
    return _ROOT.search(text) is not None


def _is_feed_file(path: Path) -> bool:
    return (
        path.suffix.lower() in FEED_SUFFIXES
        and not path.name.startswith(".")
        and path.is_file()
        and _looks_like_feed(path)
    )


class FeedConnector:
    """RSS and Atom feeds: one article item per entry, from files, folders or http(s) URLs."""

    kind = "feed"
    provides = frozenset({Kind.ARTICLE})
    description = "RSS/Atom news feeds: a feed file (.xml, .rss, .atom, .rdf), a folder of them, or a URL"
    # A feed lists only its latest entries: an article that drops off its end was not deleted.
    incremental = True

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir

    @property
    def cache_dir(self) -> Path:
        """Where fetched feeds are kept (the user's cache folder unless given)."""
        return self._cache_dir or default_cache_dir()

    def files(self, path: Path) -> list[Path]:
        """The feeds at PATH: a URL's cached copy (fetched now), the file, or a folder's feed files."""
        url = url_from_path(path)
        if url is not None:
            return [fetch(url, self.cache_dir)]
        if not path.exists():
            raise SourceError(f"{path} does not exist: give a feed file, a folder of feeds or an http(s) URL")
        if path.is_dir():
            try:
                return sorted(p for p in path.rglob("*") if _is_feed_file(p))
            except OSError as err:
                raise SourceError(f"cannot read the folder {path}: {err.strerror or err}") from err
        readable(path)
        if path.suffix.lower() not in FEED_SUFFIXES and not _looks_like_feed(path):
            raise SourceError(f"{path} is not an RSS or Atom feed")
        return [path]

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one feed into article items, yielding a BadRecord for each unreadable entry."""
        url = url_from_path(file)
        if url is not None:
            file = fetch(url, self.cache_dir)
        try:
            data = file.read_bytes()
        except OSError as err:
            raise SourceError(f"cannot read {file}: {err.strerror or err}") from err
        cached = cached_feed(file, self.cache_dir)
        if cached is not None:
            parsed = parse_feed(
                data,
                name=display_url(cached.url),
                url=cached.final_url,
                content_type=cached.content_type,
            )
        else:
            parsed = parse_feed(data, name=file.name)
        items = bad = 0
        for record in parsed:
            if isinstance(record, Item):
                items += 1
            else:
                bad += 1
            yield record
        logger.debug("feed: %d articles, %d bad records", items, bad)


def register(registry: Registry) -> None:
    """Register the feed connector under the source kind "feed"."""
    registry.register(FeedConnector())
