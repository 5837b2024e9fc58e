"""End to end: fake Telegram → the real bot → real Rasa + action server → fake Telegram."""

import asyncio
import logging
import sqlite3
import time
from datetime import datetime, timezone

import httpx
import pytest
from aiohttp import web
from telegram import Chat, Message, Update

from bot.telegram.app import WEBHOOK_PATH
from bot.telegram.messenger import split_text
from bot.telegram.order import PerChatOrder
from bot.telegram.webhook import open_webhook
from bot.texts import all_texts, text
from harness import free_port
from telegram_harness import ADVOCATES, eventually, person, rasa_stand_in, start_bot, stop_bot, webhook_replicas
from testkit.fake_telegram import BOT, FakeTelegram, Person


async def test_commands_are_in_the_menu_per_language(bot):
    assert [c["command"] for c in bot.fake.commands[None]] == ["start", "help", "language", "exit", "forget"]
    assert bot.fake.commands["es"][3] == {"command": "exit", "description": all_texts()["es"]["commands"]["exit"]}


async def test_a_spanish_conversation_with_buttons(bot):
    rosa = person("es")
    sent = await bot.reply_to(rosa, "/start", count=3)
    assert sent[0]["text"].startswith("Hola. Soy Safe Harbor")
    assert all(call.get("disable_notification") is True for call in sent), "silent by default"
    question = bot.last_with_buttons(rosa)
    titles = [row[0]["text"] for row in question["reply_markup"]["inline_keyboard"]]
    assert titles == ["Sí, es seguro", "Ahora no"]
    [choices] = await bot.press(rosa, question, "/affirm")
    assert choices["text"] == "¿Qué te gustaría hacer? Tú decides."
    assert "reply_markup" not in bot.fake.chats[rosa.id][question["message_id"]], "keyboard removed"
    answer = await bot.reply_to(rosa, "me quitaron el pasaporte")
    assert answer[0]["text"].startswith("Gracias por contármelo. Tu pasaporte")


async def test_the_bots_own_texts_follow_the_language_chosen_in_the_chat(bot):
    sam = person("en")  # an English phone
    await bot.reply_to(sam, "/language")
    changed = await bot.press(sam, bot.last_with_buttons(sam), '/change_language{"language": "es"}')
    assert changed[0]["text"].startswith("Claro.")
    [help_] = await bot.reply_to(sam, "/help")
    assert help_["text"] == text("help", "es"), "help follows the choice, not the phone"
    await bot.reply_to(sam, "/exit")
    await bot.fake.wait_for(lambda: [m["text"] for m in bot.fake.chats[sam.id].values()] == [text("left", "es")])
    async def forgotten():  # with the rest, once the store is erased (after the neutral line)
        return await bot.bridge.store.chosen_language(bot.pseudonym(sam)) is None
    await eventually(forgotten)


async def test_quick_exit_deletes_every_message_and_erases_the_conversation(bot, assistant):
    rosa = person("en")
    await bot.reply_to(rosa, "hi", count=3)
    await bot.reply_to(rosa, "my boss keeps my passport")
    assert bot.pseudonym(rosa) in assistant.tracker_senders()
    await bot.reply_to(rosa, "/exit")
    remaining = list(bot.fake.chats[rosa.id].values())
    assert [m["text"] for m in remaining] == [text("left", "en")], "only the neutral line is left"
    await bot.fake.wait_for(lambda: bot.pseudonym(rosa) not in assistant.tracker_senders())
    await eventually(lambda: no_ids(bot, rosa))


async def no_ids(bot, survivor):
    return await bot.bridge.store.message_ids(bot.pseudonym(survivor)) == []


async def test_the_leave_quickly_button_and_typed_words_work_too(bot):
    rosa = person("en")
    await bot.reply_to(rosa, "hi", count=3)
    await bot.press(rosa, bot.last_with_buttons(rosa), "/affirm")
    await bot.press(rosa, bot.last_with_buttons(rosa), "/quick_exit")
    await bot.fake.wait_for(lambda: [m["text"] for m in bot.fake.chats[rosa.id].values()] == [text("left", "en")])
    sam = person("en")
    await bot.reply_to(sam, "someone is coming hide this")
    assert [m["text"] for m in bot.fake.chats[sam.id].values()] == [text("left", "en")]


async def test_forget_erases_the_tracker_rows_and_the_bot_store(bot, assistant):
    rosa = person("es")
    await bot.reply_to(rosa, "les debo el viaje")
    assert bot.pseudonym(rosa) in assistant.tracker_senders()
    await bot.reply_to(rosa, "/forget")
    [done] = await bot.press(rosa, bot.last_with_buttons(rosa), "/affirm")
    assert done["text"] == text("forgotten", "es")
    assert bot.pseudonym(rosa) not in assistant.tracker_senders(), "no row left in the tracker store"
    await eventually(lambda: no_ids(bot, rosa))


