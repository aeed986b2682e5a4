"""Plain-data views of vault objects and answers, for `--json` output and the future web app."""

from __future__ import annotations

import json
from typing import Any

from homebody.agent.answer import Answer
from homebody.agent.coverage import Coverage
from homebody.agent.sources import excerpt
from homebody.retrieval.search import Hit
from homebody.tools.base import Tool
from homebody.vault.approvals import Approval
from homebody.vault.ledger import Entry
from homebody.vault.persons import Person
from homebody.vault.store import SourceStats, StoredItem


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def item_view(stored: StoredItem, *, whole: bool = True) -> dict[str, Any]:
    """Everything the vault knows of one item."""
    item = stored.item
    view: dict[str, Any] = {
        "id": stored.id,
        "native_id": item.native_id,
        "source": stored.source,
        "source_kind": stored.source_kind,
        "kind": str(item.kind),
        "ts": _iso(item.ts),
        "tz": item.tz,
        "author": item.author,
        "participants": list(item.participants),
        "thread": item.thread,
        "title": item.title,
        "origin": item.origin,
        "file": stored.file,
    }
    if whole:
        view["text"] = item.text
        view["meta"] = item.meta
    return view


def hit_view(hit: Hit) -> dict[str, Any]:
    """One search result."""
    view = item_view(hit.stored, whole=False)
    view["score"] = round(hit.score, 4)
    view["matched"] = list(hit.matched)
    view["found_by"] = list(hit.found_by)
    view["excerpt"] = excerpt(hit.passage, hit.matched)
    if hit.span is not None:
        view["passage"] = {"start": hit.span.start, "end": hit.span.end}
    return view


def coverage_view(cov: Coverage) -> dict[str, Any]:
    """What was searched and what is not connected."""
    return {
        "searched": [str(k) for k in cov.searched],
        "not_connected": [str(k) for k in cov.not_connected],
        "sources": [
            {
                "name": s.name,
                "kind": s.kind,
                "items": s.items,
                "first": _iso(s.first),
                "last": _iso(s.last),
                "last_sync": _iso(s.last_ok),
                "errors": s.errors,
            }
            for s in cov.sources
        ],
        "kinds": [
            {
                "kind": str(h.kind),
                "connected": h.connected,
                "sources": list(h.sources),
                "first": _iso(h.first),
                "last": _iso(h.last),
                "last_sync": _iso(h.last_sync),
                "errors": h.errors,
            }
            for h in cov.horizons()
        ],
    }


def answer_view(answer: Answer) -> dict[str, Any]:
    """The `ask --json` object."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "found": answer.found,
        "citations": [
            {
                "n": c.number,
                "id": c.stored.id,
                "native_id": c.stored.item.native_id,
                "source": c.stored.source,
                "kind": str(c.stored.item.kind),
                "ts": _iso(c.stored.item.ts),
                "title": c.stored.item.title,
                "excerpt": c.excerpt,
            }
            for c in answer.citations
        ],
        "coverage": {**coverage_view(answer.coverage), "missing": answer.missing},
    }


def source_view(stats: SourceStats) -> dict[str, Any]:
    """One line of `homebody sources`."""
    source = stats.source
    return {
        "name": source.name,
        "kind": source.kind,
        "path": source.path,
        "items": stats.items,
        "first": _iso(stats.first),
        "last": _iso(stats.last),
        "last_sync": _iso(source.last_sync_at),
        "last_ok": _iso(source.last_ok_at),
        "last_error": source.last_error,
        "errors": stats.errors,
    }


def person_view(person: Person) -> dict[str, Any]:
    """One person: name, identities and where they appear."""
    return {
        "id": person.id,
        "name": person.name,
        "items": person.items,
        "channels": person.channels,
        "identities": [{"kind": k, "value": v, "display": d} for k, v, d in person.identities],
    }


def approval_view(approval: Approval) -> dict[str, Any]:
    """One approval: what would run, the preview a person judges it by, and where it stands."""
    return {
        "id": approval.id,
        "state": str(approval.state),
        "tool": approval.tool,
        "preview": approval.preview,
        "args": approval.args,
        "origins": approval.origins,
        "verdict": approval.verdict,
        "effects": sorted(str(e) for e in approval.effects),
        "run_id": approval.run_id,
        "created_at": _iso(approval.created_at),
        "expires_at": _iso(approval.expires_at),
        "decided_at": _iso(approval.decided_at),
        "not_before": _iso(approval.not_before),
        "reason": approval.reason,
        "started_at": _iso(approval.started_at),
        "finished_at": _iso(approval.finished_at),
        "result": approval.result,
        "error": approval.error,
    }


def entry_view(entry: Entry) -> dict[str, Any]:
    """One ledger entry, with its place in the chain."""
    return {
        "seq": entry.seq,
        "at": _iso(entry.at),
        "kind": str(entry.kind),
        "run_id": entry.run_id,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def entry_summary(entry: Entry, width: int = 100) -> str:
    """One line saying what an entry records: its event, approval, tool, decision, output or error."""
    data = entry.data
    parts = [str(data[k]) for k in ("event", "approval", "tool", "decision", "risk") if data.get(k)]
    detail = data.get("error") or (data.get("result") or {}).get("output") or data.get("output")
    if detail:
        parts.append(str(detail))
    if not parts:
        parts.append(json.dumps(data, ensure_ascii=False, sort_keys=True))
    line = " · ".join(" ".join(p.split()) for p in parts)
    return line if len(line) <= width else line[: width - 1] + "…"


def tool_view(tool: Tool) -> dict[str, Any]:
    """What a tool declares: its effects, whether it can be undone, and the arguments that matter."""
    spec = tool.spec
    return {
        "name": spec.name,
        "summary": spec.description.strip().splitlines()[0],
        "effects": sorted(str(e) for e in spec.effects),
        "reversible": spec.reversible,
        "roles": {arg: str(role) for arg, role in sorted(spec.roles.items())},
        "arguments": tool.json_schema(),
    }
