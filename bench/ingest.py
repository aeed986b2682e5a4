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
import contextlib
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import synthetic  # noqa: E402

from homebody import sync as sync_module  # noqa: E402
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
    raw_cpu: float
    synced: Synced | None = None
    note: str = ""

    @property
    def raw_rate(self) -> float:
        """Raw records per second."""
        return self.items / self.raw_seconds

    @property
    def vault_rate(self) -> float | None:
        """Records per second through sync into the vault."""
        return self.items / self.synced.seconds if self.synced else None


@dataclass(frozen=True)
class Bench:
    """One source to benchmark: its connector kind, its file, how to write it and how to time it raw."""

    name: str
    kind: str
    file: str
    write: Callable[[Path, int], None]
    raw: Callable[[Path], tuple[float, int]]
    #: Further raw timings on the same file, reported on rows of their own: (label, how).
    extra_raw: tuple[tuple[str, Callable[[Path], tuple[float, int]]], ...] = ()


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


def raw_chat_db_decoded(path: Path) -> tuple[float, int]:
    """The bare SELECT, plus reading the text of attributedBody-only rows with homebody's decoder.

    The bare SELECT leaves a third of the messages without their words; decoding them is part of
    reading a chat.db at all, so this is the fairer baseline for the parse. Still no tapback folding,
    no attachments, no per-row checks.
    """
    from homebody.connectors.imessage.typedstream import TypedstreamError, decode_attributed_body

    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    count = 0
    for _rowid, _guid, text, body, *_rest in conn.execute(
        """SELECT m.ROWID, m.guid, m.text, m.attributedBody, m.date, m.is_from_me, m.service,
                  m.associated_message_type, m.thread_originator_guid, h.id, c.guid
           FROM message m
           LEFT JOIN handle h ON h.ROWID = m.handle_id
           LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID
           LEFT JOIN chat c ON c.ROWID = cmj.chat_id
           ORDER BY m.date"""
    ):
        count += 1
        if not text and body:
            with contextlib.suppress(TypedstreamError):
                decode_attributed_body(body)
    conn.close()
    return time.perf_counter() - start, count


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
    "imessage": Bench(
        "imessage",
        "imessage",
        "chat.db",
        synthetic.write_chat_db,
        raw_chat_db,
        (("imessage, raw with attributedBody decoded", raw_chat_db_decoded),),
    ),
    "ofx": Bench("ofx", "ofx", "statement.ofx", synthetic.write_ofx, raw_ofx),
}


