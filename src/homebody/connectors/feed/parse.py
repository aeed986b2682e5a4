"""Parse an RSS or Atom document into article items with feedparser. Pure: bytes in, items out.

FORMATS.md §6: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 all come out of feedparser in one shape. An
ill-formed feed (feedparser's `bozo`) still yields the entries it could read; a document that is no
feed at all is one bad record. Times are feedparser's parsed tuples, which are UTC; a feed gives no
zone name worth keeping, so `tz` is "UTC".
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from homebody.connectors.base import Parsed
from homebody.connectors.email.html import html_to_text
from homebody.connectors.feed.encoding import repair_encoding
from homebody.connectors.feed.links import absolute, is_web_url, strip_tracking
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

# feedparser reports content types as MIME types ("text/html", "application/xhtml+xml").
_MARKUP = frozenset({"text/html", "application/xhtml+xml"})
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}(?=\S)")


@dataclass(frozen=True)
class _Feed:
    """What every entry of one feed shares."""

    name: str
    url: str | None
    title: str | None
    link: str | None
    updated: datetime | None
    author: str | None


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _plain(detail: object, value: object) -> str:
    """The text of a title, summary or content: HTML and XHTML become plain text, text stays."""
    text = _str(value)
    kind = _str(detail.get("type")) if isinstance(detail, Mapping) else ""
    if kind.lower() in _MARKUP:
        # Spaces on both sides of an inline tag ("for <span> nasty") survive as two.
        text = _DOUBLE_SPACE.sub(" ", html_to_text(text))
    return text.strip()


def _utc(value: object) -> datetime | None:
    """An aware UTC datetime from feedparser's parsed date (a UTC `time.struct_time`), or None."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)  # type: ignore[index,misc]
    except (TypeError, ValueError, OverflowError):
        return None


def _raw(mapping: Mapping[str, Any], key: str) -> Any:
    """A key as parsed, bypassing FeedParserDict's deprecated `updated` to `published` fallback."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else mapping.get(key)


def _length(value: object) -> int | None:
    text = _str(value).strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _feed_info(result: Mapping[str, Any], name: str, url: str | None) -> _Feed:
    head = result.get("feed") or {}
    title = " ".join(_plain(head.get("title_detail"), head.get("title")).split())
    link = absolute(_str(head.get("link")).strip(), url)
    # RFC 4287 §4.2.1: an Atom entry without an author has the feed's authors; RSS has no such rule.
    author = _str(head.get("author")) if _str(result.get("version")).startswith("atom") else ""
    return _Feed(
        name=name,
        url=url,
        title=title or None,
        link=link or None,
        updated=_utc(_raw(head, "updated_parsed")) or _utc(_raw(head, "published_parsed")),
        author=author or None,
    )


def _body(entry: Mapping[str, Any]) -> str:
    """The entry's fullest text: `content` (content:encoded, Atom content) before `summary`."""
    contents = [c for c in entry.get("content") or [] if isinstance(c, Mapping)]
    markup = [c for c in contents if _str(c.get("type")).lower() in _MARKUP]
    for chosen in (markup or contents)[:1]:
        text = _plain(chosen, chosen.get("value"))
        if text:
            return text
    return _plain(entry.get("summary_detail"), entry.get("summary"))


