"""One wrapper around every custom action: a failure becomes a kind reply, never a tracker.

Left alone, rasa-sdk answers an exception with HTTP 500 and the whole request
(the tracker, with every message the survivor wrote) in the body, logs that
request, and Rasa logs the body again. Every action here inherits `Guarded`
first, so its `run` catches the failure, logs the action's name and the
error's type only, and the survivor gets `utter_action_failed`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from rasa_sdk.interfaces import ActionExecutionRejection

log = logging.getLogger("safe_harbor.actions")
FAILED_RESPONSE = "utter_action_failed"


class Guarded:
    """Mixin: `class ActionX(Guarded, Action)`; wraps the class's `run` once."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.run
        if getattr(run, "guarded", False):
            return

        @functools.wraps(run)
        async def guarded_run(self, dispatcher, tracker, domain):
            try:
                return await run(self, dispatcher, tracker, domain)
            except ActionExecutionRejection:
                raise  # a form's ordinary "not this slot": rasa-sdk answers it without the tracker
            except Exception as error:
                log.error("action %s failed: %s", self.name(), type(error).__name__)
                dispatcher.messages.clear()  # nothing half-made reaches the survivor
                dispatcher.utter_message(response=FAILED_RESPONSE)
                return []

        guarded_run.guarded = True
        cls.run = guarded_run
