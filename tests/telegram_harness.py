"""The real bot started against the fake Telegram Bot API, for end-to-end tests."""

import asyncio
import os
import time
from contextlib import asynccontextmanager

from aiohttp import web

from bot.pseudonym import pseudonym
from bot.settings import load
from bot.telegram.app import TelegramBridge
from bot.telegram.webhook import open_webhook
from bot.texts import all_texts, text
from bot.wiring import build
from harness import free_port
from testkit.fake_telegram import FakeTelegram, Person

KEY = "k" * 40
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ADVOCATES = -100123


class Running:
    """A started bot with its fake Telegram, for one test."""

    def __init__(self, fake, bridge, application, settings):
        self.fake, self.bridge, self.application, self.settings = fake, bridge, application, settings

    def pseudonym(self, person):
        return pseudonym(self.settings.pseudonym_key, "telegram", person.id)

    async def reply_to(self, person, text=None, count=1, **extra):
        """Send as `person` and wait for `count` new bot messages in their chat."""
        before = len(self.fake.calls("sendMessage"))
        self.fake.say(person, text, **extra)
        await self.fake.wait_for(lambda: len([c for c in self.fake.calls("sendMessage")[before:]
                                              if int(c["chat_id"]) == person.id]) >= count)
        return [c for c in self.fake.calls("sendMessage")[before:] if int(c["chat_id"]) == person.id]

    async def press(self, person, message, data, count=1):
        before = len(self.fake.calls("sendMessage"))
        self.fake.press(person, message, data)
        await self.fake.wait_for(lambda: len(self.fake.calls("sendMessage")[before:]) >= count)
        return self.fake.calls("sendMessage")[before:]

    async def buttons_offering(self, person, payload):
        """Wait until the bot's latest keyboard for `person` offers `payload`; that message."""
        def offering():
            keyboards = [m for m in self.fake.bot_messages(person.id) if m.get("reply_markup")]
            last = keyboards[-1] if keyboards else None
            datas = [b["callback_data"] for row in last["reply_markup"]["inline_keyboard"] for b in row] if last else []
            return last if payload in datas else None
        return await self.fake.wait_for(offering)

    def last_with_buttons(self, person):
        return [m for m in self.fake.bot_messages(person.id) if m.get("reply_markup")][-1]


async def eventually(condition, seconds: float = 3.0):
    """Wait for an awaitable condition that no Bot API request signals (a store write)."""
    deadline = time.monotonic() + seconds
    while not (result := await condition()):
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)
    return result


async def start_bot(tmp_path, rasa_url, polling=True, fake=None, **env):
    """A bot on `fake` (a new fake Telegram unless given: a restart keeps the old one), set up by an
    operator whose survivors are in the US (DEFAULT_REGION=US unless `env` says otherwise)."""
    if fake is None:
        fake = FakeTelegram()
        await fake.start()
    base = f"http://127.0.0.1:{fake.port}/bot"
    settings = load({"TELEGRAM_BOT_TOKEN": fake.token, "ADVOCATE_CHAT_ID": str(ADVOCATES),
                     "TELEGRAM_API_BASE_URL": base, "RASA_URL": rasa_url, "PSEUDONYM_KEY": KEY,
                     "STORE_URL": f"sqlite:///{tmp_path}/var/bot.sqlite3", "DEFAULT_REGION": "US",
                     "METRICS_LISTEN": f"127.0.0.1:{free_port()}", **env}, var=tmp_path / "var")
    bridge = TelegramBridge(build(settings))
    application = bridge.build()
    await application.initialize()
    await bridge.on_start(application)
    await application.start()
    if polling:
        await application.updater.start_polling(poll_interval=0, timeout=1)
    return Running(fake, bridge, application, settings)


