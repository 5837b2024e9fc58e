"""The terminal chat, against the real assistant and against no assistant."""

from bot.console import CLEAR_SCREEN, ConsoleChat
from bot.core import Core
from bot.rasa_client import RasaClient
from harness import free_port


async def chat_with(url, language="en"):
    return ConsoleChat(Core(RasaClient(url, timeout=3), "US"), language)


async def test_buttons_are_numbered_and_pressed_by_number(assistant):
    chat = await chat_with(assistant.url)
    try:
        lines = await chat.handle("hi")
        assert lines[-2:] == ["  [1] Yes, it's safe", "  [2] Not right now"]
        lines = await chat.handle("1")
        assert lines[0] == "What would you like to do? You decide."
        assert "  [3] Leave quickly" in lines
    finally:
        await chat.core.rasa.close()


async def test_exit_clears_the_screen_and_starts_an_unrelated_conversation(assistant):
    chat = await chat_with(assistant.url, "es")
    try:
        await chat.handle("hola")
        before = chat.sender
        lines = await chat.handle("/exit")
        assert lines == [CLEAR_SCREEN + "¡Que tengas un buen día!"]
        assert chat.sender != before
    finally:
        await chat.core.rasa.close()


async def test_an_empty_line_sends_nothing(assistant):
    chat = await chat_with(assistant.url)
    assert await chat.handle("   ") == []
    await chat.core.rasa.close()


async def test_rasa_down_gets_a_kind_answer_in_the_survivors_language():
    chat = await chat_with(f"http://127.0.0.1:{free_port()}", "es")
    try:
        [line] = await chat.handle("hola")
        assert line.startswith("Perdón, ahora no puedo responder.")
        assert "National Human Trafficking Hotline: Llama al 1-888-373-7888" in line
    finally:
        await chat.core.rasa.close()
