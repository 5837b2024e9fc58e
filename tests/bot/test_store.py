"""The bot store keeps message ids per pseudonym, 48 hours at most, and forgets."""

import pytest

from bot.store import Store


@pytest.fixture
def store(store_url, clock):
    store = Store(store_url, clock=clock)
    yield store
    store.close()


async def test_ids_are_kept_per_pseudonym_once_each(store):
    await store.remember("a", [1, 2])
    await store.remember("a", [2, 3])
    await store.remember("b", [9])
    assert await store.message_ids("a") == [1, 2, 3]


async def test_forget_removes_only_that_pseudonym(store):
    await store.remember("a", [1])
    await store.remember("b", [2])
    await store.forget("a")
    assert (await store.message_ids("a"), await store.message_ids("b")) == ([], [2])


async def test_retention_purge_moves_with_the_clock(store, clock):
    await store.remember("a", [1])
    clock.now += 10 * 3600
    await store.remember("a", [2])
    clock.now += 3 * 3600
    assert await store.purge(retention_hours=12) == 1
    assert await store.message_ids("a") == [2]


async def test_ids_past_telegrams_48_hour_window_are_not_offered_or_kept(store, clock):
    await store.remember("a", [1])
    clock.now += 49 * 3600
    assert await store.message_ids("a") == []
    assert await store.purge(retention_hours=72) == 1, "never kept past 48 hours"
