"""Privacy actions hand the erasing to the bot through the documented payloads."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionForget, ActionQuickExit


async def payloads(action):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, Tracker("s", {}, {}, [], False, None, {}, ""), {})
    return [m["custom"] for m in dispatcher.messages], events


def erases(events):
    return [(e["name"], e["value"]) for e in events] == [("erase_conversation", True)]


async def test_quick_exit_payload_no_words_and_the_tracker_is_erased():
    customs, events = await payloads(ActionQuickExit())
    assert customs == [{"quick_exit": True}] and erases(events)


async def test_forget_payload_and_the_tracker_is_erased():
    customs, events = await payloads(ActionForget())
    assert customs == [{"forget": True}] and erases(events)
