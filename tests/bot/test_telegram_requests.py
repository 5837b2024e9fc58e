"""The bot's HTTP requests to the Bot API (aiohttp under python-telegram-bot): what Telegram
answers becomes PTB's objects and exceptions, errors are counted by method and code, and
no error message carries the URL, which holds the token."""

import asyncio

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.metrics import REGISTRY
from bot.telegram.requests import AiohttpRequest
from testkit.fake_telegram import FakeTelegram

TOKEN = "123456:SECRET-token"


class TinyTelegram:
    """A Bot API that answers as told: slow, refusing, or recording what it was sent."""

    def __init__(self, answer):
        self.answer = answer
        self.received = []

    async def __aenter__(self):
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.handle)
        self.runner = web.AppRunner(app, handler_cancellation=True)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/bot"

    async def __aexit__(self, *_):
        await self.runner.cleanup()

    async def handle(self, request):
        if request.match_info["method"] == "getMe":  # the bot asks who it is as it starts
            return web.json_response({"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Safe Harbor",
                                                             "username": "safe_harbor_bot"}})
        self.received.append((request.content_type, await request.post()))
        return await self.answer()


def errors_counted(code):
    return REGISTRY.get_sample_value("safe_harbor_telegram_errors_total", {"method": "sendMessage", "code": code}) or 0


def bot(base_url, **timeouts):
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(connection_pool_size=4, **timeouts))


async def test_a_message_sent_comes_back_as_the_message_telegram_made():
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    try:
        async with bot(f"http://127.0.0.1:{fake.port}/bot") as sender:
            message = await sender.send_message(42, "hello", reply_markup={"inline_keyboard": [
                [{"text": "Leave quickly", "callback_data": "/quick_exit"}]]})
        assert message.chat_id == 42 and message.text == "hello"
        assert fake.bot_messages(42)[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/quick_exit"
    finally:
        await fake.stop()


async def test_telegram_refusing_is_bad_request_and_counted_by_method_and_code():
    async def refuse():
        return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
                                 status=400)

    before = errors_counted("400")
    async with TinyTelegram(refuse) as url, bot(url) as sender:
        with pytest.raises(BadRequest, match="Chat not found"):
            await sender.send_message(42, "hello")
    assert errors_counted("400") == before + 1


async def test_an_answer_slower_than_the_read_timeout_is_timed_out():
    async def slow():
        await asyncio.sleep(5)
        return web.json_response({"ok": True, "result": True})

    async with TinyTelegram(slow) as url, bot(url, read_timeout=0.3) as sender:
        with pytest.raises(TimedOut):
            await sender.send_chat_action(42, "typing")


async def test_telegram_unreachable_is_a_network_error_that_does_not_name_the_url():
    async with TinyTelegram(None) as url:
        pass  # the port is closed again: nothing listens there
    with pytest.raises(NetworkError) as raised:
        async with bot(url):  # starting, the bot asks Telegram who it is
            pass
    assert "SECRET" not in str(raised.value) and "127.0.0.1" not in str(raised.value)


async def test_a_file_goes_as_multipart_with_the_other_fields():
    async def ok():
        return web.json_response({"ok": True, "result": {
            "message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"},
            "document": {"file_id": "f", "file_unique_id": "u"}}})

    telegram = TinyTelegram(ok)
    async with telegram as url, bot(url) as sender:
        await sender.send_document(42, b"just bytes", filename="note.txt", caption="a note")
    content_type, form = telegram.received[0]
    assert content_type == "multipart/form-data"
    assert form["caption"] == "a note" and form["document"].file.read() == b"just bytes"
