"""The core, without any platform: commands, payloads and a Rasa that is away."""

import pytest

from bot.core import (
    Button,
    Core,
    Forget,
    HandoffRequest,
    HandoffRequested,
    QuickExit,
    Reply,
    language_from_code,
    steps_from,
)
from bot.rasa_client import RasaClient
from bot.texts import text
from harness import free_port
from knowledge.helplines import always_open_contact


def test_language_codes_become_two_letters():
    assert [language_from_code(c) for c in ("es-419", "EN", None, "pt-BR")] == ["es", "en", "en", "pt"]


def test_rasa_replies_become_steps_in_order():
    steps = steps_from([
        {"text": "hi", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"custom": {"handoff": {"language": "en"}}},
        {"custom": {"forget": True}},
        {"custom": {"quick_exit": True}},
    ])
    assert [type(s) for s in steps] == [Reply, HandoffRequested, Forget, QuickExit]
    assert steps[0].buttons[0].payload == "/affirm"


def test_a_handoff_payload_is_parsed_once_and_keeps_words_only_with_consent():
    payload = {"language": "es", "region": "US", "needs": ["legal"], "urgency": "high",
               "summary": "“no me pagan”", "consent_to_share": True}
    [step] = steps_from([{"custom": {"handoff": payload}}])
    assert step.request == HandoffRequest(language="es", region="US", needs=("legal",), urgent=True,
                                          summary="“no me pagan”")
    [private] = steps_from([{"custom": {"handoff": {**payload, "consent_to_share": False}}}])
    assert private.request.summary is None and not HandoffRequest.parse({"urgency": "normal"}).urgent
    assert HandoffRequest.parse({}) == HandoffRequest(language="en", region="", needs=(), urgent=False)


@pytest.fixture
async def core_without_rasa():
    core = Core(RasaClient(f"http://127.0.0.1:{free_port()}", timeout=1), "GB")
    yield core
    await core.rasa.close()


async def test_help_and_unknown_commands_need_no_rasa(core_without_rasa):
    [help_reply] = await core_without_rasa.handle_text("p", "/help", "es")
    assert help_reply.text == text("help", "es")
    [unknown] = await core_without_rasa.handle_text("p", "/foo@safe_harbor_bot", "en")
    assert unknown.text == text("unknown_command", "en")


async def test_quick_exit_never_waits_for_rasa(core_without_rasa):
    assert await core_without_rasa.handle_text("p", "/exit", "en") == [QuickExit()]
    assert await core_without_rasa.press("p", "/quick_exit", "en") == [QuickExit()]


async def test_rasa_away_gets_the_operators_regions_number_without_a_name_and_a_way_out(core_without_rasa):
    [reply] = await core_without_rasa.handle_text("p", "hello", "en")
    number = text("unavailable_number", "en").format(contact=always_open_contact("GB", "en"))
    assert reply.text == f"{text('unavailable', 'en')}\n{number}", "the region passed in"
    assert number == "If you want to talk with someone now, day or night: Call 08000 121 700."
    assert reply.buttons == [Button(text("leave_quickly", "en"), "/quick_exit")], "quick exit works without Rasa"


async def test_rasa_away_with_no_region_set_gets_general_advice_never_a_local_number():
    core = Core(RasaClient(f"http://127.0.0.1:{free_port()}", timeout=1), None)
    [reply] = await core.handle_text("p", "hola", "es")
    assert reply.text == f"{text('unavailable', 'es')}\n{text('unavailable_anywhere', 'es')}"
    await core.rasa.close()


async def test_blank_messages_do_nothing(core_without_rasa):
    assert await core_without_rasa.handle_text("p", "   ", "en") == []
