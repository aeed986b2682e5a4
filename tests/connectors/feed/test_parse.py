"""The feed parser on recorded feeds: one case per fixture, then the traps of FORMATS.md §6."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.feed.encoding import repair_encoding
from homebody.connectors.feed.links import display_url, strip_tracking
from homebody.connectors.feed.parse import parse_feed
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
NEWS = "synthetic/rss20_news_content_encoded.xml"
BLOG = "synthetic/atom10_blog_xml_base.xml"


def _parse(name: str, data: bytes | None = None, **kwargs: str) -> list[Item | BadRecord]:
    raw = (FIXTURES / name).read_bytes() if data is None else data
    return list(parse_feed(raw, name=Path(name).name, **kwargs))


def _items(name: str, data: bytes | None = None, **kwargs: str) -> list[Item]:
    return [p for p in _parse(name, data, **kwargs) if isinstance(p, Item)]


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# fixture, articles, bad record positions, first title, first url, first UTC time, first text starts
CASES = [
    ("feedparser/aaa_illformed.xml", 0, [], None, None, None, None),
    (
        "feedparser/atom03.xml",
        1,
        [],
        "First entry title",
        "http://example.org/entry/3",
        _utc(2004, 4, 20, 0, 23, 47),
        "First entry title\n\nWatch out for nasty tricks",
    ),
    (
        "feedparser/atom10.xml",
        1,
        [],
        "First entry title",
        "http://example.org/entry/3",
        _utc(2005, 11, 9, 0, 23, 47),
        "First entry title\n\nWatch out for nasty tricks",
    ),
    (
        "feedparser/atomthreadingwithentry.xml",
        1,
        [],
        "bloffo bliff by te...",
        "http://salmon-test.blogspot.com/2009/10/test-post.html?showComment=1260320342544#c4788628857625737701",
        _utc(2009, 12, 9, 0, 59, 2),
        "bloffo bliff by te...\n\nbloffo bliff by te...",
    ),
    # A feed with a title and no entries: nothing to store.
    ("feedparser/chardet_big5.xml", 0, [], None, None, None, None),
    (
        "feedparser/chardet_eucjp.xml",
        1,
        [],
        "ゲーム三昧な正月",
        None,
        None,
        "ゲーム三昧な正月\n\n『SDガンダム",
    ),
    (
        "feedparser/chardet_euckr.xml",
        1,
        [],
        "EUC-KR 에서 TypeKey 한글닉네임 표시하기",
        None,
        None,
        "EUC-KR 에서 TypeKey 한글닉네임 표시하기\n\nTypeKey 시스템이",
    ),
    ("feedparser/chardet_gb2312.xml", 1, [], "不归移民漫画系列：专业工作", None, None, "不归移民漫画系列"),
    (
        "feedparser/chardet_koi8r.xml",
        1,
        [],
        "Как пережить новогоднюю ночь",
        None,
        None,
        "Как пережить новогоднюю ночь\n\nНаверное,",
    ),
    (
        "feedparser/chardet_shiftjis.xml",
        1,
        [],
        "DrecomRSSに記事投稿が反映されない…",
        None,
        None,
        "DrecomRSSに記事投稿が反映されない…\n\n色々調べてたら",
    ),
    ("feedparser/chardet_tis620.xml", 1, [], None, None, None, "สำนักงานส่งเสริมอุตสาหกรรมซอฟต์แวร์"),
    ("feedparser/chardet_windows1255.xml", 1, [], None, None, None, "האם תדפיס נייר של אתר אינטרנט"),
    ("feedparser/feedburner_browserfriendly.xml", 0, [], None, None, None, None),
    ("feedparser/http_high_bit_date.xml", 0, [], None, None, None, None),
    # An item holding only <itunes:duration>: nothing an article could be made of.
    ("feedparser/itunes_item_duration.xml", 0, ["entry 1"], None, None, None, None),
    ("feedparser/media_group.xml", 1, [], "Example Atom", None, None, "Example Atom\n\nTest Description"),
    (
        "feedparser/rss1.0withModules.xml",
        1,
        [],
        "Test Item - RSS 1.0",
        "http://www.pocketsoap.com/weblog/rssTests/rss1.0withModules.xml#1",
        _utc(2002, 9, 28, 20, 1, 19),
        "Test Item - RSS 1.0\n\nThis is a fairly standard RSS 1.0 feed",
    ),
    (
        "feedparser/rss10.rdf",
        1,
        [],
        "First of all",
        "http://example.org/archives/2002/09/04.html#first_of_all",
        _utc(2004, 5, 30, 20, 23, 54),
        "First of all\n\nIan Hickson: Americans are fat.",
    ),
    (
        "feedparser/rss20.xml",
        1,
        [],
        "First item title",
        "http://example.org/item/1",
        _utc(2002, 9, 5, 0, 0, 1),
        "First item title\n\nWatch out for nasty tricks",
    ),
    (
        "feedparser/rss20dc.xml",
        1,
        [],
        "First of all",
        "http://example.org/archives/2002/09/04.html#first_of_all",
        _utc(2002, 9, 4, 18, 54, 20),
        "First of all\n\nIan Hickson: Americans are fat.",
    ),
    # The unterminated CDATA swallows the only item's title: nothing readable is left of it.
    ("feedparser/rss_incomplete_cdata.xml", 0, ["entry 1"], None, None, None, None),
    (
        "feedparser/rss_item_link_corrupted_ampersands.xml",
        1,
        [],
        None,
        "http://link/get?a=1&b=2",
        None,
        "http://link/get?a=1&b=2",
    ),
    ("feedparser/undeclared_namespace.xml", 0, [], None, None, None, None),
    (
        BLOG,
        2,
        [],
        "Why we moved to SQLite",
        "https://blog.example.org/posts/sqlite/",
        _utc(2024, 1, 10, 13, 0),
        "Why we moved to SQLite\n\nRelative diagram resolves against the entry's xml:base.",
    ),
    (
        NEWS,
        4,
        [],
        "City council approves new bike lanes & bus routes",
        "https://news.example.com/2024/01/09/bike-lanes/",
        _utc(2024, 1, 9, 16, 45),
        "City council approves new bike lanes & bus routes\n\nThe vote was 7–2.",
    ),
    (
        "synthetic/rss_broken_bom_cp1252_entities.xml",
        1,
        [],
        "“Smart quotes” & € prices",
        "http://cafe.example/1",
        None,
        "“Smart quotes” & € prices\n\nInvalid date above; is not an XML entity.",
    ),
]


@pytest.mark.parametrize(
    ("name", "count", "bad", "title", "url", "ts", "text"), CASES, ids=[c[0] for c in CASES]
)
def test_fixture(
    name: str,
    count: int,
    bad: list[str],
    title: str | None,
    url: str | None,
    ts: datetime | None,
    text: str | None,
) -> None:
    parsed = _parse(name)
    items = [p for p in parsed if isinstance(p, Item)]
    assert len(items) == count
    assert [b.position for b in parsed if isinstance(b, BadRecord)] == bad
    if not items:
        return
    first = items[0]
    assert text is not None
    assert (first.kind, first.title, first.meta["url"], first.ts) == (Kind.ARTICLE, title, url, ts)
    assert first.text.startswith(text)
    assert first.tz == ("UTC" if ts else None)
    assert first.origin == f"{Path(name).name}, entry 1"
    assert first.meta["feed_url"] == Path(name).name
    # Stable on re-import: the same bytes give the same ids.
    assert [i.native_id for i in _items(name)] == [i.native_id for i in items]


def test_fixture_table_covers_every_fixture() -> None:
    on_disk = {str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*") if p.suffix in (".xml", ".rdf")}
    assert on_disk == {c[0] for c in CASES}


def test_atom_xml_base_resolves_relative_links() -> None:
    first, second = _items(BLOG)
    # <link href="posts/sqlite/"> against the feed's xml:base, <link rel="enclosure" href="/img/...">.
    assert first.meta["url"] == "https://blog.example.org/posts/sqlite/"
    assert first.meta["enclosures"] == [
        {"url": "https://blog.example.org/img/sqlite.png", "type": "image/png", "length": 1024}
    ]
    assert first.thread == "https://blog.example.org/"
    assert first.meta["feed"] == "Example Engineering Blog"
    assert first.meta["categories"] == ["databases"]
    # published wins over updated; an entry with only updated uses it.
    assert (first.ts, second.ts) == (_utc(2024, 1, 10, 13, 0), _utc(2024, 1, 5, 12, 0))
    # RFC 4287 §4.2.1: an entry without an author has the feed's.
    assert (first.author, second.author) == ("Priya Patel", "Priya Patel")
    # An HTML title is shown as text; xhtml content preferred over the text summary.
    assert first.title == "Why we moved to SQLite"
    assert "Short text summary" not in first.text
    assert second.text.endswith("Escaped HTML content.")
    assert (first.native_id, second.native_id) == (
        "tag:blog.example.org,2024-01-10:/posts/sqlite",
        "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6",
    )


def test_rss1_dc_date_and_creator() -> None:
    (item,) = _items("feedparser/rss10.rdf")
    # <dc:date>2004-05-30T14:23:54-06:00</dc:date>
    assert item.ts == _utc(2004, 5, 30, 20, 23, 54)
    assert item.author == "Aaron Swartz"
    assert item.native_id == "http://www.example.org/1"
    assert item.meta["categories"] == ["Politics"]


def test_content_encoded_preferred_over_description_and_scripts_dropped() -> None:
    first, markets, odd, podcast = _items(NEWS)
    assert first.text == (
        "City council approves new bike lanes & bus routes\n\nThe vote was 7–2.\n\nMore at related."
    )
    assert "Read our preview" not in first.text  # the <description>
    assert "alert" not in first.text
    assert first.author == "Jordan Lee"
    assert first.meta["categories"] == ["Local", "Transport"]
    # Escaped markup in a description is markup: the tag goes, its words and the emoji stay.
    assert markets.text.endswith("an unescaped entity-encoded tag and an emoji 📈.")
    # pubDate with a zone name, ISO 8601 in pubDate, GMT.
    assert markets.ts == _utc(2024, 1, 9, 14, 30)
    assert odd.ts == _utc(2024, 1, 8, 21, 10)
    assert podcast.ts == _utc(2024, 1, 8, 5, 0)
    assert podcast.meta["enclosures"] == [
        {"url": "https://cdn.example.com/pod/ep12.mp3", "type": "audio/mpeg", "length": 0}
    ]
    assert podcast.text == "Podcast: Episode 12"


def test_ids_guid_or_hash_of_link_and_title_without_tracking() -> None:
    first, markets, odd, _ = _items(NEWS)
    assert first.native_id == "https://news.example.com/?p=48213"
    assert first.meta["url"] == "https://news.example.com/2024/01/09/bike-lanes/"
    assert markets.native_id == "https://news.example.com/2024/01/09/markets/"
    assert odd.native_id.startswith("feed:")
    # The same item with a tracked link (and in another position) keeps its id.
    tracked = (
        (FIXTURES / NEWS)
        .read_bytes()
        .replace(b"odd-date/</link>", b"odd-date/?utm_source=rss&amp;utm_campaign=jan</link>")
    )
    again = [i for i in _items(NEWS, tracked) if i.title == "Non-RFC-822 date and no guid"]
    assert [i.native_id for i in again] == [odd.native_id]
    assert again[0].meta["url"] == "https://news.example.com/2024/01/08/odd-date/"


def test_identical_entries_without_ids_get_occurrence_counters() -> None:
    entry = b"<item><title>Same</title><link>https://x.example/a</link></item>"
    data = b'<rss version="2.0"><channel><title>T</title>' + entry * 3 + b"</channel></rss>"
    ids = [i.native_id for i in _items("x.xml", data)]
    assert ids[1:] == [f"{ids[0]}#2", f"{ids[0]}#3"]


def test_feed_updated_is_the_fallback_time() -> None:
    data = (
        b'<rss version="2.0"><channel><title>T</title><lastBuildDate>Tue, 09 Jan 2024 17:02:11 +0000'
        b"</lastBuildDate><item><title>No date</title></item></channel></rss>"
    )
    (item,) = _items("x.xml", data)
    assert (item.ts, item.tz) == (_utc(2024, 1, 9, 17, 2, 11), "UTC")


def test_relative_rss_link_resolves_against_the_feed_link_or_url() -> None:
    data = b'<rss version="2.0"><channel><item><title>A</title><link>/a/1</link></item></channel></rss>'
    (item,) = _items("x.xml", data, url="https://host.example/feeds/all.xml")
    assert item.meta["url"] == "https://host.example/a/1"
    with_link = data.replace(b"<channel>", b"<channel><link>https://site.example/</link>")
    (item,) = _items("x.xml", with_link)
    assert (item.meta["url"], item.thread) == ("https://site.example/a/1", "https://site.example/")


def test_undeclared_legacy_encodings_are_detected() -> None:
    # feedparser alone (no `chardet` module) reads these as windows-1252 mojibake.
    for name in ("chardet_koi8r.xml", "chardet_windows1255.xml", "chardet_big5.xml"):
        assert repair_encoding((FIXTURES / "feedparser" / name).read_bytes()) is not None
    # A correctly declared feed is left to feedparser untouched.
    assert repair_encoding((FIXTURES / NEWS).read_bytes()) is None
    assert repair_encoding((FIXTURES / "feedparser/http_high_bit_date.xml").read_bytes()) is None


def test_stray_byte_in_a_utf8_feed_spoils_only_itself() -> None:
    data = (FIXTURES / NEWS).read_bytes().replace(b"stocks edge higher", b"stocks \xff edge higher")
    first, markets, _, _ = _items(NEWS, data)
    assert markets.title == "Markets: stocks \ufffd edge higher"
    assert markets.text.endswith("emoji 📈.")
    assert "7–2" in first.text


def test_http_charset_is_honoured_and_a_wrong_one_repaired() -> None:
    koi8 = "<rss><channel><item><title>Привет</title></item></channel></rss>".encode("koi8-r")
    (item,) = _items("x.xml", koi8, url="https://h.example/f", content_type="text/xml; charset=koi8-r")
    assert item.title == "Привет"
    utf8 = "<rss><channel><item><title>Grüße aus Köln</title></item></channel></rss>".encode()
    (item,) = _items("x.xml", utf8, url="https://h.example/f", content_type="application/rss+xml")
    assert item.title == "Grüße aus Köln"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"<html><head><title>Home</title></head><body><p>Hi</p></body></html>", "not an RSS or Atom feed"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not an RSS or Atom feed (SAXParseException)"),
        (b'{"items": []}', "not an RSS or Atom feed (SAXParseException)"),
    ],
    ids=["empty", "html", "pdf", "json"],
)
def test_a_document_that_is_no_feed_is_one_bad_record(data: bytes, reason: str) -> None:
    (bad,) = _parse("page.xml", data)
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position, bad.reason) == ("page.xml", "whole file", reason)


def test_a_file_name_is_never_opened_and_a_url_never_fetched() -> None:
    # feedparser.parse opens a str/bytes that names a file: the parser must hand it a stream.
    (bad,) = _parse("x.xml", str(FIXTURES / NEWS).encode())
    assert isinstance(bad, BadRecord)


def test_corrupted_middle_entry_is_one_bad_record() -> None:
    data = (
        (FIXTURES / NEWS)
        .read_bytes()
        .replace(
            b"<title>Markets: stocks edge higher</title>", b"<title>Markets: stocks <<< edge & higher</titl>"
        )
    )
    parsed = _parse(NEWS, data)
    assert [type(p).__name__ for p in parsed] == ["Item", "BadRecord", "Item", "Item"]
    bad = parsed[1]
    assert isinstance(bad, BadRecord)
    assert (bad.position, bad.reason) == ("entry 2", "entry has no id, title, link or text")
    assert [p.title for p in parsed if isinstance(p, Item)] == [
        "City council approves new bike lanes & bus routes",
        "Non-RFC-822 date and no guid",
        "Podcast: Episode 12",
    ]


@pytest.mark.parametrize(
    ("url", "stripped"),
    [
        ("https://a.example/p?utm_source=rss&utm_medium=rss", "https://a.example/p"),
        ("https://a.example/p?id=7&utm_campaign=x&q=a%20b", "https://a.example/p?id=7&q=a%20b"),
        ("https://a.example/p?fbclid=abc#top", "https://a.example/p#top"),
        ("https://a.example/p?UTM_Source=x&page=2", "https://a.example/p?page=2"),
        ("tag:a.example,2024:1", "tag:a.example,2024:1"),
    ],
)
def test_strip_tracking(url: str, stripped: str) -> None:
    assert strip_tracking(url) == stripped


def test_display_url_hides_credentials_and_query() -> None:
    assert display_url("https://me:secret@feeds.example:8443/f.xml?token=abc#x") == (
        "https://feeds.example:8443/f.xml"
    )


FUZZ_SEEDS = [NEWS, BLOG, "synthetic/rss_broken_bom_cp1252_entities.xml", "feedparser/rss10.rdf"]


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray((FIXTURES / draw(st.sampled_from(FUZZ_SEEDS))).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        if action == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif action == "truncate":
            del data[at:]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_mutated())
def test_fuzz_mutated_feeds_yield_only_items_and_bad_records(data: bytes) -> None:
    for parsed in parse_feed(data, name="fuzz.xml", url="https://h.example/feed"):
        assert isinstance(parsed, Item | BadRecord)
        if isinstance(parsed, Item):
            assert parsed.native_id
            assert parsed.ts is None or parsed.ts.utcoffset() is not None
            json.dumps(parsed.meta)
