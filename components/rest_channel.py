"""Rasa's REST channel, with the name of the response behind each message.

The bot counts outcomes (answered, safety, fallback) and FAQ topics for the
operator's metrics and report without reading a word of the conversation. Rasa
knows which response it sent (`utter_action`: "utter_faq/debt",
"utter_crisis_line"), but its REST channel drops that; this channel keeps it as
`response` on each message. Same name ("rest") and URL
(`/webhooks/rest/webhook`): the bot needs no other change.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint


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
