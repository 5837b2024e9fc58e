"""Handoff cases in the bot store: queue order, one taker, nothing kept after closing."""

import asyncio
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot.cases import ACTIVE, CLOSED, TO_GROUP, TO_SURVIVOR, WAITING, Cases
from bot.core import HandoffRequest
from bot.schema import migrate
from bot.sealing import Sealer
from bot.store import Store

SEALER = Sealer(b"c" * 40)

REQUEST = HandoffRequest(language="es", region="US", needs=("legal",), summary="me quitaron el pasaporte")


@pytest.fixture
def cases(store_url, clock):
    store = Store(store_url, clock=clock)
    yield Cases(store.engine, SEALER, clock=clock)
    store.close()


async def test_a_request_opens_one_waiting_case_per_person(cases):
    case = await cases.open("p1", 11, REQUEST)
    assert (case.state, case.language, case.needs, case.urgent) == (WAITING, "es", ["legal"], False)
    assert len(case.alias) == 4 and case.summary == "me quitaron el pasaporte"
    assert (await cases.open("p1", 11, REQUEST)).alias == case.alias, "asking twice is one case"


async def test_the_summary_is_kept_only_with_consent(cases):
    case = await cases.open("p1", 11, replace(REQUEST, summary=None))
    assert case.summary is None


async def test_urgent_cases_come_first_then_the_oldest(cases, clock):
    first = await cases.open("p1", 11, REQUEST)
    clock.now += 60
    second = await cases.open("p2", 12, REQUEST)
    clock.now += 60
    urgent = await cases.open("p3", 13, replace(REQUEST, urgent=True))
    assert [c.alias for c in await cases.waiting()] == [urgent.alias, first.alias, second.alias]
    assert await cases.position(second.alias) == 3


async def test_only_the_first_advocate_takes_a_case(cases):
    case = await cases.open("p1", 11, REQUEST)
    results = await asyncio.gather(*(cases.take(case.alias, advocate) for advocate in (1, 2, 3)))
    assert sorted(results) == [False, False, True]
    taken = await cases.get(case.alias)
    assert taken.state == ACTIVE and taken.advocate_id in (1, 2, 3)


async def test_expected_wait_is_the_mean_time_to_be_taken(cases, clock):
    assert await cases.expected_wait_minutes(default=10) == 10
    for pseudonym, minutes in (("p1", 4), ("p2", 8)):
        case = await cases.open(pseudonym, 1, REQUEST)
        clock.now += minutes * 60
        await cases.take(case.alias, 1)
    assert await cases.expected_wait_minutes(default=10) == 6


async def test_each_relayed_message_is_enqueued_once_and_mapped_both_ways(cases):
    case = await cases.open("p1", 11, REQUEST)
    assert await cases.enqueue(case.alias, TO_GROUP, 100)
    assert not await cases.enqueue(case.alias, TO_GROUP, 100), "a redelivered update"
    assert await cases.enqueue(case.alias, TO_SURVIVOR, 7, reply_to=900)
    first, second = await cases.pending_of(case.alias)
    await cases.delivered(first, copy_id=900)
    await cases.delivered(second, copy_id=101)
    assert await cases.pending() == [] and await cases.pending_of(case.alias) == []
    assert await cases.counterpart(case.alias, TO_GROUP, 100) == 900
    assert await cases.counterpart(case.alias, TO_SURVIVOR, 900) == 100
    assert await cases.counterpart(case.alias, TO_SURVIVOR, 7) == 101


async def test_a_closed_case_keeps_no_chat_id_summary_or_message_map(cases):
    case = await cases.open("p1", 11, REQUEST)
    await cases.enqueue(case.alias, TO_GROUP, 100)
    await cases.delivered((await cases.pending_of(case.alias))[0], copy_id=900)
    await cases.enqueue(case.alias, TO_GROUP, 101)
    await cases.close(case.alias)
    closed = await cases.get(case.alias)
    assert closed.state == CLOSED
    assert (closed.chat_id, closed.summary, closed.needs) == (None, None, [])
    assert await cases.aliases_of("p1") == [case.alias], "still reachable by /forget until retention"
    assert await cases.counterpart(case.alias, TO_GROUP, 100) is None and await cases.pending() == []
    assert await cases.open_case_of("p1") is None


async def test_closed_cases_are_purged_retention_hours_after_closing(cases, clock):
    case = await cases.open("p1", 11, REQUEST)
    clock.now += 10 * 3600
    await cases.close(case.alias)
    clock.now += 71 * 3600
    assert await cases.purge(retention_hours=72) == 0
    clock.now += 2 * 3600
    assert await cases.purge(retention_hours=72) == 1 and await cases.get(case.alias) is None


async def test_advocates_choose_the_name_survivors_see(cases):
    assert await cases.display_name(501) is None
    await cases.set_display_name(501, "Ana")
    await cases.set_display_name(501, "Ana M.")
    assert await cases.display_name(501) == "Ana M."


