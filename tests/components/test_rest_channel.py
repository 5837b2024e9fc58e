"""Rasa's REST channel, through the real server: each reply names its response, which is
all the bot needs to count outcomes and topics; the words are unchanged."""

import logging

import pytest

import components.rest_channel  # noqa: F401 (installs the filter, as Rasa's loading of the channel does)
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


@pytest.mark.parametrize("logged", [
    '{"text": "they took my passport \\"today\\"", "event": "rest.message.received.timeout", "level": "error"}',
    "{'text': 'they took my passport', 'event': 'rest.message.received.timeout'}",
])
def test_rasas_rest_channel_never_logs_a_survivors_words(logged, caplog):
    with caplog.at_level(logging.ERROR, logger="rasa.core.channels.rest"):
        logging.getLogger("rasa.core.channels.rest").error(logged)
    assert "passport" not in caplog.text and "rest.message.received.timeout" in caplog.text
