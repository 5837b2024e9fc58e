"""python-telegram-bot's HTTP requests, counting Telegram's errors for the operator
(by method and code: bot/metrics.py). The URL holds the token; only its last part,
the method's name, is ever used."""

from __future__ import annotations

from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot import metrics


class CountedRequest(HTTPXRequest):
    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().post(url, *args, **kwargs)
        except TelegramError as error:
            metrics.telegram_error(url.rsplit("/", 1)[-1], error)
            raise
