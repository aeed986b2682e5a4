"""Audit ledger and approvals: append rate, verify rate, and a whole approval's cost, in a real vault.

    /work/venv/bin/python bench/ledger.py                 # 20,000 entries, 500 approvals
    /work/venv/bin/python bench/ledger.py --entries 100000 --approvals 0

Each append is its own `BEGIN IMMEDIATE` transaction (as in use: one per event), so the append rate is
bounded by commits in WAL mode with `synchronous = NORMAL` (no fsync per commit). An approval's life
(propose, approve, claim, done) is four transactions and four ledger entries.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from homebody.tools.effects import Action, Effect
from homebody.vault.approvals import Approvals
from homebody.vault.ledger import Ledger
from homebody.vault.store import Vault

T0 = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)
PREVIEW = "To: sam@example.com\nSubject: Re: Saturday\n\n" + "Saturday works, see you at ten. " * 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--approvals", type=int, default=500)
    options = parser.parse_args()
    os.environ.setdefault("HOMEBODY_KEYRING", "off")
    logging.basicConfig(level=logging.ERROR)  # not the key-file warning of a throwaway vault
    with tempfile.TemporaryDirectory() as folder, Vault.open(Path(folder) / "vault.db") as vault:
        ledger = Ledger(vault)
        start = time.perf_counter()
        for i in range(options.entries):
            ledger.append(
                "tool_call",
                {"approval": f"a{i:05d}", "tool": "send_email", "preview": PREVIEW},
                run_id=f"run-{i // 10}",
                at=T0 + timedelta(seconds=i),
            )
        appended = time.perf_counter() - start
        start = time.perf_counter()
        report = ledger.verify()
        verified = time.perf_counter() - start
        assert report.ok, report

        queue = Approvals(vault, ledger)
        start = time.perf_counter()
        for i in range(options.approvals):
            action = Action("send_email", {"to": "sam@example.com", "body": PREVIEW, "n": i})
            proposed = queue.propose(
                action,
                preview=PREVIEW,
                verdict={"decision": "ask", "risk": "medium", "reasons": []},
                effects={Effect.SEND},
                now=T0,
                ttl=timedelta(hours=24),
            )
            queue.approve(proposed.id, T0)
            queue.claim(proposed.id, T0)
            queue.mark_done(proposed.id, {"output": "sent"}, now=T0)
        lived = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(folder).iterdir() if p.name.startswith("vault.db"))

    print(f"entries appended   {options.entries:>8}  {options.entries / appended:>9.0f}/s")
    print(f"entries verified   {report.entries:>8}  {report.entries / verified:>9.0f}/s")
    if options.approvals:
        per = lived / options.approvals * 1000
        print(f"approval lifecycle {options.approvals:>8}  {per:>8.2f} ms each (4 transactions, 4 entries)")
    print(f"vault size         {size / 1e6:>8.1f} MB (ledger {len(PREVIEW)}-character previews)")
    print(f"load average       {os.getloadavg()[0]:.2f} (2 cores shared)")


if __name__ == "__main__":
    main()
