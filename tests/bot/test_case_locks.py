"""A case's relay and erasure never overlap, across bot replicas on one PostgreSQL store too."""

import asyncio

import pytest
import sqlalchemy as sa

from bot.case_locks import CaseLocks, lock_key


@pytest.fixture
def replicas(postgres):
    """Two bot processes' lock tables on the same PostgreSQL (each with its own pool)."""
    engines = [sa.create_engine(postgres, future=True) for _ in range(2)]
    yield [CaseLocks(engine) for engine in engines]
    for engine in engines:
        engine.dispose()


async def not_within(seconds, awaitable) -> bool:
    try:
        await asyncio.wait_for(asyncio.shield(awaitable), seconds)
    except asyncio.TimeoutError:
        return True
    return False


async def test_a_case_held_by_one_replica_waits_at_the_other_until_released(replicas):
    first, second = replicas
    held = first("K7F2")
    await held.acquire()
    waiting = asyncio.ensure_future(second("K7F2").acquire())
    assert await not_within(0.3, waiting), "the second replica got a case the first holds"
    async with second("M3PQ"):  # another case is not held up
        pass
    held.release()
    assert await asyncio.wait_for(waiting, 2)


async def test_a_replica_that_dies_lets_go_of_its_cases(replicas, postgres):
    first, second = replicas
    dying = first("K7F2")
    await dying.acquire()
    with sa.create_engine(postgres, future=True).connect() as admin:  # the process is gone: so is its session
        admin.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                              "AND ((classid::bigint << 32) | objid::bigint) = (:key & x'FFFFFFFFFFFFFFFF'::bigint)"),
                      {"key": lock_key("K7F2")})
    assert await asyncio.wait_for(second("K7F2").acquire(), 5)


async def test_a_replica_that_stops_waiting_holds_nothing(replicas):
    first, second = replicas
    held = first("K7F2")
    await held.acquire()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(second("K7F2").acquire(), 0.2)
    held.release()
    assert await asyncio.wait_for(first("K7F2").acquire(), 2), "the one that gave up left no lock behind"


def test_every_replica_computes_the_same_key_for_a_case():
    assert lock_key("K7F2") == lock_key("K7F2") != lock_key("M3PQ")
    assert -2**63 <= lock_key("K7F2") < 2**63
