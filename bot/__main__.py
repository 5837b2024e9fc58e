"""Start the bridge: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat."""

import asyncio
import os

from bot import logs
from bot.settings import load
from bot.wiring import build


def main() -> None:
    os.umask(0o077)  # whatever this process writes is readable by its owner only
    settings = load()  # a bad setting stops here with one line naming it
    logs.configure(settings.log_format)
    bridge = build(settings)
    if not settings.telegram_bot_token:
        from bot import console

        asyncio.run(console.main(bridge, console.locale_language()))
        return
    from bot.telegram import app as telegram  # only the Telegram mode needs python-telegram-bot

    telegram.run(bridge)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
