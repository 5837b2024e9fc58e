"""The daily counts in the bot store: added up per day, name and label; SQLite and PostgreSQL."""

from datetime import date

import pytest
import sqlalchemy as sa

from bot.metrics import Tallies
from bot.store import Store
from bot.tallies import DailyCounts


@pytest.fixture(params=["sqlite", "postgresql"])
def daily(request, tmp_path):
    url = request.getfixturevalue("postgres") if request.param == "postgresql" else f"sqlite:///{tmp_path}/bot.sqlite3"
    store = Store(url)
    yield DailyCounts(store.engine)
    store.close()


def test_counts_saved_twice_add_up(daily):
    daily.add({("2026-11-02", "conversations", "es"): 3})
    daily.add({("2026-11-02", "conversations", "es"): 4, ("2026-11-03", "conversations", "en"): 1})
    assert daily.between(date(2026, 11, 1), date(2026, 11, 30)) == {"conversations": {"es": 7, "en": 1}}
    assert daily.per_day("conversations", date(2026, 11, 1), date(2026, 11, 30)) == {"2026-11-02": 7, "2026-11-03": 1}


def test_a_period_leaves_out_the_days_around_it(daily):
    daily.add({("2026-10-31", "handoffs", ""): 5, ("2026-11-01", "handoffs", ""): 2, ("2026-12-01", "handoffs", ""): 9})
    assert daily.between(date(2026, 11, 1), date(2026, 11, 30)) == {"handoffs": {"": 2}}


async def test_what_the_bot_counted_reaches_the_store_once(daily, clock):
    tallies = Tallies(clock)
    tallies.add("forgets")
    await daily.save(tallies)
    await daily.save(tallies)  # nothing new: nothing added
    assert daily.between(date(1970, 1, 12), date(1970, 1, 12)) == {"forgets": {"": 1}}


async def test_counts_that_could_not_be_saved_are_kept_for_the_next_try(tmp_path, clock):
    store = Store(f"sqlite:///{tmp_path}/bot.sqlite3")
    daily, engine = DailyCounts(store.engine), store.engine
    tallies = Tallies(clock)
    tallies.add("quick_exits")
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE daily_counts"))
    with pytest.raises(sa.exc.OperationalError):
        await daily.save(tallies)
    assert tallies.take() == {("1970-01-12", "quick_exits", ""): 1}
