"""What advocates read: a case's title and card, and the queue."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Dict, List, Text

from bot.cases import Case
from bot.texts import text, texts_of
from knowledge.resources import region_name


def urgent(case: Case, language: Text) -> Text:
    """"URGENT (self-harm risk) · ", "URGENT · " or "": the reason, never their words."""
    if not case.urgent:
        return ""
    reasons = texts_of("advocate_urgent_reasons", language)
    reason = f" ({reasons[case.urgent_reason]})" if case.urgent_reason in reasons else ""
    return f"{text('advocate_urgent', language)}{reason} · "


def title(case: Case, language: Text) -> Text:
    """"URGENT (danger) · Case K7F2" or "Case K7F2"."""
    return urgent(case, language) + text("advocate_case", language).format(alias=case.alias)


def in_words(case: Case, language: Text) -> Dict[Text, Text]:
    """The card's codes as words: "Spanish", "the United States", "a safe place"."""
    needs = texts_of("need_names", language)
    return {
        "language": texts_of("language_names", language).get(case.language, case.language),
        "region": region_name(case.region, language) if case.region else text("advocate_region_unknown", language),
        "needs": ", ".join(needs.get(need, need) for need in case.needs) or text("advocate_no_needs", language),
    }


def safe_to_talk(case: Case, language: Text) -> Text:
    """Their answer to "is it safe to talk?", so the advocate writes with care."""
    answer = {True: "advocate_safe_yes", False: "advocate_safe_no", None: "advocate_safe_not_asked"}
    return text(answer[case.safe_to_talk], language)


def card(case: Case, language: Text, zone: tzinfo) -> Text:
    """Alias, language, region, needs, safe to talk, urgency, time — their words only with consent."""
    asked = datetime.fromtimestamp(case.created_at, zone).strftime("%H:%M %Z")
    lines: List[Text] = [title(case, language), text("advocate_card", language).format(
        asked=asked, safe=safe_to_talk(case, language), **in_words(case, language)),
        text("advocate_first_message", language)]
    if case.summary:
        lines += ["", text("advocate_shared", language), case.summary]
    else:
        lines += ["", text("advocate_not_shared", language)]
    return "\n".join(lines)


def queue(waiting: List[Case], language: Text, now: float) -> Text:
    """One line per waiting case, in the order given, with the minutes waited so far."""
    if not waiting:
        return text("advocate_queue_empty", language)
    return "\n".join(text("advocate_queue_line", language).format(
        number=number, alias=case.alias, urgent=urgent(case, language),
        minutes=int((now - case.created_at) // 60), **in_words(case, language))
        for number, case in enumerate(waiting, 1))
