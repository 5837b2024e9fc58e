""""Tell me more": the rest of an answer, so each answer can stay short (voice rule 7).

The button under an FAQ answer carries its topic (`/ask_more{"topic": "debt"}`),
so an older button expands its own answer; typed words ("tell me more") expand
the last answer of the session.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded

FAQ_PREFIX = "utter_faq/"


def said(event: Dict[Text, Any]) -> Text:
    """The response a bot event came from (Rasa keeps it in the event's metadata)."""
    if event.get("event") != "bot":
        return ""
    return (event.get("metadata") or {}).get("utter_action") or ""


def last_topic(tracker: Tracker) -> Optional[Text]:
    """The FAQ topic the assistant answered last in this session ("debt"), if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if said(event).startswith(FAQ_PREFIX):
            return said(event)[len(FAQ_PREFIX):]
    return None


def last_said(tracker: Tracker) -> Text:
    return next((said(e) for e in reversed(tracker.events) if e.get("event") == "bot"), "")


class ActionTellMore(Guarded, Action):
    """The longer part of an FAQ answer (`utter_more_<topic>`), or an honest "that's all"."""

    def name(self) -> Text:
        return "action_tell_more"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        responses = domain.get("responses", {})
        named = next(tracker.get_latest_entity_values("topic"), None)
        topic = named if f"utter_more_{named}" in responses else last_topic(tracker)
        more = f"utter_more_{topic}"
        if topic is None:
            dispatcher.utter_message(response="utter_invite_question")
        elif more not in responses or last_said(tracker) == more:  # nothing more, or just said
            dispatcher.utter_message(response="utter_no_more")
        else:
            dispatcher.utter_message(response=more)
        return []