async def test_rasa_down_gets_a_kind_answer_with_a_helpline_within_3_seconds(bot_without_rasa):
    rosa = person("es")
    started = time.monotonic()
    [reply] = await bot_without_rasa.reply_to(rosa, "hola")
    assert time.monotonic() - started < 3
    number = text("unavailable_number", "es").format(contact="Llama al 1-888-373-7888 · Escribe un SMS al 233733")
    assert reply["text"] == f"{text('unavailable', 'es')}\n{number}", "numbers, never a name or a link that shows one"
    assert reply["link_preview_options"] == {"is_disabled": True}, "no preview card with a service's name"


async def test_a_slow_rasa_shows_typing_then_a_kind_answer_within_3_seconds(tmp_path):
    async def never_answers(request):
        await asyncio.sleep(30)
        return web.json_response([])

    rasa = await rasa_stand_in(never_answers)
    runner = rasa.runner
    bot = await start_bot(tmp_path, rasa.url)
    try:
        sam = person("en")
        started = time.monotonic()
        [reply] = await bot.reply_to(sam, "hello?")
        assert time.monotonic() - started < 3
        assert reply["text"].startswith(f"{text('unavailable', 'en')}\n")
        assert [c["action"] for c in bot.fake.calls("sendChatAction")] == ["typing"], "typing while waiting"
    finally:
        await stop_bot(bot)
        await runner.cleanup()


@pytest.mark.parametrize("content", [
    {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
                 "is_animated": False, "is_video": False}},
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    {"document": {"file_id": "d", "file_unique_id": "d"}},
    {"location": {"latitude": 51.5, "longitude": -0.1}},
    {"contact": {"phone_number": "+15555550100", "first_name": "Someone"}},
])
async def test_media_is_never_read_stored_or_sent_to_rasa(bot, assistant, content):
    rosa = person("en")
    [reply] = await bot.reply_to(rosa, None, **content)
    assert reply["text"] == text("unsupported", "en")
    assert bot.pseudonym(rosa) not in assistant.tracker_senders()


async def test_quick_exit_deletes_a_long_chat_in_batches_of_100(bot):
    rosa = person("en")
    long_chat = [bot.fake.new_message(rosa.id, BOT, text=f"reply {n}")["message_id"] for n in range(120)]
    await bot.bridge.store.remember(bot.pseudonym(rosa), long_chat)  # days of talk, faster than the rate limit
    await bot.reply_to(rosa, "/exit")
    batches = [call["message_ids"] for call in bot.fake.calls("deleteMessages")]
    assert [len(batch) for batch in batches] == [100, 21]
    assert [m["text"] for m in bot.fake.chats[rosa.id].values()] == [text("left", "en")]


async def test_an_edited_message_gets_a_kind_note(bot):
    rosa = person("en")
    message = bot.fake.say(rosa, "they took my phone")
    await bot.fake.wait_for(lambda: len(bot.fake.bot_messages(rosa.id)) >= 1)
    before = len(bot.fake.calls("sendMessage"))
    bot.fake.edit(rosa, message, "they took my passport")
    await bot.fake.wait_for(lambda: len(bot.fake.calls("sendMessage")) > before)
    assert bot.fake.calls("sendMessage")[-1]["text"] == text("edited", "en")


@pytest.mark.parametrize("words", [
    ("my boss " + "keeps my passport and " * 190)[:4096],  # the longest message Telegram delivers
    "🙏😢 help 🙏",
    "مرحبا أحتاج مساعدة",
    "<b>*_[hi](http://x)_*</b> `code`",
])
async def test_the_longest_emoji_right_to_left_and_markup_text_get_an_answer(bot, words):
    assert len(words) <= 4096
    replies = await bot.reply_to(person("en"), words)
    assert replies and all(r["text"] for r in replies)


async def test_a_reply_longer_than_telegram_allows_arrives_in_parts_with_the_buttons_last(tmp_path):
    long_answer = "\n\n".join(f"Paragraph {n}: " + " ".join(["plain words"] * 60) for n in range(12))
    assert len(long_answer) > 2 * 4096

    async def answers_at_length(request):
        return web.json_response([{"text": long_answer, "buttons": [{"title": "Yes", "payload": "/affirm"}]}])

    rasa = await rasa_stand_in(answers_at_length)
    bot = await start_bot(tmp_path, rasa.url)
    try:
        sam = person("en")
        parts = await bot.reply_to(sam, "tell me everything", count=3)
        assert len(parts) == 3 and all(len(p["text"]) <= 4096 for p in parts)
        assert "\n\n".join(p["text"] for p in parts) == long_answer, "cut between paragraphs, nothing lost"
        assert [bool(p.get("reply_markup")) for p in parts] == [False, False, True], "buttons on the last part"
    finally:
        await stop_bot(bot)
        await rasa.runner.cleanup()


