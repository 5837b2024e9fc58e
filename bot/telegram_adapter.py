"""Telegram adapter: python-telegram-bot Application around the transport-agnostic core.

The only module that imports `telegram`. It turns updates from survivors'
private chats into `Core` calls under a pseudonym, renders the steps (inline
keyboards for buttons, deletion for quick exit), and keeps only message ids,
for quick exit. Nothing that identifies a person is logged or stored.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Dict, List, Optional, Sequence, Text, TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.cases import Cases
from bot.core import COMMANDS, Forget, Handoff, QuickExit, Reply, Step, language_of
from bot.handoff import KEEP_WAITING, LEAVE_MESSAGE, PASS, TAKE, ButtonSpec, DeliveryFailed, Handoffs
from bot.pseudonym import pseudonym
from bot.settings import Settings
from bot.wiring import Bridge
from bot.texts import all_texts, text

log = logging.getLogger("safe_harbor.telegram")
T = TypeVar("T")
DELETE_BATCH = 100  # Telegram's limit for deleteMessages
RETRY_DELAYS = (0.5, 1.0, 2.0)  # backoff for 5xx and network errors
PURGE_EVERY_SECONDS = 600
MAX_CONCURRENT_UPDATES = 256  # chats handled at once (each chat's own updates stay in order)
OUTBOX_RETRY_SECONDS = 2.0
TYPING_AFTER_SECONDS = 0.3  # relayed messages Telegram refused are retried this often
WEBHOOK_PATH = "telegram"  # local path; WEBHOOK_URL is the public address that reaches it


def quiet_third_party_logs() -> None:
    """httpx logs request URLs, which contain the bot token; PTB debug logs updates."""
    for name in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    """Retry Telegram's 5xx and network failures with backoff (429s: the rate limiter)."""
    for delay in RETRY_DELAYS:
        try:
            return await call()
        except RetryAfter as error:
            await asyncio.sleep(float(getattr(error.retry_after, "total_seconds", lambda: error.retry_after)()))
        except BadRequest:
            raise  # our request is wrong; repeating it will not help
        except NetworkError:
            await asyncio.sleep(delay)
    return await call()


