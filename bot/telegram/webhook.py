"""Telegram's webhook, answered only once the update is handled, and handled once across replicas.

PTB's own webhook server answers 200 as soon as an update is queued: a replica
killed a moment later takes the survivor's message with it, and Telegram never
sends it again. Here the answer waits for the handling (in the chat's order,
bot/telegram/order.py), so a dead replica's update is retried by Telegram and
reaches another one; the shared store (`Store.claim_update`) makes sure a
delivery Telegram repeats is handled once, and that a dead replica's
unfinished update is taken over without repeating the replies it had sent
(bot/telegram/journal.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import signal
from typing import Optional, Text

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot import metrics
from bot.store import BUSY, DONE, Store
from bot.telegram import journal

log = logging.getLogger("safe_harbor.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PRESENCE_CHECK_SECONDS = 5.0  # how soon a replica is known alive again after a database restart
FINISH_RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)  # marking an update handled, through a database hiccup


class Webhook:
    """The HTTP endpoint Telegram (through the proxy) posts updates to."""

    def __init__(self, application: Application, store: Store, secret: Text, path: Text) -> None:
        self.application = application
        self.store = store
        self.secret = secret
        self.journal_key = journal.journal_key(secret)
        self.path = path
        self.replica = secrets.token_hex(8)  # names this process in the store while it lives
        self.runner: Optional[web.AppRunner] = None
        self.presence: Optional[asyncio.Task] = None

    async def start(self, listen: Text, port: int) -> None:
        await asyncio.to_thread(self.store.be_present, self.replica)
        self.presence = asyncio.create_task(self.stay_present())
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post(f"/{self.path}", self.receive)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, listen, port).start()

    async def receive(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(json.loads(await request.read()), self.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        try:
            claim = await self.store.claim_update(update.update_id, self.replica)
        except Exception as error:  # the store is away (a restart): not handled, so Telegram asks again
            log.warning("update_not_claimed", extra={"error": type(error).__name__})
            return web.Response(status=503)
        if claim.state == DONE:
            metrics.duplicate_update()
            return web.Response()
        if claim.state == BUSY:  # another replica is on it: Telegram asks again later
            return web.Response(status=503)
        journal.current.set(journal.Journal(self.store, update.update_id, self.replica, self.journal_key,
                                            claim.replies_out, claim.taken_over))
        processor = self.application.update_processor
        await processor.process_update(update, self.application.process_update(update))
        await self.finish(update.update_id)
        return web.Response()  # handled: even if it could not be marked, Telegram must not send it again

    async def finish(self, update_id: int) -> None:
        for delay in FINISH_RETRY_SECONDS:
            try:
                await self.store.finish_update(update_id)
                return
            except Exception as error:  # the store is away for a moment: the answer is already out
                log.warning("update_not_marked_handled", extra={"error": type(error).__name__})
                await asyncio.sleep(delay)

    async def stay_present(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_CHECK_SECONDS)
            try:
                await asyncio.to_thread(self.store.be_present, self.replica)
            except Exception as error:  # tried again at the next check
                log.warning("presence_not_renewed", extra={"error": type(error).__name__})

    async def stop(self) -> None:
        if self.presence is not None:
            self.presence.cancel()
        if self.runner is not None:
            await self.runner.cleanup()


async def open_webhook(application: Application, store: Store, settings, path: Text) -> Webhook:
    """Listen on WEBHOOK_LISTEN:WEBHOOK_PORT, then tell Telegram the public WEBHOOK_URL and the secret."""
    webhook = Webhook(application, store, settings.webhook_secret, path)
    await webhook.start(settings.webhook_listen, settings.webhook_port)
    await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                      allowed_updates=Update.ALL_TYPES)
    log.info("webhook_listening", extra={"port": settings.webhook_port})
    return webhook


async def serve(application: Application, store: Store, settings, path: Text) -> None:
    """Run the bot in webhook mode until SIGTERM or SIGINT: start, register the webhook, serve."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    webhook = await open_webhook(application, store, settings, path)
    try:
        await stopping.wait()
    finally:
        await webhook.stop()
        await application.stop()
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()
