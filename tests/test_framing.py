"""Voice rules 2 and 3 as tests: no unprompted police, immigration, crime or labels.

The static check reads every text the assistant and the bot can send; the
conversation check talks to the running assistant without raising those
topics and reads every reply.
"""
import yaml
from framing.framing import ROOT, SEEN, everything_we_send, fear_words, response_texts, rule_9_violations, violations

from scripts.language_check import languages


def test_no_text_we_send_uses_fear_words_unless_the_survivor_raised_the_topic():
    found = {where: hits for where, text, metadata in everything_we_send()
             if (hits := violations(text, metadata))}
    assert found == {}


def test_the_check_reads_every_response_and_bot_text():
    wheres = [where for where, _, _ in everything_we_send()]
    assert any(w.startswith("domain.yml:utter_faq/debt") for w in wheres)
    assert any(w.startswith("bot/texts.yml:es.") for w in wheres)
    assert any(w.endswith(" button") for w in wheres)
    assert any(w.startswith("US.yml:") for w in wheres)


def test_a_fear_word_slipped_into_a_response_fails_the_check():
    responses = {"utter_new": [
        {"text": "You could report this to the police."},
        {"condition": [{"type": "slot", "name": "language", "value": "es"}],
         "text": "Eres víctima de un delito."},
    ]}
    found = {where: violations(text, meta) for where, text, meta in response_texts(responses, "x")}
    assert found == {"x:utter_new#1": {"police": ["report", "police"]},
                     "x:utter_new#2": {"crime": ["delito"], "labels": ["víctima"]}}


def test_declared_topics_allow_only_their_own_words_and_never_labels():
    answer = "Talking here has nothing to do with the police or immigration."
    assert violations(answer, {"raised_by_survivor": "police"}) == {"immigration": ["immigration"]}
    assert violations(answer, {"raised_by_survivor": ["police", "immigration"]}) == {}
    assert violations("You are a victim.", {"raised_by_survivor": "labels"}) == {"labels": ["victim"]}


def test_every_declared_exception_really_uses_its_topic():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    for where, text, metadata in response_texts(domain["responses"], "domain.yml"):
        if metadata and "raised_by_survivor" in metadata and not where.endswith("button"):
            assert fear_words(text), f"{where} declares an exception it does not need"


def test_whole_words_only():
    assert fear_words("Report it?") == {"police": ["Report"]}
    assert fear_words("la CÁRCEL") == {"crime": ["CÁRCEL"]}
    assert fear_words("consejo legal, politeness, migrant workers, reprieve") == {}


def safe_messages():
    data = yaml.safe_load((ROOT / "tests" / "framing" / "safe_messages.yml").read_text("utf-8"))
    return [(language, text) for language, texts in data.items() for text in texts]


def test_there_are_at_least_100_safe_messages_in_every_language():
    messages = safe_messages()
    assert len(messages) >= 100
    assert {language for language, _ in messages} == set(languages())
    raising = [text for _, text in messages if fear_words(text)]
    assert raising == [], "these raise a topic themselves"


def test_the_assistant_never_introduces_fear_words_in_conversation(assistant):
    found = {}
    for number, (language, text) in enumerate(safe_messages()):
        replies = assistant.say(f"framing-{number}", text, language=language)
        said = replies.texts + [b["title"] for b in replies.buttons]
        hits = {topic: words for line in said for topic, words in fear_words(line).items()}
        if hits:
            found[text] = hits
    assert found == {}


def survivor_texts():
    """Every text a survivor can receive as a message: not button titles (behind a tap), not the
    advocates' texts, not resource lines (they only follow a neutral first line)."""
    for where, text, _ in everything_we_send():
        origin = where.split(":")[0]
        if where.endswith(" button") or ".advocate_" in where or origin in RESOURCE_FILES:
            continue
        yield where, text


RESOURCE_FILES = {path.name for path in (ROOT / "data" / "resources").glob("*.yml")}


def test_rule_9_no_label_or_helpline_name_in_any_preview_or_unprompted_message():
    found = {where: hits for where, text in survivor_texts() if (hits := rule_9_violations(where, text))}
    assert found == {}


def test_rule_9_reads_previews_and_whole_unprompted_messages():
    assert rule_9_violations("domain.yml:utter_x#1", "Hello.\nThe National Human Trafficking Hotline") == []
    assert rule_9_violations("domain.yml:utter_x#1", "Call the Samaritans.") == ["Samaritans"]
    assert rule_9_violations("domain.yml:utter_x#1", "x" * 100 + " suicide") == [], "past the preview"
    assert rule_9_violations("bot/texts.yml:en.handoff_no_one_yet", "Hi.\nA shelter may help.") == ["shelter"]
    assert rule_9_violations("bot/texts.yml:es.handoff_no_one_yet", "Hola.\nLa trata.") == ["trata"]
    assert rule_9_violations("domain.yml:utter_default#2", "Hola.\nLínea Directa Nacional contra la Trata de Personas") == [
        "Línea Directa Nacional contra la Trata de Personas"]


def test_every_unprompted_text_named_exists():
    wheres = {where.split("#")[0] for where, _, _ in everything_we_send()}
    for origin, names in SEEN["unprompted"].items():
        for name in names:
            if origin == "domain.yml":
                assert f"domain.yml:{name}" in wheres, name
            else:
                assert f"{origin}:en.{name}" in wheres or any(w.startswith(f"{origin}:en.{name}.") for w in wheres), name
