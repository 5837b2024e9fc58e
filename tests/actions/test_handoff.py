"""The handoff request carries only what the survivor agreed to share."""

from actions.handoff import SUMMARY_LIMIT, ActionRequestHandoff, survivor_summary
from testkit.actions import make_tracker, run_action


def user(text, intent):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


EARLIER_SESSION = [user("old story from last week", "faq"), {"event": "session_started"}]
THIS_SESSION = [
    user("hi", "greet"),
    user("they kept my passport", "faq"),
    user("/affirm", "affirm"),
    user("i owe them for the trip", "faq"),
    user("i want a person", "request_advocate"),
]


def tracker(consent, events=EARLIER_SESSION + THIS_SESSION, **slots):
    slots = {"language": "es", "region": "GB", "needs": ["housing"], "consent_to_share": consent, **slots}
    return make_tracker(slots, events=events, active_loop="handoff_form")


async def run(consent, **kwargs):
    messages, _ = await run_action(ActionRequestHandoff(), tracker(consent, **kwargs))
    return messages


async def test_consented_summary_is_the_survivors_own_words_from_this_session():
    reply, payload = await run(True)
    handoff = payload["custom"]["handoff"]
    assert handoff == {
        "language": "es", "region": "GB", "needs": ["housing"], "urgency": "normal", "urgency_reason": None,
        "consent_to_share": True, "safe_to_talk": None,
        "summary": "“they kept my passport”\n“i owe them for the trip”",
    }
    assert reply["response"] == "utter_handoff_requested_shared"


async def test_the_answer_to_is_it_safe_to_talk_travels_for_the_card():
    _, payload = await run(True, safe_to_talk=False)
    assert payload["custom"]["handoff"]["safe_to_talk"] is False


async def test_without_consent_no_summary_travels():
    reply, payload = await run(False)
    assert "summary" not in payload["custom"]["handoff"]
    assert payload["custom"]["handoff"]["consent_to_share"] is False
    assert reply["response"] == "utter_handoff_requested_private"


async def test_unanswered_consent_counts_as_no():
    _, payload = await run(None)
    assert "summary" not in payload["custom"]["handoff"]


async def test_crisis_or_danger_in_this_session_makes_it_urgent_with_the_reason_only():
    for intent, reason in (("crisis_self_harm", "self_harm"), ("immediate_danger", "danger")):
        _, payload = await run(True, events=THIS_SESSION + [user("...", intent)])
        assert (payload["custom"]["handoff"]["urgency"], payload["custom"]["handoff"]["urgency_reason"]) == (
            "high", reason)


def test_summary_is_bounded_and_whitespace_is_tidied():
    long = [user("word  " * 1000, "faq")]
    summary = survivor_summary(long)
    assert len(summary) == SUMMARY_LIMIT and summary.endswith("…")
    assert "  " not in summary
