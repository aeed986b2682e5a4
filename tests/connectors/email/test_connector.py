"""The `mbox` and `eml` sources on real files in a temporary folder."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import Registry, SyncContext
from homebody.connectors.email.connector import register
from homebody.errors import BadRecord, SourceError
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
CONTEXT = SyncContext(now=datetime(2024, 6, 1, 12, 0, tzinfo=UTC), timezone="Europe/Berlin")


@pytest.fixture
def registry():
    registry = Registry()
    register(registry)
    return registry


def test_registers_mbox_and_eml(registry):
    assert registry.kinds() == ["eml", "mbox"]
    assert registry.providers_of(Kind.EMAIL) == ["eml", "mbox"]


def test_folder_of_eml_files_recursively(registry, tmp_path):
    nested = tmp_path / "2024" / "march"
    nested.mkdir(parents=True)
    shutil.copy(FIXTURES / "synthetic/html_only_windows1252_qp.eml", tmp_path / "newsletter.eml")
    shutil.copy(FIXTURES / "synthetic/outlook_forward_message_rfc822.eml", nested / "forward.EML")
    (nested / "notes.txt").write_text("not mail")
    (tmp_path / "inbox.mbox").write_bytes(b"")

    eml = registry.get("eml")
    files = eml.files(tmp_path)
    assert files == [nested / "forward.EML", tmp_path / "newsletter.eml"]

    out = [parsed for file in files for parsed in eml.read(file, CONTEXT)]
    assert all(isinstance(o, Item) for o in out)
    assert [o.title for o in out] == ["FW: Q2 budget", "Q2 budget", "Soldes d’hiver – jusqu’à 50 %"]
    assert [o.origin for o in out] == [
        "forward.EML",
        "forward.EML, attached message 1",
        "newsletter.eml",
    ]


def test_a_single_file_is_its_own_source(registry, tmp_path):
    path = tmp_path / "Inbox"  # Thunderbird's mbox files have no extension
    shutil.copy(FIXTURES / "cpython/mailbox_01.mbox", path)
    mbox = registry.get("mbox")
    assert mbox.files(path) == [path]
    (item,) = mbox.read(path, CONTEXT)
    assert item.origin == "Inbox, message 1 at byte 0"


def test_mbox_read_from_a_real_file(registry, tmp_path):
    takeout = tmp_path / "Takeout" / "Mail"
    takeout.mkdir(parents=True)
    shutil.copy(
        FIXTURES / "synthetic/gmail_takeout_sample.mbox",
        takeout / "All mail Including Spam and Trash.mbox",
    )
    mbox = registry.get("mbox")
    (file,) = mbox.files(tmp_path)
    out = list(mbox.read(file, CONTEXT))
    assert [o.meta["gmail_thread_id"] for o in out] == [
        "1788001122334455667",
        "1788001122334455667",
        "1788105555444333222",
        "1788200011112222333",
    ]
    assert out[2].origin == "All mail Including Spam and Trash.mbox, message 3 at byte 1927"


def test_a_corrupted_message_in_the_middle_is_one_bad_record(registry, tmp_path):
    good = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: first\nMessage-ID: <1@x>\n\none\n\n"
    corrupted = b"From a@b Mon Jan  1 00:00:01 2024\n\x00\x17\xff\xfe\x89PNG garbage\n\x00\x00\n\n"
    after = b"From a@b Mon Jan  1 00:00:02 2024\nSubject: third\nMessage-ID: <3@x>\n\nthree\n"
    path = tmp_path / "damaged.mbox"
    path.write_bytes(good + corrupted + after)

    out = list(registry.get("mbox").read(path, CONTEXT))
    assert [type(o) for o in out] == [Item, BadRecord, Item]
    bad = out[1]
    assert bad.file == "damaged.mbox"
    assert bad.position == f"message 2 at byte {len(good)}"
    assert [o.title for o in (out[0], out[2])] == ["first", "third"]
    assert out[2].origin == f"damaged.mbox, message 3 at byte {len(good) + len(corrupted)}"


@pytest.mark.parametrize("kind", ["mbox", "eml"])
def test_nonexistent_path_is_a_source_error(registry, tmp_path, kind):
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceError, match="does not exist"):
        registry.get(kind).files(missing)


@pytest.mark.parametrize("kind", ["mbox", "eml"])
def test_file_gone_before_reading_is_a_source_error(registry, tmp_path, kind):
    with pytest.raises(SourceError, match="cannot be read"):
        list(registry.get(kind).read(tmp_path / f"gone.{kind}", CONTEXT))


def test_empty_folder_has_no_files(registry, tmp_path):
    assert registry.get("mbox").files(tmp_path) == []
