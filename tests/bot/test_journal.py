"""The reply journal (bot/telegram/journal.py) on a real store, then a bot replica killed
halfway through a turn: the replica that takes the update over sends only the replies that
were not out yet, and keeps the ids of those that were (quick exit).

The dying replica is a real `python -m bot` process in webhook mode, killed with SIGKILL
while Telegram has not answered its second reply; the one that takes over runs here. Both
share the PostgreSQL bot store, as a fleet does (scripts/fleet.py).
"""

import asyncio
import copy
import hashlib
import os
import secrets
import signal

import httpx
from aiohttp import web

from bench.servers import BIN, Servers
from bot.core import Button, Reply
from bot.store import NEW
from bot.telegram.journal import Journal, fingerprint, journal_key
from bot.telegram.webhook import open_webhook
from bot.texts import text
from harness import free_port
from telegram_harness import ADVOCATES, KEY, person, rasa_stand_in, start_bot, stop_bot
from testkit.fake_telegram import BOT, FakeTelegram

JOURNAL_KEY = journal_key("w" * 32)
HELLO, MENU = Reply("hello"), Reply("what next?", [Button("Leave quickly", "/quick_exit")])


async def journal_of(store, update_id: int, owner: str) -> Journal:
    claim = await store.claim_update(update_id, owner)
    assert claim.state == NEW
    return Journal(store, update_id, owner, JOURNAL_KEY, claim.replies_out)


async def taken_over(store, update_id: int) -> Journal:
    store.be_present("replica-b")
    await store.claim_update(update_id, "replica-b")  # SQLite: within a's lease, so…
    with store.engine.begin() as db:  # …the lease is over
        db.exec_driver_sql("UPDATE telegram_updates SET seen_at = 0")
    claim = await store.claim_update(update_id, "replica-b")
    assert claim.state == NEW
    return Journal(store, update_id, "replica-b", JOURNAL_KEY, claim.replies_out)


async def out(update_journal: Journal, reply: Reply, ids) -> list:
    """What the survivors' handler does for each reply: the journal written, then the reply sent."""
    await update_journal.write()
    return update_journal.sent(reply, ids)


async def test_one_reply_costs_no_journal_write_the_update_s_finish_covers_it(store):
    first = await journal_of(store, 6, "replica-a")
    await out(first, HELLO, [1])
    with store.engine.begin() as db:
        assert db.exec_driver_sql("SELECT replies_out FROM telegram_updates WHERE update_id = 6").scalar() is None
    await out(first, MENU, [2])
    with store.engine.begin() as db:
        written = db.exec_driver_sql("SELECT replies_out FROM telegram_updates WHERE update_id = 6").scalar()
    assert fingerprint(HELLO, JOURNAL_KEY) in written, "before the second reply goes out, the first is noted"


async def test_a_reply_the_dead_replica_sent_is_skipped_with_its_ids_and_the_rest_is_sent(store):
    first = await journal_of(store, 7, "replica-a")
    assert first.already_out(HELLO) is None
    await out(first, HELLO, [11])
    await first.write()  # it was about to send the next reply when it died
    second = await taken_over(store, 7)
    assert second.already_out(HELLO) == [11], "out already: not sent again, its id kept for quick exit"
    assert second.already_out(MENU) is None, "never sent: it goes now"
    assert await out(second, MENU, [12]) == [12]


async def test_an_answer_that_differs_from_what_was_sent_is_sent_from_where_it_differs(store):
    first = await journal_of(store, 8, "replica-a")
    await out(first, HELLO, [21])
    await out(first, MENU, [22, 23])
    await first.write()
    second = await taken_over(store, 8)
    assert second.already_out(HELLO) == [21]
    other = Reply("what next?", [Button("Talk to a person", "/request_advocate")])
    assert second.already_out(other) is None, "another keyboard is another reply: it goes out"
    assert await out(second, other, [24]) == [22, 23, 24], "the replaced reply's ids are kept for quick exit"
    assert second.unclaimed() == [], "every reply a is accounted for"
    await second.write()
    third = await taken_over_again(store, 8)
    assert third.already_out(HELLO) == [21] and third.already_out(other) == [22, 23, 24]


