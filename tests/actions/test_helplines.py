"""Helplines for the survivor's region and language; changing region."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.helplines import ActionHelplines, ActionSetRegion
from knowledge.helplines import MAX_LISTED


def tracker(region="US", language="en", entities=()):
    latest = {"intent": {"name": "x"}, "entities": list(entities)}
    return Tracker("s", {"region": region, "language": language}, latest, [], False, None, {}, "")


async def run(action, **kwargs):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(**kwargs), {})
    return dispatcher.messages, events


async def test_helplines_us_english_start_with_the_hotline():
    [message], _ = await run(ActionHelplines())
    lines = [l for l in message["helplines"].splitlines() if l.startswith("• ")]
    assert lines[0].startswith("• National Human Trafficking Hotline: Call 1-888-373-7888 · Text 233733")
    assert len(lines) == MAX_LISTED
    assert "911" not in message["helplines"]


async def test_helplines_gb_in_spanish_put_spanish_speaking_lines_first():
    [message], _ = await run(ActionHelplines(), region="GB", language="es")
    lines = [l for l in message["helplines"].splitlines() if l.startswith("• ")]
    assert lines[0].startswith("• Modern Slavery & Exploitation Helpline: Llama al 08000 121 700")
    assert lines[1].startswith("• National Domestic Abuse Helpline")


async def test_naming_a_known_place_changes_region():
    [message], events = await run(ActionSetRegion(), language="es",
                                  entities=[{"entity": "region", "value": "GB"}])
    assert message["response"] == "utter_region_changed"
    assert message["region_name"] == "el Reino Unido"
    assert [(e["name"], e["value"]) for e in events] == [("region", "GB")]


async def test_an_unknown_place_keeps_the_region_and_says_what_is_known():
    [message], events = await run(ActionSetRegion(), entities=[{"entity": "region", "value": "Narnia"}])
    assert message["response"] == "utter_region_unknown"
    assert message["region_names"] == "the United Kingdom, the United States"
    assert events == []
