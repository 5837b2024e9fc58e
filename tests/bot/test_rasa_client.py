"""The Rasa client keeps each conversation on one replica, and knows when Rasa really erased one."""

import socket
import struct

import pytest
from aiohttp import web

from bot.rasa_client import RasaClient, RasaUnavailable
from harness import free_port
from telegram_harness import rasa_stand_in


def test_one_rasa_gets_every_conversation():
    client = RasaClient("http://127.0.0.1:5005/")
    assert client.url_for("anyone") == "http://127.0.0.1:5005/webhooks/rest/webhook"


def test_replicas_share_conversations_and_each_conversation_sticks_to_one():
    client = RasaClient("http://a:5005, http://b:5005")
    chosen = {sender: client.url_for(sender) for sender in (f"pseudonym-{n}" for n in range(200))}
    assert all(client.url_for(sender) == url for sender, url in chosen.items()), "stable"
    share = sum(url.startswith("http://a") for url in chosen.values()) / len(chosen)
    assert 0.35 < share < 0.65, "roughly even"
    again = RasaClient("http://a:5005,http://b:5005")
    assert all(again.url_for(sender) == url for sender, url in chosen.items()), "same after a restart"


async def test_an_erasure_counts_only_when_rasa_confirms_it():
    """A 200 without the quick-exit payload means the erasing action did not run: try again."""
    answers = [[{"text": "Sorry, something went wrong on my side."}], [{"custom": {"quick_exit": True}}]]

    async def reply(request):
        return web.json_response(answers.pop(0))

    rasa = await rasa_stand_in(reply)
    client = RasaClient(rasa.url)
    try:
        with pytest.raises(RasaUnavailable):
            await client.erase("pseudonym-1")
        await client.erase("pseudonym-1")
    finally:
        await client.close()
        await rasa.runner.cleanup()


async def a_rasa_that_answers(name):
    async def reply(request):
        body = await request.json()
        return web.json_response([{"text": f"{name} answers {body['message']}"}])
    return await rasa_stand_in(reply)


async def test_a_replica_that_is_down_hands_its_conversations_to_the_next_one():
    alive = await a_rasa_that_answers("second")
    down = f"http://127.0.0.1:{free_port()}"
    client = RasaClient(f"{down},{alive.url}")
    try:
        sender = next(s for s in (f"pseudonym-{n}" for n in range(100)) if client.url_for(s).startswith(down))
        assert await client.send(sender, "hello") == [{"text": "second answers hello"}]
        assert await client.reachable(), "ready while one replica can answer"
    finally:
        await client.close()
        await alive.runner.cleanup()


async def test_a_replica_that_fails_after_receiving_is_not_asked_again_elsewhere():
    """An error or a timeout may come after Rasa handled the message: a second replica would
    answer it twice."""
    calls = []

    async def broken(request):
        calls.append("broken")
        return web.Response(status=500)

    first, second = await rasa_stand_in(broken), await a_rasa_that_answers("second")
    client = RasaClient(f"{first.url},{second.url}")
    try:
        sender = next(s for s in (f"pseudonym-{n}" for n in range(100)) if client.url_for(s).startswith(first.url))
        with pytest.raises(RasaUnavailable):
            await client.send(sender, "hello")
        assert calls == ["broken"]
    finally:
        await client.close()
        for rasa in (first, second):
            await rasa.runner.cleanup()


async def test_with_every_replica_down_rasa_is_unavailable_and_not_ready():
    client = RasaClient(f"http://127.0.0.1:{free_port()},http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(RasaUnavailable):
            await client.send("pseudonym-1", "hello")
        assert not await client.reachable()
    finally:
        await client.close()


@pytest.mark.parametrize("how", ["closed", "reset"])
async def test_a_replica_that_dies_mid_turn_hands_the_message_to_the_next_one(how):
    """The connection dropped (or reset, as a killed process's often is) without an answer: the
    replica is gone, and the survivor still gets one."""
    async def dies(request):
        if how == "reset":  # SO_LINGER 0: the close sends a TCP reset
            request.transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        request.transport.close()
        return web.Response()

    dead, alive = await rasa_stand_in(dies), await a_rasa_that_answers("second")
    client = RasaClient(f"{dead.url},{alive.url}")
    try:
        sender = next(s for s in (f"pseudonym-{n}" for n in range(100)) if client.url_for(s).startswith(dead.url))
        assert await client.send(sender, "hello") == [{"text": "second answers hello"}]
    finally:
        await client.close()
        for rasa in (dead, alive):
            await rasa.runner.cleanup()
