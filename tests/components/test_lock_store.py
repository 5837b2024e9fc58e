"""Rasa's lock store is chosen by LOCK_STORE_URL: in memory for one Rasa, Redis for replicas."""

import asyncio

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from components.lock_store import RecoveringRedisLockStore, lock_store

AS_IN_ENDPOINTS_YML = EndpointConfig(type="components.lock_store.SettingsLockStore", key_prefix="safeharbor")


def test_with_no_setting_one_rasa_locks_in_memory(monkeypatch):
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    assert isinstance(LockStore.create(AS_IN_ENDPOINTS_YML), InMemoryLockStore)


def test_a_redis_url_gives_rasas_redis_lock_store_with_its_parts(monkeypatch):
    monkeypatch.setenv("LOCK_STORE_URL", "rediss://rasa:s%40cret@locks.internal:6380/3")
    store = LockStore.create(AS_IN_ENDPOINTS_YML)
    assert isinstance(store, RedisLockStore) and isinstance(store, RecoveringRedisLockStore)
    options = store.red.connection_pool.connection_kwargs
    assert (options["host"], options["port"], options["db"]) == ("locks.internal", 6380, 3)
    assert (options["username"], options["password"]) == ("rasa", "s@cret")
    assert store.key_prefix == "safeharbor:lock:"


@pytest.mark.parametrize("url", ["http://locks:6379", "redis://locks:6379/first"])
def test_a_malformed_url_is_refused_with_the_settings_name(url):
    with pytest.raises(ValueError, match="LOCK_STORE_URL"):
        lock_store(url)


async def test_two_rasa_replicas_on_one_redis_never_hold_one_conversation_at_once(redis_server):
    """What replicas rely on: while one holds a conversation's lock, the other waits its turn."""
    first, second = lock_store(redis_server, "safeharbor"), lock_store(redis_server, "safeharbor")
    order = []

    async def handle(store, name):
        async with store.lock("conversation-1", wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(0.3)
            order.append(f"{name} out")

    await asyncio.gather(handle(first, "a"), handle(second, "b"))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


async def test_a_replica_that_died_holding_a_conversation_does_not_lock_it_for_good(redis_server):
    """Rasa's own store never lets the next replica in after a holder died (both tickets expire in
    the same check); a waiter whose ticket expired queues again and goes in once the dead one's
    ticket is gone."""
    dead, alive = lock_store(redis_server, "safeharbor"), lock_store(redis_server, "safeharbor")
    dead.issue_ticket("conversation-2", 1.0)  # taken, never given back: the replica was killed
    started = asyncio.get_running_loop().time()

    async def turn() -> float:
        async with alive.lock("conversation-2", lock_lifetime=1.0):
            return asyncio.get_running_loop().time() - started

    waited = await asyncio.wait_for(turn(), 10)  # Rasa's own loop would wait for ever
    assert 0.9 < waited < 2.5
