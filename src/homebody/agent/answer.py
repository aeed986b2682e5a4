"""`ask`: retrieve from the vault, let the model answer inside a schema, and cite by code.

A 0.5B model cannot be trusted to judge, so code does: a question about data no connected source
holds is answered with that fact, and one whose informative words retrieval did not find gets
"nothing found", both without a model call. The model then phrases an answer from numbered sources
(or says NOT FOUND); code checks the answer has the shape the question asks for and that its words
and numbers occur in the sources, and otherwise quotes the best source sentence or says nothing was
found. Citations go to the sources that state the answer, so every one is a real, relevant item.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homebody.agent.coverage import LABELS, Coverage, coverage, missing_phrase, topics
from homebody.agent.grounding import (
    MIN_COVERAGE,
    AnswerType,
    Weights,
    answer_type,
    best_sentence,
    contains,
    fits,
    grounded,
    informative,
    relevance,
    support,
)
from homebody.agent.sources import block, collapse_occurrences, excerpt, quotable
from homebody.connectors.base import Registry
from homebody.errors import ModelOutputError
from homebody.models.base import ChatModel, Message
from homebody.retrieval import aggregate
from homebody.retrieval.filters import Filters
from homebody.retrieval.hybrid import Retriever
from homebody.retrieval.query import terms
from homebody.retrieval.search import Hit
from homebody.vault.items import Kind
from homebody.vault.persons import person_in_question
from homebody.vault.store import StoredItem, Vault

log = logging.getLogger(__name__)

TOP_K = 5

SYSTEM = (
    "You are homebody, a personal assistant. Answer the question about the user's own email, "
    "messages and calendar using ONLY the numbered sources, never general knowledge. Write one "
    "short sentence with the exact dates, times, places, names or amounts the sources give, and "
    "list the numbers of the sources that say it. If no source says it, answer exactly NOT FOUND. "
    "Today is {today}."
)
_SPEAKER = re.compile(
    r"\b(say|says|said|tell|tells|told|write|writes|wrote|written|mention|mentions|mentioned|"
    r"send|sends|sent|text|texted|message|messaged|email|emailed|reply|replied|ask|asks|asked|"
    r"hear|heard|call|called|rang)\b",
    re.IGNORECASE,
)
# ", and did ...", " and what ...": a second question asked after the first.
_FOLLOW_ON = re.compile(
    r",\s+and\s+(?=(?:what|when|where|who|which|why|how|did|does|do|is|are|was|were|has|have|can)\b)",
    re.IGNORECASE,
)
NOT_FOUND = re.compile(r"^\W*(not found|none|unknown|n/?a)\W*$|\bnot found\b", re.IGNORECASE)


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
            labels = ", ".join(LABELS[k] for k in self.coverage.not_connected)
            line += f" Not connected: {labels}."
        return line


def ask(
    vault: Vault,
    registry: Registry,
    model: ChatModel,
    question: str,
    *,
    now: datetime,
    zone: Any,
    retriever: Retriever | None = None,
) -> Answer:
    """Answer a question from the vault with numbered citations and coverage.

    `retriever` searches (hybrid when it has an embedding model and the vault has vectors); without
    one, full-text search alone.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    retriever = retriever or Retriever(vault)
    cov = coverage(vault, registry)
    sums = aggregate.read(question, now, zone)
    wanted = topics(question) | ({Kind.TRANSACTION} if sums else set())
    missing = [k for k in cov.not_connected if k in wanted]
    if missing:
        text = (
            f"I can't answer that: {missing_phrase(missing)}. I searched {cov.searched_phrase()}. "
            f"{cov.horizon_phrase(zone)}"
        ).strip()
        return Answer(question, text, False, [], cov, [str(k) for k in missing], timings)
    if sums is not None:
        # A total is computed or not at all: with no transaction matching, "I found no
        # transactions on the boiler service" is the answer. (Reading the sum off an e-mail
        # instead was tried: the small model took an energy bill's figure for the boiler's.)
        return _aggregate_answer(vault, question, sums, cov, zone, timings, started)
    # "What did Dev say about the trip?" searches Dev's items on every channel first. Only when the
    # question asks what someone said or sent: "where are Sam and I staying?" is about the trip.
    person = person_in_question(vault, question) if _SPEAKER.search(question) else None
    hits: list[Hit] = []
    words: list[str] = []
    anyone = False
    if person is not None:
        # Among the person's own items their name matches everything: rank (and judge) by the rest.
        names = set(person.name.casefold().split())
        query = " ".join(w for w in question.split() if _bare(w) not in names)
        # "When did I last hear from Kavita, and what did she ask?": the verbs of talking say which
        # of the person's items are meant (theirs), not what is in them. With no other word, the
        # person's newest items are what to answer from.
        if [w for w in terms(query) if not _SPEAKER.fullmatch(w)]:
            found = retriever.search(
                query, now=now, zone=zone, limit=3 * TOP_K, filters=Filters(person=person.id)
            )
            hits, words = found.hits, [w for w in found.words if not _SPEAKER.fullmatch(w)]
        else:
            hits = retriever.newest(Filters(person=person.id), limit=TOP_K)
            anyone = bool(hits)
    if not hits:
        found = retriever.search(question, now=now, zone=zone, limit=3 * TOP_K)
        hits, words = found.hits, _content(found.words)
    hits = collapse_occurrences(hits, now)[:TOP_K]
    weight = Weights(vault)
    first = _FOLLOW_ON.split(question, maxsplit=1)[0]
    if not anyone and first != question and not relevant(hits, words, weight):
        # "What's my rent now, and did the latest payment go out at that amount?": the second part
        # leans on the first ("that amount"). Found by the first part alone, the sources may still
        # answer both; the model reads the whole question.
        found = retriever.search(first, now=now, zone=zone, limit=3 * TOP_K)
        if relevant(alone := collapse_occurrences(found.hits, now)[:TOP_K], _content(found.words), weight):
            hits, words = alone, _content(found.words)
    timings["retrieval"] = time.perf_counter() - started
    if not anyone and not relevant(hits, _unnamed(vault, question, words), weight):
        log.info("nothing relevant: %d hits", len(hits))
        return Answer(question, _nothing(cov, zone), False, [], cov, [], timings)
    blocks = [block(vault, hit, hit.matched or tuple(words), zone) for hit in hits]
    started = time.perf_counter()
    reply, picked = _model_reply(model, question, blocks, now.astimezone(zone).strftime("%A %d %B %Y"))
    timings["model"] = time.perf_counter() - started
    if reply is None:
        return Answer(question, _nothing(cov, zone), False, [], cov, [], timings)
    kind = answer_type(question)
    if kind is AnswerType.AMOUNT:
        reply = with_currency(reply, blocks)
    if not (
        fits(kind, reply)
        and informative(reply, question)
        and grounded(reply, blocks, question)
        and _borne_out(reply, question, blocks, words, weight)
    ):
        # The model's wording fails a check: quote the sources instead, or say nothing.
        log.info("model answer rejected by checks (type %s); quoting the sources", kind.value)
        order = [*picked, *(i for i in range(len(hits)) if i not in picked)]
        quotes = (_quote(hits[i], question, kind, weight, zone) for i in order)
        reply = next((q for q in quotes if q), None)
        if reply is None:
            return Answer(question, _nothing(cov, zone), False, [], cov, [], timings)
    chosen = _supporting(reply, question, [quotable(h, zone) for h in hits], picked, weight)
    citations = [
        Citation(n, hits[i].stored, excerpt(hits[i].passage, hits[i].matched or tuple(words)))
        for n, i in enumerate(chosen, start=1)
    ]
    marks = "".join(f"[{c.number}]" for c in citations)
    return Answer(question, f"{reply} {marks}".strip(), True, citations, cov, [], timings)


