"""Rasa's tracker store erases a conversation on request and purges by age, on SQLite
and on PostgreSQL, chosen by TRACKER_STORE_URL."""

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.tracker_store import ErasingSQLTrackerStore, database_options
from testkit.clock import Clock

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  erase_conversation: {type: bool, mappings: [{type: custom}]}
""")


def senders(store):
    with store.engine.connect() as connection:
        return {sender for (sender,) in connection.execute(sa.text("select sender_id from events"))}


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 't.db'}"
        return
    url = request.getfixturevalue("postgres_server")
    drop_events(url)
    yield url
    drop_events(url)


def drop_events(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()


@pytest.fixture
def store(tracker_store_url, monkeypatch):
    """Made as Rasa makes it from endpoints.yml (no database named there): the setting says where."""
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_store_url)
    made = ErasingSQLTrackerStore(domain=DOMAIN, host=None, retention_hours=1, clock=Clock(2_000_000_000.0))
    yield made
    made.engine.dispose()


def test_the_setting_chooses_the_database(store, tracker_store_url):
    assert store.engine.dialect.name == tracker_store_url.split(":")[0]


def tracker(sender, timestamp, *extra, text="hello"):
    events = [UserUttered(text, timestamp=timestamp), *extra]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


async def test_erase_slot_deletes_every_event_of_that_sender(store, tmp_path):
    now = store.clock()
    await store.save(tracker("a", now))
    await store.save(tracker("b", now))
    await store.save(tracker("a", now, SlotSet("erase_conversation", True)))
    assert senders(store) == {"b"}


async def test_events_older_than_retention_are_purged_while_saving_as_the_clock_moves(store, tmp_path):
    await store.save(tracker("old", store.clock() - 2 * 3600))
    await store.save(tracker("new", store.clock()))
    assert senders(store) == {"new"}
    store.clock.now += 2 * 3600
    await store.save(tracker("later", store.clock()))
    assert senders(store) == {"later"}
    assert store.purge() == 0


async def test_erased_words_leave_no_trace_in_the_database_files(store, tmp_path, tracker_store_url):
    if not tracker_store_url.startswith("sqlite"):
        pytest.skip("a file-level check: PostgreSQL's files are the server's (README: VACUUM)")
    secret = "they keep my passport at the Riverside farm"
    await store.save(tracker("a", store.clock(), text=secret))
    await store.save(tracker("b", store.clock()))
    await store.save(tracker("a", store.clock(), SlotSet("erase_conversation", True), text=secret))
    files = list(tmp_path.glob("t.db*"))
    assert files and not any(secret.encode() in path.read_bytes() for path in files)


def test_with_no_setting_conversations_are_kept_in_sqlite_under_var(monkeypatch):
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    assert database_options(None)["dialect"] == "sqlite"
    assert database_options(None)["db"].endswith("var/rasa-tracker.sqlite3")


def test_a_database_rasa_cannot_use_is_refused_with_the_settings_name():
    with pytest.raises(ValueError, match="TRACKER_STORE_URL"):
        database_options("mysql://rasa@db/rasa")
