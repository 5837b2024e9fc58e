"""Rasa's REST channel, through the real server: each reply names its response, which is
all the bot needs to count outcomes and topics; the words are unchanged."""

from bot.metrics import outcome_of


def test_each_reply_names_the_response_it_came_from(assistant, sender):
    replies = assistant.say(sender, "/faq/debt")
    [answer] = [reply for reply in replies if reply.get("text")]
    assert answer["response"] == "utter_faq/debt"
    assert answer["buttons"], "buttons and text as before"


def test_a_new_conversation_is_marked_with_its_language_once(assistant, sender):
    first = assistant.say(sender, "hola", language="es")
    assert [r["custom"] for r in first if "session_started" in r.get("custom", {})] == [{"session_started": "es"}]
    again = assistant.say(sender, "gracias", language="es")
    assert not [r for r in again if "session_started" in r.get("custom", {})]


def test_a_crisis_reply_is_told_apart_from_an_faq_answer(assistant, sender):
    assert outcome_of(assistant.say(sender, "i want to end my life")) == "safety"
    assert outcome_of(assistant.say(sender, "/faq/shelter")) == "answered"
