"""Telegram adapter: python-telegram-bot Application around the transport-agnostic core.

The only module that imports `telegram`. It turns updates from survivors'
private chats into `Core` calls under a pseudonym, renders the steps (inline
keyboards for buttons, deletion for quick exit), and keeps only message ids,
for quick exit. Nothing that identifies a person is logged or stored.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Awaitable, Callable, Iterable, List, Optional, Text, TypeVar

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.core import COMMANDS, Core, Forget, Handoff, QuickExit, Reply, Step, language_of
from bot.pseudonym import pseudonym
from bot.settings import Settings
from bot.store import Store
from bot.texts import all_texts, text

log = logging.getLogger("safe_harbor.telegram")
T = TypeVar("T")
DELETE_BATCH = 100  # Telegram's limit for deleteMessages
RETRY_DELAYS = (0.5, 1.0, 2.0)  # backoff for 5xx and network errors
PURGE_EVERY_SECONDS = 600
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


def keyboard(step: Reply) -> Optional[InlineKeyboardMarkup]:
    if not step.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=b.payload)]
                                 for b in step.buttons])


def case_card(request: dict, alias: Text) -> Text:
    """What advocates see: the survivor's choices, never an account or id."""
    lines = [
        f"{'URGENT · ' if request.get('urgency') == 'high' else ''}Case {alias}",
        f"Language: {request.get('language')} · Region: {request.get('region')}",
        f"Needs: {', '.join(request.get('needs') or []) or 'not said'}",
    ]
    if request.get("consent_to_share") and request.get("summary"):
        lines += ["", "What they chose to share:", request["summary"]]
    else:
        lines.append("They chose not to share what they wrote; please don't ask them to repeat it.")
    return "\n".join(lines)


class TelegramBridge:
    """Handlers for survivors' private chats, and the steps' rendering."""

    def __init__(self, settings: Settings, core: Core, store: Store) -> None:
        self.settings = settings
        self.core = core
        self.store = store
        self._purger: Optional[asyncio.Task] = None

    def build(self) -> Application:
        quiet_third_party_logs()
        application = (
            ApplicationBuilder()
            .token(self.settings.telegram_bot_token)
            .base_url(self.settings.telegram_api_base_url)
            .defaults(Defaults(disable_notification=True))
            .rate_limiter(AIORateLimiter(max_retries=3))
            .post_init(self.on_start)
            .post_shutdown(self.on_stop)
            .build()
        )
        private = filters.ChatType.PRIVATE
        application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self.on_edited))
        application.add_handler(CommandHandler(list(COMMANDS), self.on_text, filters=private & filters.UpdateType.MESSAGE))
        application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, self.on_unsupported))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)
        return application

    async def on_start(self, application: Application) -> None:
        """Command menus per language, and the retention purge loop."""
        texts = all_texts()
        for language, own in texts.items():
            commands = [BotCommand(name, own["commands"][name]) for name in COMMANDS]
            await with_retries(lambda: application.bot.set_my_commands(
                commands, language_code=None if language == "en" else language))
        self._purger = asyncio.create_task(self.purge_forever())

    async def on_stop(self, application: Application) -> None:
        if self._purger:
            self._purger.cancel()

    async def purge_forever(self) -> None:
        while True:
            await self.store.purge(self.settings.retention_hours)
            await asyncio.sleep(PURGE_EVERY_SECONDS)

    def who(self, update: Update) -> tuple:
        user = update.effective_user
        return (pseudonym(self.settings.pseudonym_key, "telegram", user.id),
                update.effective_chat.id, language_of(user.language_code))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender, chat_id, language = self.who(update)
        message = update.effective_message
        await self.store.remember(sender, [message.message_id])
        typing = asyncio.create_task(self.typing(context, chat_id))
        steps = await self.core.handle_text(sender, message.text, language)
        typing.cancel()
        await self.render(context, chat_id, sender, language, steps)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        offered = query.message.reply_markup if isinstance(query.message, Message) else None
        payloads = {b.callback_data for row in (offered.inline_keyboard if offered else []) for b in row}
        if update.effective_chat is None or update.effective_chat.type != "private" or query.data not in payloads:
            await with_retries(lambda: query.answer(text("button_expired", language_of(query.from_user.language_code))))
            return  # forged, stale or foreign: never reaches Rasa
        sender, chat_id, language = self.who(update)
        await with_retries(query.answer)
        await self.quietly(query.edit_message_reply_markup(reply_markup=None))
        steps = await self.core.press(sender, query.data, language)
        await self.render(context, chat_id, sender, language, steps)

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files, places, contacts: never read, stored or sent on."""
        sender, chat_id, language = self.who(update)
        await self.store.remember(sender, [update.effective_message.message_id])
        await self.send(context, chat_id, sender, Reply(text("unsupported", language)))

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender, chat_id, language = self.who(update)
        await self.send(context, chat_id, sender, Reply(text("edited", language)))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("handler failed: %s", type(context.error).__name__)  # no update content

    async def typing(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
        await self.quietly(context.bot.send_chat_action(chat_id, ChatAction.TYPING))

    async def render(self, context, chat_id: int, sender: Text, language: Text, steps: List[Step]) -> None:
        for step in steps:
            if isinstance(step, Reply):
                await self.send(context, chat_id, sender, step)
            elif isinstance(step, QuickExit):
                await self.quick_exit(context, chat_id, sender, language)
                return
            elif isinstance(step, Forget):
                await self.store.forget(sender)
                await with_retries(lambda: context.bot.send_message(chat_id, text("forgotten", language)))
            elif isinstance(step, Handoff):
                await self.open_handoff(context, step.request)

    async def send(self, context, chat_id: int, sender: Text, step: Reply) -> None:
        parts = split_text(step.text) or [""]
        for number, part in enumerate(parts, 1):
            markup = keyboard(step) if number == len(parts) else None
            sent = await with_retries(lambda: context.bot.send_message(chat_id, part, reply_markup=markup))
            await self.store.remember(sender, [sent.message_id])

    async def quick_exit(self, context, chat_id: int, sender: Text, language: Text) -> None:
        """Delete every message we can, leave one neutral line, keep nothing."""
        ids = await self.store.message_ids(sender)
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start:start + DELETE_BATCH]
            await self.quietly(with_retries(lambda: context.bot.delete_messages(chat_id, batch)))
        await self.store.forget(sender)
        await with_retries(lambda: context.bot.send_message(chat_id, text("left", language)))

    async def open_handoff(self, context, request: dict) -> None:
        """Post the case card to the advocates' group (full case flow: issue 5)."""
        alias = secrets.token_hex(2).upper()
        await with_retries(lambda: context.bot.send_message(
            self.settings.advocate_chat_id, case_card(request, alias), disable_notification=False))

    @staticmethod
    async def quietly(call: Awaitable) -> None:
        """For best-effort calls (typing, removing a keyboard, old messages)."""
        try:
            await call
        except (BadRequest, Forbidden, TelegramError):
            pass


def webhook_options(settings: Settings) -> dict:
    """Telegram sends WEBHOOK_SECRET in a header; PTB answers 403 to requests without it."""
    return dict(listen=settings.webhook_listen, port=settings.webhook_port, url_path=WEBHOOK_PATH,
                webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES)


def run(settings: Settings, core: Core, store: Store) -> None:
    """Polling by default; webhook mode when WEBHOOK_URL is set."""
    application = TelegramBridge(settings, core, store).build()
    if settings.webhook_url:
        application.run_webhook(**webhook_options(settings))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
