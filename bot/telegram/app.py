"""The python-telegram-bot Application: build it, run it (polling or webhook),
command menus, background loops, and closing everything on shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, List, Optional

import uvloop
from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Message, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
)

from bot import metrics
from bot.alerts import Alerts
from bot.cases import Cases
from bot.core import language_from_code
from bot.departures import Departures
from bot.erasure import Erasure
from bot.groups import Groups
from bot.handoff import Handoffs
from bot.health import Cached, Health, HttpCheck
from bot.monitoring import Monitoring
from bot.sealing import Sealer
from bot.tallies import DailyCounts
from bot.telegram import webhook
from bot.telegram.advocates import Advocates
from bot.telegram.messenger import TelegramMessenger, with_retries
from bot.telegram.order import PerChatOrder
from bot.telegram.pacing import PER_CHAT_BURST, Pacing
from bot.telegram.requests import AiohttpRequest
from bot.telegram.survivors import Survivors
from bot.texts import all_texts, command_menus, text
from bot.wiring import Bridge

log = logging.getLogger("safe_harbor.telegram")
PURGE_EVERY_SECONDS = 600
TALLIES_EVERY_SECONDS = 60  # the report's daily counts reach the store this often
OUTBOX_RETRY_SECONDS = 2.0  # relayed messages Telegram refused are retried this often
SHUTDOWN_ERASURE_SECONDS = 5.0
ERASURE_RETRY_SECONDS = 30.0  # Rasa or the group unreachable during an erasure: tried again this often
WEBHOOK_PATH = "telegram"  # local path; WEBHOOK_URL is the public address that reaches it


def quiet_third_party_logs() -> None:
    """httpx logs request URLs, which contain the bot token; PTB debug logs updates."""
    for name in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def every(seconds: float, job: Callable[[], Awaitable]) -> None:
    """Run `job` now and every `seconds`; a failure is logged (by type) and retried.

    A plain asyncio loop instead of PTB's JobQueue: that needs APScheduler >= 3.10.4,
    and Rasa 3.6 pins APScheduler 3.9.1 in the same environment."""
    while True:
        try:
            await job()
        except Exception as error:  # keep the loop alive; never log content
            log.error("background_job_failed", extra={"job": getattr(job, "__name__", "job"), "error": type(error).__name__})
        await asyncio.sleep(seconds)


class TelegramBridge:
    """The bridge on Telegram: survivors' private chats and the advocates' group."""

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge
        self.settings = bridge.settings
        self.core = bridge.core
        self.store = bridge.store
        self.cases = Cases(self.store.engine, Sealer(bridge.settings.chat_id_key))  # the store migrated its tables
        self.handoff: Optional[Handoffs] = None  # needs the bot: made in `build`
        self.erasure: Optional[Erasure] = None
        self.departures = Departures(self.store.engine)  # quick exits told to the other replicas
        self.daily = DailyCounts(self.store.engine)
        self.alerts: Optional[Alerts] = None
        self.monitoring: Optional[Monitoring] = None
        self._action_health = HttpCheck(bridge.settings.action_health_url)
        self._loops: List[asyncio.Task] = []

    def build(self) -> Application:
        quiet_third_party_logs()
        settings = self.settings
        application = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token)
            .base_url(settings.telegram_api_base_url)
            # Silent, and no link preview: a preview card would show a service's name and topic.
            .defaults(Defaults(disable_notification=True, link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .rate_limiter(pacing := self.pacing())
            .request(AiohttpRequest(connection_pool_size=256))  # PTB's default size; errors counted
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
            .concurrent_updates(order := PerChatOrder())
            .post_init(self.on_start)
            .post_shutdown(self.on_stop)
            .build()
        )
        groups = Groups(settings.advocate_groups)
        self.cases.adopt(groups.first)
        messenger = TelegramMessenger(application.bot, posted=groups.posted)
        self.erasure = Erasure(self.store, self.cases, self.core.rasa, messenger, settings.advocate_language)
        self.handoff = Handoffs(
            self.cases, messenger, self.erasure, groups, settings.handoff_hours,
            settings.handoff_wait_minutes, remember=self.store.remember,
            advocate_language=settings.advocate_language, allowed=settings.advocate_ids)
        self.survivors = Survivors(self.core, self.store, self.handoff, self.erasure, settings.pseudonym_key,
                                   self.departures)
        order.on_overflow = self.survivors.overflowing
        order.on_left_behind = self.survivors.left_behind
        self.advocates = Advocates(self.handoff, settings.advocate_language)
        self.alerts = Alerts(
            self.cases, messenger, groups.ids, settings.advocate_language, wait_minutes=settings.handoff_wait_minutes,
            rasa_reachable=self.core.rasa.reachable, budget_low=pacing.budget_low,
            repeat_minutes=settings.alert_repeat_minutes, rasa_down_seconds=settings.rasa_down_alert_seconds,
            backlog_at=settings.relay_backlog_alert)
        if settings.metrics_listen:
            self.monitoring = Monitoring(settings.metrics_listen, self.health(application), self.refresh_gauges)
        application.add_handlers(self.survivors.handlers() + self.advocates.handlers()
                                 + [CallbackQueryHandler(self.on_button)])
        application.add_error_handler(self.on_error)
        return application

    def health(self, application: Application) -> Health:
        """Ready: Rasa, the action server, the store and Telegram (getMe, cached) all answer."""
        async def telegram() -> bool:
            return (await application.bot.get_me()) is not None
        return Health({"rasa": self.core.rasa.reachable, "actions": self._action_health,
                       "store": self.store.reachable, "telegram": Cached(telegram)})

    async def refresh_gauges(self) -> None:
        metrics.QUEUE.set(len(await self.cases.waiting()))

    async def save_tallies(self) -> None:
        await self.daily.save(metrics.TALLIES)

    def pacing(self) -> Pacing:
        """Telegram's flood limits: ~30 messages/s per bot, 20/minute per group, about 1/s per
        private chat after a short burst (bot/telegram/pacing.py); a rate of 0 turns all off."""
        rate = self.settings.max_messages_per_second
        return Pacing(per_chat_burst=PER_CHAT_BURST if rate else 0, overall_max_rate=rate,
                      group_max_rate=20 if rate else 0, max_retries=3)

    async def on_start(self, application: Application) -> None:
        """Command menus per language; retention purge, handoff waits and outbox retries."""
        texts = all_texts()
        for language, menu in command_menus(texts).items():
            commands = [BotCommand(name, description) for name, description in menu]
            code = None if language == "en" else language  # English is also the menu for any other language
            await with_retries(lambda: application.bot.set_my_commands(commands, language_code=code))  # noqa: B023 (awaited at once)
        advocate_commands = texts[self.settings.advocate_language]["advocate_commands"]
        advocate_menu = [BotCommand(name, description) for name, description in advocate_commands.items()]
        for group in self.handoff.groups.ids:
            scope = BotCommandScopeChat(group)
            await with_retries(lambda: application.bot.set_my_commands(advocate_menu, scope=scope))  # noqa: B023 (awaited at once)
        tick = min(30.0, self.settings.handoff_wait_minutes * 60 / 4)
        self._loops = [asyncio.create_task(every(PURGE_EVERY_SECONDS, self.purge)),
                       asyncio.create_task(every(tick, self.handoff.tick)),
                       asyncio.create_task(every(OUTBOX_RETRY_SECONDS, self.handoff.relay.deliver)),
                       asyncio.create_task(every(ERASURE_RETRY_SECONDS, self.erasure.work)),
                       asyncio.create_task(every(TALLIES_EVERY_SECONDS, self.save_tallies)),
                       asyncio.create_task(every(self.settings.alert_check_seconds, self.alerts.check))]
        await self.departures.start()
        if self.monitoring is not None:
            await self.monitoring.start()

    async def on_stop(self, application: Application) -> None:
        """Stop the background loops, then close the Rasa client and the store."""
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        await self.departures.stop()
        if self.monitoring is not None:
            await self.monitoring.stop()
        await self._action_health.close()
        try:  # what was counted since the last minute
            await self.save_tallies()
        except Exception as error:
            log.warning("tallies_not_saved", extra={"error": type(error).__name__})
        try:  # an erasure under way finishes; what does not is still queued for the next start
            await asyncio.wait_for(self.erasure.settled(), SHUTDOWN_ERASURE_SECONDS)
        except Exception as error:
            log.warning("erasure_left_queued_at_shutdown", extra={"error": type(error).__name__})
        await self.bridge.close()

    async def purge(self) -> None:
        await self.erasure.purge(self.settings.retention_hours)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Only a button we offered, on that very message, in a private chat or the group."""
        query = update.callback_query
        offered = query.message.reply_markup if isinstance(query.message, Message) else None
        payloads = {b.callback_data for row in (offered.inline_keyboard if offered else []) for b in row}
        chat = update.effective_chat
        groups = self.handoff.groups.ids
        if chat is None or query.data not in payloads or not (chat.type == "private" or chat.id in groups):
            await with_retries(lambda: query.answer(text("button_expired", language_from_code(query.from_user.language_code))))
            return  # forged, stale or foreign: never reaches Rasa or a case
        if chat.id in groups:
            await self.advocates.on_button(query)
        else:
            await self.survivors.on_button(update, context, query)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("handler_failed", extra={"error": type(context.error).__name__})  # no update content


def run(bridge: Bridge) -> None:
    """Polling by default; webhook mode when WEBHOOK_URL is set (bot/telegram/webhook.py: the
    answer waits for the handling, once across replicas). Shutdown closes the bridge.
    The event loop is uvloop's (already installed for Rasa's Sanic): measured with `make
    bench-fleet`, it cuts the bot's CPU per message (README, "Benchmarks")."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    telegram_bridge = TelegramBridge(bridge)
    application = telegram_bridge.build()
    if bridge.settings.webhook_url:
        asyncio.run(webhook.serve(application, telegram_bridge.store, bridge.settings, WEBHOOK_PATH))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
