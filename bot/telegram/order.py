"""Per-chat ordering and fairness: chats are handled concurrently, one chat's updates in
order, and no one person can fill the bot: a bounded queue and a rate per private chat."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Awaitable, Callable, Deque, Dict, Optional, Set

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.core import QUICK_EXIT_PAYLOAD

MAX_CONCURRENT_UPDATES = 256  # chats handled at once (each chat's own updates stay in order)
MAX_WAITING_PER_CHAT = 20  # a private chat's updates waiting behind the one being handled
RATE_WINDOW_SECONDS, MAX_PER_WINDOW = 60.0, 40  # a person's updates handled per minute
Overflow = Callable[[Update, bool], Awaitable[None]]  # (the update not handled, first since calm?)


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

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: Dict[int, asyncio.Lock] = {}
        self._users: Dict[int, int] = {}  # updates holding or awaiting each chat's lock
        self._recent: Dict[int, Deque[float]] = {}  # when each private chat's last updates were handled
        self._warned: Set[int] = set()
        self.clock = clock
        self.on_overflow: Optional[Overflow] = None  # set by the survivors' handlers (survivors.py)
        self.on_left_behind: Optional[Callable[[Update], Awaitable[None]]] = None  # likewise
        self._exits: Dict[int, int] = {}  # chat → update id of a quick exit that jumped its queue

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        if leaves_quickly(update):
            if self._users.get(chat.id):  # what waits behind it is not answered (`left_behind`)
                self._exits[chat.id] = update.update_id
            await coroutine
            return
        if chat.type == "private" and self.too_much(chat.id):
            coroutine.close()  # not handled: the person hears once, and the message is still deletable
            first = chat.id not in self._warned
            self._warned.add(chat.id)
            if self.on_overflow is not None:
                await self.on_overflow(update, first)
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                if self._exits.get(chat.id, -1) > update.update_id:  # written before a quick exit
                    coroutine.close()
                    if self.on_left_behind is not None:
                        await self.on_left_behind(update)
                    return
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # nobody else queued: forget this chat's lock
                del self._users[chat.id], self._locks[chat.id]
                self._exits.pop(chat.id, None)
                self._warned.discard(chat.id)  # calm again: a later flood is explained again
                recent = self._recent.get(chat.id)
                if recent is not None and recent[-1] < self.clock() - RATE_WINDOW_SECONDS:
                    del self._recent[chat.id]

    def too_much(self, chat_id: int) -> bool:
        """Too many of this chat's updates waiting, or handled this minute; else count this one."""
        if self._users.get(chat_id, 0) > MAX_WAITING_PER_CHAT:
            return True
        recent = self._recent.setdefault(chat_id, deque())
        now = self.clock()
        while recent and recent[0] < now - RATE_WINDOW_SECONDS:
            recent.popleft()
        if len(recent) >= MAX_PER_WINDOW:
            return True
        recent.append(now)
        return False

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
