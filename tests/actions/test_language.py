"""Changing language: confirm a named language, offer the choice otherwise."""

import pytest

from actions.language import ActionChangeLanguage

DOMAIN = {"slots": {"language": {"values": ["en", "es"]}}}


@pytest.fixture
def response_for(make_tracker, run_action):
    async def response_for(entities):
        tracker = make_tracker(latest={"intent": {"name": "change_language"}, "entities": entities})
        messages, _ = await run_action(ActionChangeLanguage(), tracker, DOMAIN)
        return [m["response"] or m["custom"] for m in messages]
    return response_for


async def test_named_language_is_confirmed_and_the_bot_told(response_for):
    assert await response_for([{"entity": "language", "value": "es"}]) == [
        "utter_language_changed", {"language": "es"}]


async def test_no_or_unknown_language_offers_the_choice(response_for):
    assert await response_for([]) == ["utter_choose_language"]
    assert await response_for([{"entity": "language", "value": "klingon"}]) == ["utter_choose_language"]
