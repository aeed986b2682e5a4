"""Long items are cut at paragraphs into passages; short ones stay whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from homebody.retrieval.chunks import LIMIT, Span, passage, split
from homebody.vault.items import Item, Kind


def test_a_short_text_is_one_chunk():
    assert split("Your appointment is moved to Thursday.") == [Span(0, 38)]
    assert split("") == [Span(0, 0)]


def test_a_long_email_is_cut_at_paragraphs_and_each_paragraph_stays_whole():
    paragraphs = [
        f"Paragraph {n}. " + "Some words about the allotment rota and the shed. " * 6 for n in range(8)
    ]
    text = "\n\n".join(paragraphs)
    spans = split(text)
    assert len(spans) > 1
    for span in spans:
        piece = text[span.start : span.end]
        assert len(piece) <= LIMIT
        assert piece.startswith("Paragraph")  # never starts mid-paragraph
    # Every paragraph is in exactly one chunk.
    for paragraph in paragraphs:
        assert sum(paragraph.strip() in text[s.start : s.end] for s in spans) == 1


def test_a_run_on_text_without_breaks_is_cut_at_spaces():
    text = " ".join(f"word{n}" for n in range(600))
    spans = split(text)
    assert all(span.end - span.start <= LIMIT for span in spans)
    assert all(not text[s.start : s.end].startswith(" ") for s in spans)
    assert " ".join(text[s.start : s.end] for s in spans) == text


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=4000))
def test_chunks_are_ordered_disjoint_and_bounded(text):
    spans = split(text)
    assert spans
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end <= b.start
    assert all(0 <= s.start <= s.end <= len(text) for s in spans)
    assert all(s.end - s.start <= LIMIT for s in spans)
    # Nothing but whitespace is left out.
    covered = set()
    for s in spans:
        covered.update(range(s.start, s.end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def test_the_embedded_passage_says_what_the_item_is():
    email = Item(
        Kind.EMAIL,
        "m1",
        "Please leave the key with flat 4.",
        title="Boiler service",
        author="Ellis Property <ops@ellis.example.org>",
    )
    assert passage(email, Span(0, 10)) == "Boiler service, from Ellis Property\nPlease lea"
    chat = Item(Kind.MESSAGE, "w1", "Alfama!!", author="Sam Okafor")
    assert passage(chat, Span(0, 8)) == "Sam Okafor: Alfama!!"
    event = Item(Kind.EVENT, "e1", "", title="Yoga", meta={"location": "Lotus Yoga Studio"})
    assert passage(event, Span(0, 0)) == "Yoga, at Lotus Yoga Studio"
