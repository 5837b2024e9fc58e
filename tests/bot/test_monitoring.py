"""The operator's endpoints on a running bot, with the real Rasa and action servers:
each health state, and metrics that move for a conversation without naming anyone."""

import shutil

import aiohttp
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.texts import all_texts
from harness import ROOT, free_port
from telegram_harness import ADVOCATES, ask_for_a_person, person, start_bot, stop_bot

WORDS = {"en": "i have pills saved and tonight i will take them all", "faq": "they say i owe them money for the trip"}


async def get(running, path):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://{running.settings.metrics_listen}{path}") as response:
            return response.status, (await response.json() if path != "/metrics" else await response.text())


async def test_ready_when_rasa_the_actions_the_store_and_telegram_answer(bot):
    assert await get(bot, "/healthz") == (200, {"alive": True})
    assert await get(bot, "/readyz") == (200, {"ready": True, "checks": {
        "rasa": True, "actions": True, "store": True, "telegram": True}})


@pytest.mark.parametrize("broken", ["rasa", "actions"])
async def test_not_ready_while_rasa_or_the_action_server_does_not_answer(assistant, tmp_path, broken):
    nowhere = f"http://127.0.0.1:{free_port()}"
    env = {"ACTION_HEALTH_URL": assistant.action_health_url}
    if broken == "actions":
        env["ACTION_HEALTH_URL"] = nowhere + "/health"
    running = await start_bot(tmp_path, nowhere if broken == "rasa" else assistant.url, **env)
    try:
        status, body = await get(running, "/readyz")
        assert status == 503 and body["ready"] is False
        assert {name for name, ok in body["checks"].items() if not ok} == {broken}
        assert (await get(running, "/healthz"))[0] == 200, "alive all the same"
    finally:
        await stop_bot(running)


async def test_not_ready_while_the_store_cannot_be_opened(assistant, tmp_path):
    running = await start_bot(tmp_path, assistant.url, ACTION_HEALTH_URL=assistant.action_health_url)
    try:
        running.bridge.store.engine.dispose()
        shutil.move(tmp_path / "var", tmp_path / "moved")  # the database's folder is gone
        status, body = await get(running, "/readyz")
        assert status == 503 and [name for name, ok in body["checks"].items() if not ok] == ["store"]
    finally:
        shutil.move(tmp_path / "moved", tmp_path / "var")
        await stop_bot(running)


async def test_not_ready_while_telegram_refuses_getme(assistant, tmp_path):
    running = await start_bot(tmp_path, assistant.url, ACTION_HEALTH_URL=assistant.action_health_url)
    try:
        running.fake.fail_next("getMe", 401, "Unauthorized")
        status, body = await get(running, "/readyz")
        assert status == 503 and [name for name, ok in body["checks"].items() if not ok] == ["telegram"]
        assert (await get(running, "/readyz"))[0] == 200, "ready again once Telegram answers"
    finally:
        await stop_bot(running)


def samples(body):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def faq_topics():
    """The FAQ topics the domain has answers for (`utter_faq/<topic>`)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return {name.split("/", 1)[1] for name in domain["responses"] if name.startswith("utter_faq/")}


def allowed_label_values():
    return {
        "language": set(all_texts()) | {"other"}, "outcome": set(metrics.OUTCOMES) | {"other"},
        "kind": set(metrics.SAFETY_KINDS) | {"other"} | {"waiting", "rasa_down", "relay_backlog", "group_budget"},
        "where": {"assistant", "live_case", "other"}, "topic": set(faq_topics()),
        "event": {"opened", "taken", "closed"}, "code": set(metrics.ERROR_CODES.values()) | {"other"},
        "le": None, "method": None,  # histogram bounds; Telegram method names (checked by shape)
    }


async def test_a_conversation_moves_the_counters_and_no_label_names_anyone(bot):
    status, before = await get(bot, "/metrics")
    rosa, sam = person("es"), person("en")
    await bot.reply_to(rosa, "hola")
    await bot.reply_to(sam, WORDS["faq"])
    await bot.reply_to(sam, WORDS["en"], count=2)
    await ask_for_a_person(bot, person("en"), "they never pay me", "i want to talk to a person")
    await bot.reply_to(rosa, "/exit")
    status, after = await get(bot, "/metrics")
    assert status == 200
    grew = {key for key, count in samples(after).items() if count > samples(before).get(key, 0)}
    for expected in [("safe_harbor_conversations_total", (("language", "es"),)),
                     ("safe_harbor_messages_total", (("language", "en"), ("outcome", "safety"))),
                     ("safe_harbor_messages_total", (("language", "en"), ("outcome", "handoff"))),
                     ("safe_harbor_safety_triggers_total", (("kind", "self_harm"), ("where", "assistant"))),
                     ("safe_harbor_faq_answers_total", (("topic", "debt"),)),
                     ("safe_harbor_cases_total", (("event", "opened"),)),
                     ("safe_harbor_quick_exits_total", ()),
                     ("safe_harbor_rasa_latency_seconds_count", ())]:
        assert expected in grew, f"{expected} did not move"
    assert samples(after)[("safe_harbor_handoff_queue_length", ())] >= 1
    allowed = allowed_label_values()
    for (name, labels), _ in samples(after).items():
        for label, value in labels:
            assert label in allowed, f"{name} has an unexpected label {label}"
            if allowed[label] is not None:
                assert value in allowed[label], f"{name}{{{label}={value!r}}} is not from a closed list"
            elif label == "method":
                assert value.isalpha() and len(value) <= 40, f"{name}{{method={value!r}}}"
    everyone = [str(p.id) for p in (rosa, sam)] + [bot.pseudonym(p) for p in (rosa, sam)] + [
        rosa.username, sam.username, "Rosa", str(ADVOCATES), bot.fake.token, "owe", "trip", "pills", "tonight", "hola"]
    assert not [who for who in everyone if who in after], "the scrape holds nothing that names anyone"
