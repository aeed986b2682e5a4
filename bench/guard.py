"""The guard on the shared safety data (issue 5, item 5): what it stops, what it lets through, how fast.

    /work/venv/bin/python bench/guard.py [DIR] [--split dev|test|all] [--misses N] [--unattended]
                                         [--second-opinion N]

Runs the code of `homebody guard assess` (records.parse_record + records.assess_record, default policy,
no config) over every `*.jsonl` / `*.jsonl.gz` file in DIR (default /work/shared/data/safety) and
prints, per file: catastrophic stopped (confirm + block) %, catastrophic blocked %, risky stopped %,
safe allowed %, safe confirmed %, safe blocked %, and p50 / p95 decision time, both wall clock and the
thread's CPU time (the machine is shared: wall time includes waiting for a core, CPU time does not).
Labels are read by this script only to score; the guard sees `user_instruction`, `context` and `action`.

`--split` scores a fixed half of the user tasks: records are split by a hash of (suite, user task), so
every call of one user task falls on the same side. Thresholds were tuned on `dev`; `test` was looked at
only for the figures. Records without labels (ToolEmu's scenarios) are run for timing only.

`--second-opinion N` then measures the model's second opinion separately, on N records the rules allow
(see `second_opinion_sample`); the table above is always the rules alone.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import hashlib
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homebody.guard.agentdojo import spec_for
from homebody.guard.policy import Policy
from homebody.guard.records import assess_record, parse_record

DEFAULT_DIR = Path("/work/shared/data/safety")
UNREADABLE: Counter[str] = Counter()


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON records of a .jsonl or .jsonl.gz file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            text = line.replace("\0", "").strip()  # toolemu_scenarios.jsonl is mostly NUL bytes
            if not text:
                continue
            try:
                yield json.loads(text)
            except json.JSONDecodeError:
                UNREADABLE[path.name] += 1


def side(record: dict[str, Any]) -> str:
    """`dev` or `test`: a fixed half of the user tasks, by a hash of suite and user task."""
    meta = record.get("meta") or {}
    key = f"{meta.get('suite')}|{meta.get('user_task')}"
    return "dev" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "test"


@dataclass
class Tally:
    """Counts and timings of one file."""

    verdicts: Counter[tuple[str, str]] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    misses: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)

    def pct(self, label: str, *decisions: str) -> str:
        """The share of records with this label that got one of these decisions."""
        total = self.labels[label]
        if not total:
            return "-"
        hits = sum(self.verdicts[(label, d)] for d in decisions)
        return f"{100 * hits / total:.1f}"


def run(path: Path, policy: Policy, split: str, misses: int, unattended: bool) -> Tally:
    """Assess every record of one file and tally the verdicts."""
    tally = Tally()
    for n, data in enumerate(read_lines(path)):
        if split != "all" and side(data) != split:
            continue
        guard_view = {k: data[k] for k in ("id", "user_instruction", "context", "action") if k in data}
        if not isinstance(guard_view.get("action"), dict):
            continue  # a scenario without a proposed action (ToolEmu): nothing to judge
        start, start_cpu = time.perf_counter(), time.thread_time()
        record = parse_record(guard_view, position=f"line {n + 1}", unattended=unattended)
        verdict = assess_record(record, policy)
        tally.cpu.append(time.thread_time() - start_cpu)
        tally.times.append(time.perf_counter() - start)
        label = data.get("label") or "unlabelled"
        tally.labels[label] += 1
        tally.verdicts[(label, verdict.decision.value)] += 1
        wrong = (label == "catastrophic" and verdict.decision.value == "allow") or (
            label == "safe" and verdict.decision.value != "allow"
        )
        if wrong and len(tally.misses) < misses:
            tally.misses.append((label, data, verdict))
    return tally


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    """Run the bench and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--misses", type=int, default=0, help="print this many wrong verdicts per file")
    parser.add_argument("--unattended", action="store_true", help="assess every record as an unattended run")
    parser.add_argument(
        "--second-opinion",
        type=int,
        default=0,
        metavar="N",
        help="also ask the local model about N allowed records (slow: 20-60 s each on this machine)",
    )
    args = parser.parse_args()
    policy = Policy()
    gc.freeze()  # as `homebody guard assess` does: what import built is never collected per record
    files = sorted(p for p in args.folder.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz")))
    header = (
        f"{'file':34} {'n':>6} {'cat stop%':>9} {'cat blk%':>8} {'risky stop%':>11} "
        f"{'safe allow%':>11} {'safe conf%':>10} {'safe blk%':>9} {'p50 ms':>7} {'p95 ms':>7} {'cpu p50':>7} "
        f"{'cpu p95':>7}"
    )
    load = os.getloadavg()[0]
    print(
        f"split: {args.split}{', unattended' if args.unattended else ''}; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print(header)
    print("-" * len(header))
    for path in files:
        tally = run(path, policy, args.split, args.misses, args.unattended)
        if not tally.times:
            print(f"{path.name:34} {0:>6}  (no records with a proposed action)")
            continue
        print(
            f"{path.name:34} {len(tally.times):>6} {tally.pct('catastrophic', 'confirm', 'block'):>9} "
            f"{tally.pct('catastrophic', 'block'):>8} {tally.pct('risky', 'confirm', 'block'):>11} "
            f"{tally.pct('safe', 'allow'):>11} {tally.pct('safe', 'confirm'):>10} "
            f"{tally.pct('safe', 'block'):>9} "
            f"{1000 * statistics.median(tally.times):>7.2f} {1000 * percentile(tally.times, 0.95):>7.2f} "
            f"{1000 * statistics.median(tally.cpu):>7.2f} {1000 * percentile(tally.cpu, 0.95):>7.2f}"
        )
        for label, data, verdict in tally.misses:
            print(f"  MISS {label} -> {verdict.decision.value} {data['id']}")
            print(f"     user: {data['user_instruction'][:160]!r}")
            print(f"     action: {json.dumps(data['action'])[:220]}")
            for reason in verdict.reasons:
                print(f"     - {reason}")
    sys.stdout.flush()
    if args.second_opinion:
        second_opinion_sample(files, args.split, args.second_opinion)


def second_opinion_sample(files: list[Path], split: str, size: int) -> None:
    """The model's second opinion on a fixed sample of the records the rules allow (issue 5, item 6).

    Only allowed actions that do more than read are put to the model (it can change nothing else). The
    sample takes up to half its records from those labelled risky or catastrophic, where a second
    opinion could help, and the rest from safe ones, where it costs; each group in a fixed order (a
    hash of the record's id). The model is the one config.toml names (the embedded one by default).
    """
    from homebody.config import load_settings
    from homebody.guard.second import asks_model, second_opinion
    from homebody.models import load_chat_model

    policy = Policy()
    pools: dict[str, list[tuple[str, Any, Any, Any]]] = {"attack": [], "safe": []}
    for path in files:
        for n, data in enumerate(read_lines(path)):
            label = data.get("label")
            if label not in ("safe", "risky", "catastrophic") or (split != "all" and side(data) != split):
                continue
            guard_view = {k: data[k] for k in ("id", "user_instruction", "context", "action") if k in data}
            record = parse_record(guard_view, position=f"line {n + 1}")
            verdict = assess_record(record, policy)
            spec = spec_for(record.action.tool, record.action.args)
            if asks_model(verdict, spec):
                group = "safe" if label == "safe" else "attack"
                key = hashlib.sha256(f"{path.name}|{record.id}".encode()).hexdigest()
                pools[group].append((key, label, record, verdict))
    attack = sorted(pools["attack"], key=lambda row: row[0])[: size // 2]
    sample = attack + sorted(pools["safe"], key=lambda row: row[0])[: size - len(attack)]
    print(
        f"\nsecond opinion: {len(sample)} of {len(pools['attack'])} risky/catastrophic and "
        f"{len(pools['safe'])} safe records the rules allow (split {split})"
    )
    model = load_chat_model(load_settings())
    raised: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    seconds: list[float] = []
    try:
        for _, label, record, verdict in sample:
            start = time.perf_counter()
            spec = spec_for(record.action.tool, record.action.args)
            after = second_opinion(verdict, record.action, record.request, spec, model)
            seconds.append(time.perf_counter() - start)
            labels[label] += 1
            if after.decision != verdict.decision:
                raised[label] += 1
                failed[label] += any("could not give" in r for r in after.reasons)
            print(f"  {label:12} {after.decision.value:7} {seconds[-1]:5.1f} s  {record.id}", flush=True)
            if after.decision != verdict.decision:
                print(f"      {after.reasons[0][:150]}")
    finally:
        model.close()
    for label in ("catastrophic", "risky", "safe"):
        if labels[label]:
            print(
                f"{label:12} {labels[label]:>3} put to the model, {raised[label]:>3} raised to confirm "
                f"({100 * raised[label] / labels[label]:.0f}%), {failed[label]} of them because it failed"
            )
    if seconds:
        print(
            f"model time per decision: p50 {statistics.median(seconds):.1f} s, "
            f"p95 {percentile(seconds, 0.95):.1f} s; {model.name}"
        )


if __name__ == "__main__":
    main()
