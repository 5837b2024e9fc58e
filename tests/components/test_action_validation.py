"""Rasa's check of action server answers, with the validator built once: it accepts and
refuses exactly what Rasa's own check does, and the REST channel installs it."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import components.rest_channel  # noqa: F401 (installs the check, as in a running Rasa)
from components.action_validation import validate_action_result

ANSWERS = [
    {"events": [{"event": "slot", "name": "language", "value": "es", "timestamp": None}],
     "responses": [{"response": "utter_greet"}]},
    {"events": [], "responses": []},
    {},
    {"events": "not a list"},
    {"events": [{"name": "language"}]},  # an event with no type
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": [["not", "an", "object"]]},
]


def rasa_verdict(answer):
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_answer_is_accepted_exactly_when_rasas_own_check_accepts_it(answer):
    try:
        accepted = validate_action_result(RemoteAction("action_x", None), answer)
    except jsonschema.ValidationError as error:
        assert "Failed to validate Action server response" in error.message
        accepted = False
    assert accepted == rasa_verdict(answer)
    assert ANSWERS.index(answer) < 3 or not accepted, "the broken answers are refused"


def test_the_rest_channel_installs_the_check_in_rasa():
    assert RemoteAction._validate_action_result is validate_action_result
