"""Helplines as the survivor reads them: a short list, or the one line open day and night."""

from typing import List, Optional, Text

from knowledge.resources import Resource, helplines

MAX_LISTED = 3  # plain language: a short list, best first (each entry is a line and a note)


def describe_all(entries: List[Resource], language: Text) -> Text:
    """One entry a line (plus its note), at most MAX_LISTED."""
    return "\n".join(f"• {entry.describe(language)}" for entry in entries[:MAX_LISTED])


def always_open_contact(region: Optional[Text], language: Text) -> Text:
    """How to reach the region's best line open day and night, without its name (a lock screen
    may show it): "call 1-888-373-7888 · text 233733". Empty when the region is unknown."""
    always = [line for line in helplines(region, language) if line.hours == "24/7"]
    return always[0].contact_only(language, ways=("call", "text")) if always else ""  # a link would name it
