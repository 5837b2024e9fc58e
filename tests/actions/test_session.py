"""Session start: language and region from the bot's metadata; an unknown region stays unknown."""

import pytest

from actions.session import ActionSessionStart
from testkit.actions import make_tracker, run_action

DOMAIN = {"slots": {"language": {"type": "categorical", "values": ["en", "es"]}}}


async def run(metadata):
    _, events = await run_action(ActionSessionStart(), make_tracker({"session_started_metadata": metadata}), DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, events


@pytest.mark.parametrize("metadata, language", [
    ({"language": "es"}, "es"),
    ({"language": "es-MX"}, "es"),
    ({"language": "EN"}, "en"),
    ({"language": "fr"}, "en"),
    ({}, "en"),
    (None, "en"),
])
async def test_language_from_metadata_with_english_default(metadata, language):
    slots, _ = await run(metadata)
    assert slots["language"] == language


async def test_region_from_the_bots_metadata_else_unknown_never_assumed(monkeypatch):
    monkeypatch.setenv("DEFAULT_REGION", "GB")  # the bot's setting: the action server never reads it
    assert (await run({"region": "gb"}))[0]["region"] == "GB"
    assert (await run({"region": "../etc"}))[0]["region"] is None
    assert (await run({}))[0]["region"] is None


async def test_session_starts_and_listens():
    _, events = await run({})
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
