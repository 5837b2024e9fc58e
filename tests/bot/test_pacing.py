"""Pacing: one private chat gets a short burst, then about a message a second; other chats
and deleting are never held back by it."""

import time

from bot.telegram.pacing import Pacing


async def timed(pacing, endpoint, chat_id, times):
    async def request():
        return True
    started = time.monotonic()
    for _ in range(times):
        await pacing.process_request(request, (), {}, endpoint, {"chat_id": chat_id}, None)
    return time.monotonic() - started


async def test_a_private_chat_gets_a_burst_then_one_message_a_second_and_others_are_not_held_back():
    pacing = Pacing(per_chat_burst=3, overall_max_rate=30, group_max_rate=20, max_retries=1)
    await pacing.initialize()
    assert await timed(pacing, "sendMessage", 11, 3) < 0.2, "a reply in three parts goes at once"
    assert 0.7 < await timed(pacing, "sendMessage", 11, 1) < 1.5, "the fourth waits about a second"
    assert await timed(pacing, "sendMessage", 12, 3) < 0.2, "another chat is not held back"
    assert await timed(pacing, "deleteMessages", 11, 3) < 0.2, "quick exit's deleting never waits"


async def test_pacing_off_means_off():
    pacing = Pacing(per_chat_burst=0, overall_max_rate=0, group_max_rate=0, max_retries=1)
    await pacing.initialize()
    assert await timed(pacing, "sendMessage", 11, 10) < 0.2
