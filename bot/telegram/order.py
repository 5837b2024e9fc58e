"""Per-chat ordering: chats are handled concurrently, one chat's updates in order."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Dict

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.core import QUICK_EXIT_PAYLOAD

MAX_CONCURRENT_UPDATES = 256  # chats handled at once (each chat's own updates stay in order)


def leaves_quickly(update: Update) -> bool:
    """/exit or the "Leave quickly" button never waits behind a message still being answered
    (bot/turns.py makes sure that message's turn then sends nothing)."""
    query, message = update.callback_query, update.message
    if query is not None:
        return query.data == QUICK_EXIT_PAYLOAD
    words = (message.text or "").split() if message is not None else []
    return bool(words) and words[0].split("@")[0].lower() == "/exit"


class PerChatOrder(BaseUpdateProcessor):
    """Different chats are handled concurrently; one chat's updates stay in order.

    PTB's default handles every update one after another, so one survivor
    waiting on Rasa made everyone wait; a lock per chat keeps each
    conversation (and the advocates' group) in the order it was written.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: Dict[int, asyncio.Lock] = {}
        self._users: Dict[int, int] = {}  # updates holding or awaiting each chat's lock

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None or leaves_quickly(update):
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # nobody else queued: forget this chat's lock
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