#: Citations listed for a total; the sentence gives the count of every row used.
MAX_ROW_CITATIONS = 20


def _aggregate_answer(
    vault: Vault,
    question: str,
    sums: aggregate.AggregateQuestion,
    cov: Coverage,
    zone: Any,
    timings: dict[str, float],
    started: float,
) -> Answer:
    """A total or count computed by code over transactions, citing the rows it used."""
    result = aggregate.compute(vault, sums, zone)
    timings["retrieval"] = time.perf_counter() - started
    log.info("aggregate %s over %d transactions", sums.operation, result.count)
    if not result.rows:
        return Answer(
            question, f"{result.text} {cov.horizon_phrase(zone)}".strip(), False, [], cov, [], timings
        )
    citations = [
        Citation(n, stored, excerpt(stored.item.text, []))
        for n, stored in enumerate(result.rows[:MAX_ROW_CITATIONS], start=1)
    ]
    marks = "".join(f"[{c.number}]" for c in citations)
    more = f" (first {MAX_ROW_CITATIONS} cited)" if result.count > MAX_ROW_CITATIONS else ""
    return Answer(question, f"{result.text}{more} {marks}".strip(), True, citations, cov, [], timings)


#: A chat message this short is quoted whole: its sentences lean on each other.
WHOLE_MESSAGE = 280


