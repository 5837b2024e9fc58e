"""The operator's metrics: outcomes told from response names, and labels from closed lists only."""

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot import metrics
from bot.metrics import REGISTRY, Tallies, outcome_of, wait_bucket


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_handoff_payload_makes_the_outcome_handoff():
    assert outcome_of([{"text": "ok", "response": "utter_handoff_requested_shared"},
                       {"custom": {"handoff": {"language": "en"}}}]) == "handoff"


@pytest.mark.parametrize("response", ["utter_crisis_validate", "utter_danger", "utter_check_safety"])
def test_a_safety_reply_makes_the_outcome_safety(response):
    assert outcome_of([{"text": "…", "response": response}]) == "safety"


def test_the_fallback_response_makes_the_outcome_fallback():
    assert outcome_of([{"text": "Sorry", "response": "utter_default"}]) == "fallback"


def test_anything_else_was_answered():
    assert outcome_of([{"text": "You don't owe", "response": "utter_faq/debt"}, {"text": "no name"}]) == "answered"


def test_a_turn_counts_the_conversation_the_topic_and_the_safety_kind():
    before = (value("safe_harbor_conversations_total", language="es"), value("safe_harbor_faq_answers_total", topic="debt"),
              value("safe_harbor_safety_triggers_total", kind="self_harm", where="assistant"),
              value("safe_harbor_messages_total", language="es", outcome="safety"))
    metrics.turn([{"custom": {"session_started": "es"}}, {"text": "…", "response": "utter_crisis_validate"},
                  {"text": "…", "response": "utter_faq/debt"}], "es")
    after = (value("safe_harbor_conversations_total", language="es"), value("safe_harbor_faq_answers_total", topic="debt"),
             value("safe_harbor_safety_triggers_total", kind="self_harm", where="assistant"),
             value("safe_harbor_messages_total", language="es", outcome="safety"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1]


def test_a_language_without_texts_is_counted_as_other_never_as_sent():
    before = value("safe_harbor_messages_total", language="other", outcome="answered")
    metrics.message("Rosa, call me at 555", "answered")
    assert value("safe_harbor_messages_total", language="other", outcome="answered") == before + 1
    assert "Rosa" not in metrics_text()


def test_an_unknown_outcome_or_kind_is_other():
    metrics.message("en", "whatever she wrote")
    metrics.safety_trigger("i have pills", "in the chat")
    body = metrics_text()
    assert "whatever" not in body and "pills" not in body


@pytest.mark.parametrize("error, code", [(BadRequest("x"), "400"), (Forbidden("x"), "403"), (RetryAfter(3), "429"),
                                         (TimedOut(), "timeout"), (NetworkError("x"), "network"),
                                         (TelegramError("x"), "other")])
def test_telegram_errors_are_counted_by_method_and_code(error, code):
    before = value("safe_harbor_telegram_errors_total", method="sendMessage", code=code)
    metrics.telegram_error("sendMessage", error)
    assert value("safe_harbor_telegram_errors_total", method="sendMessage", code=code) == before + 1


def test_a_method_that_is_not_a_plain_name_is_other():
    metrics.telegram_error("123456:SECRET-token", BadRequest("x"))
    assert "SECRET" not in metrics_text()


@pytest.mark.parametrize("seconds, bucket", [(0, "1"), (60, "1"), (61, "2"), (299, "5"), (7200, "120"), (7201, "more")])
def test_waits_fall_in_the_reports_buckets(seconds, bucket):
    assert wait_bucket(seconds) == bucket


def test_tallies_are_per_utc_day_and_given_back_when_not_saved(clock):
    tallies = Tallies(clock)
    tallies.add("handoffs")
    tallies.add("handoffs")
    clock.now += 86400
    tallies.add("faq", "debt")
    counts = tallies.take()
    assert counts == {("1970-01-12", "handoffs", ""): 2, ("1970-01-13", "faq", "debt"): 1}
    assert tallies.take() == {}
    tallies.give_back(counts)
    assert tallies.take() == counts


def metrics_text():
    from prometheus_client import generate_latest
    return generate_latest(REGISTRY).decode()
