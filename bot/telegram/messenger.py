"""Sending to Telegram: retries, keyboards, splitting long texts, deleting in batches,
and `TelegramMessenger`, the handoff's view of Telegram (bot/handoff.py's `Messenger`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, List, Optional, Sequence, Text, TypeVar

from telegram import Bot, ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core import Reply
from bot.messenger import ADMIN, MEMBER, ButtonSpec, DeliveryFailed, DeliveryRefused

log = logging.getLogger("safe_harbor.telegram")
T = TypeVar("T")
RETRY_DELAYS = (0.5, 1.0, 2.0)  # backoff for 5xx and network errors
DELETE_BATCH = 100  # Telegram's limit for deleteMessages


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    """Retry Telegram's 5xx and network failures with backoff (429s: the rate limiter)."""
    for delay in RETRY_DELAYS:
        try:
            return await call()
        except RetryAfter as error:
            wait = error.retry_after  # seconds, or a timedelta in newer PTB
            await asyncio.sleep(wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait))
        except BadRequest:
            raise  # our request is wrong; repeating it will not help
        except NetworkError:
            await asyncio.sleep(delay)
    return await call()


async def quietly(call: Awaitable) -> None:
    """For best-effort calls (typing, removing a keyboard, old messages)."""
    try:
        await call
    except TelegramError:
        pass


def split_text(message: Text, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> List[Text]:
    """Split so no part exceeds `limit`: at the last paragraph break in the second half
    of the part, else the last line break there, else the last space, else anywhere."""
    parts: List[Text] = []
    while len(message) > limit:
        cut = next((at for at in (message.rfind(sep, limit // 2, limit) for sep in ("\n\n", "\n")) if at > 0),
                   message.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        parts.append(message[:cut].rstrip())
        message = message[cut:].lstrip()
    return parts + ([message] if message else [])


def keyboard(buttons: Sequence[ButtonSpec]) -> Optional[InlineKeyboardMarkup]:
    """One button per row; None when there are none."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=data)] for title, data in buttons])


def replying(message_id: Optional[int]) -> Optional[ReplyParameters]:
    return ReplyParameters(message_id, allow_sending_without_reply=True) if message_id else None


async def send_reply(bot: Bot, chat_id: int, step: Reply) -> List[int]:
    """Send a reply (split if too long, keyboard on the last part); the ids sent."""
    parts = split_text(step.text) or [""]
    ids = []
    for number, part in enumerate(parts, 1):
        markup = keyboard([(b.title, b.payload) for b in step.buttons]) if number == len(parts) else None
        sent = await with_retries(lambda: bot.send_message(chat_id, part, reply_markup=markup))  # noqa: B023 (awaited at once)
        ids.append(sent.message_id)
    return ids


async def delete_all(bot: Bot, chat_id: int, ids: List[int]) -> None:
    """Delete what we can, in Telegram's batches; messages it no longer lets us delete stay."""
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start:start + DELETE_BATCH]
        await quietly(with_retries(lambda: bot.delete_messages(chat_id, batch)))  # noqa: B023 (awaited at once)


class TelegramMessenger:
    """The handoff's view of Telegram: messages, copies, forum topics, membership."""

    def __init__(self, bot: Bot, posted: Callable[[int], None] = lambda chat_id: None) -> None:
        self.bot = bot
        self.posted = posted  # told of every message sent, copied or edited: the groups' budgets

    async def send(self, chat_id: int, message: Text, *, thread_id: Optional[int] = None,
                   buttons: Sequence[ButtonSpec] = (), notify: bool = False,
                   reply_to: Optional[int] = None) -> int:
        self.posted(chat_id)
        sent = await self.call(lambda: self.bot.send_message(
            chat_id, message, message_thread_id=thread_id, reply_markup=keyboard(buttons),
            disable_notification=not notify, reply_parameters=replying(reply_to)))
        return sent.message_id

    async def edit(self, chat_id: int, message_id: int, message: Text) -> None:
        """Best effort: an edit Telegram refuses (too old, unchanged) is not worth an error."""
        self.posted(chat_id)
        try:
            await with_retries(lambda: self.bot.edit_message_text(message, chat_id, message_id))
        except TelegramError:
            log.warning("edit_refused")

    async def copy(self, from_chat_id: int, message_id: int, to_chat_id: int, *,
                   thread_id: Optional[int] = None, reply_to: Optional[int] = None) -> int:
        """A copy carries no "forwarded from": nothing links back to either account."""
        self.posted(to_chat_id)
        copied = await self.call(lambda: self.bot.copy_message(
            to_chat_id, from_chat_id, message_id, message_thread_id=thread_id,
            reply_parameters=replying(reply_to)))
        return copied.message_id

    async def open_topic(self, chat_id: int, name: Text) -> int:
        topic = await self.call(lambda: self.bot.create_forum_topic(chat_id, name))
        return topic.message_thread_id

    async def close_topic(self, chat_id: int, topic_id: int) -> None:
        try:
            await with_retries(lambda: self.bot.close_forum_topic(chat_id, topic_id))
        except TelegramError:
            log.warning("topic_not_closed")

    async def delete_topic(self, chat_id: int, topic_id: int) -> None:
        """The topic and everything in it; one Telegram already lost counts as deleted."""
        try:
            await with_retries(lambda: self.bot.delete_forum_topic(chat_id, topic_id))
        except BadRequest as error:
            if "not found" not in str(error).lower():  # no right to (yet): tried again later
                log.warning("topic_not_deleted", extra={"error": type(error).__name__})
                raise DeliveryFailed(type(error).__name__) from None
        except TelegramError as error:
            raise DeliveryFailed(type(error).__name__) from None

    async def delete(self, chat_id: int, message_ids: List[int]) -> bool:
        """False when Telegram refuses for good (messages over 48 hours old, no right to delete)."""
        try:
            for start in range(0, len(message_ids), DELETE_BATCH):
                batch = message_ids[start:start + DELETE_BATCH]
                await with_retries(lambda: self.bot.delete_messages(chat_id, batch))  # noqa: B023 (awaited at once)
        except BadRequest:
            return False
        except TelegramError as error:
            raise DeliveryFailed(type(error).__name__) from None
        return True

    async def role(self, chat_id: int, user_id: int) -> Optional[Text]:
        try:
            member = await with_retries(lambda: self.bot.get_chat_member(chat_id, user_id))
        except TelegramError:
            return None
        if member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR):
            return ADMIN
        return MEMBER if member.status == ChatMember.MEMBER else None  # restricted, left, banned: no

    @staticmethod
    async def call(request: Callable[[], Awaitable[T]]) -> T:
        """Refusals for good (BadRequest, Forbidden) apart from failures worth retrying."""
        try:
            return await with_retries(request)
        except Forbidden as error:
            raise DeliveryRefused(type(error).__name__, blocked=True) from None
        except BadRequest as error:
            raise DeliveryRefused(type(error).__name__) from None
        except TelegramError as error:
            raise DeliveryFailed(type(error).__name__) from None