async def test_open_cases_are_known_again_after_a_restart(cases, clock):
    case = await cases.open("p1", 11, REQUEST)
    restarted = Cases(cases._engine, SEALER, clock=clock)
    assert (await restarted.open_case_of("p1")).alias == case.alias
    await restarted.close(case.alias)
    assert await restarted.open_case_of("p1") is None


async def test_a_closed_cases_summary_is_gone_from_the_sqlite_files(cases, store_url, tmp_path):
    if not store_url.startswith("sqlite"):
        pytest.skip("file-level check for SQLite only")
    case = await cases.open("p1", 11, REQUEST)
    await cases.close(case.alias)
    files = list(tmp_path.glob("bot.sqlite3*"))
    assert files and not any(REQUEST.summary.encode() in path.read_bytes() for path in files)


async def test_the_chat_id_is_kept_sealed_and_opens_only_for_its_own_case(cases):
    case = await cases.open("p1", 987654321, REQUEST)
    assert case.chat_id == 987654321 and (await cases.get(case.alias)).chat_id == 987654321
    with cases._engine.connect() as db:
        [row] = db.execute(sa.text("SELECT * FROM cases")).all()
    assert "987654321" not in repr(tuple(row)) and 987654321 not in tuple(row)
    with pytest.raises(ValueError):
        SEALER.open(row._mapping["sealed_chat"], "p2")
    with pytest.raises(ValueError):
        Sealer(b"another key, another deployment!!").open(row._mapping["sealed_chat"], "p1")


async def test_open_cases_silent_for_the_retention_period_are_found_and_a_message_keeps_them_alive(cases, clock):
    quiet, talking = await cases.open("p1", 11, REQUEST), await cases.open("p2", 12, REQUEST)
    clock.now += 70 * 3600
    await cases.enqueue(talking.alias, TO_SURVIVOR, 5)
    clock.now += 3 * 3600
    assert [case.alias for case in await cases.silent(retention_hours=72)] == [quiet.alias]


def a_store_of_the_first_version(tmp_path):
    """The cases table as the first version made it (raw chat ids, fewer columns)."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    with engine.begin() as db:
        db.execute(sa.text("CREATE TABLE cases (alias VARCHAR(8) PRIMARY KEY, state VARCHAR(8) NOT NULL, "
                           "pseudonym VARCHAR(32), chat_id BIGINT, language VARCHAR(8), region VARCHAR(8), "
                           "needs TEXT, urgent BOOLEAN NOT NULL, summary TEXT, created_at FLOAT NOT NULL, "
                           "taken_at FLOAT, advocate_id BIGINT, topic_id BIGINT, card_id BIGINT, "
                           "fallback_sent BOOLEAN NOT NULL, leaving_message BOOLEAN NOT NULL)"))
    return engine


async def test_a_store_from_before_a_new_column_gets_it(tmp_path, clock):
    engine = a_store_of_the_first_version(tmp_path)
    migrate(engine, SEALER)
    old = Cases(engine, SEALER, clock=clock)
    case = await old.open("p1", 11, replace(REQUEST, safe_to_talk=True))
    assert case.safe_to_talk is True
    engine.dispose()


async def test_a_store_that_held_raw_chat_ids_is_sealed_and_keeps_its_pending_copies(tmp_path, clock):
    engine = a_store_of_the_first_version(tmp_path)
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO cases VALUES ('K7F2', 'active', 'p1', 987654321, 'es', 'US', '[]', 0, "
                           "NULL, 1.0, 2.0, 501, 77, 78, 0, 0)"))
        db.execute(sa.text("CREATE TABLE outbox (id INTEGER PRIMARY KEY, alias VARCHAR(8) NOT NULL, "
                           "direction VARCHAR(12) NOT NULL, source_chat_id BIGINT NOT NULL, "
                           "source_message_id BIGINT NOT NULL, reply_to BIGINT, sent BOOLEAN NOT NULL)"))
        db.execute(sa.text("INSERT INTO outbox VALUES (1, 'K7F2', 'to_group', 987654321, 40, NULL, 0)"))
    migrate(engine, SEALER)
    upgraded = Cases(engine, SEALER, clock=clock)
    assert (await upgraded.get("K7F2")).chat_id == 987654321
    assert [(d.alias, d.source_message_id) for d in await upgraded.pending_of("K7F2")] == [("K7F2", 40)]
    with engine.connect() as db:
        assert "chat_id" not in {c["name"] for c in sa.inspect(engine).get_columns("cases")}
        assert "source_chat_id" not in {c["name"] for c in sa.inspect(engine).get_columns("outbox")}
    engine.dispose()


async def test_a_case_one_replica_opens_or_closes_is_known_to_another_at_once(cases, clock):
    """Nothing in a bot's memory says who has a case: another replica on the same store
    sees it opened and closed without a restart."""
    other = Cases(cases._engine, SEALER, clock=clock)
    assert await other.open_case_of("p1") is None
    case = await cases.open("p1", 11, REQUEST)
    assert (await other.open_case_of("p1")).alias == case.alias
    await other.close(case.alias)
    assert await cases.open_case_of("p1") is None