def _synthetic_id(link: str, title: str, text: str) -> str:
    """An id for an entry without guid/id: a hash of its link and title (its text if it has neither)."""
    payload = f"{link}\x1f{title}" if link or title else text
    return "feed:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def _item(entry: Mapping[str, Any], n: int, feed: _Feed, seen: Counter[str]) -> Parsed:
    position = f"entry {n}"
    title = " ".join(_plain(entry.get("title_detail"), entry.get("title")).split())
    # feedparser already resolved xml:base and the fetched URL; an RSS link can still be relative.
    link = strip_tracking(absolute(_str(entry.get("link")).strip(), feed.link, feed.url))
    body = _body(entry)
    # An item with neither title nor text (a bare link) is still findable by its address.
    text = "\n\n".join(part for part in (title, body) if part) or link
    raw_id = _str(entry.get("id")).strip()
    if not (raw_id or text):
        return BadRecord(feed.name, position, "entry has no id, title, link or text")
    if raw_id:
        native_id = strip_tracking(raw_id) if is_web_url(raw_id) else raw_id
    else:
        native_id = _synthetic_id(link, title, text)
        seen[native_id] += 1
        if seen[native_id] > 1:
            native_id += f"#{seen[native_id]}"
    ts = _utc(_raw(entry, "published_parsed")) or _utc(_raw(entry, "updated_parsed")) or feed.updated
    categories: list[str] = []
    for tag in entry.get("tags") or []:
        term = " ".join((_str(tag.get("term")) or _str(tag.get("label"))).split())
        if term and term not in categories:
            categories.append(term)
    enclosures = [
        {
            "url": absolute(_str(e.get("href")).strip(), feed.link, feed.url) or None,
            "type": _str(e.get("type")).strip() or None,
            "length": _length(e.get("length")),
        }
        for e in entry.get("enclosures") or []
        if isinstance(e, Mapping)
    ]
    return Item(
        kind=Kind.ARTICLE,
        native_id=native_id,
        text=text,
        ts=ts,
        tz="UTC" if ts else None,
        author=" ".join(_str(entry.get("author")).split()) or feed.author,
        thread=feed.link or feed.title or feed.name,
        title=title or None,
        origin=f"{feed.name}, {position}",
        meta={
            "url": link or None,
            "feed": feed.title,
            "feed_url": feed.name,
            "categories": categories,
            "enclosures": enclosures,
        },
    )


def parse_feed(
    data: bytes, *, name: str, url: str | None = None, content_type: str | None = None
) -> Iterator[Parsed]:
    """Yield one article per feed entry, a BadRecord per unreadable entry, or one if it is no feed.

    `name` is the file name or the display URL (origins, bad records, `meta["feed_url"]`); `url` is
    the address the bytes came from, the base for relative links; `content_type` is the HTTP header.
    """
    repaired = repair_encoding(data, content_type)
    if repaired is not None:
        data, content_type = repaired, "application/xml; charset=utf-8"
    headers: dict[str, str] = {}
    if url:
        headers["content-location"] = url
        # With any HTTP header but no Content-Type, feedparser reads an undeclared feed as
        # iso-8859-1; XML's own default (XML 1.0 §4.3.3, RFC 7303) is UTF-8.
        headers["content-type"] = content_type or "application/xml"
    elif content_type:
        headers["content-type"] = content_type
    try:
        # A stream, never bytes or str: feedparser.parse opens a str or bytes that names an existing
        # file, and fetches a str that looks like a URL.
        result = feedparser.parse(
            io.BytesIO(data), response_headers=headers, resolve_relative_uris=True, sanitize_html=True
        )
    # The whole document is the record here: whatever feedparser raises makes it one bad record.
    except Exception as err:  # noqa: BLE001
        yield BadRecord(name, "whole file", f"feed parser failed ({type(err).__name__})")
        return
    entries = result.get("entries") or []
    if not result.get("version") and not entries:
        reason = "not an RSS or Atom feed" if data.strip() else "empty file"
        problem = result.get("bozo_exception")
        yield BadRecord(name, "whole file", f"{reason} ({type(problem).__name__})" if problem else reason)
        return
    feed = _feed_info(result, name, url)
    seen: Counter[str] = Counter()
    for n, entry in enumerate(entries, start=1):
        try:
            yield _item(entry, n, feed, seen)
        # One entry that breaks our mapping must not cost the others.
        except Exception as err:  # noqa: BLE001
            yield BadRecord(name, f"entry {n}", f"unreadable entry ({type(err).__name__})")
