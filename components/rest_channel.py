"""Rasa's REST channel, with the name of the response behind each message.

The bot counts outcomes (answered, safety, fallback) and FAQ topics for the
operator's metrics and report without reading a word of the conversation. Rasa
knows which response it sent (`utter_action`: "utter_faq/debt",
"utter_crisis_line"), but its REST channel drops that; this channel keeps it as
`response` on each message. Same name ("rest") and URL
(`/webhooks/rest/webhook`): the bot needs no other change.

Rasa's REST channel also logs a survivor's words when handling a message fails
or is cut short (`rest.message.received.timeout`, with `text=`); a filter on its
logger blanks them, so no message text reaches a server log.

Loading this channel also makes Rasa's check of action server answers cheaper
(components/action_validation.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from components import action_validation

action_validation.install()

WORDS = re.compile(r"""(["']text["']\s*[:=]\s*)(["'])(?:\\.|(?!\2).)*\2""")


class NoWords(logging.Filter):
    """Blanks a message's text in a log record of Rasa's REST channel (JSON or repr form)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict) and "text" in record.msg:
            record.msg = {**record.msg, "text": "(not logged)"}
        elif isinstance(record.msg, str) and "text" in record.msg:
            record.msg = WORDS.sub(r'\1"(not logged)"', record.msg)
        return True


logging.getLogger("rasa.core.channels.rest").addFilter(NoWords())


class NamingCollector(CollectingOutputChannel):
    """Collects into the REST channel's own list, adding `response` to each message."""

    def __init__(self, into: CollectingOutputChannel) -> None:
        super().__init__()
        self.messages = into.messages  # the list the REST channel returns

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        name = message.get("utter_action")
        first = len(self.messages)
        await super().send_response(recipient_id, message)
        if isinstance(name, str):
            for sent in self.messages[first:]:
                sent["response"] = name


class NamingRestInput(RestInput):
    """The REST channel whose replies say which response they came from (still named "rest")."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def naming(message: UserMessage) -> None:
            if isinstance(message.output_channel, CollectingOutputChannel):
                message.output_channel = NamingCollector(message.output_channel)
            await on_new_message(message)

        return super().blueprint(naming)
