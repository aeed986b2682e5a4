"""The agent loop's own overhead: everything in a `do` run but the model's time (issue 4 item 8).

Runs `homebody do` instructions through the same code as the CLI (`ensure_trusted`, `build_agent`)
over the demo persona's synced vault, on the embedded model, and splits each run's wall time into
model time (inside `complete_json`) and the loop's own time (retrieval, prompts, validation, time
resolution, policy, approvals queue, ledger). Goal: the loop's own time ≤ 10% of a run.

    /work/venv/bin/python bench/agent_loop.py [--home /tmp/bench-agent] [--repeat 1]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from homebody.agent.act import build_agent, ensure_trusted
from homebody.config import EmailSettings
from homebody.demo.run import prepare_home
from homebody.sync import sync_all

INSTRUCTIONS = [
    "reply to Sam that I'll be 10 minutes late",
    "remind me to pick up the prescription tomorrow at 9",
    "email Priya that the book club moves to Thursday",
]


def main() -> None:
    """Run the instructions and print the split."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/bench-agent"))
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    if options.home.exists():
        shutil.rmtree(options.home)
    app = prepare_home(options.home, fresh=True)
    # An outgoing account, so email tools can render what they would send; nothing is approved here.
    app.settings.email = EmailSettings(address="maya@example.org", smtp_host="127.0.0.1", security="none")
    try:
        sync_all(app.vault, app.registry, app.sync_context())
        started = time.perf_counter()
        ensure_trusted(app)
        print(f"tool-call probes (once per model): {time.perf_counter() - started:.1f} s")
        rows = []
        for _ in range(options.repeat):
            for instruction in INSTRUCTIONS:
                run = build_agent(app).run(instruction)
                own = run.total_seconds - run.model_seconds
                rows.append((instruction, run, own))
                steps = ", ".join(f"{s.tool}:{s.status}" for s in run.steps) or "no action"
                print(
                    f"{run.total_seconds:6.2f} s total  {run.model_seconds:6.2f} s model "
                    f"({run.model_calls} calls)  {own * 1000:7.1f} ms loop  {own / run.total_seconds:5.1%}  "
                    f"{instruction!r} -> {steps}"
                )
        total = sum(r.total_seconds for _, r, _ in rows)
        own_total = sum(o for _, _, o in rows)
        shares = [o / r.total_seconds for _, r, o in rows]
        print(
            f"\nloop's own time: {own_total:.2f} s of {total:.2f} s = {own_total / total:.1%} "
            f"(median per run {statistics.median(shares):.1%}); goal ≤ 10%"
        )
    finally:
        app.close()


if __name__ == "__main__":
    main()
