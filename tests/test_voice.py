"""The voice rules that are about shape: no dead ends, short bubbles, every mentioned
button present, and no "here" before the region is known (rules 1, 7, 9, 10).

The static checks read every response in domain.yml; the conversation checks talk
to the running assistant and read every turn's last message.
"""

import re

import pytest
import yaml
from test_nlu_heldout import heldout

from harness import ROOT
from knowledge import resources

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
MAX_WORDS = 45  # a bubble a survivor can read at a glance (rule 7)
# A button named in a text: “Leave quickly”, «Salir rápido», 'Talk to a person'.
NAMED_BUTTON = re.compile(r"(?:tap|toca|press|pulsa)\s+[“«\"']([^”»\"']+)[”»\"']", re.IGNORECASE)


def variations():
    for name, variants in DOMAIN["responses"].items():
        for number, variation in enumerate(variants, 1):
            yield f"{name}#{number}", name, variation


def lead_in(variation) -> bool:
    """A response always followed, in the same turn, by one with buttons (checked below)."""
    return bool((variation.get("metadata") or {}).get("lead_in"))


def bubbles(text):
    """What the survivor sees as separate messages: Rasa splits a text on blank lines."""
    return [part for part in (text or "").split("\n\n") if part.strip()]


def words(text):
    return re.findall(r"\w+", text)


def test_every_response_ends_with_a_choice_or_leads_into_one():
    dead_ends = [where for where, _, variation in variations()
                 if not variation.get("buttons") and not lead_in(variation)]
    assert dead_ends == []


def test_no_bubble_is_longer_than_45_words():
    long = {where: len(words(bubble)) for where, _, variation in variations()
            for bubble in bubbles(variation.get("text")) if len(words(bubble)) > MAX_WORDS}
    assert long == {}


def test_every_button_a_text_mentions_is_on_that_message():
    missing = {}
    for where, _, variation in variations():
        titles = {button["title"].lower() for button in variation.get("buttons") or []}
        named = [name for name in NAMED_BUTTON.findall(variation.get("text") or "") if name.lower() not in titles]
        if named:
            missing[where] = named
    assert missing == {}


def test_the_mentioned_button_check_finds_a_missing_button():
    text = "If someone comes, tap “Leave quickly”."
    assert NAMED_BUTTON.findall(text) == ["Leave quickly"]
    assert NAMED_BUTTON.findall("Si alguien llega, toca «Salir rápido».") == ["Salir rápido"]


def test_every_faq_answer_is_short_and_offers_its_own_more_a_person_and_another_question():
    for where, name, variation in variations():
        if name.startswith("utter_faq/"):
            topic = name.split("/")[1]
            payloads = [button["payload"] for button in variation["buttons"]]
            assert payloads == [f'/ask_more{{"topic": "{topic}"}}', "/request_advocate", "/ask_question"], where
            assert f"utter_more_{topic}" in DOMAIN["responses"], where
            assert len(words(variation["text"])) <= MAX_WORDS, where


def test_every_configured_region_can_be_chosen_and_somewhere_else_too():
    regions = sorted(path.stem for path in (ROOT / "data" / "resources").glob("[A-Z][A-Z].yml"))
    for _, _, variation in [v for v in variations() if v[1] == "utter_ask_region"]:
        chosen = [re.search(r'"region": "(\w+)"', b["payload"]).group(1) for b in variation["buttons"]]
        assert sorted(chosen[:-1]) == regions and chosen[-1] == "other"


def last_message(replies):
    shown = [reply for reply in replies if reply.get("text") or reply.get("buttons")]
    return shown[-1] if shown else None


def ends_the_chat(replies):
    """Quick exit and forget leave one neutral line (the bot's), by design."""
    return any((reply.get("custom") or {}).get("quick_exit") or (reply.get("custom") or {}).get("forget")
               for reply in replies)


def opens_a_handoff(replies):
    """The bot adds the queue news, with its own button, after the handoff payload."""
    return any("handoff" in (reply.get("custom") or {}) for reply in replies)


