"""The operator's numbers: Prometheus metrics, and the daily tallies the report is built from.

No label can single out a person. Every label value comes from a closed list
(the languages the bot has texts for, the outcomes below, the safety layer's
kinds, Telegram's method names and error codes, the names of FAQ responses);
anything else is counted as "other". No pseudonym, chat, id or word of a
message is ever a label. The tallies (bot/tallies.py) keep only counts per day.
"""

from __future__ import annotations

import re
import time
from collections import Counter as Tally
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.texts import all_texts

REGISTRY = CollectorRegistry(auto_describe=True)

OUTCOMES = ("answered", "safety", "handoff", "fallback", "relayed", "rasa_unavailable")
SAFETY_KIND_OF = {  # the first response of each safety reply (data/rules/safety.yml)
    "utter_crisis_validate": "self_harm",
    "utter_danger": "danger",
    "utter_check_safety": "check",
}
SAFETY_KINDS = ("self_harm", "danger", "check")
FALLBACK_RESPONSE = "utter_default"
FAQ_RESPONSE = re.compile(r"utter_faq/([a-z0-9_]{1,40})")
METHOD = re.compile(r"[A-Za-z]{1,40}")
ERROR_CODES = {  # python-telegram-bot's error classes, as Telegram's codes
    "BadRequest": "400", "ChatMigrated": "400", "InvalidToken": "401", "Forbidden": "403",
    "EndPointNotFound": "404", "Conflict": "409", "RetryAfter": "429", "TimedOut": "timeout",
    "NetworkError": "network",
}
WAIT_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120)  # the report's wait buckets: "up to N minutes"

MESSAGES = Counter("safe_harbor_messages", "Survivor messages handled, by language and outcome.",
                   ["language", "outcome"], registry=REGISTRY)
CONVERSATIONS = Counter("safe_harbor_conversations", "Conversations started (Rasa sessions), by language.",
                        ["language"], registry=REGISTRY)
SAFETY = Counter("safe_harbor_safety_triggers", "Safety replies and risk marks, by kind and where: "
                 "'assistant' (Rasa's safety layer) or 'live_case' (words relayed to an advocate).",
                 ["kind", "where"], registry=REGISTRY)
FAQ = Counter("safe_harbor_faq_answers", "FAQ answers given, by topic.", ["topic"], registry=REGISTRY)
RASA_LATENCY = Histogram("safe_harbor_rasa_latency_seconds", "Time for Rasa to answer one message.",
                         buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0), registry=REGISTRY)
TELEGRAM_ERRORS = Counter("safe_harbor_telegram_errors", "Telegram Bot API errors, by method and code.",
                          ["method", "code"], registry=REGISTRY)
QUEUE = Gauge("safe_harbor_handoff_queue_length", "People waiting for an advocate now.", registry=REGISTRY)
WAIT = Histogram("safe_harbor_handoff_wait_seconds", "Time from asking for a person to an advocate taking it.",
                 buckets=tuple(60.0 * m for m in WAIT_MINUTES), registry=REGISTRY)
CASES = Counter("safe_harbor_cases", "Handoff cases, by event: opened, taken, closed.", ["event"],
                registry=REGISTRY)
RELAY_FAILURES = Counter("safe_harbor_relay_failures", "Copies between a survivor and an advocate that failed "
                         "(retried from the outbox).", registry=REGISTRY)
QUICK_EXITS = Counter("safe_harbor_quick_exits", "Quick exits (the chat deleted).", registry=REGISTRY)
FORGETS = Counter("safe_harbor_forgets", "/forget requests carried out.", registry=REGISTRY)
DUPLICATE_UPDATES = Counter("safe_harbor_duplicate_updates", "Webhook updates Telegram delivered again, dropped "
                            "(any replica had handled them).", registry=REGISTRY)
ALERTS = Counter("safe_harbor_alerts", "Alerts sent to the advocates' group, by kind.", ["kind"],
                 registry=REGISTRY)


