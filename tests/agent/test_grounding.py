"""The grounding checks read dates as written either way: '2 November' is in 'Mon 02 Nov 2026'."""

from __future__ import annotations

from homebody.agent.grounding import contains, grounded


def test_numbers_and_months_match_how_sources_write_dates():
    source = "Mon 02 Nov 2026 18:00 Sam Okafor: can you bring the speaker on Saturday?"
    assert contains(source, "2") and contains(source, "02") and contains(source, "november")
    assert contains(source, "18") and not contains(source, "8") and not contains(source, "20")
    assert not contains(source, "december") and not contains(source, "3")


def test_an_answer_giving_a_date_its_source_writes_short_is_grounded():
    source = "Mon 02 Nov 2026 18:00 Sam Okafor: can you bring the speaker on Saturday?"
    question = "When did I last hear from Sam?"
    assert grounded("On 2 November: can you bring the speaker?", [source], question)
    assert not grounded("On 3 November: can you bring the speaker?", [source], question)
