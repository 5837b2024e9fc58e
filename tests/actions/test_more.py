""""Tell me more": the rest of the answer its button belongs to, or an honest "that's all"."""

from actions.more import ActionTellMore
from testkit.actions import make_tracker, run_action

DOMAIN = {"responses": {"utter_faq/debt": [{}], "utter_more_debt": [{}], "utter_faq/shelter": [{}],
                        "utter_more_shelter": [{}], "utter_faq/greeting_only": [{}]}}


def answered(topic):
    return {"event": "bot", "text": "…", "metadata": {"utter_action": f"utter_{topic}"}}


async def more(events, entities=()):
    tracker = make_tracker({"language": "en"}, {"intent": {"name": "ask_more"}, "entities": list(entities)},
                           events=events)
    [message], _ = await run_action(ActionTellMore(), tracker, DOMAIN)
    return message["response"]


async def test_typed_more_expands_the_last_answer():
    assert await more([answered("faq/debt"), answered("faq/shelter")]) == "utter_more_shelter"


async def test_an_older_button_expands_its_own_answer():
    topic = [{"entity": "topic", "value": "debt"}]
    assert await more([answered("faq/debt"), answered("faq/shelter")], topic) == "utter_more_debt"


async def test_more_again_or_no_more_is_said_honestly():
    assert await more([answered("faq/debt"), answered("more_debt")]) == "utter_no_more"
    assert await more([answered("faq/greeting_only")]) == "utter_no_more"


async def test_with_no_answer_yet_it_invites_a_question():
    assert await more([]) == "utter_invite_question"
    assert await more([answered("faq/debt"), {"event": "session_started"}]) == "utter_invite_question"
