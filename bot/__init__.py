"""The bridge between people and the Rasa assistant: the terminal chat and the Telegram bot
(bot/telegram/), on one platform-free core. Built by `bot.wiring.build`."""