@dataclass
class Synced:
    """What one timed sync took and left behind."""

    seconds: float
    cpu_seconds: float
    parse_cpu: float  # in the connector's read (and its parser processes)
    people_cpu: float  # keeping the people graph up to date at the end
    people_seconds: float
    stored: int
    errors: int

    @property
    def store_cpu(self) -> float:
        """The rest: hashing the file and the items, storing them, indexing, committing."""
        return self.cpu_seconds - self.parse_cpu - self.people_cpu


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the mbox parser process)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _own_cpu() -> float:
    """CPU time of this process alone."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


class _TimedRead:
    """A connector whose `read` adds the CPU time spent inside it to `cpu`."""

    def __init__(self, connector: Any) -> None:
        self._connector = connector
        self.cpu = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connector, name)

    def read(self, file: Path, context: Any) -> Iterator[Any]:
        records = iter(self._connector.read(file, context))
        while True:
            started = _own_cpu()
            try:
                record = next(records)
            except StopIteration:
                return
            finally:
                self.cpu += _own_cpu() - started
            yield record


def vault_sync(kind: str, file: Path, home: Path) -> Synced:
    """`homebody add` then a timed `homebody sync` into a fresh vault."""
    if home.exists():
        shutil.rmtree(home)
    cli.main(["--home", str(home), "add", kind, str(file), "--name", kind], standalone_mode=False)
    app = App.from_home(home)
    people_seconds = people_cpu = 0.0
    # The people graph is brought up to date at the end of a sync; timed apart to show its share.
    # (`rebuild` before the graph could be kept up to date item by item.)
    entry = "update" if hasattr(sync_module.people, "update") else "rebuild"
    update = getattr(sync_module.people, entry)

    def timed_update(*args: Any, **kwargs: Any) -> Any:
        nonlocal people_seconds, people_cpu
        started, cpu = time.perf_counter(), _own_cpu()
        try:
            return update(*args, **kwargs)
        finally:
            people_seconds += time.perf_counter() - started
            people_cpu += _own_cpu() - cpu

    try:
        setattr(sync_module.people, entry, timed_update)
        vault, registry, context = app.vault, app.registry, app.sync_context()
        timed = _TimedRead(registry.get(kind))
        registry._connectors[kind] = timed  # the registry has no public way to swap a connector
        gc.collect()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu, start = _cpu_seconds(), time.perf_counter()
        [report] = sync_all(vault, registry, context)
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        parsers = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        if report.failure:
            raise SystemExit(f"{kind}: the sync failed: {report.failure}")
        return Synced(
            seconds, cpu, timed.cpu + parsers, people_cpu, people_seconds, vault.count(), len(report.errors)
        )
    finally:
        setattr(sync_module.people, entry, update)
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
            cpu = _own_cpu()
            raw_seconds, count = bench.raw(file)
            row = Row(name, count, raw_seconds, _own_cpu() - cpu)
            rows.append(row)
            extras = []
            for label, raw in bench.extra_raw:
                cpu = _own_cpu()
                extra_seconds, extra_count = raw(file)
                extras.append(Row(label, extra_count, extra_seconds, _own_cpu() - cpu))
            if bench.kind not in kinds:
                row.note = f"no `{bench.kind}` connector registered yet: vault row skipped"
                print(f"{name}: {row.note}")
                continue
            row.synced = vault_sync(bench.kind, file, workdir / f"home-{name}")
            print(f"{name}: synced in {row.synced.seconds:.1f} s")
            for extra in extras:
                extra.synced = row.synced  # the same sync, against another raw
                rows.append(extra)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows)


def print_table(rows: list[Row]) -> None:
    """The result table, then the machine it ran on."""
    print()
    line = "{:<9} {:>7} {:>9} {:>9} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>7} {:>4}"
    print(
        line.format(
            "source", "items", "raw it/s", "vault it/s", "ratio", "cpu r.", "raw s", "vault s",
            "raw cpu", "cpu s", "parse", "store", "people", "people s", "stored", "bad",
        )
    )  # fmt: skip
    for r in rows:
        s = r.synced
        name = r.source if len(r.source) <= 9 else f"{r.source.split(',')[0]}*"
        print(
            line.format(
                name,
                r.items,
                f"{r.raw_rate:,.0f}",
                f"{r.vault_rate:,.0f}" if r.vault_rate else "-",
                f"{r.vault_rate / r.raw_rate:.0%}" if r.vault_rate else "-",
                f"{r.raw_cpu / s.cpu_seconds:.0%}" if s else "-",
                f"{r.raw_seconds:.1f}",
                f"{s.seconds:.1f}" if s else "-",
                f"{r.raw_cpu:.1f}",
                f"{s.cpu_seconds:.1f}" if s else "-",
                f"{s.parse_cpu:.1f}" if s else "-",
                f"{s.store_cpu:.1f}" if s else "-",
                f"{s.people_cpu:.1f}" if s else "-",
                f"{s.people_seconds:.1f}" if s else "-",
                s.stored if s else "-",
                s.errors if s else "-",
            )
        )
    for r in rows:
        if len(r.source) > 9:
            print(
                f"  {r.source.split(',')[0]}*: {r.source.split(',', 1)[1].strip()} (the vault columns repeat)"
            )
        if r.note:
            print(f"  {r.source}: {r.note}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{_cpu()}, {os.cpu_count()} CPUs (load average now {load}), Python "
        f"{platform.python_version()}, vault {_sqlcipher()}, stdlib SQLite {sqlite3.sqlite_version}; "
        f"peak RSS {peak:.0f} MB"
    )
    print(
        "ratio: vault it/s over raw it/s, by wall time (the goal: 50% or more); cpu r.: the same by CPU\n"
        "seconds (raw cpu / cpu s), fairer on a loaded machine. vault s: wall time of the sync. cpu s:\n"
        "CPU it used, parser processes included, split into parse (the connector's read and its parser\n"
        "processes), store (file and item hashes, the vault's INSERTs, full-text index, commits) and\n"
        "people (the people graph brought up to date at the end; people s is its wall time)."
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
