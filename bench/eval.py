"""Evaluation (issue 6, item 4): how well search finds the gold items, and how honestly `ask` answers.

    /work/venv/bin/python bench/eval.py                         # the demo persona, search + ask
    /work/venv/bin/python bench/eval.py --no-ask                # search only (seconds, no LLM)
    /work/venv/bin/python bench/eval.py --persona DIR [--questions FILE] [--workdir DIR] [--json OUT]

The persona's sources are synced into a fresh encrypted vault (in --workdir to keep it, with its
vectors, between runs) and embedded; then every labelled question (see bench/persona.py) is run:

- search, for each mode (bm25, vector, hybrid), on questions with gold items: recall@5 and @10 (share
  of a question's gold items in the top 5 / 10, averaged), MRR (1 / rank of the first gold item).
  Aggregate questions are answered by code over transactions, not by search, and are left out here.
- ask (the real embedded model, ~20 s a question here), hybrid retrieval: on questions with gold,
  gold-citation recall (share of gold items cited), citation precision (share of citations that
  are gold), answers holding every gold fact; on "nowhere" and "unconnected" questions, the share
  answered honestly (no answer, no citation); and retrieval's share of the time of an answer.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import vaultgen  # noqa: E402
from persona import HONEST_KINDS, Persona, is_gold, load_persona, prepare  # noqa: E402

from homebody.agent.answer import ask  # noqa: E402
from homebody.app import App  # noqa: E402
from homebody.demo.run import persona_dir  # noqa: E402
from homebody.retrieval.embed import embed_pending  # noqa: E402
from homebody.retrieval.hybrid import MODES, Mode  # noqa: E402
from homebody.sync import sync_all  # noqa: E402
from homebody.vault.items import Item, Kind  # noqa: E402
from homebody.vault.store import StoredItem  # noqa: E402

DEPTH = 10


def _ranks(hits: list[StoredItem], gold: list[dict[str, Any]], persona: Persona) -> list[int | None]:
    """For each gold item, its 1-based rank among the hits (None: not found)."""
    return [
        next((n for n, stored in enumerate(hits, start=1) if is_gold(stored, g, persona)), None) for g in gold
    ]


def search_scores(app: App, persona: Persona, questions: list[dict[str, Any]], mode: Mode) -> dict[str, Any]:
    """recall@5, recall@10 and MRR of one search mode, overall and per question kind."""
    rows = []
    for q in questions:
        found = app.retriever.search(
            q["question"], now=persona.now, zone=app.settings.zone, limit=DEPTH, mode=mode
        )
        ranks = _ranks([h.stored for h in found.hits], q["gold"], persona)
        first = min((r for r in ranks if r is not None), default=None)
        rows.append(
            {
                "question": q["question"],
                "kind": q["kind"],
                "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / len(ranks),
                "recall@10": sum(1 for r in ranks if r is not None and r <= 10) / len(ranks),
                "rr": 1 / first if first else 0.0,
                "ranks": ranks,
                "mode_used": found.mode,
            }
        )
    return {"mode": mode, "overall": _means(rows), "by_kind": _by_kind(rows), "questions": rows}


def _means(rows: list[dict[str, Any]]) -> dict[str, float]:
    if not rows:
        return {"n": 0}
    return {
        "n": len(rows),
        "recall@5": statistics.fmean(r["recall@5"] for r in rows),
        "recall@10": statistics.fmean(r["recall@10"] for r in rows),
        "mrr": statistics.fmean(r["rr"] for r in rows),
    }


def _by_kind(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    kinds = sorted({r["kind"] for r in rows})
    return {k: _means([r for r in rows if r["kind"] == k]) for k in kinds}


def ask_scores(app: App, persona: Persona, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Citation recall and precision, facts in answers, honesty, and retrieval's share of the time."""
    rows = []
    for n, q in enumerate(questions, start=1):
        started = time.perf_counter()
        answer = ask(
            app.vault,
            app.registry,
            app.model,
            q["question"],
            now=persona.now,
            zone=app.settings.zone,
            retriever=app.retriever,
        )
        total = time.perf_counter() - started
        cited = [c.stored for c in answer.citations]
        gold = q["gold"]
        good = [s for s in cited if any(is_gold(s, g, persona) for g in gold)]
        found_gold = [g for g in gold if any(is_gold(s, g, persona) for s in cited)]
        row = {
            "question": q["question"],
            "kind": q["kind"],
            "answer": answer.text,
            "found": answer.found,
            "citations": len(cited),
            "gold_cited": len(found_gold) / len(gold) if gold else None,
            "precision": len(good) / len(cited) if cited and gold else None,
            "facts": all(holds(answer.text, f) for f in q.get("facts", [])) if gold else None,
            "any_fact": any(holds(answer.text, f) for f in q.get("facts", [])) if gold else None,
            "honest": (not answer.found and not cited) if q["kind"] in HONEST_KINDS else None,
            "seconds": total,
            "retrieval_seconds": answer.seconds.get("retrieval", 0.0),
        }
        rows.append(row)
        print(f"  ask {n}/{len(questions)} ({total:.1f} s): {q['question']}", file=sys.stderr)
    answerable = [r for r in rows if r["gold_cited"] is not None]
    cited = [r for r in answerable if r["precision"] is not None]
    honest = [r for r in rows if r["honest"] is not None]
    modelled = [r for r in rows if r["seconds"] > 1.0]
    return {
        "answerable": len(answerable),
        "gold_citation_recall": _mean(r["gold_cited"] for r in answerable),
        "citation_precision": _mean(r["precision"] for r in cited),
        "answers_with_citations": len(cited),
        "facts_share": _mean(float(r["facts"]) for r in answerable),
        "any_fact_share": _mean(float(r["any_fact"]) for r in answerable),
        "honest": len(honest),
        "honest_share": _mean(float(r["honest"]) for r in honest),
        "honest_by_kind": {
            k: _mean(float(r["honest"]) for r in honest if r["kind"] == k) for k in HONEST_KINDS
        },
        "retrieval_share": (
            sum(r["retrieval_seconds"] for r in modelled) / sum(r["seconds"] for r in modelled)
            if modelled
            else None
        ),
        "questions": rows,
    }


