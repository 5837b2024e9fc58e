"""The shared record of alerts sent: one claim per kind and group within the repeat time,
whichever replica asks; SQLite and PostgreSQL."""

import pytest

from bot.alert_record import SentAlerts
from bot.store import Store

GROUP, OTHER_GROUP = -1001, -1002


@pytest.fixture
def record(store_url, clock):
    store = Store(store_url)
    yield SentAlerts(store.engine, clock)
    store.close()


async def test_the_first_claim_wins_and_the_next_waits_for_the_repeat_time(record, clock):
    assert await record.claim("waiting", GROUP, 600) is not None
    clock.now += 599
    assert await record.claim("waiting", GROUP, 600) is None
    clock.now += 1
    assert await record.claim("waiting", GROUP, 600) is not None


async def test_kinds_and_groups_are_claimed_apart(record):
    assert await record.claim("waiting", GROUP, 600) is not None
    assert await record.claim("rasa_down", GROUP, 600) is not None
    assert await record.claim("waiting", OTHER_GROUP, 600) is not None


async def test_a_claim_given_back_can_be_made_again_at_once(record):
    claimed = await record.claim("waiting", GROUP, 600)
    await record.give_back("waiting", GROUP, claimed)
    assert await record.claim("waiting", GROUP, 600) is not None
