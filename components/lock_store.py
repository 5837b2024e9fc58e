"""Rasa's lock store, chosen by the LOCK_STORE_URL setting instead of by editing endpoints.yml.

Unset: Rasa's in-memory lock store, right for one Rasa process. With several Rasa
replicas sharing a tracker store, `redis://[user:password@]host:port/db` (or
`rediss://` for TLS) gives Rasa's RedisLockStore, its documented way to keep two
replicas from working on one conversation at once.
"""

from __future__ import annotations

import os
from typing import Optional
from urllib.parse import unquote, urlparse

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

DEFAULT_REDIS_DB = 1  # Rasa's own default for the lock store


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
    return RedisLockStore(
        host=parsed.hostname, port=parsed.port or 6379, db=int(database or DEFAULT_REDIS_DB),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        use_ssl=parsed.scheme == "rediss", key_prefix=key_prefix)
