"""Crisis line and emergency number follow the survivor's region and language."""

from actions.safety import ActionAnswerAfterCheck, ActionCrisisLine, ActionEmergencyNumber, ActionRecordSafety
from testkit.actions import make_tracker, run_action


async def run(action, region="US", language="en", intent=None):
    latest = {"intent": {"name": intent}} if intent else {}
    return await run_action(action, make_tracker({"region": region, "language": language}, latest))


async def test_crisis_line_us_is_988():
    [message], _ = await run(ActionCrisisLine())
    assert message["response"] == "utter_crisis_line"
    assert message["crisis_line"].startswith("988 Suicide & Crisis Lifeline: Call 988")


async def test_crisis_line_gb_is_samaritans_in_spanish_labels():
    [message], _ = await run(ActionCrisisLine(), region="GB", language="es")
    assert message["crisis_line"].startswith("Samaritans: Llama al 116 123")


async def test_emergency_number_by_region():
    [us], _ = await run(ActionEmergencyNumber())
    [gb], _ = await run(ActionEmergencyNumber(), region="GB")
    assert (us["emergency_number"], gb["emergency_number"]) == ("911", "999")


async def test_safety_answer_is_remembered_for_the_card():
    _, events = await run(ActionRecordSafety(), intent="deny")
    assert [(e["name"], e["value"]) for e in events] == [("safe_to_talk", False)]
    _, events = await run(ActionRecordSafety(), intent="affirm")
    assert events[0]["value"] is True


async def test_im_ok_after_a_request_for_a_person_was_checked_starts_the_handoff():
    # "please help, someone is at my door" read as asking for a person, and asked "are you safe?"
    # first: "I'm OK, I had a question" must not drop the person they asked for.
    asked = {"event": "user", "parse_data": {"intent": {"name": "check_safety"}, "intent_ranking": [
        {"name": "check_safety"}, {"name": "request_advocate"}, {"name": "faq"}]}}
    messages, events = await run_action(ActionAnswerAfterCheck(), make_tracker({"language": "en"}, {}, [asked]))
    assert messages == [] and events == [{"event": "followup", "timestamp": None, "name": "handoff_form"}]
