"""What advocates read: a case's title and card, and the queue."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import List, Text

from bot.cases import Case
from bot.texts import text


def title(case: Case, language: Text) -> Text:
    """"URGENT · Case K7F2" or "Case K7F2"."""
    urgent = f"{text('advocate_urgent', language)} · " if case.urgent else ""
    return urgent + text("advocate_case", language).format(alias=case.alias)


def safe_to_talk(case: Case, language: Text) -> Text:
    """Their answer to "is it safe to talk?", so the advocate writes with care."""
    answer = {True: "advocate_safe_yes", False: "advocate_safe_no", None: "advocate_safe_not_asked"}
    return text(answer[case.safe_to_talk], language)


def card(case: Case, language: Text, zone: tzinfo) -> Text:
    """Alias, language, region, needs, safe to talk, urgency, time — their words only with consent."""
    asked = datetime.fromtimestamp(case.created_at, zone).strftime("%H:%M %Z")
    lines: List[Text] = [title(case, language), text("advocate_card", language).format(
        language=case.language, region=case.region, asked=asked, safe=safe_to_talk(case, language),
        needs=", ".join(case.needs) or text("advocate_no_needs", language))]
    if case.summary:
        lines += ["", text("advocate_shared", language), case.summary]
    else:
        lines += ["", text("advocate_not_shared", language)]
    return "\n".join(lines)


def queue(waiting: List[Case], language: Text, now: float) -> Text:
    """One line per waiting case, in the order given, with the minutes waited so far."""
    if not waiting:
        return text("advocate_queue_empty", language)
    urgent = f"{text('advocate_urgent', language)} · "
    return "\n".join(text("advocate_queue_line", language).format(
        number=number, alias=case.alias, language=case.language, region=case.region,
        urgent=urgent if case.urgent else "", minutes=int((now - case.created_at) // 60))
        for number, case in enumerate(waiting, 1))
