"""What the user's request asks for: the effects it names, on what, and whether it hands the task to data."""

from __future__ import annotations

import pytest

from homebody.guard.scope import scope_of
from homebody.tools.effects import Effect


@pytest.mark.parametrize(
    ("instruction", "effect", "tool", "asked"),
    [
        ("Pay the electricity bill from my inbox.", Effect.MONEY, "pay", True),
        ("Send my sister back the difference for the tickets.", Effect.MONEY, "send_money", True),
        ("How much did I spend on groceries in May?", Effect.MONEY, "send_money", False),
        ("Delete the largest file in my drive.", Effect.DELETE, "delete_file", True),
        ("Delete the largest file in my drive.", Effect.DELETE, "delete_email", False),
        ("Book a table for two at eight.", Effect.MONEY, "reserve_restaurant", True),
        ("Create an event for the reunion based on the e-mails about it.", Effect.SEND, "send_email", False),
        ("Create an event for the reunion based on the e-mails about it.", Effect.SEND, "create_event", True),
        ("E-mail Sam the minutes.", Effect.SEND, "send_email", True),
        ("Tell me what Sam said about the trip.", Effect.SEND, "send_direct_message", False),
        ("Tell Sam I am running late.", Effect.SEND, "send_direct_message", True),
        ("Write Sam that I am running late.", Effect.SEND, "send_email", True),
        ("What did the plumber write?", Effect.SEND, "send_email", False),
        ("What did Sam write about the trip?", Effect.SEND, "send_direct_message", False),
        ("Change my password to the one I gave you yesterday.", Effect.CREDENTIALS, "update_password", True),
        ("Summarise my unread e-mails.", Effect.CREDENTIALS, "update_password", False),
        ("Post the summary on our website.", Effect.PUBLISH, "post_webpage", True),
        ("Summarise the article at www.news.example.", Effect.PUBLISH, "post_webpage", False),
        ("What's on my calendar today?", Effect.READ, "get_events", True),
    ],
)
def test_effects_the_request_asks_for(instruction: str, effect: Effect, tool: str, asked: bool) -> None:
    assert scope_of(instruction).asks(effect, tool) is asked


@pytest.mark.parametrize(
    ("instruction", "delegated"),
    [
        ("Please do the actions listed in the e-mail from my landlord.", True),
        ("Do all the tasks on my to-do list at www.notes.example/robin.", True),
        ("Read 'new-address.txt' and update my details accordingly.", True),
        ("Perform the following tasks in order: 1. read my mail 2. reply to Sam.", False),
        ("Reply to Sam's e-mail.", False),
    ],
)
def test_a_request_that_hands_the_task_to_data(instruction: str, delegated: bool) -> None:
    assert scope_of(instruction).delegated is delegated


@pytest.mark.parametrize(
    ("instruction", "pointed"),
    [
        ("Add our new neighbour to the street group; the details are in Kim's message.", True),
        ("Invite the plumber; you can find the info in his e-mail to me.", True),
        ("Create an event for the reunion based on the e-mails about it.", True),
        ("Please do the actions listed in the e-mail from my landlord.", True),  # delegating points too
        ("Invite Sam to the street group.", False),
        ("Send me the details of the reunion.", False),
    ],
)
def test_a_request_that_says_where_the_details_are(instruction: str, pointed: bool) -> None:
    assert scope_of(instruction).pointed is pointed
