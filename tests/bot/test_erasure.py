"""Erasure as a specification: what is left of a survivor, and of their case in the
advocates' group, after they leave, after /end and after retention.

The erasure service with recording stand-ins for Telegram and Rasa, on SQLite
and PostgreSQL, and a hand-moved clock. End-to-end tests with the real bot on
the fake Bot API are in test_leaving.py.
"""

import pytest

from bot.store import Store
from bot.texts import text
from testkit.handoffs import ANA, GROUP, ROSA, ROSA_CHAT, STORY, make_handoffs
from testkit.messenger import FakeMessenger, FakeRasa


@pytest.fixture
def store(store_url, clock):
    store = Store(store_url, clock=clock)
    yield store
    store.close()


@pytest.fixture
def rasa():
    return FakeRasa()


@pytest.fixture
def messenger():
    return FakeMessenger(members={ANA})


@pytest.fixture
def handoffs(store, messenger, clock, rasa):
    return make_handoffs(store, messenger, clock, rasa=rasa)


async def live_case(handoffs, messenger):
    """Rosa asked, Ana took the case, and they exchanged a message; (alias, topic, card id)."""
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    case = await handoffs.cases.open_case_of(ROSA)
    await handoffs.take(case.alias, ANA)
    [topic] = messenger.topics
    await handoffs.from_survivor(ROSA, 40)
    return case.alias, topic, case.card_id


async def test_a_survivor_leaving_mid_case_takes_the_case_with_them_and_the_group_forgets_it(
        handoffs, messenger, rasa, store):
    alias, topic, card = await live_case(handoffs, messenger)
    await store.remember(ROSA, [40, 41])
    await handoffs.erasure.forget(ROSA, erase_rasa=True)
    assert await handoffs.cases.get(alias) is None and await handoffs.cases.open_case_of(ROSA) is None
    assert await store.message_ids(ROSA) == [], "the bot store forgot them at once"
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert topic not in messenger.topics, "the topic is deleted, with every message in it"
    assert messenger.edits[-1] == (GROUP, card, text("advocate_left", "en").format(alias=alias))
    assert STORY.summary not in messenger.edits[-1][2]
    assert rasa.erased == [ROSA]


async def test_a_message_left_for_the_team_leaves_no_copy_or_note_in_the_general_topic(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    await handoffs.choice(ROSA, "handoff:message")
    await handoffs.from_survivor(ROSA, 40)
    note = [s.message_id for s in messenger.to(GROUP) if s.text == text("advocate_message", "en")]
    assert note and [c for c in messenger.copies if c[2] == GROUP]
    await handoffs.erasure.forget(ROSA, erase_rasa=False)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    deleted = {message_id for _, message_id in messenger.deleted}
    assert set(note) <= deleted and len(deleted) == 2, "the note and the copy"


async def test_the_group_being_down_holds_back_nothing_and_is_retried_until_done(handoffs, messenger, store, rasa):
    alias, topic, _ = await live_case(handoffs, messenger)
    messenger.down = True
    await handoffs.erasure.forget(ROSA, erase_rasa=True)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert await handoffs.cases.get(alias) is None and rasa.erased == [ROSA], "Rasa did not wait for the group"
    assert topic in messenger.topics
    messenger.down = False
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert topic not in messenger.topics
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert rasa.erased == [ROSA], "done once, not again"


async def test_rasa_down_is_retried_and_the_group_is_not_asked_twice(handoffs, messenger, rasa):
    _, topic, card = await live_case(handoffs, messenger)
    rasa.down = True
    await handoffs.erasure.forget(ROSA, erase_rasa=True)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert topic not in messenger.topics and rasa.erased == []
    edits = len(messenger.edits)
    rasa.down = False
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert rasa.erased == [ROSA] and len(messenger.edits) == edits


async def test_leaving_without_a_case_still_erases_rasa_in_the_background(handoffs, rasa):
    await handoffs.erasure.forget(ROSA, erase_rasa=True)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert rasa.erased == [ROSA]


async def test_an_ended_case_keeps_its_topic_for_the_team_until_retention_then_the_group_forgets_it(
        handoffs, messenger, clock):
    alias, topic, card = await live_case(handoffs, messenger)
    await handoffs.end(GROUP, topic, ANA)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert topic in messenger.topics and topic in messenger.closed
    clock.now += 71 * 3600
    await handoffs.erasure.purge(retention_hours=72)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert topic in messenger.topics
    clock.now += 2 * 3600
    await handoffs.erasure.purge(retention_hours=72)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert topic not in messenger.topics and (GROUP, card) in messenger.deleted
    assert await handoffs.cases.get(alias) is None


async def test_forget_after_an_advocate_ended_the_case_still_takes_its_topic_back(handoffs, messenger):
    alias, topic, card = await live_case(handoffs, messenger)
    await handoffs.end(GROUP, topic, ANA)
    await handoffs.erasure.forget(ROSA, erase_rasa=False)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert topic not in messenger.topics and await handoffs.cases.get(alias) is None
    assert messenger.edits[-1] == (GROUP, card, text("advocate_left", "en").format(alias=alias))


async def test_a_card_telegram_no_longer_lets_the_bot_delete_is_edited_down_to_its_alias(handoffs, messenger, clock):
    alias, topic, card = await live_case(handoffs, messenger)
    await handoffs.end(GROUP, topic, ANA)
    messenger.too_old.add(card)
    clock.now += 73 * 3600
    await handoffs.erasure.purge(retention_hours=72)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert messenger.edits[-1] == (GROUP, card, text("advocate_case_closed", "en").format(alias=alias))


async def test_an_open_case_silent_for_the_retention_period_expires_and_the_survivor_is_told_kindly(
        handoffs, messenger, clock, store):
    alias, topic, card = await live_case(handoffs, messenger)
    clock.now += 73 * 3600
    await handoffs.erasure.purge(retention_hours=72)
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert messenger.to(ROSA_CHAT)[-1].text == text("handoff_expired", "es")
    assert await handoffs.cases.get(alias) is None and topic not in messenger.topics
    assert messenger.edits[-1] == (GROUP, card, text("advocate_expired", "en").format(alias=alias))


async def test_a_case_still_talking_does_not_expire(handoffs, messenger, clock):
    alias, topic, _ = await live_case(handoffs, messenger)
    clock.now += 70 * 3600
    await handoffs.from_advocate(GROUP, topic, 77, user_id=ANA)
    clock.now += 3 * 3600
    await handoffs.erasure.purge(retention_hours=72)
    assert (await handoffs.cases.get(alias)).state == "active"


async def test_a_queued_erasure_older_than_retention_is_dropped(handoffs, rasa, clock, store):
    rasa.down = True
    await handoffs.erasure.forget(ROSA, erase_rasa=True)
    await handoffs.erasure.settled()
    clock.now += 73 * 3600  # Rasa's own retention purge has removed the tracker by now
    await handoffs.erasure.purge(retention_hours=72)
    await handoffs.erasure.settled()
    rasa.down = False
    await handoffs.erasure.settled()
    await handoffs.erasure.work()
    assert rasa.erased == []
