"""The Rasa client keeps each conversation on one replica, and knows when Rasa really erased one."""

import pytest
from aiohttp import web

from bot.rasa_client import RasaClient, RasaUnavailable
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
