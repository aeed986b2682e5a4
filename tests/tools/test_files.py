"""File tools: inside the allowed folders only, whatever the path says, and writes that can be undone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from homebody.errors import ToolError


@pytest.fixture
def allowed(tmp_path, configure):
    """A context allowing one folder (with a note in it), next to a private folder it does not allow."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("Boiler code: 4471\n", encoding="utf-8")
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "passwords.txt").write_text("hunter2\n", encoding="utf-8")
    (docs / "escape").symlink_to(secret)
    (docs / "link.txt").symlink_to(secret / "passwords.txt")
    return configure(tools={"allowed_folders": [str(docs)]}), docs, secret


def test_reads_and_lists_inside_the_allowed_folder(registry, allowed) -> None:
    ctx, docs, _ = allowed
    read = registry.get("read_file")
    assert read.run(read.validate({"path": "note.txt"}), ctx).output == "Boiler code: 4471\n"
    assert read.run(read.validate({"path": str(docs / "note.txt")}), ctx).data["bytes"] == 18
    listing = registry.get("list_folder").run(registry.get("list_folder").validate({"path": str(docs)}), ctx)
    assert "note.txt (18 bytes)" in listing.output and "escape (link)" in listing.output


@pytest.mark.parametrize(
    "path",
    [
        "../private/passwords.txt",
        "escape/passwords.txt",
        "link.txt",
        "/etc/passwd",
        "~/.ssh/id_rsa",
        "note.txt/../..",
    ],
)
def test_paths_that_end_outside_are_refused(registry, allowed, path) -> None:
    ctx, _, _ = allowed
    read = registry.get("read_file")
    with pytest.raises(ToolError, match="outside the folders the user allowed"):
        read.run(read.validate({"path": path}), ctx)


def test_without_allowed_folders_every_path_is_refused(registry, context, tmp_path) -> None:
    read = registry.get("read_file")
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ToolError, match="allowed_folders"):
        read.run(read.validate({"path": str(tmp_path / "x.txt")}), context)


def test_write_refuses_to_replace_unless_asked_and_keeps_the_old_content(registry, allowed) -> None:
    ctx, docs, _ = allowed
    write = registry.get("write_file")
    with pytest.raises(ToolError, match="overwrite=true"):
        write.run(write.validate({"path": "note.txt", "content": "new"}), ctx)
    (docs / "note.txt").chmod(0o640)
    args = write.validate({"path": "note.txt", "content": "Boiler code: 9000\n", "overwrite": True})
    assert "Replace" in write.describe(args, ctx) and "Boiler code: 9000" in write.describe(args, ctx)
    result = write.run(args, ctx)
    assert (docs / "note.txt").read_text(encoding="utf-8") == "Boiler code: 9000\n"
    assert (docs / "note.txt").stat().st_mode & 0o777 == 0o640
    kept = result.data["replaced"]
    assert Path(kept).read_text(encoding="utf-8") == "Boiler code: 4471\n"
    assert kept.startswith(str(ctx.settings.home / "replaced"))


def test_write_creates_subfolders_inside_but_never_through_a_link_out(registry, allowed) -> None:
    ctx, docs, secret = allowed
    write = registry.get("write_file")
    write.run(write.validate({"path": "plans/2025/trip.md", "content": "# Trip\n"}), ctx)
    assert (docs / "plans" / "2025" / "trip.md").read_text(encoding="utf-8") == "# Trip\n"
    with pytest.raises(ToolError, match="outside"):
        write.run(write.validate({"path": "escape/new.txt", "content": "x"}), ctx)
    assert not (secret / "new.txt").exists()


def test_binary_files_and_fifos_are_not_read(registry, allowed) -> None:
    ctx, docs, _ = allowed
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00\x10JFIF")
    os.mkfifo(docs / "pipe")
    read = registry.get("read_file")
    with pytest.raises(ToolError, match="not a text file"):
        read.run(read.validate({"path": "photo.jpg"}), ctx)
    with pytest.raises(ToolError, match="not a file"):
        read.run(read.validate({"path": "pipe"}), ctx)
    with pytest.raises(ToolError, match="list_folder"):
        read.run(read.validate({"path": "."}), ctx)
