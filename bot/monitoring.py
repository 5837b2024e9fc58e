"""The operator's HTTP endpoints on METRICS_LISTEN (default 127.0.0.1:9102):

- `/healthz`: 200 while the process is alive (its event loop answers);
- `/readyz`: 200 when every readiness check passes, else 503; the body names
  each check (rasa, actions, store, telegram) with true or false;
- `/metrics`: Prometheus' text format (bot/metrics.py), no identifying label.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, Optional, Text

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.health import Health
from bot.metrics import REGISTRY

log = logging.getLogger("safe_harbor.monitoring")


def split_listen(listen: Text) -> tuple:
    host, _, port = listen.rpartition(":")
    return host or "127.0.0.1", int(port)


class Monitoring:
    """An aiohttp server in the bot's own event loop."""

    def __init__(self, listen: Text, health: Health,
                 before_scrape: Optional[Callable[[], Awaitable[None]]] = None) -> None:
        self.listen = listen
        self.health = health
        self.before_scrape = before_scrape
        self._runner: Optional[web.AppRunner] = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)  # no access log: it would hold addresses
        await self._runner.setup()
        host, port = split_listen(self.listen)
        await web.TCPSite(self._runner, host, port).start()
        log.info("monitoring_listening", extra={"listen": self.listen})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"alive": True})

    async def readyz(self, _request: web.Request) -> web.Response:
        ready, checks = await self.health.ready()
        return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        if self.before_scrape is not None:
            try:
                await self.before_scrape()
            except Exception as error:  # the gauges stay as they were; the counters still count
                log.warning("metrics_refresh_failed", extra={"error": type(error).__name__})
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
