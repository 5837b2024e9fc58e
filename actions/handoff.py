"""Build the warm-handoff request the bot turns into an advocate's case card.

What travels is what the survivor agreed to share, in their own words, so the
advocate never has to ask them to tell it again (voice rule 5).
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guard import Guarded
from actions.session import language_of
from knowledge.needs import known_needs

# Turns that steer the conversation rather than tell the survivor's story.
NAVIGATION_INTENTS = {
    "greet", "goodbye", "affirm", "deny", "thank", "ask_question", "bot_challenge",
    "request_advocate", "quick_exit", "forget_me", "change_language", "inform_need",
    "inform_region", "ask_helpline",
}
URGENT_INTENTS = {"crisis_self_harm": "self_harm", "immediate_danger": "danger"}
SUMMARY_LIMIT = 1500


def session_messages(tracker: Tracker) -> List[Dict[Text, Any]]:
    """User events of the current session (after the last session start)."""
    messages: List[Dict[Text, Any]] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            messages = []
        elif event.get("event") == "user":
            messages.append(event)
    return messages


def survivor_summary(messages: List[Dict[Text, Any]]) -> Text:
    """The survivor's own typed words about their situation, oldest first."""
    lines = [
        " ".join(m["text"].split())
        for m in messages
        if m.get("text")
        and not m["text"].startswith("/")
        and (m.get("parse_data") or {}).get("intent", {}).get("name") not in NAVIGATION_INTENTS
    ]
    summary = "\n".join(f"“{line}”" for line in lines)
    return summary if len(summary) <= SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 1] + "…"


def urgency(messages: List[Dict[Text, Any]]) -> Text:
    """High when the survivor spoke of self-harm or danger in this session."""
    return "high" if urgency_reason(messages) else "normal"


def urgency_reason(messages: List[Dict[Text, Any]]) -> Optional[Text]:
    """Why it is urgent, for the advocate's card: "self_harm" before "danger"; None if not."""
    intents = {(m.get("parse_data") or {}).get("intent", {}).get("name") for m in messages}
    return next((reason for intent, reason in URGENT_INTENTS.items() if intent in intents), None)


class ActionRequestHandoff(Guarded, Action):
    """Send the `{"handoff": ...}` payload and tell the survivor what happens."""

    def name(self) -> Text:
        return "action_request_handoff"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        consent = tracker.get_slot("consent_to_share") is True
        messages = session_messages(tracker)
        handoff = {
            "language": language_of(tracker),
            "region": tracker.get_slot("region"),
            "needs": tracker.get_slot("needs") or [],
            "urgency": urgency(messages),
            "urgency_reason": urgency_reason(messages),  # shown on the card: the reason, never the words
            "consent_to_share": consent,
            "safe_to_talk": tracker.get_slot("safe_to_talk"),  # shown on the advocate's card
        }
        if consent:
            handoff["summary"] = survivor_summary(messages)
        dispatcher.utter_message(
            response="utter_handoff_requested_shared"
            if consent
            else "utter_handoff_requested_private"
        )
        # After the words: the bot then adds where they are in the queue.
        dispatcher.utter_message(json_message={"handoff": handoff})
        # Consent covers this request only; needs stay answered.
        return [SlotSet("consent_to_share", None)]


class ValidateHandoffForm(Guarded, FormValidationAction):
    """Ask what would help most at most once, and never in a crisis."""

    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if urgency(session_messages(tracker)) == "high":
            return [slot for slot in domain_slots if slot != "needs"]
        return domain_slots

    def validate_needs(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """Skipping leaves an empty list: answered, so never asked again."""
        return {"needs": known_needs(slot_value)}
