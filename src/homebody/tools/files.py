"""File tools: list, read and write files inside the folders the user allowed, and nowhere else.

`[tools] allowed_folders` in config.toml names the folders; none means the file tools refuse every
path. A path is judged after `~`, `..` and every symbolic link in it are resolved, so a link inside
an allowed folder that points outside it is refused, and the final file is opened without following
a link (`O_NOFOLLOW`), so it cannot be swapped for one after the check. Relative paths start in the
first allowed folder. Writing never loses data: a replaced file's old content is kept under
`<home>/replaced/`, which is what makes a write undoable.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from homebody.errors import ToolError
from homebody.tools._store import private_folder, write_atomic
from homebody.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec

log = logging.getLogger(__name__)

MAX_READ = 1_000_000  # bytes read from one file
MAX_TEXT = 50_000  # characters handed back to the model
MAX_LIST = 500  # entries listed from one folder


def allowed_folders(context: ToolContext) -> list[Path]:
    """The allowed folders, resolved; a ToolError if the user allowed none."""
    folders = [f.expanduser().resolve() for f in context.settings.tools.allowed_folders]
    if not folders:
        raise ToolError(
            "the user has not allowed any folder for file tools (config.toml: [tools] allowed_folders)"
        )
    return folders


def inside(path: str, context: ToolContext) -> Path:
    """The path resolved (links, `..`, `~`), if it lies inside an allowed folder; else a ToolError."""
    if "\x00" in path:
        raise ToolError("the path holds a NUL character")
    folders = allowed_folders(context)
    given = Path(path).expanduser()
    resolved = (given if given.is_absolute() else folders[0] / given).resolve()
    for folder in folders:
        if resolved == folder or resolved.is_relative_to(folder):
            return resolved
    shown = ", ".join(str(f) for f in folders)
    raise ToolError(f"{path} is outside the folders the user allowed ({shown})")


class PathArgs(BaseModel):
    """A file or folder."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=4096)


class WriteArgs(BaseModel):
    """A file and its new content."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=4096)
    content: str = Field(max_length=5_000_000)
    overwrite: bool = False


def list_folder(args: PathArgs, context: ToolContext) -> ToolResult:
    """List a folder's files and subfolders."""
    folder = inside(args.path, context)
    if not folder.is_dir():
        raise ToolError(f"{args.path} is not a folder")
    entries = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    lines = []
    for entry in entries[:MAX_LIST]:
        if entry.is_symlink():
            lines.append(f"{entry.name} (link)")
        elif entry.is_dir():
            lines.append(f"{entry.name}/")
        else:
            lines.append(f"{entry.name} ({entry.stat().st_size} bytes)")
    more = f"\n... and {len(entries) - MAX_LIST} more" if len(entries) > MAX_LIST else ""
    return ToolResult(
        f"{folder} holds {len(entries)} entries:\n" + "\n".join(lines) + more,
        {"path": str(folder), "entries": len(entries)},
    )


def read_file(args: PathArgs, context: ToolContext) -> ToolResult:
    """Read a text file."""
    path = inside(args.path, context)
    # No link followed at the last step, and no waiting on a FIFO: only a regular file is read.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ToolError(f"there is no file {args.path}") from None
    except OSError as err:
        raise ToolError(f"cannot open {args.path} ({err.strerror})") from err
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ToolError(f"{args.path} is not a file" + (": use list_folder" if path.is_dir() else ""))
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_READ + 1)
    if b"\x00" in data[:8192]:
        raise ToolError(f"{args.path} is not a text file")
    text = data[:MAX_READ].decode("utf-8", errors="replace")
    cut = len(data) > MAX_READ or len(text) > MAX_TEXT
    return ToolResult(
        text[:MAX_TEXT] + ("\n[... the file goes on]" if cut else ""),
        {"path": str(path), "bytes": len(data[:MAX_READ]), "truncated": cut},
    )


def _write_target(args: WriteArgs, context: ToolContext) -> tuple[Path, bool]:
    path = inside(args.path, context)
    if path.is_dir():
        raise ToolError(f"{args.path} is a folder")
    exists = path.exists()
    if exists and not args.overwrite:
        raise ToolError(f"{args.path} exists: pass overwrite=true to replace it (its old content is kept)")
    return path, exists


def write_file(args: WriteArgs, context: ToolContext) -> ToolResult:
    """Write a text file, keeping the old content of a replaced one under <home>/replaced."""
    path, exists = _write_target(args, context)
    kept = None
    mode = stat.S_IMODE(path.stat().st_mode) if exists else None
    if exists:
        stamp = context.now.strftime("%Y%m%dT%H%M%SZ")
        kept = private_folder(context.settings.home / "replaced") / f"{stamp}-{path.name}"
        shutil.copy2(path, kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, args.content.encode("utf-8"))
    if mode is not None:
        path.chmod(mode)  # a replaced file keeps its permissions
    log.info("file written: %d bytes, replaced=%s", len(args.content), exists)
    note = f"; the old version is kept at {kept}" if kept else ""
    return ToolResult(
        f"Wrote {len(args.content)} characters to {path}{note}.",
        {"path": str(path), "replaced": str(kept) if kept else None},
    )


def _preview_write(args: WriteArgs, context: ToolContext) -> str:
    path, exists = _write_target(args, context)
    what = f"Replace {path} ({path.stat().st_size} bytes now)" if exists else f"Create {path}"
    shown = args.content if len(args.content) <= 4000 else args.content[:4000] + "\n[...]"
    return f"{what} with {len(args.content)} characters:\n\n{shown}"


_PATH_ARG = "path: a path inside a folder the user allowed; a relative path starts in the first one."

LIST = ToolSpec(
    name="list_folder",
    description=f"List the files and folders in a folder the user allowed.\n\nArgs:\n    {_PATH_ARG}",
    effects=frozenset({Effect.READ}),
    reversible=True,
    roles={"path": Role.PATH},
)
READ = ToolSpec(
    name="read_file",
    description=f"Read a text file in a folder the user allowed.\n\nArgs:\n    {_PATH_ARG}",
    effects=frozenset({Effect.READ}),
    reversible=True,
    roles={"path": Role.PATH},
)
WRITE = ToolSpec(
    name="write_file",
    description=f"""Write a text file in a folder the user allowed.

Args:
    {_PATH_ARG}
    content: the whole new text of the file.
    overwrite: true to replace an existing file (its old content is kept); false refuses to.""",
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"path": Role.PATH, "content": Role.CONTENT},
)


def register(registry: ToolRegistry) -> None:
    """Register the file tools."""
    registry.register(Tool(LIST, PathArgs, list_folder))
    registry.register(Tool(READ, PathArgs, read_file))
    registry.register(Tool(WRITE, WriteArgs, write_file, _preview_write))
