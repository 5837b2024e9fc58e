"""The relay between a survivor's chat and their case's topic: each case's copies in order,
every case side by side, so one case's failure never holds back another's.

Copies wait in the outbox (bot/cases.py) until Telegram takes them. A message
Telegram refuses for good is skipped and its writer told; a failure worth
retrying backs off for that case only; a survivor who blocked the bot has their
case closed. Relay and leaving share the case's lock (bot/erasure.py).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Optional, Text

from bot import metrics
from bot.cases import ACTIVE, CLOSED, TO_GROUP, Delivery
from bot.messenger import DeliveryFailed, DeliveryRefused
from bot.texts import text

if TYPE_CHECKING:
    from bot.handoff import Handoffs


class Relay:
    """Copies across, through the handoff's messenger, with its notes and its closing."""

    def __init__(self, handoffs: "Handoffs") -> None:
        self.handoffs = handoffs
        self.cases = handoffs.cases

    async def deliver(self) -> None:
        """Every case's copies, each case in its own order and all cases side by side: one
        case's failure (a message gone, a blocked bot, Telegram down) never holds back another."""
        await asyncio.gather(*(self.deliver_case(alias) for alias in await self.cases.pending()))

    async def deliver_case(self, alias: Text) -> None:
        """A refusal for good skips that one message (its sender is told); a failure worth
        retrying stops this case until its backoff is over."""
        async with self.cases.lock(alias):
            for delivery in await self.cases.pending_of(alias):
                try:
                    copy = await self.copy(delivery)
                except DeliveryRefused as refusal:
                    metrics.relay_failed()
                    if refusal.blocked and delivery.direction == TO_GROUP:  # the bot left the group
                        await self.cases.retry_later(delivery)
                        return
                    await self.cases.refused(delivery)
                    if await self.not_relayed(delivery, refusal) is CLOSED:
                        return
                    continue
                except DeliveryFailed:
                    metrics.relay_failed()
                    await self.cases.retry_later(delivery)
                    return
                if copy is not None:
                    await self.cases.delivered(delivery, copy)

    async def not_relayed(self, delivery: Delivery, refusal: DeliveryRefused) -> Optional[Text]:
        """One line to whoever wrote the message that could not be passed on; a survivor who
        blocked the bot closes their case (CLOSED is returned)."""
        case = await self.cases.get(delivery.alias)
        if case is None:
            return CLOSED
        if delivery.direction == TO_GROUP:
            await self.handoffs.tell(case, text("relay_failed", case.language))
            return None
        if refusal.blocked:
            await self.handoffs.close_unreachable(case)
            return CLOSED
        await self.handoffs.note(case, self.handoffs.group_text("advocate_relay_failed"))
        return None

    async def copy(self, delivery: Delivery) -> Optional[int]:
        """Copy one message across; None when its case is gone (the survivor left)."""
        case = await self.cases.get(delivery.alias)
        if case is None or case.chat_id is None:
            return None
        reply_to = delivery.reply_to and await self.cases.counterpart(
            case.alias, delivery.direction, delivery.reply_to)
        group, messenger = self.handoffs.group_of(case), self.handoffs.messenger
        if delivery.direction == TO_GROUP:
            thread = case.topic_id if case.state == ACTIVE else None
            reply_to = reply_to or (None if thread else case.card_id)  # a left message: under its card
            copy = await messenger.copy(case.chat_id, delivery.source_message_id, group,
                                        thread_id=thread, reply_to=reply_to)
            if thread is None:
                if await self.gone(case):  # they left while it was on its way: nothing of theirs stays
                    await messenger.delete(group, [copy])
                    return None
                await self.cases.posted(case.alias, copy)
            return copy
        copy = await messenger.copy(group, delivery.source_message_id, case.chat_id, reply_to=reply_to)
        if await self.gone(case):  # they left while it was on its way: take it back
            await messenger.delete(case.chat_id, [copy])
            return None
        await self.handoffs.remember(case.pseudonym, [copy])
        return copy

    async def gone(self, case) -> bool:
        """Left, or leaving right now (the case's lock may not have been waited for)."""
        return self.handoffs.erasure.is_leaving(case.pseudonym) or await self.cases.get(case.alias) is None
