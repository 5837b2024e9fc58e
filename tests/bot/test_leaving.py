"""Leaving, end to end and mid-handoff: what the survivor's phone, the advocates' group
and every file on disk still hold after quick exit and /forget.

The real bot on the fake Bot API, real Rasa, the bot store on SQLite (and on
PostgreSQL where a server is reachable).
"""

import asyncio
import os
import stat
import subprocess
import time

import pytest
from aiohttp import web

from bot.texts import text
from telegram_harness import (
    ADVOCATES,
    ANA,
    a_live_case,
    eventually,
    group_messages,
    rasa_stand_in,
    start_bot,
    stop_bot,
)
from testkit.fake_telegram import Person

SECRET_WORDS = "Marisol here, they keep my passport at the Dallas motel"


def boss_of(person: Person) -> str:
    """A name only this survivor says, to the assistant (Rasa) before the handoff."""
    return f"Quetzal{person.id % 100_000}"


def a_survivor(language="en"):
    """A Telegram id above 2**32, so its 64-bit forms are distinctive bytes."""
    return Person(id=7_390_512_461 + time.monotonic_ns() % 10_000, first_name="Xiomara",
                  username=f"xiomara_{time.monotonic_ns()}", language_code=language)


def forms_of(telegram_id: int) -> dict:
    """Every way a file could hold the id: text, 64-bit either way, and SQLite's 6-byte integer."""
    return {"text": str(telegram_id).encode(),
            "64-bit little-endian": telegram_id.to_bytes(8, "little", signed=True),
            "64-bit big-endian": telegram_id.to_bytes(8, "big", signed=True),
            "48-bit big-endian": telegram_id.to_bytes(6, "big", signed=True)}


def secrets_of(person: Person) -> dict:
    found = {f"id as {name}": form for name, form in forms_of(person.id).items()}
    return {**found, "username": person.username.encode(), "words to the advocate": b"Dallas motel",
            "words to the assistant": boss_of(person).encode(), "first name": person.first_name.encode()}


def files_under(*folders) -> dict:
    return {str(path): path.read_bytes() for folder in folders for path in folder.rglob("*") if path.is_file()}


def assert_nothing_of(person: Person, places: dict) -> None:
    for where, content in places.items():
        for what, secret in secrets_of(person).items():
            assert secret not in content, f"{what} found in {where}"


async def a_live_case_with_words(bot):
    """A live case in which both sides wrote, the survivor's words relayed to the topic."""
    survivor = a_survivor()
    rosa, card, topic = await a_live_case(bot, survivor, f"my boss {boss_of(survivor)} took my passport")
    bot.fake.post(ANA, ADVOCATES, topic, "Hi, I'm here.")
    await bot.fake.wait_for(lambda: "Hi, I'm here." in [m.get("text") for m in bot.fake.bot_messages(rosa.id)])
    bot.fake.say(rosa, SECRET_WORDS)
    await bot.fake.wait_for(lambda: SECRET_WORDS in [m.get("text") for m in group_messages(bot, topic)])
    return rosa, card, topic


async def group_has_forgotten(bot, card, topic):
    alias = card["text"].split("Case ")[1][:4]
    await bot.fake.wait_for(lambda: topic not in bot.fake.topics)
    await bot.fake.wait_for(lambda: bot.fake.chats[ADVOCATES][card["message_id"]]["text"]
                            == text("advocate_left", "en").format(alias=alias))
    held = bot.fake.texts_in(ADVOCATES)
    assert not group_messages(bot, topic), "nothing of the topic is left"
    assert not [t for t in held if SECRET_WORDS in t or "passport" in t], "no copy or summary of theirs"


async def test_quick_exit_mid_handoff_leaves_the_neutral_line_only_and_the_group_forgets_the_case(bot):
    rosa, card, topic = await a_live_case_with_words(bot)
    await bot.reply_to(rosa, "/exit")
    assert bot.fake.texts_in(rosa.id) == [text("left", "en")], "the advocate's words are deleted too"
    await group_has_forgotten(bot, card, topic)
    bot.fake.post(ANA, ADVOCATES, None, "are you ok?")
    await asyncio.sleep(0.3)
    assert bot.fake.texts_in(rosa.id) == [text("left", "en")]


async def test_forget_mid_handoff_deletes_the_chat_says_what_was_deleted_and_the_group_forgets(bot, assistant):
    rosa, card, topic = await a_live_case_with_words(bot)
    await bot.reply_to(rosa, "/forget")
    await bot.press(rosa, await bot.buttons_offering(rosa, "/affirm"), "/affirm")
    await bot.fake.wait_for(lambda: bot.fake.texts_in(rosa.id) == [text("forgotten", "en")])
    await group_has_forgotten(bot, card, topic)
    assert bot.pseudonym(rosa) not in assistant.tracker_senders()


@pytest.mark.parametrize("words", ["hide this", "borra todo", "DELETE IT NOW"])
async def test_hide_words_in_a_live_case_hide_the_chat_and_never_reach_the_advocate(bot, words):
    rosa, card, topic = await a_live_case_with_words(bot)
    copies = len(bot.fake.calls("copyMessage"))
    await bot.reply_to(rosa, words)
    assert bot.fake.texts_in(rosa.id) == [text("left", "en")]
    assert len(bot.fake.calls("copyMessage")) == copies, "never relayed"
    await group_has_forgotten(bot, card, topic)


async def test_a_long_message_that_only_mentions_deleting_is_relayed(bot):
    rosa, card, topic = await a_live_case_with_words(bot)
    words = "they made me delete the messages on my phone before they gave it back to me"
    bot.fake.say(rosa, words)
    await bot.fake.wait_for(lambda: words in [m.get("text") for m in group_messages(bot, topic)])


