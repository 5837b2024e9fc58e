"""One case's relay and its erasure never overlap, in this process and across replicas.

In one process an asyncio lock is enough. With several bot processes on one
PostgreSQL store, the lock is also a PostgreSQL advisory lock held on a
connection of its own: a second replica waits for it, and a replica that dies
drops its connection and with it the lock, so another one picks up the case's
waiting copies at its next outbox round. (Row locks with SKIP LOCKED would let a
second replica take a later copy of the same case and overtake the first: a
case's copies must go in order, so the whole case is the unit.)
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Dict, Optional, Text

import sqlalchemy as sa

RETRY_SECONDS = 0.05  # how often a replica asks again for a case another one holds


def lock_key(alias: Text) -> int:
    """A stable signed 64-bit key per case, the same in every replica."""
    return int.from_bytes(hashlib.sha256(f"case:{alias}".encode()).digest()[:8], "big", signed=True)


class CaseLock:
    """`async with lock:`, or `await lock.acquire()` (cancellable) and `lock.release()`."""

    def __init__(self, local: asyncio.Lock, engine: sa.engine.Engine, alias: Text) -> None:
        self._local = local
        self._engine = engine if engine.dialect.name == "postgresql" else None
        self._key = lock_key(alias)
        self._connection: Optional[sa.engine.Connection] = None

    async def acquire(self) -> bool:
        await self._local.acquire()
        if self._engine is None:
            return True
        connection = None
        try:
            connection = await asyncio.to_thread(self._engine.connect)
            while not await asyncio.to_thread(self._try, connection):
                await asyncio.sleep(RETRY_SECONDS)
        except BaseException:  # cancelled or failed while asking: nothing may stay held
            if connection is not None:
                self._let_go(connection)
            self._local.release()
            raise
        self._connection = connection
        return True

    def _try(self, connection: sa.engine.Connection) -> bool:
        held = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar()
        connection.commit()  # the lock belongs to the session, not to a transaction
        return bool(held)

    @staticmethod
    def _let_go(connection: sa.engine.Connection) -> None:
        """Unlock everything this session holds before its connection goes back to the pool."""
        try:
            connection.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            connection.commit()
        finally:
            connection.close()

    def release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            self._let_go(connection)  # a quick statement; release is synchronous like asyncio.Lock's
        self._local.release()

    async def __aenter__(self) -> "CaseLock":
        await self.acquire()
        return self

    async def __aexit__(self, *_exc) -> None:
        self.release()


class CaseLocks:
    """The lock of each case, made on first use."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self._engine = engine
        self._local: Dict[Text, asyncio.Lock] = {}

    def __call__(self, alias: Text) -> CaseLock:
        return CaseLock(self._local.setdefault(alias, asyncio.Lock()), self._engine, alias)

    def forget(self, alias: Text) -> None:
        self._local.pop(alias, None)