class Tallies:
    """Counts per UTC day, in memory until the bot writes them to its store (bot/tallies.py)."""

    def __init__(self, clock=time.time) -> None:
        self.clock = clock
        self._counts: Tally = Tally()

    def add(self, name: Text, label: Text = "", amount: int = 1) -> None:
        day = datetime.fromtimestamp(self.clock(), timezone.utc).date().isoformat()
        self._counts[(day, name, label)] += amount

    def take(self) -> Dict[Tuple[Text, Text, Text], int]:
        """Everything counted since the last take; the caller writes it or `give_back`s it."""
        counts, self._counts = dict(self._counts), Tally()
        return counts

    def give_back(self, counts: Dict[Tuple[Text, Text, Text], int]) -> None:
        self._counts.update(counts)


TALLIES = Tallies()


def language_label(language: Optional[Text]) -> Text:
    return language if language in all_texts() else "other"


def outcome_of(replies: Iterable[Dict[Text, Any]]) -> Text:
    """What Rasa's replies to one message amount to, from the names of its responses."""
    replies = list(replies)
    if any(isinstance((reply.get("custom") or {}).get("handoff"), dict) for reply in replies):
        return "handoff"
    names = [reply.get("response") for reply in replies]
    if any(name in SAFETY_KIND_OF for name in names):
        return "safety"
    if FALLBACK_RESPONSE in names:
        return "fallback"
    return "answered"


def turn(replies: List[Dict[Text, Any]], language: Text) -> None:
    """One message answered by Rasa: its outcome, and what it started or gave."""
    language = language_label(language)
    for reply in replies:
        started = (reply.get("custom") or {}).get("session_started")
        if isinstance(started, str):
            CONVERSATIONS.labels(language_label(started)).inc()
            TALLIES.add("conversations", language_label(started))
        name = reply.get("response")
        if name in SAFETY_KIND_OF:
            safety_trigger(SAFETY_KIND_OF[name], "assistant")
        topic = FAQ_RESPONSE.fullmatch(name) if isinstance(name, str) else None
        if topic:
            FAQ.labels(topic.group(1)).inc()
            TALLIES.add("faq", topic.group(1))
    message(language, outcome_of(replies))


def message(language: Text, outcome: Text) -> None:
    MESSAGES.labels(language_label(language), outcome if outcome in OUTCOMES else "other").inc()
    TALLIES.add("messages", outcome if outcome in OUTCOMES else "other")


def safety_trigger(kind: Text, where: Text) -> None:
    kind = kind if kind in SAFETY_KINDS else "other"
    SAFETY.labels(kind, where if where in ("assistant", "live_case") else "other").inc()
    TALLIES.add("safety", kind)


def telegram_error(method: Text, error: BaseException) -> None:
    code = next((code for cls in type(error).__mro__ if (code := ERROR_CODES.get(cls.__name__))), "other")
    TELEGRAM_ERRORS.labels(method if METHOD.fullmatch(method) else "other", code).inc()


def case_opened() -> None:
    CASES.labels("opened").inc()
    TALLIES.add("handoffs")


def case_taken(waited_seconds: float) -> None:
    CASES.labels("taken").inc()
    WAIT.observe(max(waited_seconds, 0.0))
    TALLIES.add("wait", wait_bucket(waited_seconds))


def case_closed() -> None:
    CASES.labels("closed").inc()


def wait_bucket(seconds: float) -> Text:
    """The report's bucket for a wait: "5" is "more than 2 and up to 5 minutes"; "more" is longer."""
    return next((str(m) for m in WAIT_MINUTES if seconds <= m * 60), "more")


def relay_failed() -> None:
    RELAY_FAILURES.inc()


def quick_exit() -> None:
    QUICK_EXITS.inc()
    TALLIES.add("quick_exits")


def forgot() -> None:
    FORGETS.inc()
    TALLIES.add("forgets")


def duplicate_update() -> None:
    DUPLICATE_UPDATES.inc()


def alert(kind: Text) -> None:
    ALERTS.labels(kind).inc()