@asynccontextmanager
async def webhook_replicas(tmp_path, rasa_url, fake, count=2, path="telegram", **env):
    """`count` bots in webhook mode on `fake`, sharing `env` (the store): (replicas, their ports)."""
    replicas, hooks, ports = [], [], []
    try:
        for number in range(count):
            ports.append(free_port())
            replica = await start_bot(tmp_path / f"replica{number}", rasa_url, polling=False, fake=fake,
                                      WEBHOOK_PORT=str(ports[-1]), **env)
            replicas.append(replica)
            hooks.append(await open_webhook(replica.application, replica.bridge.store, replica.settings, path))
        yield replicas, ports
    finally:
        for hook in hooks:
            await hook.stop()
        for replica in replicas:
            await stop_bot(replica, keep_fake=True)


async def stop_bot(running, keep_fake=False):
    if running.application.updater.running:
        await running.application.updater.stop()
    await running.application.stop()
    await running.bridge.on_stop(running.application)  # closes the Rasa client and the store
    await running.application.shutdown()
    if not keep_fake:
        await running.fake.stop()


def person(language="es"):
    return Person(id=int(time.monotonic_ns() % 10**9) + 10**9, first_name="Rosa",
                  username=f"rosa_{time.monotonic_ns()}", language_code=language)


class RasaStandIn:
    def __init__(self, runner, url):
        self.runner, self.url = runner, url


async def rasa_stand_in(handler):
    """A stand-in for Rasa's REST channel answering with `handler`."""
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", handler)
    app.router.add_get("/", lambda _request: web.json_response({"status": "ok"}))  # Rasa's health page
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return RasaStandIn(runner, f"http://127.0.0.1:{port}")


# --- the handoff, as survivors and advocates live it -----------------------------
ANA = Person(id=501, first_name="Ana", username="ana_advocate")
LUIS = Person(id=502, first_name="Luis", username="luis_advocate")
STRANGER = Person(id=999, first_name="Mallory", username="not_in_the_group")
PHOTO = {"photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 10, "height": 10}]}


def group_messages(bot, topic=None):
    """What the advocates' group holds, in `topic` (None: the general topic)."""
    return [m for _, m in sorted(bot.fake.chats.get(ADVOCATES, {}).items())
            if m.get("message_thread_id") == topic]


NEED = '/inform_need{"need": "legal"}'
HANDOFF_NEWS = tuple(text("handoff_waiting", language)["other"].split("{")[0]  # what the bot says after Rasa's words
                     for language in all_texts()) + tuple(text(key, language).split("\n")[0].split("{")[0]
                                                           for key in ("handoff_no_one_yet", "handoff_closed_hours")
                                                           for language in all_texts())


async def ask_for_a_person(bot, survivor, story, request, urgent=False):
    """The survivor tells a little, asks for a person, answers the questions; returns the card."""
    await bot.reply_to(survivor, story, count=2 if urgent else 1)
    bot.fake.say(survivor, request)
    if not urgent:  # after a crisis the needs question is left out
        await bot.press(survivor, await bot.buttons_offering(survivor, NEED), NEED)
    await bot.press(survivor, await bot.buttons_offering(survivor, "/affirm"), "/affirm")
    await bot.fake.wait_for(lambda: bot.fake.bot_messages(survivor.id)[-1]["text"].startswith(HANDOFF_NEWS))
    case = await bot.bridge.cases.open_case_of(bot.pseudonym(survivor))
    return bot.fake.chats[case.group_id or ADVOCATES][case.card_id]


async def a_live_case(bot, survivor=None, story="they took my passport", advocate=ANA):
    """An English-speaking survivor whose case `advocate` has taken: (survivor, card, topic id)."""
    bot.fake.members.update({advocate.id})
    survivor = survivor or person("en")
    card = await ask_for_a_person(bot, survivor, story, "i want to talk to a person")
    before = set(bot.fake.topics)
    await take(bot, advocate, card)
    [topic] = set(bot.fake.topics) - before
    return survivor, card, topic


def alias_of(card):
    return card["text"].split("Case ")[1][:4]


async def take(bot, advocate, card, data=None):
    """`advocate` presses Take on `card`; the answer they see."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press(advocate, card, data or card["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await bot.fake.wait_for(lambda: len(bot.fake.calls("answerCallbackQuery")) > before)
    return bot.fake.calls("answerCallbackQuery")[before]["text"]
