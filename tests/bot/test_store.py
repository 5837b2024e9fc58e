"""The bot store keeps message ids per pseudonym, 48 hours at most, and forgets."""

import pytest
import sqlalchemy as sa

from bot.store import BUSY, DONE, NEW, SQLITE_LEASE_SECONDS, Store, telegram_updates


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


async def test_a_turn_answering_a_message_written_before_they_left_keeps_nothing_and_says_so(store, clock):
    await store.remember("a", [1])
    written = clock.now
    clock.now += 2
    assert await store.depart("a") == [1], "the exit gets the chat's ids, read after the mark"
    clock.now += 1
    assert await store.remember_turn("a", [2, 3], written) is False, "take the turn back"
    assert await store.message_ids("a") == [1], "its ids are not kept (the exit's erasure comes next)"
    assert await store.departed_since("a", written) and not await store.departed_since("a", clock.now)


async def test_a_turn_answering_a_message_written_after_they_left_is_kept(store, clock):
    await store.depart("a")
    clock.now += 1
    assert await store.remember_turn("a", [4], clock.now) is True
    assert await store.remember_turn("b", [5], clock.now - 10) is True, "another person: never departed"
    assert (await store.message_ids("a"), await store.message_ids("b")) == ([4], [5])


async def test_the_departure_mark_outlives_the_erasure_for_an_hour_only(store, clock):
    written = clock.now
    await store.depart("a")
    await store.forget("a")
    assert await store.departed_since("a", written), "a late turn still knows"
    clock.now += 3601
    await store.purge(retention_hours=72)
    assert not await store.departed_since("a", written)


async def test_an_update_is_handled_by_one_replica_and_a_repeat_of_it_is_dropped(store):
    store.be_present("replica-a")
    assert (await store.claim_update(41, "replica-a")).state == NEW
    assert (await store.claim_update(41, "replica-b")).state == BUSY, "replica a is still on it"
    await store.finish_update(41)
    assert (await store.claim_update(41, "replica-b")).state == DONE


async def test_the_update_of_a_replica_that_died_is_taken_over(store_url, clock):
    """PostgreSQL: the dead replica's presence lock went with its connection; SQLite: after a lease."""
    dying, survivor = Store(store_url, clock=clock), Store(store_url, clock=clock)
    try:
        dying.be_present("replica-a")
        survivor.be_present("replica-b")
        assert (await dying.claim_update(42, "replica-a")).state == NEW
        journal = [{"ids": [7], "of": "a1"}, {"ids": [8, 9], "of": "b2"}]  # two replies out, the second in two parts
        assert await dying.replies_out(42, "replica-a", journal)  # …then
        dying.close()  # …the process is gone
        if not store_url.startswith("postgresql"):
            assert (await survivor.claim_update(42, "replica-b")).state == BUSY, "within the lease, a may be working"
            clock.now += SQLITE_LEASE_SECONDS
        taken = await survivor.claim_update(42, "replica-b")
        assert taken.state == NEW and taken.replies_out == journal, "b knows what a had sent"
        assert not await survivor.replies_out(42, "replica-a", []), "a's late note cannot overwrite b's"
        assert (await survivor.claim_update(42, "replica-c")).state == BUSY
        await survivor.finish_update(42)
        with survivor.engine.connect() as db:
            left = db.execute(sa.select(telegram_updates.c.replies_out)).scalar_one()
        assert left is None, "the message ids are forgotten once the update is handled"
    finally:
        survivor.close()


async def test_handled_update_ids_are_forgotten_after_a_day(store, clock):
    assert (await store.claim_update(43, "replica-a")).state == NEW
    await store.finish_update(43)
    clock.now += 25 * 3600
    await store.purge(retention_hours=72)
    assert (await store.claim_update(43, "replica-a")).state == NEW