async def test_a_failing_group_still_hides_the_chat_at_once_and_is_cleared_later(bot):
    rosa, card, topic = await a_live_case_with_words(bot)
    for _ in range(4):  # every retry of the call fails
        bot.fake.fail_next("deleteForumTopic", 502, "Bad Gateway")
    started = time.monotonic()
    await bot.reply_to(rosa, "/exit")
    assert time.monotonic() - started < 2 and bot.fake.texts_in(rosa.id) == [text("left", "en")]
    async def case_gone():  # the bot store is erased right after the neutral line, not after the group
        return await bot.bridge.cases.open_case_of(bot.pseudonym(rosa)) is None
    await eventually(case_gone, seconds=1)
    await bot.bridge.erasure.settled()
    assert topic in bot.fake.topics
    await bot.bridge.erasure.work()  # the background loop's next pass
    await group_has_forgotten(bot, card, topic)


async def test_rasa_down_still_hides_the_chat_at_once(bot_without_rasa):
    bot = bot_without_rasa
    rosa = a_survivor()
    await bot.reply_to(rosa, "hello")
    started = time.monotonic()
    await bot.reply_to(rosa, "/exit")
    assert time.monotonic() - started < 1 and bot.fake.texts_in(rosa.id) == [text("left", "en")]


async def test_a_slow_rasa_does_not_slow_quick_exit_and_nothing_waiting_behind_it_is_answered(tmp_path):
    async def slow(request):
        await asyncio.sleep(10)
        return web.json_response([])

    rasa = await rasa_stand_in(slow)
    bot = await start_bot(tmp_path, rasa.url)
    try:
        rosa = a_survivor()
        bot.fake.say(rosa, "hello")  # waits on Rasa (2.5 s at most)
        bot.fake.say(rosa, SECRET_WORDS)  # waits behind it, in the chat's queue
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await bot.press(rosa, {"message_id": 1, "chat": {"id": rosa.id, "type": "private"}, "date": 0,
                               "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "/quick_exit"}]]}},
                        "/quick_exit")
        await bot.fake.wait_for(lambda: bot.fake.texts_in(rosa.id)[-1:] == [text("left", "en")])
        assert time.monotonic() - started < 1.5
        await asyncio.sleep(3)  # the slow turn has ended by now, and what waited behind it
        assert bot.fake.texts_in(rosa.id) == [text("left", "en")], "no late answer, no message of theirs left"
    finally:
        await stop_bot(bot)
        await rasa.runner.cleanup()


def test_the_scan_finds_an_id_sqlite_stored_as_an_integer(tmp_path):
    """The disk scans below would prove nothing if they could not see a stored id."""
    import sqlite3
    person = a_survivor()
    with sqlite3.connect(tmp_path / "probe.sqlite3") as db:
        db.execute("CREATE TABLE t (chat_id BIGINT)")
        db.execute("INSERT INTO t VALUES (?)", (person.id,))
    with pytest.raises(AssertionError, match="id as 48-bit big-endian"):
        assert_nothing_of(person, files_under(tmp_path))


@pytest.mark.parametrize("leave", ["/exit", "/forget"])
async def test_no_byte_of_the_survivor_is_left_in_any_file_after_leaving_mid_handoff(
        assistant, tmp_path, leave, caplog):
    bot = await start_bot(tmp_path, assistant.url)
    try:
        rosa, card, topic = await a_live_case_with_words(bot)
        await finish_leaving(bot, rosa, leave)
        await group_has_forgotten(bot, card, topic)
    finally:
        await stop_bot(bot)
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    owner_only = [path for path in (tmp_path / "var").rglob("*") if stat.S_IMODE(path.stat().st_mode) & 0o077]
    assert owner_only == [], "every file under var/ is readable by its owner only"
    tracker_modes = {stat.S_IMODE(path.stat().st_mode) for path in assistant.tracker_db.parent.glob("tracker.sqlite3*")}
    assert tracker_modes == {0o600}, "so are Rasa's tracker files"
    places = files_under(tmp_path / "var", tmp_path / "keys")
    places.update({f"tracker {path.name}": path.read_bytes()
                   for path in assistant.tracker_db.parent.glob("tracker.sqlite3*")})
    places.update({f"{name} log": path.read_bytes() for name, path in assistant.logs.items()})
    places["bot log"] = caplog.text.encode()
    assert_nothing_of(rosa, places)


async def finish_leaving(bot, survivor, leave):
    if leave == "/exit":
        await bot.reply_to(survivor, "/exit")
    else:
        await bot.reply_to(survivor, "/forget")
        await bot.press(survivor, await bot.buttons_offering(survivor, "/affirm"), "/affirm")
        await bot.fake.wait_for(lambda: bot.fake.texts_in(survivor.id) == [text("forgotten", "en")])


async def test_a_postgresql_dump_holds_no_telegram_id_during_a_case_nor_anything_after_leaving(
        assistant, tmp_path, postgres):
    bot = await start_bot(tmp_path, assistant.url, STORE_URL=postgres)
    try:
        rosa, card, topic = await a_live_case_with_words(bot)
        during = pg_dump(postgres)
        assert not [name for name, form in forms_of(rosa.id).items() if form in during], \
            "an open case holds the chat id sealed only"
        await finish_leaving(bot, rosa, "/exit")
        await group_has_forgotten(bot, card, topic)
    finally:
        await stop_bot(bot)
    assert_nothing_of(rosa, {"PostgreSQL dump": pg_dump(postgres)})


def pg_dump(url: str) -> bytes:
    """The whole database as pg_dump writes it (what a stolen backup would hold)."""
    return subprocess.run(["pg_dump", "--data-only", url], check=True, capture_output=True,
                          env={**os.environ, "PGCONNECT_TIMEOUT": "5"}).stdout
