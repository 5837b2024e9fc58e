"""Changing language: confirm a named language, offer the choice otherwise."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionChangeLanguage

DOMAIN = {"slots": {"language": {"values": ["en", "es"]}}}


async def response_for(entities):
    dispatcher = CollectingDispatcher()
    latest = {"intent": {"name": "change_language"}, "entities": entities}
    await ActionChangeLanguage().run(dispatcher, Tracker("s", {}, latest, [], False, None, {}, ""), DOMAIN)
    return [m["response"] for m in dispatcher.messages]


async def test_named_language_is_confirmed():
    assert await response_for([{"entity": "language", "value": "es"}]) == ["utter_language_changed"]


async def test_no_or_unknown_language_offers_the_choice():
    assert await response_for([]) == ["utter_choose_language"]
    assert await response_for([{"entity": "language", "value": "klingon"}]) == ["utter_choose_language"]
