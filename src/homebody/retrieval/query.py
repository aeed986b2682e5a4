"""Turn a person's question into an FTS5 expression: content words, OR-ed, ranked by BM25.

Questions are natural language ("when is my dentist appointment now?"), not keyword queries, so the
function words are dropped and every remaining word may match (BM25 rewards items matching more and
rarer words). FTS5's porter tokenizer stems both sides, so "staying" finds "stay".
"""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any anything are as at be because been before
    being below between both but by can could did do does doing done down during each either else
    ever every few for from further get got had has have having he her here hers herself him himself
    his how i if in into is it its itself just know last let like me might mine more most much must
    my myself need new next no nor not now of off on once one only or other our ours ourselves out
    over own please same say said she should so some still such tell than that the their theirs them
    themselves then there these they this those through to too under until up upon us very was we
    were what whats when where which while who whom whose why will with would yet you your yours
    yourself yourselves s t don doesn didn isn wasn aren weren won wouldn shouldn couldn ll re ve d m
    haven hasn hadn mustn needn shan ain
    going gonna want wanted remind show find any anyone someone something time today tomorrow
    yesterday again also okay ok yes hey hi hello thanks thank
    """.split()  # noqa: SIM905 - a word list reads best as text
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def terms(question: str) -> list[str]:
    """The content words of a question, lowercased, in order, without repeats."""
    seen: list[str] = []
    for match in _WORD.finditer(question.lower()):
        word = match.group().replace("’", "'").split("'")[0]
        if len(word) < 2 and not word.isdigit():
            continue
        if word in STOPWORDS or word in seen:
            continue
        seen.append(word)
    return seen


def fts_expression(words: list[str]) -> str:
    """An FTS5 MATCH expression that finds items containing any of the words."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
