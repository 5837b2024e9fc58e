"""Rasa's lock store, chosen by the LOCK_STORE_URL setting instead of by editing endpoints.yml.

Unset: Rasa's in-memory lock store, right for one Rasa process. With several Rasa
replicas sharing a tracker store, `redis://[user:password@]host:port/db` (or
`rediss://` for TLS) gives Rasa's RedisLockStore, its documented way to keep two
replicas from working on one conversation at once, with one repair: a replica
that dies mid-turn leaves its ticket behind, and Rasa's own waiting loop then
never lets the next replica in (its ticket expires in the same check as the dead
one's, and the conversation stays locked for good: tests/components/
test_lock_store.py). Here a waiter whose ticket expired queues again.
"""

from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager
from typing import AsyncIterator, Optional, Text
from urllib.parse import unquote, urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

DEFAULT_REDIS_DB = 1  # Rasa's own default for the lock store
WAIT_SECONDS = 0.1  # between looks at a held lock (Rasa waits 1 s: a long pause after a failover)


class RecoveringRedisLockStore(RedisLockStore):
    """Rasa's RedisLockStore, whose waiters outlive a holder that died."""

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[TicketLock]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is None:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(min(wait_time_in_seconds, WAIT_SECONDS))
                self.update_lock(conversation_id)  # drops expired tickets, ours too if it expired
                current = self.get_lock(conversation_id)
                if current is None or ticket not in {t.number for t in current.tickets}:
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)  # queue again
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)


class SettingsLockStore:
    """Not a lock store itself: Rasa instantiates the type named in endpoints.yml, and
    this one answers with the store LOCK_STORE_URL names."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        options = dict(endpoint_config.kwargs) if endpoint_config else {}
        return lock_store(os.environ.get("LOCK_STORE_URL", ""), key_prefix=options.get("key_prefix"))


def lock_store(url: str, key_prefix: Optional[str] = None) -> LockStore:
    """The lock store for `url`; a malformed one stops Rasa with a message naming the setting."""
    url = url.strip()
    if not url:
        return InMemoryLockStore()
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise ValueError(f"LOCK_STORE_URL must be redis://host:port/db (or rediss://…), not {parsed.scheme!r}")
    database = parsed.path.strip("/")
    if database and not database.isdigit():
        raise ValueError("LOCK_STORE_URL's database must be a number, as in redis://host:6379/1")
    return RecoveringRedisLockStore(
        host=parsed.hostname, port=parsed.port or 6379, db=int(database or DEFAULT_REDIS_DB),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        use_ssl=parsed.scheme == "rediss", key_prefix=key_prefix)