async def taken_over_again(store, update_id: int) -> Journal:
    with store.engine.begin() as db:
        db.exec_driver_sql("UPDATE telegram_updates SET owner = 'replica-gone', seen_at = 0")
    claim = await store.claim_update(update_id, "replica-c")
    return Journal(store, update_id, "replica-c", JOURNAL_KEY, claim.replies_out)


async def test_replies_a_dead_replica_sent_that_a_shorter_answer_never_reaches_are_kept_for_quick_exit(store):
    first = await journal_of(store, 10, "replica-a")
    await out(first, HELLO, [41])
    await out(first, MENU, [42])
    await first.write()
    second = await taken_over(store, 10)
    assert second.already_out(HELLO) == [41]
    assert second.unclaimed() == [42], "the answer ended before MENU: its id must still be deleted at exit"
    shorter = Reply("something else")
    assert second.already_out(shorter) is None
    assert second.unclaimed() == [42]


async def test_a_replica_thought_dead_cannot_overwrite_the_journal_of_the_one_that_took_over(store, caplog):
    first = await journal_of(store, 9, "replica-a")
    await out(first, HELLO, [31])
    await first.write()
    await taken_over(store, 9)  # b takes the update over, thinking a dead
    await out(first, MENU, [32])  # a was only slow
    await first.write()
    assert "reply_journal_taken_over" in caplog.text
    third = await taken_over_again(store, 9)
    assert [entry["ids"] for entry in third.out] == [[31]], "the store kept what b knew, not a's late note"


async def test_the_store_cannot_tell_which_reply_a_chat_was_getting_without_the_webhook_secret(store):
    first = await journal_of(store, 11, "replica-a")
    await out(first, HELLO, [51])
    await first.write()
    with store.engine.begin() as db:
        stored = db.exec_driver_sql("SELECT replies_out FROM telegram_updates WHERE update_id = 11").scalar()
    assert fingerprint(HELLO, JOURNAL_KEY) in stored
    assert fingerprint(HELLO, journal_key("x" * 32)) not in stored, "another secret, another digest"
    unkeyed = hashlib.blake2b("\x1f".join([HELLO.text]).encode(), digest_size=8).hexdigest()
    assert unkeyed not in stored, "a known reply's plain digest must not be found in the store"


TWO_REPLIES = [{"recipient_id": "x", "text": "first part"}, {"recipient_id": "x", "text": "second part"}]
WEBHOOK_PATH = "telegram"


async def two_replies(request: web.Request) -> web.Response:
    return web.json_response(TWO_REPLIES)


async def test_a_replica_taking_over_a_dead_ones_update_sends_only_the_replies_not_yet_out(postgres, tmp_path):
    await kill_mid_turn_then_take_over(postgres, tmp_path, leave_before_retry=False)


async def test_a_replica_taking_over_the_update_of_a_person_who_left_since_answers_nothing_and_deletes_it(
        postgres, tmp_path):
    """They pressed "Leave quickly" between the kill and Telegram's retry: the dead replica's
    reply is only in its journal, not among the chat's ids the exit deleted."""
    await kill_mid_turn_then_take_over(postgres, tmp_path, leave_before_retry=True)


async def test_a_replica_taking_over_a_button_press_of_a_person_who_left_since_answers_nothing_and_deletes_it(
        postgres, tmp_path):
    """The same with a button: a press has no date, so the message carrying the button, sent
    before they left, dates it."""
    await kill_mid_turn_then_take_over(postgres, tmp_path, leave_before_retry=True, pressed=True)


