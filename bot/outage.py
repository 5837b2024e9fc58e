"""Database calls that ride out a short outage of the bot store (a PostgreSQL restart, a
failover), instead of failing the survivor's message.

A handler that fails on the store has already told Telegram nothing, and the
webhook then answers 200: the message would be lost (the fleet's fault test saw
it during a 2.4 s PostgreSQL restart). So a call whose connection could not be
made or was cut (SQLAlchemy's OperationalError) is tried again for about 8 s,
each time on a fresh pooled connection. Writes are safe to repeat: each is
keyed (an outbox row per incoming message, an id per message to delete).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

import sqlalchemy as sa

log = logging.getLogger("safe_harbor.store")
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)


async def in_thread(work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)` in a worker thread (the event loop never waits on the database), again
    after each of RETRY_SECONDS while the database is unreachable."""
    for delay in RETRY_SECONDS:
        try:
            return await asyncio.to_thread(work, *args)
        except sa.exc.OperationalError as error:
            log.warning("store_unreachable_retrying", extra={"error": type(error.orig).__name__})
            await asyncio.sleep(delay)
    return await asyncio.to_thread(work, *args)
