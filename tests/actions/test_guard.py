"""Every custom action is guarded: a failure is a kind reply, and no tracker reaches a log."""

import importlib
import logging
import pkgutil

from rasa_sdk import Action

import actions
from actions.guard import FAILED_RESPONSE, Guarded
from testkit.actions import make_tracker


def all_actions():
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found, todo = [], list(Action.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("actions."):
            found.append(cls)
    return found


def test_every_action_of_the_project_is_guarded():
    found = all_actions()
    assert len(found) >= 12
    assert [cls.__name__ for cls in found if not (issubclass(cls, Guarded) and cls.run.guarded)] == []


class Failing(Guarded, Action):
    def name(self):
        return "action_failing"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="half an answer")
        raise KeyError(tracker.latest_message["text"])


async def test_a_failing_action_answers_kindly_and_logs_its_name_and_error_type_only(run_action, caplog):
    caplog.set_level(logging.DEBUG)
    tracker = make_tracker(latest={"text": "my boss Victor keeps my passport"})
    messages, events = await run_action(Failing(), tracker)
    assert [m["response"] for m in messages] == [FAILED_RESPONSE] and events == []
    assert "action_failing failed: KeyError" in caplog.text and "Victor" not in caplog.text
