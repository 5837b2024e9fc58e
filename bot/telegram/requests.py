"""python-telegram-bot's HTTP requests over aiohttp, counting Telegram's errors for the
operator (by method and code: bot/metrics.py). The URL holds the token; only its last
part, the method's name, is ever used, and an error names its type, never the URL.

Why not PTB's default (httpx): measured with `make bench-fleet`, httpx's request
machinery was a third of the bot's CPU per message (about 6 ms of 17.5); aiohttp,
which the bot already uses for Rasa and the webhook, costs a fraction of that.
PTB keeps the rest: it builds the parameters and turns Telegram's answers and
status codes into its exceptions (`BaseRequest._request_wrapper`).
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import aiohttp
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import metrics

USER_AGENT = "safe-harbor"  # PTB's default names its version; nothing here needs to
UNSET = type(BaseRequest.DEFAULT_NONE)  # a timeout the caller left to the default


class AiohttpRequest(BaseRequest):
    """One pooled aiohttp session; PTB's timeouts (read, write, connect, pool) per request."""

    def __init__(self, connection_pool_size: int = 256, read_timeout: Optional[float] = 5.0,
                 connect_timeout: Optional[float] = 5.0, pool_timeout: Optional[float] = 1.0,
                 media_write_timeout: Optional[float] = 20.0) -> None:
        self.pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        self.pool_timeout = pool_timeout
        self.media_write_timeout = media_write_timeout
        self.session: Optional[aiohttp.ClientSession] = None

    @property
    def read_timeout(self) -> Optional[float]:
        return self._read_timeout

    async def initialize(self) -> None:
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.pool_size),
                                                 headers={"User-Agent": USER_AGENT})

    async def shutdown(self) -> None:
        if self.session is not None and not self.session.closed:
            await self.session.close()

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().post(url, *args, **kwargs)
        except TelegramError as error:
            metrics.telegram_error(url.rsplit("/", 1)[-1], error)
            raise

    async def do_request(self, url: str, method: str, request_data: Optional[RequestData] = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self.session is None or self.session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        read = _given(read_timeout, self._read_timeout)
        connect, pool = _given(connect_timeout, self.connect_timeout), _given(pool_timeout, self.pool_timeout)
        if files:  # a write of a file may take longer than a read
            read = max(read or 0, self.media_write_timeout or 0) or None
        # aiohttp's `connect` covers waiting for a pooled connection and opening one.
        timeout = aiohttp.ClientTimeout(total=None, connect=_sum(connect, pool), sock_read=read)
        try:
            async with self.session.request(method, url, data=self._body(request_data, files),
                                            timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:  # the type only: a message could hold the URL (the token)
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error

    @staticmethod
    def _body(request_data: Optional[RequestData], files) -> Any:
        """Form fields as PTB encodes them (each value JSON); multipart when there are files."""
        if request_data is None:
            return None
        if not files:
            return request_data.json_parameters
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in files.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form


def _given(value: Any, default: Optional[float]) -> Optional[float]:
    return default if isinstance(value, UNSET) else value


def _sum(*seconds: Optional[float]) -> Optional[float]:
    """None (no limit) if any part has none."""
    return None if any(part is None for part in seconds) else sum(seconds)