async def test_unknown_commands_are_answered_without_rasa(bot, assistant):
    rosa = person("es")
    [reply] = await bot.reply_to(rosa, "/whoami")
    assert reply["text"] == text("unknown_command", "es")
    assert bot.pseudonym(rosa) not in assistant.tracker_senders()


async def test_forged_button_data_never_reaches_rasa(bot, assistant):
    rosa = person("en")
    await bot.reply_to(rosa, "/help")
    help_message = bot.fake.bot_messages(rosa.id)[-1]
    answered = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press(rosa, help_message, '/inform_need{"need": "shelter"}')  # not a button of that message
    await bot.fake.wait_for(lambda: len(bot.fake.calls("answerCallbackQuery")) > answered)
    assert bot.fake.calls("answerCallbackQuery")[-1]["text"] == text("button_expired", "en")
    assert bot.pseudonym(rosa) not in assistant.tracker_senders()


async def test_messages_from_other_groups_and_channels_are_ignored(bot):
    stranger = person("en")
    bot.fake.say(stranger, "hello group", chat_type="supergroup", chat_id=-100999)
    bot.fake.say(stranger, "hello channel", chat_type="channel", chat_id=-100998)
    rosa = person("en")
    await bot.reply_to(rosa, "/help")  # processed after the two above
    assert not [c for c in bot.fake.calls("sendMessage") if int(c["chat_id"]) in (-100999, -100998)]


async def test_telegram_429_and_502_are_retried(bot):
    rosa = person("en")
    bot.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    bot.fake.fail_next("sendMessage", 502, "Bad Gateway")
    bot.fake.say(rosa, "/help")
    [delivered] = await bot.fake.wait_for(lambda: bot.fake.bot_messages(rosa.id))
    assert delivered["text"] == text("help", "en")
    attempts = [c for c in bot.fake.calls("sendMessage") if int(c["chat_id"]) == rosa.id]
    assert len(attempts) == 3 and len(bot.fake.bot_messages(rosa.id)) == 1


async def test_a_handoff_posts_a_card_without_identity_to_the_advocates(bot):
    rosa = person("en")
    await bot.reply_to(rosa, "they never pay me")
    await bot.reply_to(rosa, "i want to talk to a person")
    await bot.press(rosa, bot.last_with_buttons(rosa), '/inform_need{"need": "legal"}')
    await bot.press(rosa, bot.last_with_buttons(rosa), "/affirm", count=2)
    [card] = [c for c in bot.fake.calls("sendMessage") if int(c["chat_id"]) == ADVOCATES]
    assert "Needs: legal" in card["text"] and "“they never pay me”" in card["text"]
    for secret in (str(rosa.id), rosa.username, rosa.first_name):
        assert secret not in card["text"]


SECRET = "s3cret_Token-1" * 3


async def test_webhook_mode_accepts_only_requests_with_telegrams_secret_token(assistant, tmp_path):
    port = free_port()
    running = await start_bot(tmp_path, assistant.url, polling=False, WEBHOOK_URL="https://bot.example.org/telegram",
                              WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port))
    rosa = person("en")
    update = {"update_id": 1, "message": running.fake.new_message(rosa.id, rosa.as_user(), text="/help", entities=[
        {"type": "bot_command", "offset": 0, "length": 5}])}
    url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
    hook = None
    try:
        hook = await open_webhook(running.application, running.bridge.store, running.settings, WEBHOOK_PATH)
        [registered] = running.fake.calls("setWebhook")
        assert registered["url"] == "https://bot.example.org/telegram"
        assert registered["secret_token"] == SECRET
        async with httpx.AsyncClient() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                assert (await client.post(url, json=update, headers=headers)).status_code == 403
            accepted = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert accepted.status_code == 200
        [reply] = await running.fake.wait_for(lambda: running.fake.bot_messages(rosa.id))
        assert reply["text"] == text("help", "en"), "only the request with the secret was answered"
    finally:
        if hook is not None:
            await hook.stop()
        await stop_bot(running)


async def test_a_webhook_update_delivered_twice_to_two_replicas_is_answered_once(assistant, tmp_path):
    """Telegram retries a delivery it saw no answer to, and behind a proxy the retry may reach
    another replica: the update id, kept in the shared store, makes it count once."""
    fake = FakeTelegram()
    await fake.start()
    shared = f"sqlite:///{tmp_path}/shared.sqlite3"
    try:
        async with webhook_replicas(tmp_path, assistant.url, fake, path=WEBHOOK_PATH, STORE_URL=shared,
                                    WEBHOOK_URL="https://bot.example.org/telegram", WEBHOOK_SECRET=SECRET) as (_, ports):
            await answered_once_across(fake, ports)
    finally:
        await fake.stop()


