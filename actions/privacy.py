"""Privacy commands: the bot hides and erases its side; Rasa erases its own.

Both actions set `erase_conversation`, so the tracker store deletes every
event of this conversation instead of saving it (components/tracker_store.py).
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded


class ActionQuickExit(Guarded, Action):
    """Ask the bot to delete this chat's messages and leave one neutral line."""

    def name(self) -> Text:
        return "action_quick_exit"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        dispatcher.utter_message(json_message={"quick_exit": True})
        return [SlotSet("erase_conversation", True)]


class ActionForget(Guarded, Action):
    """Ask the bot to erase this pseudonym everywhere (bot store and tracker)."""

    def name(self) -> Text:
        return "action_forget"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        dispatcher.utter_message(json_message={"forget": True})
        return [SlotSet("erase_conversation", True)]
