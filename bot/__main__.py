"""Start the bridge: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat."""

import asyncio
import logging

from bot import console
from bot.core import Core
from bot.rasa_client import RasaClient
from bot.settings import load
from knowledge.resources import check_all_region_files


def main() -> None:
    settings = load()  # a bad setting stops here with one line naming it
    check_all_region_files(settings.default_region)  # and so does a bad resource file
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.telegram_bot_token:
        asyncio.run(console.main(settings.rasa_url, console.locale_language(), settings.default_region))
        return
    from bot import telegram_adapter  # only the Telegram mode needs python-telegram-bot
    from bot.store import Store

    core = Core(RasaClient(settings.rasa_url, timeout=settings.rasa_timeout), settings.default_region)
    telegram_adapter.run(settings, core, Store(settings.store_url))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
