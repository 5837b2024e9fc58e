"""The handoff under ordinary faults, end to end: a poisoned message, a blocked bot, the wrong
author, something that identifies, a flood. The real bot, real Rasa, the fake Bot API."""

import asyncio
import statistics
import time

from bot.texts import text
from telegram_harness import (
    ADVOCATES,
    ANA,
    LUIS,
    a_live_case,
    alias_of,
    ask_for_a_person,
    eventually,
    group_messages,
    person,
    start_bot,
    stop_bot,
    take,
)
from testkit.fake_telegram import Person

CONTACT = {"contact": {"phone_number": "+15555550100", "first_name": "Someone"}}
LOCATION = {"location": {"latitude": 51.5, "longitude": -0.1}}
ANONYMOUS_ADMIN = Person(id=1087968824, first_name="Group", username="GroupAnonymousBot")


def copies_to(bot, chat_id):
    return [c for c in bot.fake.calls("copyMessage") if int(c["chat_id"]) == chat_id]


async def relayed_within(bot, survivor, words, topic) -> float:
    """Seconds from the survivor writing `words` to their copy in the case topic."""
    started = time.monotonic()
    bot.fake.say(survivor, words)
    await bot.fake.wait_for(lambda: words in [m.get("text") for m in group_messages(bot, topic)])
    return time.monotonic() - started


async def test_a_poisoned_message_in_one_case_does_not_delay_another_case(bot):
    rosa, _, rosa_topic = await a_live_case(bot)
    bot.fake.members.add(LUIS.id)
    sam, _, sam_topic = await a_live_case(bot, advocate=LUIS)
    for _ in range(4):  # Rosa's next copy meets a Telegram that does not answer, through every retry
        bot.fake.fail_next("copyMessage", 502, "Bad Gateway")
    bot.fake.say(rosa, "this one is stuck for now")
    await bot.fake.wait_for(lambda: len(bot.fake.calls("copyMessage")) >= 4)
    sam_seconds = await relayed_within(bot, sam, "sam's message goes ahead", sam_topic)
    assert sam_seconds < 1.0, f"Sam waited {sam_seconds:.2f}s behind Rosa's case"
    rosa_seconds = time.monotonic()
    await bot.bridge.handoff.relay.deliver()  # after its backoff, the background loop's pass
    await asyncio.sleep(1.1)
    await bot.bridge.handoff.relay.deliver()
    await bot.fake.wait_for(lambda: "this one is stuck for now" in [m.get("text") for m in group_messages(bot, rosa_topic)])
    assert time.monotonic() - rosa_seconds < 3, "Rosa's message goes once its backoff is over"


async def test_a_message_telegram_refuses_for_good_is_skipped_and_the_survivor_told(bot):
    rosa, _, topic = await a_live_case(bot)
    bot.fake.fail_next("copyMessage", 400, "Bad Request: message to copy not found")
    bot.fake.say(rosa, "this one was deleted before it could be copied")
    await bot.fake.wait_for(lambda: bot.fake.bot_messages(rosa.id)[-1]["text"] == text("relay_failed", "en"))
    assert await relayed_within(bot, rosa, "and the next one goes", topic) < 1.0


async def test_a_survivor_who_blocked_the_bot_has_their_case_closed(bot):
    rosa, card, topic = await a_live_case(bot)
    bot.fake.blocked.add(rosa.id)
    bot.fake.post(ANA, ADVOCATES, topic, "Are you still there?")
    await bot.fake.wait_for(lambda: bot.fake.topics[topic]["closed"])
    assert group_messages(bot, topic)[-1]["text"] == text("advocate_blocked", "en")
    assert await bot.bridge.cases.open_case_of(bot.pseudonym(rosa)) is None


async def test_a_non_owner_an_anonymous_admin_and_a_restricted_member_cannot_reach_the_survivor(bot):
    rosa, _, topic = await a_live_case(bot)
    bot.fake.members.add(LUIS.id)
    refusals = len(group_messages(bot, topic))
    bot.fake.post(LUIS, ADVOCATES, topic, "hi, I'm Luis")
    bot.fake.post(ANONYMOUS_ADMIN, ADVOCATES, topic, "posted as the group",
                  sender_chat={"id": ADVOCATES, "type": "supergroup", "title": "Advocates"})
    await bot.fake.wait_for(lambda: len(group_messages(bot, topic)) >= refusals + 4)
    answers = [m["text"] for m in group_messages(bot, topic) if m["from"]["id"] != LUIS.id][-2:]
    assert answers == [text("advocate_not_owner", "en"), text("advocate_not_yourself", "en")]
    bot.fake.post(LUIS, ADVOCATES, topic, "/end")
    await bot.fake.wait_for(lambda: group_messages(bot, topic)[-1]["text"] == text("advocate_not_owner", "en"))
    assert copies_to(bot, rosa.id) == [], "nothing reached the survivor"
    assert not bot.fake.topics[topic]["closed"]


