"""Alerts to the advocates' group: what fires them, the one line of what to do, and no flood.

Unit tests run the platform-free `Alerts` on real cases (SQLite) with a fake messenger
and a hand-moved clock; two end-to-end tests use the running bot on the fake Bot API.
"""

import pytest

from bot.alerts import Alerts
from bot.telegram.pacing import Pacing
from bot.texts import text
from telegram_harness import ADVOCATES, ask_for_a_person, group_messages, person, rasa_stand_in, start_bot, stop_bot
from testkit.handoffs import ANA, GROUP, ROSA, ROSA_CHAT, SAM, SAM_CHAT, STORY


class Reachable:
    def __init__(self):
        self.up = True

    async def __call__(self):
        return self.up


@pytest.fixture
def rasa():
    return Reachable()


@pytest.fixture
def alerts(handoffs, messenger, clock, rasa):
    return Alerts(handoffs.cases, messenger, [GROUP], "en", wait_minutes=10, rasa_reachable=rasa, clock=clock,
                  repeat_minutes=30, rasa_down_seconds=60, backlog_at=3)


def alerts_in(messenger, kind):
    start = text(f"alert_{kind}", "en").split("{")[0]
    return [m for m in messenger.sent if m.chat_id == GROUP and m.text.startswith(start)]


async def test_a_survivor_waiting_past_the_wait_alerts_the_group_with_what_to_do(handoffs, alerts, messenger, clock):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    clock.now += 10 * 60 - 1
    await alerts.check()
    assert not alerts_in(messenger, "waiting"), "not before the wait is over"
    clock.now += 1
    await handoffs.request(SAM, SAM_CHAT, STORY)  # just arrived: not counted
    await alerts.check()
    [alert] = alerts_in(messenger, "waiting")
    assert alert.notify and "(1 waiting that long)" in alert.text and "What to do:" in alert.text
    assert "Rosa" not in alert.text and ROSA not in alert.text


async def test_an_alert_is_not_repeated_within_the_repeat_time(handoffs, alerts, messenger, clock):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    clock.now += 10 * 60
    for _ in range(5):
        await alerts.check()
        clock.now += 60
    assert len(alerts_in(messenger, "waiting")) == 1
    clock.now += 30 * 60
    await alerts.check()
    assert len(alerts_in(messenger, "waiting")) == 2, "still waiting half an hour later: said again"


async def test_replicas_sharing_the_store_post_an_alert_once_between_them(handoffs, messenger, clock, rasa):
    replicas = [Alerts(handoffs.cases, messenger, [GROUP], "en", wait_minutes=10, rasa_reachable=rasa, clock=clock,
                       repeat_minutes=30) for _ in range(3)]
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    clock.now += 10 * 60
    for _ in range(3):
        for replica in replicas:
            await replica.check()
        clock.now += 60
    assert len(alerts_in(messenger, "waiting")) == 1


async def test_an_alert_telegram_did_not_take_is_tried_again_at_the_next_check(handoffs, alerts, messenger, clock):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    clock.now += 10 * 60
    messenger.down = True
    await alerts.check()
    messenger.down = False
    clock.now += 30
    await alerts.check()
    assert len(alerts_in(messenger, "waiting")) == 1, "not lost to the failed send, and not held back by it"


async def test_a_case_taken_in_time_alerts_nobody(handoffs, alerts, messenger, clock):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    await handoffs.take((await handoffs.cases.open_case_of(ROSA)).alias, ANA)
    clock.now += 60 * 60
    await alerts.check()
    assert not alerts_in(messenger, "waiting")


async def test_rasa_unreachable_for_a_minute_alerts_once_and_recovery_resets(alerts, messenger, clock, rasa):
    rasa.up = False
    await alerts.check()
    clock.now += 59
    await alerts.check()
    assert not alerts_in(messenger, "rasa_down"), "a blip under a minute is not an alert"
    clock.now += 1
    await alerts.check()
    await alerts.check()
    assert len(alerts_in(messenger, "rasa_down")) == 1
    rasa.up = True
    await alerts.check()
    assert alerts.rasa_down_since is None


async def test_copies_held_back_by_failures_alert_the_group(handoffs, alerts, messenger, clock):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    await handoffs.take((await handoffs.cases.open_case_of(ROSA)).alias, ANA)
    messenger.refuse_copies = 100
    for message_id in (11, 12):
        await handoffs.from_survivor(ROSA, message_id)
    await alerts.check()
    assert not alerts_in(messenger, "relay_backlog"), "two held back: under the threshold of three"
    await handoffs.from_survivor(ROSA, 13)
    await alerts.check()
    [alert] = alerts_in(messenger, "relay_backlog")
    assert alert.text.startswith("Alert: 3 messages")


async def test_a_group_budget_nearly_used_alerts_that_group(handoffs, messenger, clock, rasa):
    pacing = Pacing(per_chat_burst=0, overall_max_rate=30, group_max_rate=20)
    alerts = Alerts(handoffs.cases, messenger, [GROUP], "en", wait_minutes=10, rasa_reachable=rasa, clock=clock,
                    budget_low=pacing.budget_low)

    async def send():
        return True

    for sent in range(17):
        await alerts.check()
        assert not alerts_in(messenger, "group_budget"), f"not yet after {sent} messages"
        await pacing.process_request(send, (), {}, "sendMessage", {"chat_id": GROUP}, None)
    await alerts.check()
    assert len(alerts_in(messenger, "group_budget")) == 1


async def test_a_check_that_fails_does_not_stop_the_others(handoffs, alerts, messenger, clock, rasa):
    async def broken():
        raise OSError("down")

    alerts.rasa_reachable = broken
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    clock.now += 10 * 60
    await alerts.check()
    assert alerts_in(messenger, "waiting")


# --- on the running bot ------------------------------------------------------------
async def test_the_group_is_alerted_when_no_advocate_takes_a_case_in_time(assistant, tmp_path):
    bot = await start_bot(tmp_path, assistant.url, HANDOFF_WAIT_MINUTES="0.02", ALERT_CHECK_SECONDS="0.2")
    try:
        await ask_for_a_person(bot, person("es"), "no me pagan", "quiero hablar con una persona")
        alert = text("alert_waiting", "en").split("{")[0]
        [found] = await bot.fake.wait_for(lambda: [m for m in group_messages(bot) if m["text"].startswith(alert)])
        assert found["disable_notification"] is False, "an alert is meant to be heard"
    finally:
        await stop_bot(bot)


async def test_the_group_is_alerted_when_rasa_stops(tmp_path):
    from aiohttp import web

    async def answer(_request):
        return web.json_response([{"text": "hello", "response": "utter_greet"}])

    rasa = await rasa_stand_in(answer)
    bot = await start_bot(tmp_path, rasa.url, RASA_DOWN_ALERT_SECONDS="0.5", ALERT_CHECK_SECONDS="0.2")
    try:
        await bot.reply_to(person("en"), "hello")
        await rasa.runner.cleanup()  # Rasa stops
        alert = text("alert_rasa_down", "en").split("{")[0]
        await bot.fake.wait_for(lambda: [m for m in group_messages(bot) if m["text"].startswith(alert)])
        assert bot.fake.chats[ADVOCATES], "posted in the advocates' group"
    finally:
        await stop_bot(bot)