def _quote(hit: Hit, question: str, kind: AnswerType, weight: Weights, zone: Any) -> str | None:
    """The sentence of a source that answers the question (a short chat message whole), if any."""
    text = quotable(hit, zone)
    sentence = best_sentence(text, question, kind, weight, words=_content(terms(question)))
    if sentence and hit.stored.item.kind is Kind.MESSAGE and len(text) <= WHOLE_MESSAGE:
        return " ".join(text.split())
    return sentence


def _borne_out(reply: str, question: str, blocks: list[str], words: list[str], weight: Weights) -> bool:
    """Whether the reply's figures stand in a source that is about the question.

    "How much is in my ISA?" must not be answered "45.00" off a Venmo line that only shares the
    word "shares": a source holding every number of the reply must also hold most of the
    question's weight (of the words some source uses: a paraphrase's word stands nowhere).
    """
    asked = set(terms(question))
    numbers = [w for w in terms(reply) if w.isdigit() and w not in asked]
    words = [w for w in words if not weight.absent(w)]
    if not numbers or not words:
        return True
    return any(
        all(contains(text, n) for n in numbers)
        and relevance(words, [w for w in words if contains(text, w)], weight) >= MIN_COVERAGE
        for text in blocks
    )


def _unnamed(vault: Vault, question: str, words: list[str]) -> list[str]:
    """The words without the names of people the vault knows, unless nothing else is left.

    A name picks whose items, it says nothing of what is asked: "When is Sam Okafor's birthday?"
    is answered by a source about a birthday, not by any of Sam's messages.
    """
    capitalised = {w.lower() for w in re.findall(r"(?<!^)(?<![.?!]\s)\b[A-Z][a-z]+", question.strip())}
    names = {
        w
        for w in capitalised & set(words)
        if vault.conn.execute(
            """SELECT 1 FROM identities WHERE kind = 'name'
               AND (value = ? OR value LIKE ? OR value LIKE ?) LIMIT 1""",
            (w, f"{w} %", f"% {w}"),
        ).fetchone()
    }
    return [w for w in words if w not in names] or words


def _content(words: list[str]) -> list[str]:
    """The words that say what is asked about: not the verbs of talking ("when did I last hear from
    Kavita?" is about Kavita), unless nothing else is left."""
    content = [w for w in words if not _SPEAKER.fullmatch(w)]
    return content or words


def relevant(hits: list[Hit], words: list[str], weight: Weights) -> bool:
    """Whether the hits hold enough of the question to be worth answering from.

    Most of the question's informative weight must occur among the hits. One word the vault never
    uses ("doctor" where the letter says "physician", "charge" where the receipt says "came to") is
    forgiven when the best hit is plainly about the rest: word search and vector search agree on
    it, or it holds every one of the question's other words (two at least): a paraphrase, not a gap.
    """
    if relevance_of(hits, words, weight) >= MIN_COVERAGE:
        return True
    absent = [w for w in words if weight.absent(w)]
    if len(absent) != 1 or len(words) < 2 or not hits:
        return False
    rest = [w for w in words if w not in absent]
    agree = {"bm25", "vector"} <= set(hits[0].found_by)
    whole = len(rest) >= 2 and set(rest) <= set(hits[0].matched)
    return (agree or whole) and relevance_of(hits, rest, weight) >= MIN_COVERAGE


