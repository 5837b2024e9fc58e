"""Needs: answered when named, recorded once, never asked twice."""

from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ValidateHandoffForm
from actions.needs import ActionNoteNeed
from knowledge.needs import known_needs
from testkit.actions import make_tracker, run_action


def tracker(entities=(), topic=None, needs=None, events=()):
    latest = {"intent": {"name": "inform_need" if entities else "faq"}, "entities": list(entities)}
    if topic:
        latest["response_selector"] = {"faq": {"response": {"intent_response_key": f"faq/{topic}"}}}
    slots = {"region": "US", "language": "en", "needs": needs}
    return make_tracker(slots, latest, events)


async def note(**kwargs):
    messages, events = await run_action(ActionNoteNeed(), tracker(**kwargs))
    return messages, {e["name"]: e["value"] for e in events}


def test_only_known_needs_are_kept_once_in_order():
    assert known_needs(["legal", "none", "legal", "magic", "shelter"]) == ["legal", "shelter"]
    assert known_needs("none") == []


async def test_a_named_need_gets_its_answer_and_resources_and_is_recorded():
    messages, slots = await note(entities=[{"entity": "need", "value": "shelter"}], needs=["legal"])
    assert messages[0]["response"] == "utter_faq/shelter"
    assert messages[1]["response"] == "utter_resources_for_need"
    assert "211" in messages[1]["resources"]
    assert slots == {"needs": ["legal", "shelter"]}


async def test_a_question_topic_records_its_need_silently():
    messages, slots = await note(topic="medical_care")
    assert messages == [] and slots == {"needs": ["medical"]}


async def test_topics_that_are_not_needs_record_nothing():
    assert await note(topic="confidentiality") == ([], {})


async def test_talk_is_answered_with_an_offer_of_a_person():
    messages, _ = await note(entities=[{"entity": "need", "value": "talk"}])
    assert messages[0]["response"] == "utter_need_talk"


async def required(events=(), needs=None):
    return await ValidateHandoffForm().required_slots(
        ["needs", "consent_to_share"], CollectingDispatcher(), tracker(needs=needs, events=events), {}
    )


async def test_the_needs_question_is_skipped_in_a_crisis():
    crisis = [{"event": "user", "text": "...", "parse_data": {"intent": {"name": "crisis_self_harm"}}}]
    assert await required(events=crisis) == ["consent_to_share"]
    assert await required() == ["needs", "consent_to_share"]


def test_skipping_the_needs_question_answers_it_for_good():
    validated = ValidateHandoffForm().validate_needs(["none"], CollectingDispatcher(), tracker(), {})
    assert validated == {"needs": []}, "an empty list is filled: the form never asks again"


async def test_a_need_that_names_nothing_gets_the_choices_of_what_would_help():
    tracker = make_tracker({"language": "en", "region": "US"}, {"intent": {"name": "inform_need"}, "entities": []})
    messages, events = await run_action(ActionNoteNeed(), tracker)
    assert [m["response"] for m in messages] == ["utter_ask_needs"] and events == []
