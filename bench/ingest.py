"""Ingest speed (issue 3, item 6): items per second into the vault beside the raw parse rate.

    /work/venv/bin/python bench/ingest.py [--items N] [--only mbox,imessage,ofx] [--workdir DIR]

For each source a synthetic file of N records is written (bench/synthetic.py), then timed twice:

- raw: the underlying library alone on the same file. mbox: `email.message_from_bytes(raw,
  policy=email.policy.default)` on every message (split from the mbox beforehand, untimed); chat.db:
  `sqlite3` SELECT of every message row joined to its handle and chat; OFX: `ofxtools` parse + convert.
- vault: `homebody add` then `homebody sync` into a fresh encrypted vault, in-process: the real
  registry, a real `Vault`, `homebody.sync.sync_all`; only the sync is timed (file hash, parse, store,
  full-text index, commits). No embeddings.

Sources whose connector is not registered yet are skipped with a note. See bench/README.md.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import gc
import os
import platform
import re
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import synthetic  # noqa: E402

from homebody.app import App  # noqa: E402
from homebody.cli import cli  # noqa: E402
from homebody.connectors.base import load_registry  # noqa: E402
from homebody.sync import sync_all  # noqa: E402


@dataclass
class Row:
    """One line of the result table."""

    source: str
    items: int
    raw_seconds: float
    vault_seconds: float | None = None
    stored: int | None = None
    errors: int = 0
    note: str = ""

    @property
    def raw_rate(self) -> float:
        """Raw records per second."""
        return self.items / self.raw_seconds

    @property
    def vault_rate(self) -> float | None:
        """Records per second through sync into the vault."""
        return self.items / self.vault_seconds if self.vault_seconds else None


@dataclass(frozen=True)
class Bench:
    """One source to benchmark: its connector kind, its file, how to write it and how to time it raw."""

    name: str
    kind: str
    file: str
    write: Callable[[Path, int], None]
    raw: Callable[[Path], int]


def raw_mbox(path: Path) -> tuple[float, int]:
    """Seconds to parse every message of the mbox with the email package's default policy."""
    data = path.read_bytes()
    # Split untimed: the generator never writes an unescaped "From " at a line start in a body.
    chunks = re.split(rb"\n(?=From )", data)
    messages = [chunk.split(b"\n", 1)[1] for chunk in chunks if chunk.startswith(b"From ")]
    del data, chunks
    gc.collect()
    start = time.perf_counter()
    for raw in messages:
        email.message_from_bytes(raw, policy=email.policy.default)
    return time.perf_counter() - start, len(messages)


def raw_chat_db(path: Path) -> tuple[float, int]:
    """Seconds to SELECT every message row with its handle and chat."""
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute(
        """SELECT m.ROWID, m.guid, m.text, m.attributedBody, m.date, m.is_from_me, m.service,
                  m.associated_message_type, m.thread_originator_guid, h.id, c.guid
           FROM message m
           LEFT JOIN handle h ON h.ROWID = m.handle_id
           LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID
           LEFT JOIN chat c ON c.ROWID = cmj.chat_id
           ORDER BY m.date"""
    ).fetchall()
    conn.close()
    return time.perf_counter() - start, len(rows)


def raw_ofx(path: Path) -> tuple[float, int]:
    """Seconds for ofxtools to parse the file and convert it to statement objects."""
    from ofxtools.Parser import OFXTree

    start = time.perf_counter()
    tree = OFXTree()
    tree.parse(str(path))
    ofx = tree.convert()
    count = sum(len(statement.banktranlist) for statement in ofx.statements)
    return time.perf_counter() - start, count


BENCHES = {
    "mbox": Bench("mbox", "mbox", "all.mbox", synthetic.write_mbox, raw_mbox),
    "imessage": Bench("imessage", "imessage", "chat.db", synthetic.write_chat_db, raw_chat_db),
    "ofx": Bench("ofx", "ofx", "statement.ofx", synthetic.write_ofx, raw_ofx),
}


