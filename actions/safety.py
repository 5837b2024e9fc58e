"""Safety answers that need the survivor's region: crisis line, emergency number."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guard import Guarded
from actions.helplines import CRISIS, EMERGENCY, ask_where, give_crisis_line, give_emergency_number, region_of
from actions.session import language_of


class ActionCrisisLine(Guarded, Action):
    """Give the region's crisis line; where we do not know the region, general help at once
    (never a number presented as local) and the question of where they are."""

    def name(self) -> Text:
        return "action_crisis_line"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        region = region_of(tracker)
        if region is None:
            dispatcher.utter_message(response="utter_crisis_anywhere")
            return ask_where(dispatcher, CRISIS)
        give_crisis_line(dispatcher, region, language_of(tracker))
        return []


class ActionEmergencyNumber(Guarded, Action):
    """Give the region's emergency number, only when the survivor asks for it; where we do
    not know the region, general advice at once and the question of where they are."""

    def name(self) -> Text:
        return "action_emergency_number"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        region = region_of(tracker)
        if region is None:
            dispatcher.utter_message(response="utter_emergency_anywhere")
            return ask_where(dispatcher, EMERGENCY)
        give_emergency_number(dispatcher, region, language_of(tracker))
        return []


class ActionRecordSafety(Guarded, Action):
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


# What the safety layer put in front of the classifiers' answer, never a topic to resume.
NOT_A_TOPIC = {"check_safety", "nlu_fallback", "crisis_self_harm", "immediate_danger"}


class ActionAnswerAfterCheck(Guarded, Action):
    """"I'm OK, I had a question": carry on where the check interrupted (tell it once).

    The safety layer asked "Are you safe right now?" instead of answering. If it
    interrupted the handoff form, the form resumes with what was already
    answered; otherwise the question is still in that message's parse data, so
    it is answered without being typed again, and a request for a person starts
    the handoff (the layer asks before a request with a risk cue in it).
    """

    def name(self) -> Text:
        return "action_answer_after_check"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        events = list(tracker.events)
        at = next((i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "user"
                   and (events[i].get("parse_data") or {}).get("intent", {}).get("name") == "check_safety"),
                  None)
        if at is None:
            dispatcher.utter_message(response="utter_invite_question")
            return []
        loops = [e.get("name") for e in events[:at] if e.get("event") == "active_loop"]
        if loops and loops[-1] == "handoff_form":
            return [FollowupAction("handoff_form")]
        parse = events[at].get("parse_data") or {}
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") not in NOT_A_TOPIC]
        key = (parse.get("response_selector", {}).get("faq", {}).get("response", {})
               .get("intent_response_key"))
        if ranking and ranking[0].get("name") == "request_advocate":  # they had asked for a person
            return [FollowupAction("handoff_form")]
        if ranking and ranking[0].get("name") == "faq" and key and f"utter_{key}" in domain.get("responses", {}):
            dispatcher.utter_message(response=f"utter_{key}")
        else:
            dispatcher.utter_message(response="utter_invite_question")
        return []