async def answered_once_across(fake, ports) -> None:
    """/help delivered to one replica, then again to the other: one answer; the next update still answered."""
    rosa = person("en")
    help_update = {"update_id": 7, "message": fake.new_message(rosa.id, rosa.as_user(), text="/help", entities=[
        {"type": "bot_command", "offset": 0, "length": 5}])}
    async with httpx.AsyncClient() as client:
        for port in ports:  # the first delivery, then Telegram's retry to the other replica
            answer = await client.post(f"http://127.0.0.1:{port}/{WEBHOOK_PATH}", json=help_update,
                                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert answer.status_code == 200
            await fake.wait_for(lambda: fake.bot_messages(rosa.id))
        await asyncio.sleep(1.0)  # time enough for a second answer, were there one
        assert [m["text"] for m in fake.bot_messages(rosa.id)] == [text("help", "en")]
        next_update = {**help_update, "update_id": 8}
        await client.post(f"http://127.0.0.1:{ports[1]}/{WEBHOOK_PATH}", json=next_update,
                          headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        await fake.wait_for(lambda: len(fake.bot_messages(rosa.id)) == 2)


def test_long_replies_are_split_at_word_boundaries():
    parts = split_text("word " * 2000)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "".join(p + " " for p in parts).split() == ("word " * 2000).split()


def test_long_replies_are_split_between_paragraphs_then_lines_when_there_are_some():
    one, two, three = ("one " * 700).strip(), ("two " * 300).strip(), ("three " * 100).strip()
    assert split_text(f"{one}\n\n{two}\n\n{three}") == [f"{one}\n\n{two}", three]
    assert split_text("a" * 3000 + "\n" + "b " * 800)[0] == "a" * 3000, "a line break before a late space"
    assert split_text("c" * 5000) == ["c" * 4096, "c" * 904], "no boundary at all: cut at the limit"


async def test_no_identity_or_message_text_in_any_log_or_bot_store(assistant, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    running = await start_bot(tmp_path, assistant.url)
    secret_text = "my name is Marisol and they keep my passport in Dallas"
    marisol = Person(id=987654321, first_name="Xiomara", username="xiomara_secret_handle", language_code="en")
    try:
        await running.reply_to(marisol, secret_text)
        await running.reply_to(marisol, "/help")
    finally:
        await stop_bot(running)
    identity = [str(marisol.id), marisol.first_name, marisol.username]
    places = {"bot log": caplog.text,
              "bot store": (tmp_path / "var" / "bot.sqlite3").read_bytes().decode("latin-1")}
    places.update({f"{name} log": path.read_text() for name, path in assistant.logs.items()})
    for where, content in places.items():
        for secret in identity + [secret_text, "Dallas"]:
            assert secret not in content, f"{secret!r} found in {where}"
    with sqlite3.connect(assistant.tracker_db) as db:
        senders = {row[0] for row in db.execute("select sender_id from events")}
        tracker = "\n".join(row[0] for row in db.execute("select data from events"))
    assert not (set(identity) & senders) and running.pseudonym(marisol) in senders
    for secret in identity:
        assert secret not in tracker, "the tracker knows the pseudonym only"


async def test_one_chats_updates_stay_in_order_while_other_chats_go_ahead():
    order, done = PerChatOrder(16), []

    async def handle(name, seconds):
        await asyncio.sleep(seconds)
        done.append(name)

    def update(number, chat_id):
        message = Message(number, datetime.now(timezone.utc), Chat(chat_id, "private"))
        return Update(number, message=message)

    await asyncio.gather(order.process_update(update(1, 10), handle("rosa's first", 0.05)),
                         order.process_update(update(2, 10), handle("rosa's second", 0)),
                         order.process_update(update(3, 20), handle("sam's", 0.01)))
    assert done == ["sam's", "rosa's first", "rosa's second"]
    assert not order._locks, "a chat's lock is dropped once its updates are done"


async def test_one_continuous_flood_is_explained_once_even_while_its_queue_drains():
    order, warnings = PerChatOrder(64), []

    async def overflowing(update, first):
        warnings.append(first)
    order.on_overflow = overflowing

    def update(number):
        return Update(number, message=Message(number, datetime.now(timezone.utc), Chat(10, "private")))

    async def handle():
        await asyncio.sleep(0.01)

    flood = [asyncio.create_task(order.process_update(update(n), handle())) for n in range(30)]
    await asyncio.sleep(0.05)  # part of the queue is handled: room for a few more
    flood += [asyncio.create_task(order.process_update(update(n), handle())) for n in range(30, 60)]
    await asyncio.gather(*flood)
    assert warnings.count(True) == 1 and len(warnings) > 1, "told once why, however the queue drains"
    await order.process_update(update(61), handle())
    await order.process_update(update(62), handle())
    assert warnings.count(True) == 1, "a calm message after the flood is handled, not warned"
