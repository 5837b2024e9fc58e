"""Where to get help: the region's helplines, and changing the region.

Nothing is presented as local until the region is known (voice rule 10): the
survivor said it, chose it from buttons, or the operator set DEFAULT_REGION.
Otherwise they are asked once, and what they asked for follows their answer.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded
from actions.session import language_of
from knowledge import resources
from knowledge.helplines import describe_all

ELSEWHERE = "OTHER"  # the "Somewhere else" button
# What was asked before the region was known, answered once it is (slot `pending_help`).
CRISIS, EMERGENCY, HELPLINES = "crisis", "emergency", "helplines"


def region_of(tracker: Tracker) -> Optional[Text]:
    """The region, when known; None means ask."""
    return resources.known_region(tracker.get_slot("region"))


def ask_where(dispatcher: CollectingDispatcher, pending: Text) -> List[EventType]:
    """Ask where they are, with the regions we know and "Somewhere else"."""
    dispatcher.utter_message(response="utter_ask_region")
    return [SlotSet("pending_help", pending)]


def give_crisis_line(dispatcher: CollectingDispatcher, region: Text, language: Text) -> None:
    lines = resources.find(region, "crisis", language)
    if lines:
        dispatcher.utter_message(response="utter_crisis_line", crisis_line=lines[0].describe(language))
    else:
        dispatcher.utter_message(response="utter_crisis_anywhere")


def give_emergency_number(dispatcher: CollectingDispatcher, region: Text, language: Text) -> None:
    numbers = resources.find(region, "emergency", language)
    if numbers:
        dispatcher.utter_message(response="utter_emergency_number",
                                 emergency_number=numbers[0].contact["call"],
                                 region_name=resources.region_name(region, language))
    else:
        dispatcher.utter_message(response="utter_emergency_anywhere")


def give_helplines(dispatcher: CollectingDispatcher, region: Text, language: Text) -> None:
    entries = resources.helplines(region, language)
    dispatcher.utter_message(response="utter_helplines", helplines=describe_all(entries, language))


GIVE = {CRISIS: give_crisis_line, EMERGENCY: give_emergency_number, HELPLINES: give_helplines}


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
        region = region_of(tracker)
        if region is None:
            return ask_where(dispatcher, HELPLINES)
        give_helplines(dispatcher, region, language_of(tracker))
        return []


class ActionSetRegion(Guarded, Action):
    """Switch to a region the survivor names, and answer what they asked before we knew it."""

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
        pending = tracker.get_slot("pending_help")
        if named == ELSEWHERE:  # a crisis already had the general help: honest advice, and choices
            dispatcher.utter_message(response="utter_region_elsewhere")
            return [SlotSet("pending_help", None)]
        if named not in resources.regions():
            known = ", ".join(resources.region_name(r, language) for r in resources.regions())
            dispatcher.utter_message(response="utter_region_unknown", region_names=known)
            return []
        if pending in GIVE:
            GIVE[pending](dispatcher, named, language)
            if pending in (CRISIS, EMERGENCY):  # as in the rules of data/rules/safety.yml: a person offered
                dispatcher.utter_message(response="utter_offer_person")
        else:
            dispatcher.utter_message(response="utter_region_changed",
                                     region_name=resources.region_name(named, language))
        return [SlotSet("region", named), SlotSet("pending_help", None)]