_MONTHS = {
    m: m[:3]
    for m in (
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
    )
}  # fmt: skip


def normal(text: str) -> str:
    """Text compared for facts: lowercase, months as three letters, no ordinals, single spaces."""
    text = text.lower()
    text = re.sub(r"\b(" + "|".join(_MONTHS) + r")\b", lambda m: _MONTHS[m.group(1)], text)
    text = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", text)
    return " ".join(text.split())


def holds(answer: str, fact: str) -> bool:
    """Whether an answer states a gold fact ("29 October" is in "Thu 29 Oct 2026 15:30").

    A fact is found as whole words: a count of "6" is not in "2026", nor "£10" in "£100".
    """
    return re.search(rf"(?<![\w.,]){re.escape(normal(fact))}(?![\w]|[.,]\d)", normal(answer)) is not None


def _mean(values: Any) -> float | None:
    values = list(values)
    return statistics.fmean(values) if values else None


def add_distractors(app: App, count: int, seed: int = 3) -> None:
    """`count` synthetic e-mails, messages and events around the persona's, on the same topics.

    The demo persona is a few hundred items: any search finds its needles in the top ten. Mixed
    into a larger made-up life (bench/vaultgen.py's words, topics, names and places, none of them
    answering a question), retrieval has to tell the needle from items that look like it. No
    transactions, so questions about unconnected payment data stay unconnected.
    """
    source_name = f"distractors-{count}"
    if source_name in {s.name for s in app.vault.sources()}:
        return
    source = app.vault.add_source(source_name, "mbox", "/synthetic")
    life = vaultgen.Life(seed)
    start = app.settings.current_time() - timedelta(days=400)
    app.vault.conn.execute("BEGIN")
    for n in range(count):
        kind = (Kind.EMAIL, Kind.MESSAGE, Kind.MESSAGE, Kind.EVENT)[n % 4]
        row = vaultgen.fake_item(life, kind, n, start + timedelta(hours=n * 9600 / count))
        item = Item(
            kind=kind,
            native_id=str(row["native_id"]),
            text=str(row["text"]),
            ts=start + timedelta(hours=n * 9600 / count),
            author=row["author"],  # type: ignore[arg-type]
            thread=row["thread"],  # type: ignore[arg-type]
            title=row["title"],  # type: ignore[arg-type]
            meta=dict(row["meta"]),  # type: ignore[call-overload]
        )
        app.vault.upsert(source, item, None)
    app.vault.conn.execute("COMMIT")


