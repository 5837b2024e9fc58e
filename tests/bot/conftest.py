"""Fixtures for the bridge's end-to-end tests: a started bot per test."""

import pytest
import sqlalchemy as sa

from bot.schema import target_metadata
from bot.store import Store
from harness import free_port
from telegram_harness import start_bot, stop_bot
from testkit.handoffs import ANA, LUIS, make_handoffs
from testkit.messenger import FakeMessenger


@pytest.fixture
def store(tmp_path, clock):
    """The bot store on SQLite, with the hand-moved clock (unit tests of the handoff)."""
    store = Store(f"sqlite:///{tmp_path}/bot.sqlite3", clock=clock)
    yield store
    store.close()


@pytest.fixture
def messenger():
    return FakeMessenger(members={ANA, LUIS})


@pytest.fixture
def handoffs(store, messenger, clock):
    """Handoffs built as the bot builds them, on the fake messenger."""
    return make_handoffs(store, messenger, clock)


@pytest.fixture
async def bot(assistant, tmp_path):
    running = await start_bot(tmp_path, assistant.url, ACTION_HEALTH_URL=assistant.action_health_url)
    yield running
    await stop_bot(running)


@pytest.fixture
async def bot_without_rasa(tmp_path):
    running = await start_bot(tmp_path, f"http://127.0.0.1:{free_port()}")
    yield running
    await stop_bot(running)




@pytest.fixture
def postgres(postgres_server):
    """An empty PostgreSQL bot store, where a server is reachable; a clear skip where not."""
    engine = sa.create_engine(postgres_server)
    empty(engine)
    yield postgres_server
    empty(engine)
    engine.dispose()


def empty(engine: sa.engine.Engine) -> None:
    """No bot table and no migration record left (a test starts from an empty database)."""
    for tables in target_metadata():
        tables.drop_all(engine)
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The bot store's database: SQLite always, PostgreSQL where a server is reachable."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/bot.sqlite3"
    return request.getfixturevalue("postgres")
