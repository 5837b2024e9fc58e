"""Questions, helplines, region and needs, with the real assistant over REST."""

import pytest

FAQ_BUTTONS = ["/ask_more", "/request_advocate", "/ask_question"]  # "Tell me more" carries its topic


@pytest.mark.parametrize("language, question, opening", [
    ("en", "they took my passport when i arrived", "Thank you for telling me. Your passport"),
    ("es", "me quitaron el pasaporte cuando llegué", "Gracias por contármelo. Tu pasaporte"),
    ("en", "they say i owe them for the journey", "Thank you for telling me. A debt"),
    ("es", "dicen que les debo el viaje", "Gracias por contármelo. Una deuda"),
    ("en", "my boss hasn't paid me in weeks", "That is not fair"),
    ("es", "mi jefe no me paga hace semanas", "Eso no es justo"),
])
def test_questions_are_answered_with_validation_first_and_a_choice_last(assistant, sender, language, question, opening):
    replies = assistant.say(sender, question, language=language)
    assert replies.texts[0].startswith(opening)
    assert [b["payload"].split("{")[0] for b in replies.buttons] == FAQ_BUTTONS


def test_helplines_are_listed_for_the_region_with_the_hotline_first(assistant, sender):
    text = assistant.say(sender, "where can i get help").text
    first, listed = text.split("\n")[:2]
    assert "Trafficking" not in first, "a neutral first line: names come after it (rule 9)"
    assert listed.startswith("• National Human Trafficking Hotline: Call 1-888-373-7888")
    assert "911" not in text


def test_saying_where_you_are_changes_the_helplines_and_crisis_line(assistant, sender):
    changed = assistant.say(sender, "estoy en el reino unido", language="es")
    assert changed.text == "Entendido. Desde ahora te muestro ayuda en el Reino Unido."
    helplines = assistant.say(sender, "dame un número para llamar", language="es").text
    assert "Modern Slavery & Exploitation Helpline: Llama al 08000 121 700" in helplines
    assert "Samaritans" in assistant.say(sender, "me quiero morir", language="es").text


def test_a_place_without_contacts_is_said_honestly(assistant, sender):
    replies = assistant.say(sender, "i'm in france")
    assert replies.texts[0].startswith("Sorry, I don't have contacts for that place yet.")


def test_a_named_need_is_answered_with_resources_and_never_asked_again(assistant, sender):
    answer = assistant.say(sender, "i need a doctor please")
    assert answer.texts[0].startswith("Your health matters.")
    assert "• National Human Trafficking Hotline" in answer.text, "the places that help with it"
    assert "RAINN" not in answer.text, "a doctor is not a sexual-assault line"
    ask = assistant.say(sender, "i want to talk to a person")
    assert ask.texts[0].startswith("I can ask a person"), "needs known: straight to consent"
    [custom] = assistant.say(sender, "yes").customs
    assert custom["handoff"]["needs"] == ["medical"]


def test_the_needs_question_is_asked_once_and_skipping_is_respected(assistant, sender):
    first = assistant.say(sender, "/request_advocate")
    assert first.texts[0].startswith("What would help you most right now?")
    assert assistant.say(sender, "/deny").texts[0].startswith("I can ask a person")
    [custom] = assistant.say(sender, "/deny").customs
    assert custom["handoff"]["needs"] == []
    again = assistant.say(sender, "/request_advocate")
    assert again.texts[0].startswith("I can ask a person"), "not asked twice; consent asked per request"


def test_a_needs_button_is_recorded_for_the_handoff(assistant, sender):
    assistant.say(sender, "quiero hablar con una persona", language="es")
    consent = assistant.say(sender, '/inform_need{"need": "shelter"}', language="es")
    assert consent.texts[0].startswith("Puedo pedir que una persona")
    [custom] = assistant.say(sender, "sí", language="es").customs
    assert custom["handoff"]["needs"] == ["shelter"]


def test_after_a_crisis_the_person_comes_without_the_needs_question(assistant, sender):
    assistant.say(sender, "i want to end my life")
    ask = assistant.say(sender, "/request_advocate")
    assert ask.texts[0].startswith("I can ask a person")
    [custom] = assistant.say(sender, "/affirm").customs
    assert custom["handoff"]["urgency"] == "high"
