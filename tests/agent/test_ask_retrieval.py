"""`ask` on hybrid retrieval: sums by code with their rows cited, meaning-found sources, honest gaps."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from homebody.agent.answer import ask, with_currency
from homebody.connectors.base import load_registry
from homebody.models.base import Completion
from homebody.retrieval.embed import embed_pending
from homebody.retrieval.hybrid import Retriever
from homebody.vault.items import Item, Kind
from homebody.vault.store import Vault

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/London")

_spec = importlib.util.spec_from_file_location(
    "words", Path(__file__).parents[1] / "retrieval" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_words = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_words)


class NoModel:
    """A model that must not be asked: sums are code's job."""

    name = "none"

    def complete_json(self, messages, schema, *, max_tokens=256):
        raise AssertionError("the model was asked")

    def close(self) -> None:
        pass


class Scripted:
    name = "scripted"

    def __init__(self, reply):
        self.reply = reply
        self.prompts = []

    def complete_json(self, messages, schema, *, max_tokens=256):
        self.prompts.append(messages[-1].content)
        return Completion(self.reply, 100, 20, 0.01)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "vault.db") as v:
        mail = v.add_source("gmail", "mbox", "/m")
        body = "Your physician appointment is on Wednesday 25 November at 11:00."
        when = datetime(2026, 11, 2, 9, tzinfo=UTC)
        v.upsert(
            mail, Item(Kind.EMAIL, "gp", body, ts=when, title="Appointment", author="GP <s@gp.example>"), None
        )
        v.upsert(
            mail, Item(Kind.EMAIL, "n", "Autumn newsletter.", ts=datetime(2026, 10, 1, tzinfo=UTC)), None
        )
        yield v


def _bank(vault):
    bank = vault.add_source("bank", "bank-csv", "/b")
    for n, (day, payee, amount) in enumerate(
        [(3, "TESCO", "-20.50"), (9, "Waitrose", "-30.25"), (9, "Cinema", "-12")]
    ):
        vault.upsert(
            bank,
            Item(Kind.TRANSACTION, f"t{n}", f"{payee} {amount}", ts=datetime(2026, 9, day, 12, tzinfo=UTC),
                 title=payee, meta={"amount": amount, "currency": "GBP", "counterparty": payee}),
            None,
        )  # fmt: skip


def test_a_total_is_computed_by_code_and_cites_every_row(vault, registry):
    _bank(vault)
    answer = ask(
        vault, registry, NoModel(), "How much did I spend on groceries in September?", now=NOW, zone=ZONE
    )
    assert answer.found
    assert answer.text.startswith("You spent £50.75 on groceries in September")
    assert answer.text.endswith("[1][2]")
    assert [c.stored.item.native_id for c in answer.citations] == ["t0", "t1"]
    assert "retrieval" in answer.seconds and "model" not in answer.seconds


def test_a_total_without_a_payment_source_says_what_is_missing(vault, registry):
    answer = ask(vault, registry, NoModel(), "How many times did we eat out last month?", now=NOW, zone=ZONE)
    assert not answer.found and answer.missing == ["transaction"]
    assert "no source of payments" in answer.text


def test_hybrid_retrieval_hands_the_model_what_only_meaning_finds(vault, registry):
    embedder = _words.WordsEmbedder()
    embed_pending(vault, embedder)
    model = Scripted({"answer": "Wednesday 25 November at 11:00", "sources": [1]})
    question = "When is the doctor appointment?"
    answer = ask(
        vault, registry, model, question, now=NOW, zone=ZONE, retriever=Retriever(vault, lambda: embedder)
    )
    assert answer.found, answer.text
    assert [c.stored.item.native_id for c in answer.citations] == ["gp"]
    assert "physician appointment" in model.prompts[0]


@pytest.mark.parametrize(
    ("reply", "sources", "expected"),
    [
        ("45", ["Sam: I still owe you £45 for my ticket"], "£45"),
        ("Sam owes you 45.50", ["£45.50 for the ticket"], "Sam owes you £45.50"),
        ("45", ["£45 here", "$45 there"], "45"),  # two currencies: leave it
        ("£45", ["£45"], "£45"),
        ("12 tickets", ["12 tickets at €30"], "12 tickets"),
    ],
)
def test_an_amount_keeps_the_currency_its_source_gives(reply, sources, expected):
    assert with_currency(reply, sources) == expected
