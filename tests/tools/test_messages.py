"""Chat message drafts: kept locally with a link the user taps; nothing is sent."""

from __future__ import annotations

import json

import pytest

from homebody.errors import ToolError


@pytest.mark.parametrize(
    ("app", "to", "link"),
    [
        (
            "whatsapp",
            "07911 123456",
            "https://wa.me/447911123456?text=See%20you%20at%207%20%26%20bring%20wine%3F",
        ),
        ("sms", "+1 415 555 2671", "sms:+14155552671?body=See%20you%20at%207%20%26%20bring%20wine%3F"),
        (
            "imessage",
            "Sam@Example.org",
            "sms:sam@example.org?body=See%20you%20at%207%20%26%20bring%20wine%3F",
        ),
    ],
)
def test_a_draft_gets_a_link_that_opens_the_app_on_it(registry, context, app, to, link) -> None:
    tool = registry.get("draft_message")
    args = tool.validate({"app": app, "to": to, "text": "See you at 7 & bring wine?"})
    assert "See you at 7 & bring wine?" in tool.describe(args, context)
    result = tool.run(args, context)
    assert result.data["link"] == link
    assert "not sent" in result.output
    [saved] = [
        json.loads(line)
        for line in (context.settings.home / "drafts" / "messages.jsonl").read_text().splitlines()
    ]
    assert saved["link"] == link and saved["text"] == "See you at 7 & bring wine?"


@pytest.mark.parametrize(
    ("app", "to"), [("whatsapp", "sam@example.org"), ("sms", "123"), ("whatsapp", "+44 7700 90")]
)
def test_recipients_that_are_not_numbers_are_refused(registry, context, app, to) -> None:
    tool = registry.get("draft_message")
    with pytest.raises(ToolError, match="phone number"):
        tool.run(tool.validate({"app": app, "to": to, "text": "hi"}), context)
