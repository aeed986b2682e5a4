"""Links in feeds: made absolute, cleaned of tracking parameters, shown without secrets. Pure.

FORMATS.md §6 "Gotchas": relative URLs resolve against xml:base, the item link or the feed URL;
guids and links carry tracking parameters that differ between polls of the same article.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

# Campaign and click ids appended by newsletters and feed services; they never name an article.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid"})


def _is_tracking(segment: str) -> bool:
    name = segment.partition("=")[0].lower()
    return name.startswith(_TRACKING_PREFIXES) or name in _TRACKING_NAMES


def strip_tracking(url: str) -> str:
    """The URL without utm_* and click-id query parameters; other parameters are left byte for byte."""
    if "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    # Filter the raw `&`-separated segments rather than decode and re-encode the query, which
    # would change the spelling ("%20" vs "+") of the parameters that stay.
    kept = [segment for segment in parts.query.split("&") if segment and not _is_tracking(segment)]
    return urlunsplit(parts._replace(query="&".join(kept)))


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) URL."""
    return value[:8].lower().startswith(("http://", "https://"))


def _has_scheme(link: str) -> bool:
    try:
        return bool(urlsplit(link).scheme)
    except ValueError:
        # A malformed URL (an unclosed IPv6 bracket) is left as it is rather than joined.
        return True


def absolute(link: str, *bases: str | None) -> str:
    """The link made absolute against the first base that is an absolute http(s) URL."""
    if not link or _has_scheme(link):
        return link
    for base in bases:
        if base and is_web_url(base):
            try:
                return urljoin(base, link)
            except ValueError:
                return link
    return link


def display_url(url: str) -> str:
    """The URL as shown in origins and messages: no user name or password, query or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url.partition("?")[0].partition("#")[0]
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