def build(persona: Persona, home: Path, distractors: int = 0) -> tuple[App, dict[str, float]]:
    """The persona synced and embedded in `home` (only what is new, if it was built before)."""
    app = prepare(persona, home)
    timing = {}
    started = time.perf_counter()
    reports = sync_all(app.vault, app.registry, app.sync_context())
    timing["sync"] = time.perf_counter() - started
    # The made-up items have no file behind them: their source cannot be synced again, by design.
    failed = [r.source for r in reports if r.failure and not r.source.startswith("distractors-")]
    if failed:
        raise SystemExit(f"sources failed to sync: {failed}")
    if distractors:
        add_distractors(app, distractors)
    embedder = app.retriever.embedder()
    if embedder is not None:
        report = embed_pending(app.vault, embedder)
        timing["embed"] = report.seconds
        timing["embedded_items"] = report.items
    return app, timing


def _report(result: dict[str, Any]) -> None:
    print(
        f"\npersona {result['persona']}: {result['items']} items ({result['distractors']} made-up), "
        f"{result['questions']} questions"
    )
    print(f"search over {result['search_questions']} questions with gold items (aggregates apart):")
    print(f"  {'mode':8} {'recall@5':>9} {'recall@10':>10} {'MRR':>6}")
    for scores in result["search"]:
        o = scores["overall"]
        print(f"  {scores['mode']:8} {o['recall@5']:9.3f} {o['recall@10']:10.3f} {o['mrr']:6.3f}")
    kinds = sorted({k for s in result["search"] for k in s["by_kind"]})
    for kind in kinds:
        cells = "  ".join(
            f"{s['mode']} {s['by_kind'][kind]['recall@10']:.2f}/{s['by_kind'][kind]['mrr']:.2f}"
            for s in result["search"]
            if kind in s["by_kind"]
        )
        n = result["search"][0]["by_kind"].get(kind, {}).get("n", 0)
        print(f"    {kind} (n={n}), recall@10/MRR: {cells}")
    a = result.get("ask")
    if a:

        def pct(v: float | None) -> str:
            """A share as a percentage."""
            return "n/a" if v is None else f"{100 * v:.0f}%"

        print(f"ask (embedded model, hybrid retrieval) over {len(a['questions'])} questions:")
        print(f"  gold-citation recall {pct(a['gold_citation_recall'])} ({a['answerable']} answerable)")
        print(f"  citation precision {pct(a['citation_precision'])} ({a['answers_with_citations']} cited)")
        print(
            f"  answers holding every gold fact {pct(a['facts_share'])}, "
            f"at least one {pct(a['any_fact_share'])}"
        )
        by_kind = ", ".join(f"{k} {pct(v)}" for k, v in a["honest_by_kind"].items())
        print(f"  honest on nowhere/unconnected {pct(a['honest_share'])} of {a['honest']} ({by_kind})")
        print(f"  retrieval share of answer time {pct(a['retrieval_share'])} (answers that ran the model)")


def _every(questions: list[dict[str, Any]], step: int) -> list[dict[str, Any]]:
    """Every `step`th question of each kind, in the original order (all of them for step 1)."""
    seen: dict[str, int] = {}
    out = []
    for q in questions:
        n = seen.get(q["kind"], 0)
        seen[q["kind"]] = n + 1
        if n % step == 0:
            out.append(q)
    return out


def main() -> None:
    """Run the evaluation from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persona", type=Path, default=persona_dir())
    parser.add_argument("--questions", type=Path, help="default: PERSONA/questions.json")
    parser.add_argument("--workdir", type=Path, help="keep the vault (and its vectors) here")
    parser.add_argument("--no-ask", action="store_true", help="search figures only, no language model")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--json", type=Path, help="write every figure and per-question row here")
    parser.add_argument(
        "--distractors", type=int, default=0, help="mix the persona into this many made-up items"
    )
    parser.add_argument(
        "--ask-every",
        type=int,
        default=1,
        metavar="N",
        help="ask only every Nth question of each kind (the model takes ~20-60 s a question here)",
    )
    args = parser.parse_args()
    persona = load_persona(args.persona, args.questions)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="homebody-eval-"))
    app, timing = build(persona, workdir / "home", args.distractors)
    try:
        searchable = [q for q in persona.questions if q["gold"] and q["kind"] != "aggregate"]
        result: dict[str, Any] = {
            "persona": str(persona.folder),
            "items": app.vault.count(),
            "distractors": args.distractors,
            "questions": len(persona.questions),
            "search_questions": len(searchable),
            "build_seconds": timing,
            "search": [
                search_scores(app, persona, searchable, mode)  # type: ignore[arg-type]
                for mode in args.modes.split(",")
            ],
        }
        if not args.no_ask:
            result["ask"] = ask_scores(app, persona, _every(persona.questions, args.ask_every))
    finally:
        app.close()
    _report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
