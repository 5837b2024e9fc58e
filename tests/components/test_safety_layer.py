"""The safety layer in Rasa's pipeline: it overrides a classifier that missed, and asks when unsure."""

from pathlib import Path

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.safety_layer import SafetyLayer
from components.safety_patterns import SAFETY_DIR


@pytest.fixture
def layer(tmp_path: Path) -> SafetyLayer:
    """Trained (word lists copied into the model) and loaded back, as `rasa run` does."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("safety_layer")
    SafetyLayer.create({}, storage, resource, None).train(TrainingData())
    return SafetyLayer.load({}, storage, resource, None)


def classified(text: str, intent: str, confidence: float = 1.0) -> Message:
    """A message as DIET left it: confidently wrong, like the misses that started this."""
    top = {"name": intent, "confidence": confidence}
    return Message(data={"text": text, "intent": top, "intent_ranking": [top]})


def after(layer: SafetyLayer, message: Message) -> str:
    [message] = layer.process([message])
    return message.get("intent")["name"]


def test_a_missed_crisis_becomes_crisis_whatever_the_classifier_said(layer):
    message = classified("I've been saving up my tablets and tonight is the night", "faq")
    assert after(layer, message) == "crisis_self_harm"
    assert message.get("intent_ranking")[1]["name"] == "faq", "the classifier's answer is kept below"
    assert set(message.get("safety")) == {"self_harm", "danger", "signals"}


def test_a_missed_danger_becomes_danger(layer):
    assert after(layer, classified("he grabbed a knife and won't let me leave the room", "faq")) == "immediate_danger"


def test_a_risk_cue_below_the_threshold_asks_instead_of_answering_an_faq(layer):
    assert after(layer, classified("what's the point of anything, can they keep my passport like that?", "faq")) == "check_safety"


def test_ordinary_messages_keep_their_intent(layer):
    assert after(layer, classified("my phone is dying, can you tell me about shelters?", "faq")) == "faq"


def test_hiding_the_chat_is_never_replaced_by_a_question(layer):
    assert after(layer, classified("what's the point of anything, hide this", "quick_exit")) == "quick_exit"


def test_a_classifiers_quick_exit_on_a_risk_cue_without_words_of_hiding_asks_instead_of_emptying_the_chat(layer):
    assert after(layer, classified("what's the point of anything, how do i leave this", "quick_exit")) == "check_safety"


def test_a_classifiers_quick_exit_on_someone_being_there_still_hides_the_chat(layer):
    assert after(layer, classified("he is coming", "quick_exit")) == "quick_exit"


def test_crisis_or_danger_with_words_asking_to_hide_hides_the_chat_first(layer):
    assert after(layer, classified("he's coming up the stairs, delete everything", "immediate_danger")) == "quick_exit"
    assert after(layer, classified("quiero morirme, borra esto ya", "crisis_self_harm")) == "quick_exit"


def test_a_classifiers_wrong_quick_exit_never_deletes_a_crisis_or_danger_message(layer):
    crisis = "there's a bridge near the dorm and I keep looking at it thinking about jumping"
    assert after(layer, classified(crisis, "quick_exit")) == "crisis_self_harm"
    assert after(layer, classified("he has a knife and says he will kill me", "quick_exit")) == "immediate_danger"


def test_a_classifiers_are_you_safe_with_no_signal_falls_back_to_its_next_answer(layer):
    message = classified("can they keep my passport?", "check_safety", 0.6)
    message.set("intent_ranking", [{"name": "check_safety", "confidence": 0.6},
                                   {"name": "faq", "confidence": 0.3}])
    assert after(layer, message) == "faq"


def test_a_classifiers_crisis_or_danger_with_no_signal_falls_back_to_its_next_answer(layer):
    # The classifier's false alarms on the tuning sets: a joke, a routine, leaving the chat.
    for text, guess in (("i nearly died laughing at that", "crisis_self_harm"),
                        ("i want to escape this boring routine lol", "immediate_danger")):
        message = classified(text, guess, 0.9)
        message.set("intent_ranking", [{"name": guess, "confidence": 0.9}, {"name": "check_safety", "confidence": 0.05},
                                       {"name": "chitchat", "confidence": 0.05}])
        assert after(layer, message) == "chitchat", text


def ranked(text: str, *ranking) -> Message:
    message = classified(text, ranking[0][0], ranking[0][1])
    message.set("intent_ranking", [{"name": name, "confidence": confidence} for name, confidence in ranking])
    return message


def test_a_dropped_guess_whose_next_answer_is_unsure_is_not_understood(layer):
    # Among what is left (0.1), greet has 0.04: the FallbackClassifier would not have taken it.
    message = ranked("i nearly died laughing at that", ("crisis_self_harm", 0.9), ("greet", 0.04),
                     ("thank", 0.03), ("chitchat", 0.03))
    assert after(layer, message) == "nlu_fallback"


def test_a_dropped_guess_never_becomes_a_quick_exit(layer):
    message = ranked("i want to escape this boring routine lol", ("immediate_danger", 0.8), ("quick_exit", 0.19),
                     ("greet", 0.01))
    assert after(layer, message) == "nlu_fallback", "a runner-up's quick exit would delete the chat"


def test_a_plea_the_classifier_took_for_asking_for_a_person_is_asked_are_you_safe(layer):
    # A danger cue, not sure enough for the danger reply: the question, whose "I'm not safe"
    # offers the emergency number and a person, instead of a handoff with no number.
    assert after(layer, classified("pleasee help someone is trying to open my door", "request_advocate", 0.9)) in {
        "check_safety", "immediate_danger"}
    assert after(layer, classified("can i talk to a real person", "request_advocate", 0.9)) == "request_advocate"


def test_a_farewell_the_classifier_took_for_forget_me_is_asked_about_not_erased(layer):
    assert after(layer, classified("goodbye everyone, im sorry for everything", "forget_me", 0.6)) in {
        "check_safety", "crisis_self_harm"}
    assert after(layer, classified("please delete my data", "forget_me")) == "forget_me"


def test_a_classifiers_crisis_with_a_signal_behind_it_stays(layer):
    assert after(layer, classified("I don't want to be alive anymore", "crisis_self_harm")) == "crisis_self_harm"
    assert after(layer, classified("he is outside my door right now", "immediate_danger")) == "immediate_danger"


def test_the_phrasings_the_classifier_learned_for_are_you_safe_carry_a_signal_too(layer):
    # A foreboding is a list cue that the learned model (trained on blind examples of it)
    # carries to danger: the danger choices or the question, never the classifier's fallback.
    assert after(layer, classified("something bad is going to happen to me", "check_safety", 0.6)) in {
        "check_safety", "immediate_danger"}
    assert after(layer, classified("no veo ninguna salida", "check_safety", 0.6)) == "check_safety"


def test_an_edited_word_list_changes_the_models_fingerprint(tmp_path: Path):
    for path in SAFETY_DIR.glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    before = SafetyLayer.fingerprint_addon({"word_lists": str(tmp_path)})
    with (tmp_path / "en.yml").open("a", encoding="utf-8") as lists:
        lists.write("  - {name: org.lake, pattern: walk into the lake}\n")
    assert SafetyLayer.fingerprint_addon({"word_lists": str(tmp_path)}) != before
