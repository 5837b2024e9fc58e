"""Where to get help: the region's helplines, and changing the region."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded
from actions.session import language_of
from knowledge import resources
from knowledge.helplines import describe_all


class ActionHelplines(Guarded, Action):
    """List non-law-enforcement helplines of the survivor's region, their language first."""

    def name(self) -> Text:
        return "action_helplines"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        language = language_of(tracker)
        entries = resources.helplines(tracker.get_slot("region"), language)
        dispatcher.utter_message(response="utter_helplines", helplines=describe_all(entries, language))
        return []


class ActionSetRegion(Guarded, Action):
    """Switch to a region the survivor names, if we have contacts for it."""

    def name(self) -> Text:
        return "action_set_region"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        language = language_of(tracker)
        named = str(next(tracker.get_latest_entity_values("region"), "")).upper()
        if named in resources.regions():
            dispatcher.utter_message(
                response="utter_region_changed",
                region_name=resources.region_name(named, language),
            )
            return [SlotSet("region", named)]
        known = ", ".join(resources.region_name(r, language) for r in resources.regions())
        dispatcher.utter_message(response="utter_region_unknown", region_names=known)
        return []
