"""Start each conversation in the survivor's language and region.

The bot passes `metadata.language` (from Telegram's language code) and
`metadata.region` (its DEFAULT_REGION setting, the one owner of that default);
Rasa keeps them in the `session_started_metadata` slot. A conversation that did
not come through the bot (e.g. `rasa shell`) starts in `FALLBACK_REGION`.
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
    """Set `language` and `region` from the session's metadata, with safe defaults."""

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
        return [
            SessionStarted(),
            SlotSet("language", language if language in languages else languages[0]),
            SlotSet(
                "region",
                region if region in resources.regions() else resources.FALLBACK_REGION,
            ),
            ActionExecuted("action_listen"),
        ]
