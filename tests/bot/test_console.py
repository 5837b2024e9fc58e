"""The terminal chat, against the real assistant and against no assistant."""

import asyncio
import time

import pytest
from aiohttp import web

from bot import console
from bot.console import CLEAR_SCREEN, ConsoleChat
from bot.settings import load
from bot.texts import text
from bot.wiring import build
from harness import free_port
from telegram_harness import rasa_stand_in


@pytest.fixture
async def chat_with(tmp_path):
    """A terminal chat built as `python -m bot` builds it, against the Rasa at `url`."""
    bridges = []

    def make(url, language="en"):
        bridges.append(build(load({"RASA_URL": url, "RASA_TIMEOUT_SECONDS": "3"}, var=tmp_path / "var")))
        return ConsoleChat(bridges[-1].core, language)

    yield make
    for bridge in bridges:
        await bridge.close()


async def test_buttons_are_numbered_and_pressed_by_number(assistant, chat_with):
    chat = chat_with(assistant.url)
    lines = await chat.handle("hi")
    assert lines[-2:] == ["  [1] Yes, it's safe", "  [2] Not right now"]
    lines = await chat.handle("1")
    assert lines[0] == "What would you like to do? You decide."
    assert "  [3] Leave quickly" in lines


async def test_exit_clears_the_screen_and_starts_an_unrelated_conversation(assistant, chat_with):
    chat = chat_with(assistant.url, "es")
    await chat.handle("hola")
    before = chat.sender
    assert await chat.handle("/exit") == [CLEAR_SCREEN + text("left", "es")]
    assert chat.sender != before and before not in assistant.tracker_senders(), "and Rasa forgot it"


async def test_an_empty_line_sends_nothing(chat_with):
    chat = chat_with(f"http://127.0.0.1:{free_port()}")  # nothing listens there: a request would fail
    assert await chat.handle("   ") == []


async def test_rasa_down_gets_a_kind_answer_in_the_survivors_language(chat_with):
    chat = chat_with(f"http://127.0.0.1:{free_port()}", "es")
    line, leave = await chat.handle("hola")
    assert line == f"{text('unavailable', 'es')}\n{text('unavailable_anywhere', 'es')}", "no region set: asked, never assumed"
    assert leave == f"  [1] {text('leave_quickly', 'es')}", "quick exit works without Rasa"


async def test_the_terminal_chat_honours_rasa_timeout_seconds(tmp_path, monkeypatch):
    async def never_answers(request):
        await asyncio.sleep(30)
        return web.json_response([])

    rasa = await rasa_stand_in(never_answers)
    runner = rasa.runner
    bridge = build(load({"RASA_URL": rasa.url, "RASA_TIMEOUT_SECONDS": "0.5"}, var=tmp_path / "var"))
    typed = iter(["hola\n", ""])
    monkeypatch.setattr(console.sys, "stdin", type("Keyboard", (), {"readline": lambda self: next(typed)})())
    printed = []
    monkeypatch.setattr("builtins.print", lambda line: printed.append(line))
    try:
        started = time.monotonic()
        await console.main(bridge, "en")  # closes the bridge when the input ends
        assert time.monotonic() - started < 2, "0.5 s, not the client's 10 s default"
        assert printed[1].startswith("> " + text("unavailable", "en"))
    finally:
        await runner.cleanup()
