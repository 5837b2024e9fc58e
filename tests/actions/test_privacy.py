"""Privacy actions hand the erasing to the bot through the documented payloads."""

from actions.privacy import ActionForget, ActionQuickExit


def erases(events):
    return [(e["name"], e["value"]) for e in events] == [("erase_conversation", True)]


async def test_quick_exit_payload_no_words_and_the_tracker_is_erased(run_action):
    messages, events = await run_action(ActionQuickExit())
    assert [m["custom"] for m in messages] == [{"quick_exit": True}] and erases(events)


async def test_forget_payload_and_the_tracker_is_erased(run_action):
    messages, events = await run_action(ActionForget())
    assert [m["custom"] for m in messages] == [{"forget": True}] and erases(events)
