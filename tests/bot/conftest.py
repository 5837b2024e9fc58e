"""Fixtures for the bridge's end-to-end tests: a started bot per test."""

import pytest

from harness import free_port
from telegram_harness import start_bot, stop_bot


@pytest.fixture
async def bot(assistant, tmp_path):
    running = await start_bot(tmp_path, assistant.url)
    yield running
    await stop_bot(running)


@pytest.fixture
async def bot_without_rasa(tmp_path):
    running = await start_bot(tmp_path, f"http://127.0.0.1:{free_port()}")
    yield running
    await stop_bot(running)
