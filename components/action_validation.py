"""Rasa's check of each action server answer, with the JSON schema validator built once.

Rasa 3.6 checks every answer of the action server against a fixed JSON schema
with `jsonschema.validate`, which first checks the schema itself, every time.
Profiled under `make bench-fleet` (py-spy on a Rasa replica), that was a fifth
of Rasa's CPU per message; the answer's own check is a twentieth. The check is
unchanged (same schema, same errors, same message added); only the validator
is built once. Installed by the REST channel the bot talks to
(components/rest_channel.py), so every Rasa server the bot uses has it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator():
    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)  # the schema is Rasa's constant: checked once, here


def validate_action_result(_action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result, as Rasa writes it, with the validator built once."""
    try:
        response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
        raise error


def install() -> None:
    response_validator().check_schema(RemoteAction.action_response_format_spec())
    RemoteAction._validate_action_result = validate_action_result