async def test_a_restricted_member_cannot_take_a_case(bot):
    rita = Person(id=777, first_name="Rita")
    bot.fake.members.add(rita.id)
    bot.fake.restricted.add(rita.id)
    card = await ask_for_a_person(bot, person("en"), "they took my passport", "i want to talk to a person")
    assert await take(bot, rita, card) == text("advocate_not_member", "en")
    assert not bot.fake.topics, "no topic opened for them"


async def test_a_shared_contact_waits_for_the_survivors_yes_and_a_place_they_keep_never_goes(bot):
    rosa, _, topic = await a_live_case(bot)
    contact = bot.fake.say(rosa, None, **CONTACT)
    ask = await bot.buttons_offering(rosa, f"share:yes:{contact['message_id']}")
    assert ask["text"] == text("share_contact", "en") and copies_to(bot, ADVOCATES) == []
    await bot.press(rosa, ask, f"share:yes:{contact['message_id']}")
    await bot.fake.wait_for(lambda: [m for m in group_messages(bot, topic) if "contact" in m])
    place = bot.fake.say(rosa, None, **LOCATION)
    ask = await bot.buttons_offering(rosa, f"share:no:{place['message_id']}")
    await bot.press(rosa, ask, f"share:no:{place['message_id']}")
    await bot.fake.wait_for(lambda: bot.fake.bot_messages(rosa.id)[-1]["text"] == text("share_not_sent", "en"))
    assert not [m for m in group_messages(bot, topic) if "location" in m]


async def test_a_flood_from_one_chat_keeps_another_survivors_p95_under_a_second(bot):
    flooder, calm = person("en"), person("en")
    for number in range(500):
        bot.fake.say(flooder, f"spam {number}")
    seconds = []
    for number in range(20):  # a person writes about once a second at most (and is paced so: pacing.py)
        started = time.monotonic()
        await bot.reply_to(calm, "hi" if number == 0 else "what can you do?")
        seconds.append(time.monotonic() - started)
        await asyncio.sleep(max(0.0, 1.0 - seconds[-1]))
    p95 = statistics.quantiles(seconds, n=20)[-1]
    assert p95 < 1.0, f"p95 {p95:.2f}s with a flood next door"
    slow_down = [m for m in bot.fake.bot_messages(flooder.id) if m["text"] == text("slow_down", "en")]
    assert len(slow_down) == 1, "the flooder hears once why"

    async def all_kept():  # every message of theirs is still deletable by quick exit
        return len(await bot.bridge.store.message_ids(bot.pseudonym(flooder))) >= 500
    await eventually(all_kept, seconds=20)


async def test_a_service_message_in_a_private_chat_is_ignored(bot):
    rosa = person("en")
    bot.fake.say(rosa, None, message_auto_delete_timer_changed={"message_auto_delete_time": 86400})
    await asyncio.sleep(0.5)
    assert bot.fake.bot_messages(rosa.id) == []


async def test_with_three_groups_at_their_limits_new_cases_still_reach_an_advocate(assistant, tmp_path):
    groups = (-100201, -100202, -100203)
    bot = await start_bot(tmp_path, assistant.url, ADVOCATE_CHAT_IDS=",".join(map(str, groups)))
    try:
        for group in groups:  # each group has used this minute's 20 messages
            for _ in range(20):
                bot.bridge.handoff.groups.posted(group)
        bot.fake.members.add(ANA.id)
        landed = []
        joining = text("handoff_joined", "en").split("{who}")[1].split("{shared}")[0]
        for _ in groups:
            survivor = person("en")
            card = await ask_for_a_person(bot, survivor, "they took my passport", "i want to talk to a person")
            assert await take(bot, ANA, card) == text("advocate_you_have_it", "en").format(alias=alias_of(card))
            await bot.fake.wait_for(lambda who=survivor: joining in bot.fake.bot_messages(who.id)[-1]["text"])
            landed.append(card["chat"]["id"])
        assert sorted(landed) == sorted(groups), "spread over the groups, one case each, all taken"
    finally:
        await stop_bot(bot)
