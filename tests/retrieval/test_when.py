"""Dates read from questions, resolved in the user's zone against a fixed now: one row per phrasing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from homebody.retrieval.when import find

LONDON = ZoneInfo("Europe/London")
SAT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # Saturday 21 November 2026, noon in London (GMT)
JAN = datetime(2027, 1, 6, 9, 0, tzinfo=UTC)  # Wednesday 6 January 2027
SPRING = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # Tuesday 31 March 2026, two days after clocks went forward

NOW = "now"  # the period runs up to the present moment

TABLE = [
    # (now, question, phrase found, local start, local end, exact date?)
    (
        SAT,
        "How much did I spend on groceries in September?",
        "in September",
        "2026-09-01",
        "2026-10-01",
        False,
    ),
    (SAT, "how many times did we eat out last month?", "last month", "2026-10-01", "2026-11-01", False),
    (SAT, "what did Sam say since Tuesday?", "since Tuesday", "2026-11-17", NOW, False),
    (SAT, "Is there yoga on Tuesday 27 October?", "on Tuesday 27 October", "2026-10-27", "2026-10-28", True),
    (SAT, "what did I spend last week", "last week", "2026-11-09", "2026-11-16", False),
    (SAT, "what's on next week", "next week", "2026-11-23", "2026-11-30", False),
    (SAT, "what's on this week?", "this week", "2026-11-16", "2026-11-23", False),
    (SAT, "emails from yesterday", "yesterday", "2026-11-20", "2026-11-21", False),
    (SAT, "what's on tomorrow", "tomorrow", "2026-11-22", "2026-11-23", False),
    (
        SAT,
        "what did I do the day before yesterday",
        "the day before yesterday",
        "2026-11-19",
        "2026-11-20",
        False,
    ),
    (SAT, "anything today?", "today", "2026-11-21", "2026-11-22", False),
    (SAT, "what did Dev send in the last 3 days", "in the last 3 days", "2026-11-18", NOW, False),
    (SAT, "what happened over the past two months", "over the past two months", "2026-09-21", NOW, False),
    (SAT, "messages in the last month", "in the last month", "2026-10-21", NOW, False),
    (SAT, "what changed in the past week", "in the past week", "2026-11-14", NOW, False),
    (SAT, "what happened two weeks ago", "two weeks ago", "2026-11-02", "2026-11-09", False),
    (SAT, "the bill from a month ago", "a month ago", "2026-10-01", "2026-11-01", False),
    (SAT, "what happened 3 days ago", "3 days ago", "2026-11-18", "2026-11-19", False),
    (SAT, "what's on in March", "in March", "2027-03-01", "2027-04-01", False),
    (SAT, "what did I pay in March", "in March", "2026-03-01", "2026-04-01", False),
    (SAT, "anything in November?", "in November", "2026-11-01", "2026-12-01", False),
    (SAT, "what did I spend last March", "last March", "2026-03-01", "2026-04-01", False),
    # No word says which: the nearer one (February is 3 months ahead, 9 back; July 4 back, 8 ahead).
    (SAT, "where are we staying in February?", "in February", "2027-02-01", "2027-03-01", False),
    (SAT, "the barbecue in July", "in July", "2026-07-01", "2026-08-01", False),
    (SAT, "what's planned for next March", "for next March", "2027-03-01", "2027-04-01", False),
    (SAT, "payments in May 2025", "in May 2025", "2025-05-01", "2025-06-01", False),
    (SAT, "what happened on 5 May 2025", "on 5 May 2025", "2025-05-05", "2025-05-06", True),
    (SAT, "on the 27th of October", "on the 27th of October", "2026-10-27", "2026-10-28", True),
    (SAT, "what's on October 27th?", "on October 27th", "2026-10-27", "2026-10-28", True),
    (SAT, "what's on 2 January?", "on 2 January", "2027-01-02", "2027-01-03", True),  # nearest: ahead
    (SAT, "meeting notes 2026-10-27", "2026-10-27", "2026-10-27", "2026-10-28", True),
    (
        SAT,
        "bills between 1 and 15 March 2026",
        "between 1 and 15 March 2026",
        "2026-03-01",
        "2026-03-16",
        True,
    ),
    (
        SAT,
        "what did I spend between March and May",
        "between March and May",
        "2026-03-01",
        "2026-06-01",
        False,
    ),
    (SAT, "payments before October", "before October", None, "2026-10-01", False),
    (SAT, "messages after 3 November", "after 3 November", "2026-11-04", None, False),
    (SAT, "emails since last month", "since last month", "2026-10-01", NOW, False),
    (SAT, "what did I do last summer", "last summer", "2026-06-01", "2026-09-01", False),
    (SAT, "what's on this winter", "this winter", "2026-12-01", "2027-03-01", False),
    (SAT, "how much in 2025", "in 2025", "2025-01-01", "2026-01-01", False),
    (SAT, "anything this weekend?", "this weekend", "2026-11-21", "2026-11-23", False),
    (SAT, "what did we do last weekend", "last weekend", "2026-11-14", "2026-11-16", False),
    (SAT, "what arrived earlier this month", "earlier this month", "2026-11-01", NOW, False),
    (SAT, "what's on on Friday", "on Friday", "2026-11-27", "2026-11-28", False),
    (SAT, "what did Sam say on Friday", "on Friday", "2026-11-20", "2026-11-21", False),
    (SAT, "what's on this Tuesday", "on this Tuesday", "2026-11-17", "2026-11-18", False),
    (SAT, "dinner next Saturday?", "next Saturday", "2026-11-28", "2026-11-29", False),
    (SAT, "what's on Saturday?", "on Saturday", "2026-11-21", "2026-11-22", False),  # today counts ahead
    (SAT, "what did I buy last Saturday", "last Saturday", "2026-11-14", "2026-11-15", False),
    (SAT, "Sam's message from Sunday", "from Sunday", "2026-11-15", "2026-11-16", False),
    (SAT, "spent this year at Tesco", "this year", "2026-01-01", "2027-01-01", False),
    (SAT, "since Mon. who wrote?", "since Mon", "2026-11-16", NOW, False),
    # Year boundaries.
    (JAN, "what did I spend last month", "last month", "2026-12-01", "2027-01-01", False),
    (JAN, "what did I spend in December", "in December", "2026-12-01", "2027-01-01", False),
    (JAN, "what did we do last year", "last year", "2026-01-01", "2027-01-01", False),
    (JAN, "last week's emails", "last week", "2026-12-28", "2027-01-04", False),
    (JAN, "the email on 30 December", "on 30 December", "2026-12-30", "2026-12-31", True),
    (JAN, "what did I do last winter", "last winter", "2025-12-01", "2026-03-01", False),
    (JAN, "what's on this winter", "this winter", "2026-12-01", "2027-03-01", False),
    # Clocks went forward on 29 March 2026: local midnights are 23:00 UTC after, 00:00 UTC before.
    (SPRING, "what did I spend yesterday", "yesterday", "2026-03-30", "2026-03-31", False),
    (SPRING, "this week's messages", "this week", "2026-03-30", "2026-04-06", False),
    (SPRING, "what did we do last weekend", "last weekend", "2026-03-28", "2026-03-30", False),
]


@pytest.mark.parametrize(
    ("now", "question", "phrase", "start", "end", "exact"), TABLE, ids=[r[1] for r in TABLE]
)
def test_a_question_names_a_period(now, question, phrase, start, end, exact):
    when = find(question, now, LONDON)
    assert when is not None
    assert when.phrase.strip(" ?.,") == phrase
    assert question[when.start : when.end] == when.phrase
    assert when.exact is exact
    expect_start = None if start is None else datetime.fromisoformat(start).replace(tzinfo=LONDON)
    expect_end = (
        now if end == NOW else None if end is None else datetime.fromisoformat(end).replace(tzinfo=LONDON)
    )
    assert when.since == (expect_start.astimezone(UTC) if expect_start else None)
    assert when.until == (expect_end.astimezone(UTC) if expect_end else None)


@pytest.mark.parametrize(
    "question",
    [
        "When is my dentist appointment now?",
        "may I see the emails about the boiler?",
        "the sun was out at the picnic",
        "What time is my Tuesday yoga class and where?",
        "Where are Sam and I staying in Lisbon?",
        "Who still owes me for the concert?",
        "What is my passport number?",
        "How much does Sam owe me?",
        "the flight leaves at 06:45",
    ],
)
def test_a_question_without_a_date_names_none(question):
    assert find(question, SAT, LONDON) is None


def test_the_users_zone_decides_where_a_day_starts():
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # already Sunday in Auckland, still Saturday in London
    auckland = find("what did I spend yesterday", late, ZoneInfo("Pacific/Auckland"))
    london = find("what did I spend yesterday", late, LONDON)
    assert auckland is not None and london is not None
    assert auckland.since.astimezone(ZoneInfo("Pacific/Auckland")).date().isoformat() == "2026-11-21"
    assert london.since.astimezone(LONDON).date().isoformat() == "2026-11-20"
