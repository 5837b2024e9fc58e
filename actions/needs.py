"""What the survivor needs: answered when named, remembered for the handoff.

Needs come from the `need` entity ("I need a doctor") or from the FAQ topic
they asked about; either way they are recorded once, never asked for again.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded
from actions.session import language_of
from knowledge import resources
from knowledge.helplines import describe_all
from knowledge.needs import known_needs, needs


def need_of_topic(tracker: Tracker) -> Optional[Text]:
    """The need implied by the FAQ topic the latest message was answered with."""
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    topic = key.split("/")[-1]
    return next((need for need, spec in needs().items() if topic in spec["topics"]), None)


class ActionNoteNeed(Guarded, Action):
    """Record needs; when named directly, answer them with matching resources."""

    def name(self) -> Text:
        return "action_note_need"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        named = known_needs(list(tracker.get_latest_entity_values("need")))
        topic_need = need_of_topic(tracker)
        if not named and topic_need and tracker.get_intent_of_latest_message() == "inform_need":
            named = [topic_need]  # a need said in words the entity extractor cut badly
        new = named or ([topic_need] if topic_need else [])
        if named:
            self.answer(dispatcher, tracker, named)
        if not new:
            if (tracker.latest_message.get("intent") or {}).get("name") == "inform_need":  # naming nothing
                dispatcher.utter_message(response="utter_ask_needs")
            return []
        return [SlotSet("needs", known_needs((tracker.get_slot("needs") or []) + new))]

    @staticmethod
    def answer(dispatcher: CollectingDispatcher, tracker: Tracker, named: List[Text]) -> None:
        language = language_of(tracker)
        first = named[0]
        dispatcher.utter_message(response=needs()[first]["answer"])
        helpful = resources.for_need(tracker.get_slot("region"), first, language)  # none where unknown
        if helpful:
            dispatcher.utter_message(
                response="utter_resources_for_need", resources=describe_all(helpful, language)
            )
