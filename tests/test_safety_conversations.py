"""Uncertain means ask, not guess: the check_safety question and where each answer leads.

Real Rasa and action server over REST, with phrasings that are not in data/.
"""

import pytest
import yaml

from harness import ROOT

ASK = {"en": "It sounds like things might be really hard. Are you safe right now?",
       "es": "Parece que las cosas pueden estar muy difíciles. ¿Estás a salvo ahora mismo?"}
# A question with a risk cue in it: not sure enough to name a crisis, too risky to just answer.
CUED_QUESTION = {"en": "what's the point of anything, can they keep my passport like that?",
                 "es": "ya no aguanto más, ¿pueden quedarse con mi pasaporte así?"}


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_risk_cue_gets_one_warm_question_with_three_choices_never_an_faq(assistant, sender, language):
    replies = assistant.say(sender, CUED_QUESTION[language], language=language)
    assert replies.texts == [ASK[language]]
    assert [b["payload"] for b in replies.buttons] == ["/immediate_danger", "/crisis_self_harm", "/affirm"]


def test_im_ok_answers_the_question_they_had_without_asking_again(assistant, sender):
    assistant.say(sender, CUED_QUESTION["en"])
    answer = assistant.say(sender, "/affirm")
    topic = assistant.parse(CUED_QUESTION["en"])["response_selector"]["faq"]["response"]["intent_response_key"]
    said = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"][f"utter_{topic}"][-1]["text"]
    assert answer.texts == [said], "the topic of the message that was interrupted, not typed again"
    assert any(b["payload"].startswith("/ask_more") for b in answer.buttons)


def test_im_not_safe_gives_the_danger_choices(assistant, sender):
    assistant.say(sender, CUED_QUESTION["es"], language="es")
    replies = assistant.say(sender, "/immediate_danger", language="es")
    assert replies.texts[0].startswith("Estoy aquí contigo.")
    assert "/ask_emergency_number" in [b["payload"] for b in replies.buttons]


def test_a_typed_no_to_are_you_safe_gives_the_danger_choices(assistant, sender):
    assistant.say(sender, CUED_QUESTION["en"])
    assert assistant.say(sender, "no").texts[0].startswith("I'm here with you.")


def test_thinking_of_hurting_myself_gives_the_crisis_reply(assistant, sender):
    assistant.say(sender, CUED_QUESTION["en"])
    replies = assistant.say(sender, "/crisis_self_harm")
    assert replies.texts[0].startswith("Thank you for telling me. I'm glad you wrote.")
    assert "988" in replies.texts[1]


def test_a_risk_cue_inside_the_handoff_form_asks_and_im_ok_resumes_the_form(assistant, sender):
    question = assistant.say(sender, "i want to talk to a person").texts[-1]
    replies = assistant.say(sender, "what's the point of anything, can they keep my passport like that?")
    assert replies.texts == [ASK["en"]]
    assert not replies.customs, "no handoff was requested behind their back"
    assert assistant.say(sender, "/affirm").texts[-1] == question, "the form goes on where it stopped"


def test_the_safety_parse_data_carries_scores_and_signal_names_never_words(assistant):
    message = "i've been saving my pills for tonight"
    parsed = assistant.parse(message)
    assert parsed["intent"]["name"] == "crisis_self_harm"
    carried = " ".join(parsed["safety"]["signals"]).lower()
    assert not [word for word in message.split() if len(word) > 3 and word in carried]