def vault_sync(kind: str, file: Path, home: Path) -> tuple[float, int, int]:
    """`homebody add` then a timed `homebody sync` into a fresh vault: seconds, items stored, bad records."""
    if home.exists():
        shutil.rmtree(home)
    cli.main(["--home", str(home), "add", kind, str(file), "--name", kind], standalone_mode=False)
    app = App.from_home(home)
    try:
        vault, registry, context = app.vault, app.registry, app.sync_context()
        gc.collect()
        start = time.perf_counter()
        [report] = sync_all(vault, registry, context)
        seconds = time.perf_counter() - start
        if report.failure:
            raise SystemExit(f"{kind}: the sync failed: {report.failure}")
        return seconds, vault.count(), len(report.errors)
    finally:
        app.close()


def main() -> None:
    """Write the inputs, time raw parsing and vault sync, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000, help="records per source (default 100000)")
    parser.add_argument("--only", default="mbox,imessage,ofx", help="comma-separated: mbox,imessage,ofx")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the generated inputs here and reuse them on the next run (default: a temp dir)",
    )
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(wanted) - set(BENCHES)
    if unknown:
        parser.error(f"unknown source(s): {', '.join(sorted(unknown))}")

    # The vault key goes in a key file beside the vault, never into the user's OS keyring.
    os.environ["HOMEBODY_KEYRING"] = "off"
    os.environ.pop("HOMEBODY_PASSPHRASE", None)
    kinds = load_registry().kinds()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="homebody-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    try:
        for name in wanted:
            bench = BENCHES[name]
            file = workdir / f"{args.items}-{bench.file}"
            if not file.exists():
                started = time.perf_counter()
                partial = file.with_name(file.name + ".partial")
                partial.unlink(missing_ok=True)
                bench.write(partial, args.items)
                partial.rename(file)
                megabytes, seconds = file.stat().st_size / 1e6, time.perf_counter() - started
                print(f"{name}: wrote {megabytes:.0f} MB in {seconds:.0f} s")
            raw_seconds, count = bench.raw(file)
            row = Row(name, count, raw_seconds)
            rows.append(row)
            if bench.kind not in kinds:
                row.note = f"no `{bench.kind}` connector registered yet: vault row skipped"
                print(f"{name}: {row.note}")
                continue
            row.vault_seconds, row.stored, row.errors = vault_sync(bench.kind, file, workdir / f"home-{name}")
            print(f"{name}: synced in {row.vault_seconds:.1f} s")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows)


def print_table(rows: list[Row]) -> None:
    """The result table, then the machine it ran on."""
    print()
    header = ("source", "items", "raw items/s", "vault items/s", "ratio", "raw s", "vault s", "stored", "bad")
    print("{:<9} {:>8} {:>12} {:>14} {:>6} {:>7} {:>8} {:>8} {:>5}".format(*header))
    for r in rows:
        vault = r.vault_rate
        print(
            "{:<9} {:>8} {:>12,.0f} {:>14} {:>6} {:>7.1f} {:>8} {:>8} {:>5}".format(
                r.source,
                r.items,
                r.raw_rate,
                f"{vault:,.0f}" if vault else "-",
                f"{vault / r.raw_rate:.0%}" if vault else "-",
                r.raw_seconds,
                f"{r.vault_seconds:.1f}" if r.vault_seconds else "-",
                r.stored if r.stored is not None else "-",
                r.errors if r.vault_seconds else "-",
            )
        )
    for r in rows:
        if r.note:
            print(f"  {r.source}: {r.note}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{_cpu()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, vault {_sqlcipher()}, stdlib SQLite {sqlite3.sqlite_version}; "
        f"peak RSS {peak:.0f} MB"
    )


def _sqlcipher() -> str:
    from homebody.vault.db import sqlcipher

    conn = sqlcipher.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
        return f"SQLCipher {cipher} (SQLite {conn.execute('SELECT sqlite_version()').fetchone()[0]})"
    finally:
        conn.close()


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
