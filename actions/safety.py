"""Safety answers that need the survivor's region: crisis line, emergency number."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.session import language_of
from knowledge import resources


class ActionCrisisLine(Action):
    """Give the region's crisis line, described in the survivor's language."""

    def name(self) -> Text:
        return "action_crisis_line"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        language = language_of(tracker)
        lines = resources.find(tracker.get_slot("region"), "crisis", language)
        if lines:
            dispatcher.utter_message(
                response="utter_crisis_line", crisis_line=lines[0].describe(language)
            )
        return []


class ActionEmergencyNumber(Action):
    """Give the region's emergency number, only when the survivor asks for it."""

    def name(self) -> Text:
        return "action_emergency_number"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        numbers = resources.find(tracker.get_slot("region"), "emergency", language_of(tracker))
        if numbers:
            dispatcher.utter_message(
                response="utter_emergency_number",
                emergency_number=numbers[0].contact["call"],
            )
        return []


class ActionRecordSafety(Action):
    """Remember the answer to "is it safe to talk?" for the advocate's card."""

    def name(self) -> Text:
        return "action_record_safety"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return [SlotSet("safe_to_talk", intent == "affirm")]
