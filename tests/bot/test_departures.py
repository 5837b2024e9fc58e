"""Quick exits told to every bot replica (bot/departures.py), on PostgreSQL: a survivor's
message on one replica and their "Leave quickly" on another leave nothing in the chat."""

import asyncio
import secrets

import httpx
import sqlalchemy as sa
from aiohttp import web

from bot.departures import Departures
from bot.store import Store
from bot.texts import text
from telegram_harness import person, rasa_stand_in, webhook_replicas
from testkit.fake_telegram import FakeTelegram

WEBHOOK_PATH = "telegram"


async def test_a_replica_hears_the_departures_another_announces_and_not_its_own(postgres):
    engines = [sa.create_engine(postgres), sa.create_engine(postgres)]
    one, other = Departures(engines[0]), Departures(engines[1])
    heard = {"one": [], "other": []}
    one.subscribe(heard["one"].append)
    other.subscribe(heard["other"].append)
    try:
        await one.start()
        await other.start()
        await one.announce("pseudonym-a")
        for _ in range(100):
            if heard["other"]:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # time for a wrong echo to arrive, were there one
        assert heard == {"one": [], "other": ["pseudonym-a"]}
    finally:
        await one.stop()
        await other.stop()
        for engine in engines:
            engine.dispose()


async def test_a_quick_exit_on_one_replica_stops_a_turn_still_waiting_on_rasa_on_another(postgres, tmp_path):
    await exit_on_b_while_a_waits_on_rasa(postgres, tmp_path, a_hears=True)


async def test_a_turn_finishing_on_a_replica_that_has_not_heard_of_the_exit_takes_its_answer_back(postgres, tmp_path):
    """The announcement can come too late: the turn on a ends between b reading the chat's ids
    and a hearing. Here a never hears; the time b marked in the store is what a sees."""
    await exit_on_b_while_a_waits_on_rasa(postgres, tmp_path, a_hears=False)


async def exit_on_b_while_a_waits_on_rasa(postgres, tmp_path, a_hears: bool) -> None:
    asked = asyncio.Event()

    async def slow_rasa(request: web.Request) -> web.Response:
        asked.set()
        await asyncio.sleep(1.5)  # the survivor presses "Leave quickly" meanwhile
        return web.json_response([{"recipient_id": "x", "text": "an answer after they left"}])

    rasa, fake = await rasa_stand_in(slow_rasa), FakeTelegram()
    await fake.start()
    secret = secrets.token_urlsafe(32)
    shared = {"STORE_URL": postgres, "WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": secret,
              "CHAT_ID_KEY": "c" * 40, "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0"}
    try:
        async with webhook_replicas(tmp_path, rasa.url, fake, path=WEBHOOK_PATH, **shared) as (replicas, ports):
            if not a_hears:
                await replicas[0].bridge.departures.stop()
            await exit_on_b_while_a_waits(fake, ports, secret, asked)
    finally:
        await fake.stop()
        await rasa.runner.cleanup()


async def exit_on_b_while_a_waits(fake, ports, secret, asked) -> None:
    """The survivor writes; replica a asks Rasa; meanwhile they leave through replica b."""
    rosa = person("en")
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}

    def update(number: int, words: str) -> dict:
        return {"update_id": number, "message": fake.new_message(rosa.id, rosa.as_user(), text=words)}

    async with httpx.AsyncClient(timeout=30) as client:
        on_a = asyncio.create_task(client.post(f"http://127.0.0.1:{ports[0]}/{WEBHOOK_PATH}",
                                               json=update(601, "where can I sleep tonight"), headers=headers))
        await asyncio.wait_for(asked.wait(), 10)
        on_b = await client.post(f"http://127.0.0.1:{ports[1]}/{WEBHOOK_PATH}", json=update(602, "/exit"),
                                 headers=headers)
        assert on_b.status_code == 200
        assert (await on_a).status_code == 200
    await asyncio.sleep(0.3)
    assert fake.texts_in(rosa.id) == [text("left", "en")], \
        "nothing after the neutral line, and the message answered on the other replica is gone too"


def test_the_listeners_connection_probes_a_silent_peer_and_gives_up_within_a_minute(postgres):
    """A listener only waits to hear: with no keepalives a silent network cut would leave it
    deaf for ever, without an error. Its connection comes from the store's engine."""
    store = Store(postgres)
    raw = store.engine.raw_connection()
    try:
        parameters = raw.connection.get_dsn_parameters()
    finally:
        raw.close()
        store.engine.dispose()
    assert parameters["keepalives"] == "1"
    idle, interval, count = (int(parameters[k]) for k in ("keepalives_idle", "keepalives_interval", "keepalives_count"))
    assert idle + interval * count <= 60