async def kill_mid_turn_then_take_over(postgres, tmp_path, leave_before_retry: bool, pressed: bool = False) -> None:
    rasa, fake, servers = await rasa_stand_in(two_replies), FakeTelegram(), Servers(tmp_path)
    await fake.start()
    keys = {"PSEUDONYM_KEY": KEY, "CHAT_ID_KEY": "c" * 40, "WEBHOOK_SECRET": secrets.token_urlsafe(32)}
    shared = {**keys, "STORE_URL": postgres, "WEBHOOK_URL": "https://bot.example.org/telegram",
              "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0"}
    dying_port, metrics_port = free_port(), free_port()
    taking_over, hook = None, None
    try:
        servers.start("dying", [str(BIN / "python"), "-m", "bot"], {
            **shared, "TELEGRAM_BOT_TOKEN": fake.token, "ADVOCATE_CHAT_ID": str(ADVOCATES),
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{fake.port}/bot", "RASA_URL": rasa.url,
            "ACTION_HEALTH_URL": f"{rasa.url}/",  # the stand-in answers there as the action server would
            "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(dying_port),
            "METRICS_LISTEN": f"127.0.0.1:{metrics_port}", "KEYS_DIR": str(tmp_path / "keys")})
        await asyncio.to_thread(servers.wait_ready, "dying", f"http://127.0.0.1:{metrics_port}/readyz", 60)
        rosa = person("en")
        if pressed:  # a menu the bot had sent, and the survivor taps one of its buttons
            menu = fake.new_message(rosa.id, BOT, text="what next?", reply_markup={
                "inline_keyboard": [[{"text": "A place to sleep", "callback_data": "/ask_shelter"}]]})
            update = {"update_id": 501, "callback_query": {"id": "77", "from": rosa.as_user(), "chat_instance": "1",
                                                           "message": copy.deepcopy(menu), "data": "/ask_shelter"}}
        else:
            update = {"update_id": 501, "message": fake.new_message(rosa.id, rosa.as_user(), text="where can I sleep")}
        headers = {"X-Telegram-Bot-Api-Secret-Token": keys["WEBHOOK_SECRET"]}
        fake.stall_call("sendMessage", 2)  # the first reply goes out; the second never gets an answer
        async with httpx.AsyncClient(timeout=30) as client:
            first_delivery = asyncio.create_task(
                client.post(f"http://127.0.0.1:{dying_port}/{WEBHOOK_PATH}", json=update, headers=headers))
            await fake.wait_for(lambda: fake.stalled)
            os.killpg(servers.processes["dying"].pid, signal.SIGKILL)  # gone mid-turn, nothing cleaned up
            servers.processes["dying"].wait()
            assert (await asyncio.gather(first_delivery, return_exceptions=True))[0].__class__ is not httpx.Response, \
                "the killed replica never answered Telegram, so Telegram delivers the update again"
            assert [m["text"] for m in fake.bot_messages(rosa.id)] == ["what next?"] * pressed + ["first part"]

            port = free_port()
            taking_over = await start_bot(tmp_path / "b", rasa.url, polling=False, fake=fake, WEBHOOK_PORT=str(port),
                                          **shared)
            hook = await open_webhook(taking_over.application, taking_over.bridge.store, taking_over.settings,
                                      WEBHOOK_PATH)
            if leave_before_retry:
                leave = {"update_id": 502, "message": fake.new_message(rosa.id, rosa.as_user(), text="/exit")}
                assert (await client.post(f"http://127.0.0.1:{port}/{WEBHOOK_PATH}", json=leave,
                                          headers=headers)).status_code == 200
            retried = await client.post(f"http://127.0.0.1:{port}/{WEBHOOK_PATH}", json=update, headers=headers)
        assert retried.status_code == 200
        if leave_before_retry:
            assert fake.texts_in(rosa.id) == [text("left", "en")], "only the neutral line is left in the chat"
            attempts = [call.get("text") for call in fake.calls("sendMessage")].count("second part")
            assert attempts == 1, "only the dead replica's, never answered: the message written before they left is " \
                                  "not answered again"
            return
        sent = fake.bot_messages(rosa.id)
        assert [m["text"] for m in sent] == ["first part", "second part"], "nothing repeated, nothing lost"
        kept = await taking_over.bridge.store.message_ids(taking_over.pseudonym(rosa))
        assert {m["message_id"] for m in sent} <= set(kept), "quick exit can delete both replies"
    finally:
        if hook is not None:
            await hook.stop()
        if taking_over is not None:
            await stop_bot(taking_over, keep_fake=True)
        servers.stop()
        await fake.stop()
        await rasa.runner.cleanup()
