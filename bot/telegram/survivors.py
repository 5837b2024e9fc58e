"""Survivors' private chats: text to the core (or to an advocate during a case),
buttons, media, edits, and carrying out the core's steps.

Updates become `Core` calls under a pseudonym; only message ids are kept
(for quick exit). Nothing that identifies a person is logged or stored.
Leaving (quick exit, /forget) deletes the chat first and then hands the rest
to the erasure service (bot/erasure.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import List, Optional, Sequence, Text, Tuple

from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import metrics
from bot.core import (
    COMMANDS,
    QUICK_EXIT_PAYLOAD,
    Button,
    Core,
    Forget,
    HandoffRequested,
    LanguageChosen,
    QuickExit,
    Reply,
    Step,
    choices,
    language_from_code,
    leave_quickly,
)
from bot.departures import Departures
from bot.erasure import Erasure
from bot.handoff import KEEP_WAITING, LEAVE_MESSAGE, Handoffs
from bot.pseudonym import pseudonym
from bot.store import Store
from bot.telegram import journal
from bot.telegram.messenger import delete_all, quietly, send_reply, with_retries
from bot.telegram.order import leaves_quickly
from bot.texts import text
from bot.turns import Turns

log = logging.getLogger("safe_harbor.telegram")
STORE_WAIT_SECONDS = 0.5  # a chosen language is not worth a longer wait
TYPING_AFTER_SECONDS = 0.3  # "typing…" only for a Rasa slower than this
SHARE, KEEP = "share:yes:", "share:no:"  # the survivor's answer about one message that identifies


def identifying(message: Message) -> Optional[Text]:
    """What a message would give away if copied to the team: a phone number, a place, or a
    file (which may carry where and when it was made; the bot never opens it)."""
    if message.contact:
        return "contact"
    if message.location or message.venue:
        return "location"
    if message.document:
        return "document"
    return None


def written_at(update: Update) -> float:
    """When the survivor wrote what this turn answers, to compare with when they left: the
    message's date (Telegram's clock, in whole seconds, so a message written in the second of
    a quick exit counts as written before it: its answer is taken back). A press has no date
    of its own: the date of the message carrying the button stands in, since a button on a
    message sent before they left was pressed before the exit deleted it (an inaccessible
    message has date 0: any recent exit takes the answer back)."""
    message = update.message or update.edited_message
    if message is not None:
        return (message.edit_date or message.date).timestamp()
    query = update.callback_query
    if query is not None and query.message is not None:
        return query.message.date.timestamp()
    return time.time()


def reply_to(message: Message) -> Optional[int]:
    """The message a survivor's message answers, if any (kept as a reply in the group)."""
    return message.reply_to_message.message_id if message.reply_to_message else None


def ask_before_sharing(kind: Text, message_id: int, language: Text) -> Reply:
    return Reply(text(f"share_{kind}", language), [Button(text("share_yes", language), f"{SHARE}{message_id}"),
                                                  Button(text("share_no", language), f"{KEEP}{message_id}")])


