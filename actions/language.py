"""Change the conversation's language on request."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded


class ActionChangeLanguage(Guarded, Action):
    """Confirm a named language (already in the slot) and tell the bot, or offer the choice."""

    def name(self) -> Text:
        return "action_change_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        named = next(tracker.get_latest_entity_values("language"), None)
        if named in domain["slots"]["language"]["values"]:
            dispatcher.utter_message(response="utter_language_changed")
            dispatcher.utter_message(json_message={"language": named})  # the bot's own texts follow
        else:
            dispatcher.utter_message(response="utter_choose_language")
        return []
