"""Telegram's flood limits, kept by the bot: python-telegram-bot's AIORateLimiter (about 30
messages a second overall, 20 a minute per group) and, for one private chat, about one
message a second after a short burst, so a reply in a few parts still goes at once."""

from __future__ import annotations

import contextlib
from typing import Any, Dict

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

PER_CHAT_BURST = 3  # messages one private chat may get at once, then one a second
PACED_METHODS = frozenset({"sendMessage", "copyMessage"})  # deleting (quick exit) is never held back
BUDGET_LOW_SHARE = 0.2  # a group's per-minute budget is "nearly used" with less than this share left


class Pacing(AIORateLimiter):
    """AIORateLimiter plus a limiter per private chat (`per_chat_burst` 0: none)."""

    def __init__(self, per_chat_burst: int = PER_CHAT_BURST, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._per_chat_burst = per_chat_burst
        self._chats: Dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chats) > 512:  # forget chats whose budget is full again, as PTB does for groups
            for key, limiter in list(self._chats.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        return self._chats.setdefault(chat_id, AsyncLimiter(self._per_chat_burst, self._per_chat_burst))

    def budget_low(self, group_id: int) -> bool:
        """Most of this group's messages-a-minute budget is used (an alert: bot/alerts.py)."""
        limiter = self._group_limiters.get(group_id) or self._group_limiters.get(str(group_id))
        return limiter is not None and not limiter.has_capacity(limiter.max_rate * BUDGET_LOW_SHARE)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        if self._per_chat_burst and endpoint in PACED_METHODS and isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
