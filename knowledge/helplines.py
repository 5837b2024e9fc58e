"""Helplines as the survivor reads them: a short list, or the one line open day and night."""

from typing import List, Optional, Text

from knowledge.resources import Resource, helplines

MAX_LISTED = 4  # plain language: a short list, best first


def describe_all(entries: List[Resource], language: Text) -> Text:
    """One entry a line (plus its note), at most MAX_LISTED."""
    return "\n".join(f"• {entry.describe(language)}" for entry in entries[:MAX_LISTED])


def always_open(region: Optional[Text], language: Text) -> Text:
    """The region's best helpline open day and night, as one line ("" if none)."""
    lines = helplines(region, language)
    always = [line for line in lines if line.hours == "24/7"] or lines
    return always[0].describe(language) if always else ""
