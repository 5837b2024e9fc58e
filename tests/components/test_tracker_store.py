"""Rasa's tracker store erases a conversation on request and purges by age."""

import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.tracker_store import ErasingSQLTrackerStore
from testkit.clock import Clock

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  erase_conversation: {type: bool, mappings: [{type: custom}]}
""")


def rows(db):
    with sqlite3.connect(db) as connection:
        return connection.execute("select sender_id, timestamp from events").fetchall()


@pytest.fixture
def store(tmp_path):
    return ErasingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"),
                                  retention_hours=1, clock=Clock(2_000_000_000.0))


def tracker(sender, timestamp, *extra, text="hello"):
    events = [UserUttered(text, timestamp=timestamp), *extra]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


async def test_erase_slot_deletes_every_event_of_that_sender(store, tmp_path):
    now = store.clock()
    await store.save(tracker("a", now))
    await store.save(tracker("b", now))
    await store.save(tracker("a", now, SlotSet("erase_conversation", True)))
    assert {sender for sender, _ in rows(tmp_path / "t.db")} == {"b"}


async def test_events_older_than_retention_are_purged_while_saving_as_the_clock_moves(store, tmp_path):
    await store.save(tracker("old", store.clock() - 2 * 3600))
    await store.save(tracker("new", store.clock()))
    assert {sender for sender, _ in rows(tmp_path / "t.db")} == {"new"}
    store.clock.now += 2 * 3600
    await store.save(tracker("later", store.clock()))
    assert {sender for sender, _ in rows(tmp_path / "t.db")} == {"later"}
    assert store.purge() == 0


async def test_erased_words_leave_no_trace_in_the_database_files(store, tmp_path):
    secret = "they keep my passport at the Riverside farm"
    await store.save(tracker("a", store.clock(), text=secret))
    await store.save(tracker("b", store.clock()))
    await store.save(tracker("a", store.clock(), SlotSet("erase_conversation", True), text=secret))
    files = list(tmp_path.glob("t.db*"))
    assert files and not any(secret.encode() in path.read_bytes() for path in files)