def split_text(message: Text, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> List[Text]:
    """Split at paragraph, line or word boundaries so no part exceeds `limit`."""
    parts: List[Text] = []
    while len(message) > limit:
        cut = max(message.rfind(sep, 0, limit) for sep in ("\n\n", "\n", " "))
        cut = cut if cut > 0 else limit
        parts.append(message[:cut].rstrip())
        message = message[cut:].lstrip()
    return parts + ([message] if message else [])


def keyboard(buttons: Sequence[ButtonSpec]) -> Optional[InlineKeyboardMarkup]:
    """One button per row; None when there are none."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=data)] for title, data in buttons])


class PerChatOrder(BaseUpdateProcessor):
    """Different chats are handled concurrently; one chat's updates stay in order.

    PTB's default handles every update one after another, so one survivor
    waiting on Rasa made everyone wait; a lock per chat keeps each
    conversation (and the advocates' group) in the order it was written.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: Dict[int, asyncio.Lock] = {}
        self._users: Dict[int, int] = {}  # updates holding or awaiting each chat's lock

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # nobody else queued: forget this chat's lock
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class TelegramMessenger:
    """The handoff's view of Telegram: messages, copies, forum topics, membership."""

    MEMBERS = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}

    def __init__(self, bot: Bot, advocate_chat_id: int) -> None:
        self.bot = bot
        self.group = advocate_chat_id

    async def send(self, chat_id: int, message: Text, *, thread_id: Optional[int] = None,
                   buttons: Sequence[ButtonSpec] = (), notify: bool = False,
                   reply_to: Optional[int] = None) -> int:
        sent = await self.call(lambda: self.bot.send_message(
            chat_id, message, message_thread_id=thread_id, reply_markup=keyboard(buttons),
            disable_notification=not notify, reply_parameters=replying(reply_to)))
        return sent.message_id

    async def edit(self, chat_id: int, message_id: int, message: Text) -> None:
        """Best effort: an edit Telegram refuses (too old, unchanged) is not worth an error."""
        try:
            await with_retries(lambda: self.bot.edit_message_text(message, chat_id, message_id))
        except TelegramError:
            log.warning("an edit was refused by Telegram")

    async def copy(self, from_chat_id: int, message_id: int, to_chat_id: int, *,
                   thread_id: Optional[int] = None, reply_to: Optional[int] = None) -> int:
        """A copy carries no "forwarded from": nothing links back to either account."""
        copied = await self.call(lambda: self.bot.copy_message(
            to_chat_id, from_chat_id, message_id, message_thread_id=thread_id,
            reply_parameters=replying(reply_to)))
        return copied.message_id

    async def open_topic(self, name: Text) -> int:
        topic = await self.call(lambda: self.bot.create_forum_topic(self.group, name))
        return topic.message_thread_id

    async def close_topic(self, topic_id: int) -> None:
        try:
            await with_retries(lambda: self.bot.close_forum_topic(self.group, topic_id))
        except TelegramError:
            log.warning("a case topic could not be closed")

    async def is_member(self, user_id: int) -> bool:
        try:
            member = await with_retries(lambda: self.bot.get_chat_member(self.group, user_id))
        except TelegramError:
            return False
        return member.status in self.MEMBERS or getattr(member, "is_member", False)

    @staticmethod
    async def call(request: Callable[[], Awaitable[T]]) -> T:
        try:
            return await with_retries(request)
        except TelegramError as error:
            raise DeliveryFailed(type(error).__name__) from None


def replying(message_id: Optional[int]) -> Optional[ReplyParameters]:
    return ReplyParameters(message_id, allow_sending_without_reply=True) if message_id else None


class TelegramBridge:
    """Handlers for survivors' private chats and the advocates' group, and the steps' rendering."""

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge
        self.settings = bridge.settings
        self.core = bridge.core
        self.store = bridge.store
        self.cases = Cases(self.store.engine)
        self.handoff: Optional[Handoffs] = None  # needs the bot: made in `build`
        self._loops: List[asyncio.Task] = []

    def build(self) -> Application:
        quiet_third_party_logs()
        application = (
            ApplicationBuilder()
            .token(self.settings.telegram_bot_token)
            .base_url(self.settings.telegram_api_base_url)
            .defaults(Defaults(disable_notification=True))
            .rate_limiter(self.pacing())
            .concurrent_updates(PerChatOrder(MAX_CONCURRENT_UPDATES))
            .post_init(self.on_start)
            .post_shutdown(self.on_stop)
            .build()
        )
        self.handoff = Handoffs(
            self.cases, TelegramMessenger(application.bot, self.settings.advocate_chat_id),
            self.settings.advocate_chat_id, self.settings.handoff_hours, self.settings.handoff_wait_minutes,
            remember=self.store.remember, advocate_language=self.settings.advocate_language)
        private = filters.ChatType.PRIVATE
        group = filters.Chat(self.settings.advocate_chat_id)
        new, edited = filters.UpdateType.MESSAGE, filters.UpdateType.EDITED_MESSAGE
        application.add_handlers([
            MessageHandler(private & edited, self.on_edited),
            CommandHandler(list(COMMANDS), self.on_text, filters=private & new),
            MessageHandler(private & new & filters.TEXT, self.on_text),
            MessageHandler(private & new, self.on_media),
            CommandHandler("end", self.on_end, filters=group & new),
            CommandHandler("queue", self.on_queue, filters=group & new),
            CommandHandler("name", self.on_name, filters=group & new),
            MessageHandler(group & edited & filters.TEXT, self.on_advocate_edited),
            MessageHandler(group & new & ~filters.COMMAND & ~filters.StatusUpdate.ALL, self.on_advocate_message),
            CallbackQueryHandler(self.on_button),
        ])
        application.add_error_handler(self.on_error)
        return application

    def pacing(self) -> AIORateLimiter:
        """Telegram's flood limits: ~30 messages/s per bot, 20/minute per group (0: off)."""
        rate = self.settings.max_messages_per_second
        return AIORateLimiter(overall_max_rate=rate, group_max_rate=20 if rate else 0, max_retries=3)

    async def on_start(self, application: Application) -> None:
        """Command menus per language; retention purge, handoff waits and outbox retries."""
        texts = all_texts()
        for language, own in texts.items():
            commands = [BotCommand(name, own["commands"][name]) for name in COMMANDS]
            await with_retries(lambda: application.bot.set_my_commands(
                commands, language_code=None if language == "en" else language))
        staff = texts[self.settings.advocate_language]["advocate_commands"]
        await with_retries(lambda: application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in staff.items()],
            scope=BotCommandScopeChat(self.settings.advocate_chat_id)))
        tick = min(30.0, self.settings.handoff_wait_minutes * 60 / 4)
        self._loops = [asyncio.create_task(every(PURGE_EVERY_SECONDS, self.purge)),
                       asyncio.create_task(every(tick, self.handoff.tick)),
                       asyncio.create_task(every(OUTBOX_RETRY_SECONDS, self.handoff.deliver))]

    async def on_stop(self, application: Application) -> None:
        """Stop the background loops, then close the Rasa client and the store."""
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        await self.bridge.close()

    async def purge(self) -> None:
        await self.store.purge(self.settings.retention_hours)
        await self.cases.purge(self.settings.retention_hours)

    def who(self, update: Update) -> tuple:
        user = update.effective_user
        return (pseudonym(self.settings.pseudonym_key, "telegram", user.id),
                update.effective_chat.id, language_of(user.language_code))

    # --- survivors ----------------------------------------------------------------
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender, chat_id, language = self.who(update)
        message = update.effective_message
        if not message.text.startswith("/") and await self.relayed(sender, message):
            await self.store.remember(sender, [message.message_id])
            return
        typing = asyncio.create_task(self.typing(context, chat_id))
        steps = await self.core.handle_text(sender, message.text, language)
        typing.cancel()
        await self.render(context, chat_id, sender, language, steps, seen=[message.message_id])

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files, places, contacts: relayed to an advocate
        during a case (as a copy); otherwise never read, stored or sent on."""
        sender, chat_id, language = self.who(update)
        await self.store.remember(sender, [update.effective_message.message_id])
        if not await self.relayed(sender, update.effective_message):
            await self.send(context, chat_id, sender, Reply(text("unsupported", language)))

    async def relayed(self, sender: Text, message: Message) -> bool:
        reply_to = message.reply_to_message.message_id if message.reply_to_message else None
        return await self.handoff.from_survivor(sender, message.chat_id, message.message_id, reply_to)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender, chat_id, language = self.who(update)
        message = update.effective_message
        if message.text and await self.handoff.survivor_edited(sender, message.message_id, message.text):
            return
        await self.send(context, chat_id, sender, Reply(text("edited", language)))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        offered = query.message.reply_markup if isinstance(query.message, Message) else None
        payloads = {b.callback_data for row in (offered.inline_keyboard if offered else []) for b in row}
        chat = update.effective_chat
        if chat is None or query.data not in payloads or not (
                chat.type == "private" or chat.id == self.settings.advocate_chat_id):
            await with_retries(lambda: query.answer(text("button_expired", language_of(query.from_user.language_code))))
            return  # forged, stale or foreign: never reaches Rasa or a case
        if chat.id == self.settings.advocate_chat_id:
            await self.on_case_button(query)
            return
        sender, chat_id, language = self.who(update)
        await with_retries(query.answer)
        await self.quietly(query.edit_message_reply_markup(reply_markup=None))
        if query.data in (KEEP_WAITING, LEAVE_MESSAGE):
            if not await self.handoff.choice(sender, query.data):
                await self.send(context, chat_id, sender, Reply(text("button_expired", language)))
            return
        steps = await self.core.press(sender, query.data, language)
        await self.render(context, chat_id, sender, language, steps)

    # --- advocates ----------------------------------------------------------------
    async def on_case_button(self, query) -> None:
        """Take or Pass on a case card; the handoff checks membership."""
        user = query.from_user.id
        if query.data.startswith(TAKE):
            answer = await self.handoff.take(query.data[len(TAKE):], user)
        elif query.data.startswith(PASS):
            answer = await self.handoff.pass_case(query.data[len(PASS):], user)
        else:
            answer = text("button_expired", self.settings.advocate_language)
        await with_retries(lambda: query.answer(answer, show_alert=True))

    async def on_advocate_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Only messages inside a case's topic go to that case's survivor."""
        message = update.effective_message
        if message.is_topic_message and message.message_thread_id:
            reply = message.reply_to_message
            reply_to = reply.message_id if reply and reply.message_id != message.message_thread_id else None
            await self.handoff.from_advocate(message.message_thread_id, message.message_id, reply_to)

    async def on_advocate_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message.is_topic_message and message.message_thread_id:
            await self.handoff.advocate_edited(message.message_thread_id, message.message_id, message.text)

    async def on_end(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        topic = message.message_thread_id if message.is_topic_message else None
        await self.answer_advocate(update, await self.handoff.end(topic))

    async def on_queue(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.answer_advocate(update, await self.handoff.queue())

    async def on_name(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        answer = await self.handoff.set_name(update.effective_user.id, " ".join(context.args or []))
        await self.answer_advocate(update, answer)

    async def answer_advocate(self, update: Update, answer: Text) -> None:
        message = update.effective_message
        await with_retries(lambda: message.get_bot().send_message(
            message.chat_id, answer, message_thread_id=message.message_thread_id if message.is_topic_message else None))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("handler failed: %s", type(context.error).__name__)  # no update content

    # --- rendering ------------------------------------------------------------------
    async def typing(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
        """"typing…" only when Rasa is slow: most answers arrive before anyone could
        see it, and each one is a request to Telegram (measured: a fifth of ours)."""
        await asyncio.sleep(TYPING_AFTER_SECONDS)
        await self.quietly(context.bot.send_chat_action(chat_id, ChatAction.TYPING))

    async def render(self, context, chat_id: int, sender: Text, language: Text, steps: List[Step],
                     seen: Sequence[int] = ()) -> None:
        """Carry out the steps; the turn's message ids (`seen` and what we send) are
        stored in one write, before a quick exit needs them."""
        ids = list(seen)
        try:
            for step in steps:
                if isinstance(step, Reply):
                    ids += await self.send_parts(context, chat_id, step)
                elif isinstance(step, QuickExit):
                    await self.store.remember(sender, ids)
                    ids = []
                    await self.quick_exit(context, chat_id, sender, language)
                    return
                elif isinstance(step, Forget):
                    ids = []
                    await self.handoff.survivor_left(sender)
                    await self.store.forget(sender)
                    await with_retries(lambda: context.bot.send_message(chat_id, text("forgotten", language)))
                elif isinstance(step, Handoff):
                    await self.handoff.request(sender, chat_id, step.request)
        finally:
            await self.store.remember(sender, ids)

    async def send(self, context, chat_id: int, sender: Text, step: Reply) -> None:
        await self.store.remember(sender, await self.send_parts(context, chat_id, step))

    async def send_parts(self, context, chat_id: int, step: Reply) -> List[int]:
        """Send a reply (split if too long, keyboard on the last part); the ids sent."""
        parts = split_text(step.text) or [""]
        ids = []
        for number, part in enumerate(parts, 1):
            markup = keyboard([(b.title, b.payload) for b in step.buttons]) if number == len(parts) else None
            sent = await with_retries(lambda: context.bot.send_message(chat_id, part, reply_markup=markup))
            ids.append(sent.message_id)
        return ids

    async def quick_exit(self, context, chat_id: int, sender: Text, language: Text) -> None:
        """Delete every message we can, leave one neutral line, keep nothing."""
        await self.handoff.survivor_left(sender)
        ids = await self.store.message_ids(sender)
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start:start + DELETE_BATCH]
            await self.quietly(with_retries(lambda: context.bot.delete_messages(chat_id, batch)))
        await self.store.forget(sender)
        await with_retries(lambda: context.bot.send_message(chat_id, text("left", language)))

    @staticmethod
    async def quietly(call: Awaitable) -> None:
        """For best-effort calls (typing, removing a keyboard, old messages)."""
        try:
            await call
        except (BadRequest, Forbidden, TelegramError):
            pass


async def every(seconds: float, job: Callable[[], Awaitable]) -> None:
    """Run `job` now and every `seconds`; a failure is logged (by type) and retried."""
    while True:
        try:
            await job()
        except Exception as error:  # keep the loop alive; never log content
            log.error("background job failed: %s", type(error).__name__)
        await asyncio.sleep(seconds)


def webhook_options(settings: Settings) -> dict:
    """Telegram sends WEBHOOK_SECRET in a header; PTB answers 403 to requests without it."""
    return dict(listen=settings.webhook_listen, port=settings.webhook_port, url_path=WEBHOOK_PATH,
                webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES)


def run(bridge: Bridge) -> None:
    """Polling by default; webhook mode when WEBHOOK_URL is set. Shutdown closes the bridge."""
    settings = bridge.settings
    application = TelegramBridge(bridge).build()
    if settings.webhook_url:
        application.run_webhook(**webhook_options(settings))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
