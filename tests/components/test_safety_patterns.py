"""The safety scorer: normalised text, cues that add up, idioms that do not alarm."""

from pathlib import Path

import pytest
import yaml

from components.safety_patterns import SAFETY_DIR, default_patterns, load, normalise


def verdict(text):
    return default_patterns().assess(text).verdict()


def test_text_is_normalised_for_case_accents_repeats_and_punctuation():
    assert normalise("¡¡Quiero MORIRRRR!!  Ya no aguanto más…") == "quiero morir ya no aguanto mas"
    assert normalise("I’m   soooo tired") == "im so tired"


@pytest.mark.parametrize("text", ["kms tonight", "gonna unalive myself", "im sooo done, wanna diee"])
def test_abbreviations_slang_and_repeated_letters_are_understood(text):
    assert verdict(text) == "crisis_self_harm"


@pytest.mark.parametrize("text, kind", [
    ("I've been saving my sleeping pills. Tonight I'm taking them", "crisis_self_harm"),  # means + plan + time
    ("a veces me corto cuando estoy sola", "crisis_self_harm"),                            # a habit, in Spanish
    ("quisiera dormir y no despertar", "crisis_self_harm"),                               # no accents needed
    ("he has a machete and says if I try to leave he will kill me", "immediate_danger"),  # weapon + leaving
    ("i fear for my life in this house", "immediate_danger"),                             # no verb of danger
    ("everyone would be better off without me", "crisis_self_harm"),                      # indirect wish
    ("mi jefe tiene una pistola and he said he'll kill me", "immediate_danger"),         # code-switching
])
def test_clear_risk_is_recognised(text, kind):
    assert verdict(text) == kind


@pytest.mark.parametrize("text", [
    "my phone is dying, I'll write later",
    "I'm dying to know if I can get my passport back",
    "they kill us with work hours",
    "me muero de hambre, no nos dan de comer bien",
    "do I need a prescription for pills for my blood pressure?",
    "they cut my hours again",
])
def test_idioms_that_sound_alarming_are_not_alarms(text):
    assert verdict(text) is None


@pytest.mark.parametrize("text, kind", [
    ("the heat is killing me and he will kill me", "immediate_danger"),
    ("me muero de hambre y ya no quiero vivir", "crisis_self_harm"),
])
def test_an_idiom_never_hides_a_real_risk_in_the_same_message(text, kind):
    assert verdict(text) == kind


@pytest.mark.parametrize("text", ["is there any danger they deport me if I call?", "¿estoy en peligro de perder mi visa?",
                                  "where can i get help"])
def test_questions_about_ordinary_risks_are_not_danger(text):
    assert verdict(text) not in ("immediate_danger", "crisis_self_harm")


@pytest.mark.parametrize("text", [
    "he texted me: i know where you live",
    "my ex keeps writing 'youre dead' from a new number",
    "me escribio 'se donde vives' desde otro numero",
    "він написав: я знаю де ти живеш",
    "написал мне: знаю где ты живешь",
])
def test_a_threat_quoted_in_the_second_person_asks_if_they_are_safe(text):
    """Lists alone (no learned model): the words of a threat as received. A question, not a
    verdict, because the same words are sometimes a joke."""
    assert load().assess(text).verdict() == "check_safety"


@pytest.mark.parametrize("text", [
    "i know where you are coming from, thanks",
    "you're dead to me lol, you ate my last cookie",
    "amiga no se donde vives ahora, me pasas la direccion?",
    "amiga estas muerta de cansancio, vete a dormir",
    "тобі кінець якщо мама дізнається, ахах",
])
def test_second_person_idioms_are_not_quoted_threats(text):
    assert load().assess(text).verdict() is None


@pytest.mark.parametrize("text", [
    "what happens if u swallow antifreeze",
    "can someone die from drinking bleach",
    "which dose of tramadol is lethal",
    "is slitting along or across faster",
    "¿se sufre mucho al ahorcarse?",
    "cuantas aspirinas hay que tomar pa morirse",
])
def test_a_method_or_a_poison_asked_about_impersonally_is_a_safety_cue(text):
    """Lists alone: a method asked about in the impersonal form, with no "I" and no "suicide"."""
    assert load().assess(text).verdict() in ("check_safety", "crisis_self_harm")


@pytest.mark.parametrize("text", [
    "can i mix bleach and vinegar to clean the bathroom?",
    "how do i cut the onions, along or in rings?",
    "es bueno el ibuprofeno para el dolor de muelas?",
])
def test_cleaning_cooking_and_ordinary_medicine_are_not_method_questions(text):
    assert load().assess(text).verdict() is None


@pytest.mark.parametrize("text, hide", [
    ("close the chat, hes here", True),
    ("він поруч, закрий чат", True),
    ("cierra el chat ya viene", True),
    ("i hide it with long sleeves at work", False),
])
def test_closing_the_chat_asks_to_hide_it_and_hiding_a_wound_does_not(text, hide):
    assert load().assess(text).hide is hide


def test_patterns_see_the_same_rewrites_as_the_text(tmp_path: Path):
    (tmp_path / "xx.yml").write_text(
        "language: xx\nrewrite: {dont: do not}\nself_harm:\n  - {pattern: \"i dont want to wake up\"}\n", "utf-8")
    assert load(tmp_path).assess("I don't want to wake up").verdict() == "crisis_self_harm"


class CertainModel:
    """A learned model that is sure of self-harm, whatever it reads."""

    def probabilities(self, cleaned):
        return {"self_harm": 0.99, "danger": 0.0}


def test_the_learned_model_alone_asks_but_never_decides():
    patterns = load()
    patterns.model = CertainModel()
    assert patterns.assess("tell me about shelters").verdict() == "check_safety"
    assert patterns.assess("i want to die").verdict() == "crisis_self_harm", "with a list signal it decides"


def test_a_lone_cue_asks_instead_of_guessing():
    assessment = default_patterns().assess("what's the point of anything, can they keep my passport like that?")
    assert 0 < assessment.top()[1] < 0.7 and assessment.verdict() == "check_safety"


def test_every_language_file_compiles_and_names_its_language():
    for path in sorted(SAFETY_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        assert data["language"] == path.stem
        assert data["self_harm"] and data["danger"]
    assert set(load().languages) >= {"en", "es"}


def test_an_organisation_adds_a_phrase_as_data_and_it_is_caught(tmp_path: Path):
    phrase = "the lake behind the farm keeps calling me"
    assert load().assess(phrase).verdict() is None, "not in the project's lists (the learned model may only ask)"
    for path in SAFETY_DIR.glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    english = yaml.safe_load((tmp_path / "en.yml").read_text("utf-8"))
    english["self_harm"].append({"name": "org.lake", "pattern": "(lake|river|pond) ~ calling me"})
    (tmp_path / "en.yml").write_text(yaml.safe_dump(english, allow_unicode=True), "utf-8")
    assert load(tmp_path).assess(phrase).verdict() == "crisis_self_harm"


def test_a_broken_pattern_is_reported_with_its_file(tmp_path: Path):
    (tmp_path / "xx.yml").write_text("language: xx\nself_harm:\n  - {pattern: '(unclosed'}\n", "utf-8")
    with pytest.raises(ValueError, match="xx.yml"):
        load(tmp_path)
    (tmp_path / "xx.yml").write_text("language: xx\ndanger:\n  - {pattern: '{nolist} me'}\n", "utf-8")
    with pytest.raises(ValueError, match="unknown word list"):
        load(tmp_path)