class Survivors:
    """Handlers for private chats."""

    def __init__(self, core: Core, store: Store, handoff: Handoffs, erasure: Erasure, pseudonym_key: bytes,
                 departures: Departures) -> None:
        self.core = core
        self.store = store
        self.handoff = handoff
        self.erasure = erasure
        self.key = pseudonym_key
        self.turns = Turns()
        self.departures = departures
        departures.subscribe(self.turns.leave)  # they left through another replica: stop here too

    def handlers(self) -> List[BaseHandler]:
        private = filters.ChatType.PRIVATE
        new, edited = filters.UpdateType.MESSAGE, filters.UpdateType.EDITED_MESSAGE
        return [
            MessageHandler(private & edited, self.on_edited),
            CommandHandler(list(COMMANDS), self.on_text, filters=private & new),
            MessageHandler(private & new & filters.TEXT, self.on_text),
            MessageHandler(private & new & ~filters.StatusUpdate.ALL, self.on_media),  # service messages: ignored
        ]

    async def who(self, update: Update) -> Tuple[Text, int, Text]:
        """(pseudonym, chat id, language) of the person behind `update`: the language they
        chose in the chat, else their phone's. Quick exit reads nothing first (`leave`)."""
        user = update.effective_user
        sender = pseudonym(self.key, "telegram", user.id)
        phone = language_from_code(user.language_code)
        language = phone if leaves_quickly(update) else await self.language(sender, phone)
        return sender, update.effective_chat.id, language

    async def language(self, sender: Text, phone: Text) -> Text:
        """The language chosen in the chat, else `phone`; never more than a moment's wait."""
        try:
            chosen = await asyncio.wait_for(self.store.chosen_language(sender), STORE_WAIT_SECONDS)
        except Exception as error:  # the store slow or unreachable: the phone's language
            log.error("chosen_language_unreadable", extra={"error": type(error).__name__})
            chosen = None
        return chosen or phone

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender, chat_id, language = await self.who(update)
        message, written = update.effective_message, written_at(update)
        if await self.left_since(update, sender, written):
            return
        with self.turns.turn(sender, [message.message_id]) as ids:
            case = await self.handoff.relaying(sender)
            if case and self.core.asks_to_hide(message.text):
                await self.leave(context, chat_id, sender, language)  # never relayed
                return
            if case and not message.text.startswith("/"):
                await self.handoff.relay_to_team(case, message.message_id, reply_to(message))
                metrics.message(language, "relayed")
                await self.answer_risk(context, chat_id, sender, language, message.text, written)
                steps: List[Step] = []
            else:
                typing = asyncio.create_task(self.typing(context, chat_id))
                steps = await self.core.handle_text(sender, message.text, language)
                typing.cancel()
            await self.render(context, chat_id, sender, language, steps, ids, written)

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files, places, contacts: relayed to an advocate
        during a case (as a copy); otherwise never read, stored or sent on."""
        sender, chat_id, language = await self.who(update)
        message, written = update.effective_message, written_at(update)
        if await self.left_since(update, sender, written):
            return
        await self.store.remember(sender, [message.message_id])
        kind, case = identifying(message), await self.handoff.relaying(sender)
        if kind and case:  # they decide first, with the buttons
            await self.send(context, chat_id, sender, ask_before_sharing(kind, message.message_id, language))
            return
        if case is None:
            await self.send(context, chat_id, sender, Reply(text("unsupported", language), choices(language)))
            return
        await self.handoff.relay_to_team(case, message.message_id, reply_to(message))
        if message.caption:
            await self.answer_risk(context, chat_id, sender, language, message.caption, written)

    async def left_since(self, update: Update, sender: Text, written: float) -> bool:
        """A replica taking over the update of one that died, from a person who has left
        since they wrote it (or pressed its button): nothing is answered, and the message (or
        the one carrying the button) and whatever the dead replica had sent for it are deleted."""
        update_journal = journal.current.get()
        if update_journal is None or not update_journal.taken_over:
            return False
        try:
            gone = await self.store.departed_since(sender, written)
        except Exception as error:  # the store away: answered as usual (the turn's end checks again)
            log.warning("departure_unreadable", extra={"error": type(error).__name__})
            return False
        if gone:
            await delete_all(update.get_bot(), update.effective_chat.id,
                             [update.effective_message.message_id, *update_journal.unclaimed()])
        return gone

    async def left_behind(self, update: Update) -> None:
        """A message written before a quick exit and not handled yet (order.py): never
        answered, never sent on; deleted like the rest of the chat."""
        if update.message is not None:
            await delete_all(update.get_bot(), update.message.chat_id, [update.message.message_id])

    async def overflowing(self, update: Update, first: bool) -> None:
        """A message not handled because this person sent too many at once (order.py): its id
        is kept, so quick exit still deletes it, and the first time they hear why."""
        message = update.effective_message
        ids = [message.message_id] if message is not None else []
        user = update.effective_user
        sender = pseudonym(self.key, "telegram", user.id)
        if first:  # the language (a store read) only for the one line: a flood costs no reads
            language = await self.language(sender, language_from_code(user.language_code))
            ids += await self.deliver(update.get_bot(), update.effective_chat.id,
                                      Reply(text("slow_down", language), [leave_quickly(language)]))
        await self.store.remember(sender, ids)

    async def answer_risk(self, context, chat_id: int, sender: Text, language: Text, words: Text,
                          written: float) -> None:
        """Relayed words with a clear risk: the crisis or danger reply at once (Rasa gets the
        intent, not the words), then URGENT for the team, once per case. A possible risk
        only tells the team: the survivor is already talking with a person."""
        found = self.core.risk(words)
        if not found:
            return
        kind, sure = found
        metrics.safety_trigger(kind, "live_case")
        if sure and await self.handoff.urgency.risk_is_new(sender):
            with self.turns.turn(sender, []) as ids:
                steps = await self.core.safety_reply(sender, kind, language)
                await self.render(context, chat_id, sender, language, steps, ids, written)
            await self.handoff.urgency.mark_urgent(sender, kind)
        elif not sure:
            await self.handoff.urgency.mark_possible_risk(sender, kind)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender, chat_id, language = await self.who(update)
        message = update.effective_message
        if not message.text:
            return  # a live location moving, a caption: nothing to say each time
        if await self.handoff.survivor_edited(sender, message.message_id, message.text):
            await self.answer_risk(context, chat_id, sender, language, message.text, written_at(update))  # edits too
            return
        await self.send(context, chat_id, sender, Reply(text("edited", language), choices(language)))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery) -> None:
        """A button we offered in this private chat (app.py checked that)."""
        sender, chat_id, language = await self.who(update)
        if query.data == QUICK_EXIT_PAYLOAD:  # nothing before the chat is gone
            await self.leave(context, chat_id, sender, language)
            await quietly(query.answer())
            return
        written = written_at(update)
        if await self.left_since(update, sender, written):
            await quietly(query.answer())
            return
        await with_retries(query.answer)
        await quietly(query.edit_message_reply_markup(reply_markup=None))
        if query.data.startswith((SHARE, KEEP)):
            shared = query.data.startswith(SHARE) and await self.handoff.from_survivor(
                sender, int(query.data.rsplit(":", 1)[1]))
            await self.send(context, chat_id, sender, Reply(text("share_sent" if shared else "share_not_sent", language)))
            return
        if query.data in (KEEP_WAITING, LEAVE_MESSAGE):
            if not await self.handoff.choice(sender, query.data):
                await self.send(context, chat_id, sender, Reply(text("button_expired", language), choices(language)))
            return
        with self.turns.turn(sender, []) as ids:
            steps = await self.core.press(sender, query.data, language)
            await self.render(context, chat_id, sender, language, steps, ids, written)

    async def typing(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
        """"typing…" only when Rasa is slow: most answers arrive before anyone could
        see it, and each one is a request to Telegram (measured: a fifth of ours)."""
        await asyncio.sleep(TYPING_AFTER_SECONDS)
        await quietly(context.bot.send_chat_action(chat_id, ChatAction.TYPING))

    async def render(self, context, chat_id: int, sender: Text, language: Text, steps: List[Step],
                     ids: List[int], written: float) -> None:
        """Carry out the steps of a turn; its message ids (`ids`, from `Turns`) are stored
        in one write at the end, unless the person left meanwhile: here (`Turns`), or on
        another replica after they wrote (the store's departure mark, `written`)."""
        left_here = opened = False
        try:
            for step in steps:
                if self.turns.left(sender):
                    return  # a quick exit jumped the queue: nothing more goes to this chat
                if isinstance(step, Reply):
                    ids += await self.deliver(context.bot, chat_id, step)
                elif isinstance(step, (QuickExit, Forget)):
                    left_here = True
                    ids += journal.unclaimed()
                    await self.leave(context, chat_id, sender, language, rasa_erased=isinstance(step, Forget)
                                     or step.rasa_erased, line="forgotten" if isinstance(step, Forget) else "left")
                    return
                elif isinstance(step, LanguageChosen):
                    language = step.language
                    try:
                        await self.store.choose_language(sender, language)
                    except Exception as error:  # the rest of the turn (a handoff) still happens
                        log.error("chosen_language_not_stored", extra={"error": type(error).__name__})
                elif isinstance(step, HandoffRequested):
                    opened = True
                    await self.handoff.request(sender, chat_id, step.request)
        finally:
            if not left_here:
                ids += journal.unclaimed()
                if self.turns.left(sender) or not await self.store.remember_turn(sender, ids, written):
                    await delete_all(context.bot, chat_id, ids)  # they left meanwhile: take back what it did
                    if opened:
                        await self.erasure.forget(sender, erase_rasa=False)

    async def send(self, context, chat_id: int, sender: Text, step: Reply) -> None:
        await self.store.remember(sender, await self.deliver(context.bot, chat_id, step))

    @staticmethod
    async def deliver(bot: Bot, chat_id: int, step: Reply) -> List[int]:
        """Send one reply, unless a replica that died handling this update had sent it
        (journal.py); its message ids either way, for quick exit."""
        update_journal = journal.current.get()
        if update_journal is None:
            return await send_reply(bot, chat_id, step)
        earlier = update_journal.already_out(step)
        if earlier is not None:
            return earlier
        await update_journal.write()  # what is out so far, before more goes
        return update_journal.sent(step, await send_reply(bot, chat_id, step))

    async def leave(self, context, chat_id: int, sender: Text, language: Text, this_turn: Sequence[int] = (),
                    rasa_erased: bool = False, line: Text = "left") -> None:
        """Quick exit and /forget: the chat's messages deleted first and one line left
        (neutral, or what was deleted); then the bot store; Rasa and the group in the background.
        Nothing later (a group that fails, a slow or absent Rasa) holds back what comes before."""
        if line == "forgotten":
            metrics.forgot()
        else:
            metrics.quick_exit()
        async with self.erasure.leaving(sender):
            in_progress = self.turns.leave(sender)  # first: no turn stores its ids after this
            announced = asyncio.create_task(self.departures.announce(sender))  # nor on another replica
            try:
                stored = await self.erasure.depart(sender)
            except Exception as error:  # the store unreachable: this turn's messages still go
                log.error("message_ids_unreadable_at_exit", extra={"error": type(error).__name__})
                stored = []
            deleted = set(stored) | set(this_turn) | {i for ids in in_progress for i in ids}
            await delete_all(context.bot, chat_id, sorted(deleted))
            late = {i for ids in in_progress for i in ids} - deleted  # sent while we were deleting
            await delete_all(context.bot, chat_id, sorted(late))
            language = await self.language(sender, language)  # after the deleting: it never waits on the store
            await quietly(self.deliver(context.bot, chat_id, Reply(text(line, language))))  # not kept: it stays
            await announced
            await self.erasure.forget(sender, erase_rasa=not rasa_erased)
