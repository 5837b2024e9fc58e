"""Conversations with the real assistant (Rasa + action server) over REST."""

import sqlite3

import pytest

CRISIS = {"en": "i don't want to be alive anymore", "es": "ya no quiero estar viva"}
REQUEST_PERSON = {"en": "i would like to talk to a human", "es": "quiero hablar con un humano"}


def test_hi_is_answered_in_english_with_the_safety_check(assistant, sender):
    replies = assistant.say(sender, "hi")
    assert replies.texts[0].startswith("Hi. I'm Safe Harbor")
    assert "/exit" in replies.text
    assert [b["title"] for b in replies.buttons] == ["Yes, it's safe", "Not right now"]


def test_hola_is_answered_in_spanish_even_from_an_english_phone(assistant, sender):
    replies = assistant.say(sender, "hola", language="en")
    assert replies.texts[0].startswith("Hola. Soy Safe Harbor")
    assert [b["title"] for b in replies.buttons] == ["Sí, es seguro", "Ahora no"]


def test_language_comes_from_metadata_when_the_text_does_not_tell(assistant, sender):
    assert assistant.say(sender, "/greet", language="es").texts[0].startswith("Hola")


def test_unknown_language_falls_back_to_english(assistant, sender):
    assert assistant.say(sender, "/greet", language="fr").texts[0].startswith("Hi")


def test_no_metadata_at_all_falls_back_to_english(assistant, sender):
    assert assistant.say(sender, "/greet", language=None).texts[0].startswith("Hi")


def test_asking_for_spanish_switches_and_stays(assistant, sender):
    assistant.say(sender, "hi")
    assert assistant.say(sender, "can we talk in spanish please").text == (
        "Claro. Desde ahora te escribo en español."
    )
    assert assistant.say(sender, "/bot_challenge").text.startswith("Soy un programa")


def test_asking_to_change_language_without_naming_one_offers_both(assistant, sender):
    replies = assistant.say(sender, "i want to change the language")
    assert [b["title"] for b in replies.buttons] == ["English", "Español", "Українська"]
    assert assistant.say(sender, replies.buttons[1]["payload"]).text.startswith("Claro")


@pytest.mark.parametrize("language", ["en", "es"])
def test_crisis_in_the_middle_of_the_consent_question_gets_the_crisis_line(assistant, sender, language):
    first = assistant.say(sender, REQUEST_PERSON[language], language=language)
    assert first.buttons, "the consent question offers buttons"
    replies = assistant.say(sender, CRISIS[language], language=language)
    assert "988" in replies.text
    expected = {"en": "Thank you for telling me", "es": "Gracias por decírmelo"}[language]
    assert replies.texts[0].startswith(expected)
    assert any(b["payload"] == "/request_advocate" for b in replies.buttons)
    assert not replies.customs, "no handoff is sent without the survivor's choice"


@pytest.mark.parametrize("language", ["en", "es"])
def test_crisis_line_follows_the_region(assistant, sender, language):
    replies = assistant.say(sender, CRISIS[language], language=language, region="GB")
    assert "Samaritans" in replies.text and "116 123" in replies.text
    assert "988" not in replies.text


def test_spanish_crisis_reply_says_how_to_get_spanish(assistant, sender):
    assert "Para español" in assistant.say(sender, CRISIS["es"], language="es").text


def test_danger_offers_choices_and_the_number_only_when_chosen(assistant, sender):
    replies = assistant.say(sender, "he is hurting me right now")
    assert "911" not in replies.text
    payloads = [b["payload"] for b in replies.buttons]
    assert payloads == ["/ask_emergency_number", "/ask_safety_step", "/request_advocate", "/quick_exit"]
    number = assistant.say(sender, "/ask_emergency_number")
    assert "911" in number.text and "You decide" in number.text


def test_police_question_is_answered_honestly(assistant, sender):
    replies = assistant.say(sender, "are you going to call the police on me")
    assert replies.texts[0].startswith("No. I'm not the police or any government office.")
    assert "immigration" not in replies.text, "they asked about the police only"
    assert any("without your permission" in t for t in replies.texts)


def test_handoff_with_consent_carries_the_survivors_own_words(assistant, sender):
    assistant.say(sender, "they took my passport and i owe them money")
    assistant.say(sender, REQUEST_PERSON["en"])
    assert assistant.say(sender, "skip").texts[0].startswith("I can ask a person")
    replies = assistant.say(sender, "yes")
    [custom] = replies.customs
    handoff = custom["handoff"]
    assert handoff["consent_to_share"] is True
    assert "they took my passport and i owe them money" in handoff["summary"]
    assert REQUEST_PERSON["en"] not in handoff["summary"], "navigation turns are not the story"
    assert handoff["language"] == "en" and handoff["region"] == "US"
    assert handoff["urgency"] == "normal"
    assert "don't have to repeat it" in replies.text


def test_handoff_without_consent_shares_no_summary(assistant, sender):
    assistant.say(sender, "they took my passport")
    assistant.say(sender, REQUEST_PERSON["es"], language="es")
    assistant.say(sender, "/deny", language="es")
    replies = assistant.say(sender, "no", language="es")
    [custom] = replies.customs
    assert custom["handoff"]["consent_to_share"] is False
    assert "summary" not in custom["handoff"]
    assert custom["handoff"]["language"] == "es"


def test_handoff_after_a_crisis_is_urgent(assistant, sender):
    assistant.say(sender, CRISIS["en"])
    assistant.say(sender, "/request_advocate")
    [custom] = assistant.say(sender, "/affirm").customs
    assert custom["handoff"]["urgency"] == "high"


def test_quick_exit_sends_the_payload_and_nothing_else(assistant, sender):
    replies = assistant.say(sender, "someone is coming")
    assert replies.customs == [{"quick_exit": True}]
    assert not replies.texts


def test_forget_me_asks_first_then_sends_forget(assistant, sender):
    question = assistant.say(sender, "delete everything i said")
    assert question.buttons and not question.customs
    assert assistant.say(sender, "yes").customs == [{"forget": True}]


def test_out_of_scope_and_gibberish_are_answered_kindly_with_choices(assistant, sender):
    for message in ("what's the weather like tomorrow", "xqzt vvbn plo"):
        replies = assistant.say(sender, message)
        assert replies.texts[0].startswith("Sorry")
        assert [b["payload"] for b in replies.buttons] == [
            "/ask_question", "/request_advocate", "/quick_exit"
        ]


def test_conversations_are_stored_under_the_sender_only(assistant, sender):
    words = f"my boss keeps my passport {sender[-12:]}"  # words no other test writes
    assistant.say(sender, words)
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute("select sender_id, data from events").fetchall()
    assert {sender_id for sender_id, data in rows if words in data} == {sender}, \
        "their words are kept under this conversation's id and under no other"
