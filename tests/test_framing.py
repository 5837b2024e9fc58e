"""Voice rules 2 and 3 as tests: no unprompted police, immigration, crime or labels.

The static check reads every text the assistant and the bot can send; the
conversation check talks to the running assistant without raising those
topics and reads every reply.
"""


import yaml
from framing.framing import ROOT, everything_we_send, fear_words, response_texts, violations


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


def test_there_are_at_least_100_safe_messages_in_both_languages():
    messages = safe_messages()
    assert len(messages) >= 100
    assert {language for language, _ in messages} == {"en", "es"}
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