def relevance_of(hits: list[Hit], words: list[str], weight: Weights) -> float:
    """Share of the question's informative weight that the hits matched between them."""
    return relevance(words, (w for hit in hits for w in hit.matched), weight) if hits else 0.0


def _model_reply(
    model: ChatModel, question: str, blocks: list[str], today: str
) -> tuple[str | None, list[int]]:
    """The model's answer (None when it says the sources don't hold one) and the sources it named."""
    sources = "\n\n".join(f"[{n}] {text}" for n, text in enumerate(blocks, start=1))
    try:
        completion = model.complete_json(
            [
                Message("system", SYSTEM.format(today=today)),
                Message("user", f"Sources:\n\n{sources}\n\nQuestion: {question}"),
            ],
            _schema(len(blocks)),
            max_tokens=120,
        )
    except ModelOutputError as err:
        # The model's failure is not the user's: fall back to quoting the best source.
        log.info("model reply unusable: %s", type(err).__name__)
        return "", []
    log.info(
        "model answered with %d prompt and %d completion tokens in %.1f s",
        completion.prompt_tokens,
        completion.completion_tokens,
        completion.seconds,
    )
    reply = _clean(str(completion.data.get("answer", "")))
    if NOT_FOUND.search(reply):
        return None, []
    numbers = completion.data.get("sources", [])
    picked = (
        [n - 1 for n in numbers if isinstance(n, int) and 1 <= n <= len(blocks)]
        if isinstance(numbers, list)
        else []
    )
    return reply, list(dict.fromkeys(picked))


def _schema(count: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "answer": {"type": "string", "maxLength": 300},
            "sources": {
                "type": "array",
                "items": {"type": "integer", "enum": list(range(1, count + 1))},
                "maxItems": 3,
            },
        },
        "required": ["answer", "sources"],
        "additionalProperties": False,
    }


def _supporting(reply: str, question: str, texts: list[str], picked: list[int], weight: Weights) -> list[int]:
    """Indexes of the hits whose own words state the answer, best first, at most three."""
    scores = [support(reply, question, text, weight) for text in texts]
    best = max(scores)
    if best <= 0:
        return picked[:1] or [0]
    chosen = sorted(
        (i for i, score in enumerate(scores) if score >= 0.6 * best),
        key=lambda i: (-scores[i], i),
    )
    return chosen[:3]


_BARE_NUMBER = re.compile(r"(?<![\w£$€.,])(\d+(?:[.,]\d+)?)(?![\w%:])")


def with_currency(reply: str, sources: list[str]) -> str:
    """'45' becomes '£45' when the sources say '£45' (and no other currency for that number).

    A small model often drops the symbol; the amount means little without it. Used only for
    questions that ask for an amount ("how much ...").
    """

    def symbol(match: re.Match[str]) -> str:
        number = match.group(1)
        found = {
            m.group(1)
            for text in sources
            for m in re.finditer(rf"([£$€])\s?{re.escape(number)}(?![\d.,]\d)", text)
        }
        return f"{found.pop()}{number}" if len(found) == 1 else number

    return _BARE_NUMBER.sub(symbol, reply)


def _bare(word: str) -> str:
    """A word without punctuation or a possessive: "Sam's," -> "sam"."""
    return re.sub(r"['’]s$", "", word.casefold().strip('?!.,;:"()'))


def _nothing(cov: Coverage, zone: Any) -> str:
    """'I found nothing ...', with how far back and forward each kind of data goes."""
    return f"I found nothing about that in {cov.searched_phrase()}. {cov.horizon_phrase(zone)}".strip()


def _clean(text: str) -> str:
    """The model's answer without any citation marks of its own (code numbers citations)."""
    text = re.sub(r"\s*\[(?:\d+(?:\s*,\s*)?)+\]", "", text)
    return re.sub(r"\s+", " ", text).strip()
