"""What "ready" means for the bot: it can reach Rasa, the action server, its store
and Telegram. Each check is a short probe with its own time limit; Telegram's
`getMe` is cached, so a probe every few seconds costs Telegram nothing."""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable, Dict, Optional, Text, Tuple

import aiohttp

Check = Callable[[], Awaitable[bool]]
CHECK_SECONDS = 2.0
TELEGRAM_CACHE_SECONDS = 60.0


class Health:
    """Named readiness checks, run together; a check that raises or is slow counts as not ready."""

    def __init__(self, checks: Dict[Text, Check], timeout: float = CHECK_SECONDS) -> None:
        self.checks = checks
        self.timeout = timeout

    async def ready(self) -> Tuple[bool, Dict[Text, bool]]:
        results = await asyncio.gather(*(self._one(check) for check in self.checks.values()))
        states = dict(zip(self.checks, results, strict=True))
        return all(results), states

    async def _one(self, check: Check) -> bool:
        try:
            return bool(await asyncio.wait_for(check(), self.timeout))
        except Exception:
            return False


class Cached:
    """A check whose success is remembered for `seconds` (a failure is retried at once)."""

    def __init__(self, check: Check, seconds: float = TELEGRAM_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.check, self.seconds, self.clock = check, seconds, clock
        self._ok_at: Optional[float] = None

    async def __call__(self) -> bool:
        if self._ok_at is not None and self.clock() - self._ok_at < self.seconds:
            return True
        ok = await self.check()
        self._ok_at = self.clock() if ok else None
        return ok


class HttpCheck:
    """GET `url` answers 200: the action server's /health."""

    def __init__(self, url: Text, timeout: float = CHECK_SECONDS) -> None:
        self.url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def __call__(self) -> bool:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.get(self.url) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
