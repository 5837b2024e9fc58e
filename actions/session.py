"""Start each conversation in the survivor's language and region.

The bot passes `metadata.language` (the chosen language, or Telegram's language
code) and `metadata.region` (its DEFAULT_REGION setting, when the operator set
one on purpose); Rasa keeps them in the `session_started_metadata` slot. With
no region the slot stays empty, and the survivor is asked where they are before
anything is presented as local (voice rule 10). The bot hears of each new
conversation (`{"session_started": "es"}`) only to count it (bot/metrics.py).
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded
from knowledge import resources


def language_of(tracker: Tracker) -> Text:
    """The conversation's language (English before a session has started)."""
    return tracker.get_slot("language") or "en"


def supported_languages(domain: Dict[Text, Any]) -> List[Text]:
    """The `language` slot's values: the domain is the one list of languages."""
    return list(domain["slots"]["language"]["values"])


class ActionSessionStart(Guarded, Action):
    """Set `language` and `region` from the session's metadata; a region only when known."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        languages = supported_languages(domain)
        language = str(metadata.get("language") or "").lower()[:2]
        region = str(metadata.get("region") or "").upper()
        language = language if language in languages else languages[0]
        dispatcher.utter_message(json_message={"session_started": language})  # the bot counts it
        return [
            SessionStarted(),
            SlotSet("language", language),
            SlotSet("region", resources.known_region(region)),
            ActionExecuted("action_listen"),
        ]
