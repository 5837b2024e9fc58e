"""The real bot started against the fake Telegram Bot API, for end-to-end tests."""

import time

from bot.pseudonym import pseudonym
from bot.settings import load
from bot.telegram.app import TelegramBridge
from bot.wiring import build
from testkit.fake_telegram import FakeTelegram, Person

KEY = "k" * 40
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


async def start_bot(tmp_path, rasa_url, polling=True, fake=None, **env):
    """A bot on `fake` (a new fake Telegram unless given: a restart keeps the old one)."""
    if fake is None:
        fake = FakeTelegram()
        await fake.start()
    base = f"http://127.0.0.1:{fake.port}/bot"
    settings = load({"TELEGRAM_BOT_TOKEN": fake.token, "ADVOCATE_CHAT_ID": str(ADVOCATES),
                     "TELEGRAM_API_BASE_URL": base, "RASA_URL": rasa_url, "PSEUDONYM_KEY": KEY,
                     "STORE_URL": f"sqlite:///{tmp_path}/var/bot.sqlite3", **env}, var=tmp_path / "var")
    bridge = TelegramBridge(build(settings))
    application = bridge.build()
    await application.initialize()
    await bridge.on_start(application)
    await application.start()
    if polling:
        await application.updater.start_polling(poll_interval=0, timeout=1)
    return Running(fake, bridge, application, settings)


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
