"""Helplines for the survivor's region and language; changing region."""

from actions.helplines import ActionHelplines, ActionSetRegion
from knowledge import resources
from knowledge.helplines import MAX_LISTED
from testkit.actions import make_tracker, run_action


async def run(action, region="US", language="en", entities=()):
    latest = {"intent": {"name": "x"}, "entities": list(entities)}
    return await run_action(action, make_tracker({"region": region, "language": language}, latest))


async def test_helplines_us_english_start_with_the_hotline():
    [message], _ = await run(ActionHelplines())
    lines = [l for l in message["helplines"].splitlines() if l.startswith("• ")]
    assert lines[0] == "• " + resources.helplines("US", "en")[0].describe("en").split("\n")[0]
    assert lines[0].startswith("• National Human Trafficking Hotline")
    assert len(lines) == MAX_LISTED
    assert "911" not in message["helplines"]


async def test_helplines_gb_in_spanish_put_spanish_speaking_lines_first():
    [message], _ = await run(ActionHelplines(), region="GB", language="es")
    lines = [l for l in message["helplines"].splitlines() if l.startswith("• ")]
    assert lines[0].startswith("• Modern Slavery & Exploitation Helpline: Llama al")
    assert lines[1].startswith("• National Domestic Abuse Helpline")


async def test_naming_a_known_place_changes_region():
    [message], events = await run(ActionSetRegion(), language="es",
                                  entities=[{"entity": "region", "value": "GB"}])
    assert message["response"] == "utter_region_changed"
    assert message["region_name"] == "el Reino Unido"
    assert [(e["name"], e["value"]) for e in events] == [("region", "GB"), ("pending_help", None)]


async def test_an_unknown_place_keeps_the_region_and_says_what_is_known():
    [message], events = await run(ActionSetRegion(), entities=[{"entity": "region", "value": "Narnia"}])
    assert message["response"] == "utter_region_unknown"
    assert message["region_names"] == "the United Kingdom, Ukraine, the United States"
    assert events == []


async def test_helplines_with_no_known_region_ask_where_first():
    [message], events = await run(ActionHelplines(), region=None)
    assert message["response"] == "utter_ask_region"
    assert [(e["name"], e["value"]) for e in events] == [("pending_help", "helplines")]


async def test_the_answer_asked_for_follows_the_region_chosen():
    tracker = make_tracker({"region": None, "language": "en", "pending_help": "emergency"},
                           {"intent": {"name": "inform_region"}, "entities": [{"entity": "region", "value": "GB"}]})
    [message, offer], events = await run_action(ActionSetRegion(), tracker)
    assert (message["response"], message["emergency_number"], message["region_name"]) == (
        "utter_emergency_number", "999", "the United Kingdom")
    assert offer["response"] == "utter_offer_person", "as in the danger rules: the number, then a person offered"
    assert [(e["name"], e["value"]) for e in events] == [("region", "GB"), ("pending_help", None)]


async def test_somewhere_else_gets_general_advice_and_no_region():
    [message], events = await run(ActionSetRegion(), region=None, entities=[{"entity": "region", "value": "other"}])
    assert message["response"] == "utter_region_elsewhere"
    assert [(e["name"], e["value"]) for e in events] == [("pending_help", None)]