def turns_to_walk():
    intents = [i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]]
    intents.remove("faq")  # a retrieval intent has no payload of its own: its phrasings are walked below
    yield from ((f"/{intent}", "en") for intent in intents)
    yield from ((f"/{intent}", "es") for intent in intents)
    for _, text in list(heldout()) + list(heldout("heldout_faq.yml")):
        yield text, "en"


def dead_end(replies):
    """The text of a turn's last message when it offers no choice (None when it does)."""
    if ends_the_chat(replies) or opens_a_handoff(replies):
        return None
    last = last_message(replies)
    return None if last and last.get("buttons") else (last or {}).get("text", "(nothing)")


@pytest.mark.parametrize("region", ["US", None], ids=["region-set", "region-unknown"])
def test_no_turn_ends_without_a_choice(assistant, region):
    """Every intent by its payload in both languages, and every held-out phrasing; after each
    answer that offers "Tell me more", that too."""
    dead = []
    for number, (message, language) in enumerate(turns_to_walk()):
        sender = f"walk-{region}-{number}"
        replies = assistant.say(sender, message, language=language, region=region)
        if dead_end(replies) is not None:
            dead.append((message, dead_end(replies)))
        for button in [b for b in replies.buttons if b["payload"].startswith("/ask_more")]:
            more = assistant.say(sender, button["payload"], language=language, region=region)
            if dead_end(more) is not None:
                dead.append((message + " → more", dead_end(more)))
    assert dead == [], dead




def test_the_region_is_asked_before_any_local_number(assistant):
    sender = "where-1"
    replies = assistant.say(sender, "/ask_emergency_number", region=None)
    regions = [b["payload"] for b in replies.buttons if "inform_region" in b["payload"]]
    assert len(regions) == len(resources.regions()) + 1, "a button per region file, and somewhere else"
    assert "911" not in replies.text and "999" not in replies.text and " here" not in replies.text
    assert "112" in replies.text, "honest general advice at once: not presented as local"
    replies = assistant.say(sender, '/inform_region{"region": "GB"}', region=None)
    assert "999" in replies.text and "United Kingdom" in replies.text
    assert dead_end(replies) is None, "the answer asked for, then a choice"


def test_a_crisis_with_no_region_gets_help_at_once_and_the_question_where(assistant):
    replies = assistant.say("where-2", "/crisis_self_harm", region=None)
    assert "findahelpline.com" in replies.text
    assert "988" not in replies.text
    assert [b for b in replies.buttons if "inform_region" in b["payload"]]
    replies = assistant.say("where-2", '/inform_region{"region": "US"}', region=None)
    assert "988" in replies.text and dead_end(replies) is None
    assert "/request_advocate" in [b["payload"] for b in replies.buttons], "a person offered after a crisis"


def test_somewhere_else_gets_honest_general_advice(assistant):
    assistant.say("where-3", "/crisis_self_harm", region=None)
    replies = assistant.say("where-3", '/inform_region{"region": "other"}', region=None)
    assert "112" in replies.text and " here" not in replies.text and dead_end(replies) is None


def test_the_operators_region_is_used_without_asking(assistant):
    replies = assistant.say("where-4", "/ask_emergency_number", region="US")
    assert "911" in replies.text and "United States" in replies.text
    assert not [b for b in replies.buttons if "inform_region" in b["payload"]]


def test_tell_me_more_gives_the_rest_of_the_answer(assistant):
    first = assistant.say("more-1", "they say i owe them for the trip and it keeps growing")
    [button] = [b for b in first.buttons if b["payload"].startswith("/ask_more")]
    more = assistant.say("more-1", button["payload"])
    assert more.text == DOMAIN["responses"]["utter_more_debt"][-1]["text"]
    assert dead_end(more) is None
    typed = assistant.say("more-1", "tell me more")
    assert typed.text == DOMAIN["responses"]["utter_no_more"][-1]["text"], "said once: then honestly, that's all"
