"""`ask`: retrieve from the vault, let the model answer inside a schema, and cite by code.

The model only sees numbered sources and may only point at those numbers, so every citation is a
real vault item. Whether anything answers the question is decided by code and model together: no
hits means nothing found (no model call); a question about data no connected source holds is
answered with that fact (no model call); otherwise the model says whether its sources answer.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homebody.agent.coverage import Coverage, coverage, missing_phrase, topics
from homebody.agent.sources import block, excerpt
from homebody.connectors.base import Registry
from homebody.models.base import ChatModel, Message
from homebody.retrieval.query import terms
from homebody.retrieval.search import Hit, search
from homebody.vault.store import StoredItem, Vault

log = logging.getLogger(__name__)

TOP_K = 5

SYSTEM = (
    "You are homebody, a personal assistant that answers questions about the user's own email, "
    "messages and calendar. Answer ONLY from the numbered sources below, never from general "
    "knowledge. If the sources do not contain the answer, set found to false. Otherwise write a "
    "short, direct answer (one or two sentences, with the exact dates, times, places and names "
    "from the sources) and list the numbers of the sources that state it. Today is {today}."
)


@dataclass(frozen=True)
class Citation:
    """One numbered citation of an answer."""

    number: int
    stored: StoredItem
    excerpt: str


@dataclass
class Answer:
    """An answer, its citations, and what homebody could and could not see."""

    question: str
    text: str
    found: bool
    citations: list[Citation]
    coverage: Coverage
    missing: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def coverage_line(self) -> str:
        """'Searched your email (mbox), messages (whatsapp) and calendar (ics).' plus what is missing."""
        line = f"Searched {self.coverage.searched_phrase()}."
        if self.coverage.not_connected:
            labels = ", ".join(str(k) for k in self.coverage.not_connected)
            line += f" Not connected: {labels}."
        return line


def ask(
    vault: Vault, registry: Registry, model: ChatModel, question: str, *, now: datetime, zone: Any
) -> Answer:
    """Answer a question from the vault with numbered citations and coverage."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    cov = coverage(vault, registry)
    needed = topics(question)
    missing = [k for k in cov.not_connected if k in needed]
    if missing:
        text = f"I can't answer that: {missing_phrase(missing)}. I searched {cov.searched_phrase()}."
        return Answer(question, text, False, [], cov, [str(k) for k in missing], timings)
    hits = search(vault, question, limit=TOP_K)
    timings["retrieval"] = time.perf_counter() - started
    if not hits:
        return Answer(question, _nothing(cov), False, [], cov, [], timings)
    words = tuple(terms(question))
    sources = [block(vault, hit.stored, hit.matched or words, zone) for hit in hits]
    prompt = "\n\n".join(f"[{n}] {text}" for n, text in enumerate(sources, start=1))
    today = now.astimezone(zone).strftime("%A %d %B %Y")
    schema = _schema(len(hits))
    started = time.perf_counter()
    completion = model.complete_json(
        [
            Message("system", SYSTEM.format(today=today)),
            Message("user", f"Sources:\n\n{prompt}\n\nQuestion: {question}"),
        ],
        schema,
        max_tokens=200,
    )
    timings["model"] = time.perf_counter() - started
    data = completion.data
    log.info(
        "answered with %d prompt and %d completion tokens in %.1f s",
        completion.prompt_tokens,
        completion.completion_tokens,
        completion.seconds,
    )
    found = bool(data.get("found")) and bool(str(data.get("answer", "")).strip())
    if not found:
        return Answer(question, _nothing(cov), False, [], cov, [], timings)
    reply = _clean(str(data["answer"]))
    chosen = _cited(data.get("sources", []), hits, reply)
    citations = [
        Citation(n, hit.stored, excerpt(hit.stored.item.text, hit.matched or words))
        for n, hit in enumerate(chosen, start=1)
    ]
    marks = "".join(f"[{c.number}]" for c in citations)
    return Answer(question, f"{reply} {marks}".strip(), True, citations, cov, [], timings)


def _schema(count: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "found": {"type": "boolean"},
            "answer": {"type": "string", "maxLength": 400},
            "sources": {
                "type": "array",
                "items": {"type": "integer", "enum": list(range(1, count + 1))},
                "maxItems": 3,
            },
        },
        "required": ["found", "answer", "sources"],
        "additionalProperties": False,
    }


def _nothing(cov: Coverage) -> str:
    return f"I found nothing about that in {cov.searched_phrase()}."


def _clean(text: str) -> str:
    """The model's answer without any citation marks of its own (code numbers citations)."""
    text = re.sub(r"\s*\[(?:\d+(?:\s*,\s*)?)+\]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _cited(numbers: object, hits: list[Hit], reply: str) -> list[Hit]:
    """The hits the model pointed at; if it pointed at none, those sharing most words with its answer."""
    chosen: list[Hit] = []
    if isinstance(numbers, list):
        for n in numbers:
            if isinstance(n, int) and 1 <= n <= len(hits) and hits[n - 1] not in chosen:
                chosen.append(hits[n - 1])
    if chosen:
        return chosen
    answer_words = set(terms(reply))
    overlap = [(len(answer_words & set(terms(h.stored.item.text))), i) for i, h in enumerate(hits)]
    best = max(overlap)
    return [hits[best[1]]]
