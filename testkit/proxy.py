"""A small round-robin reverse proxy for the webhook, used only in tests.

The fleet runs behind nginx (deploy/nginx.conf); the tests use this instead
because nginx is not on every machine that runs them, and installing it needs
root. It does what the tests rely on nginx for: spread requests over the bot
replicas, and send a request whose replica refuses the connection to the next
one (nginx's `proxy_next_upstream error`). A replica that fails after receiving
a request is not retried elsewhere: the client (Telegram) retries.
"""

from __future__ import annotations

import itertools
from typing import List

import aiohttp
from aiohttp import web

FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class Proxy:
    def __init__(self, upstreams: List[str]) -> None:
        self.upstreams = upstreams
        self._next = itertools.cycle(range(len(upstreams)))
        self.runner = None
        self.port = 0
        self.session = None

    async def start(self, port: int = 0) -> str:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{path:.*}", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{self.port}"

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        first = next(self._next)
        for offset in range(len(self.upstreams)):
            upstream = self.upstreams[(first + offset) % len(self.upstreams)]
            try:
                async with self.session.request(request.method, upstream + request.rel_url.path_qs,
                                                data=body, headers=headers) as answer:
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientConnectorError:
                continue  # never reached: the next replica
            except (aiohttp.ClientError, TimeoutError):
                return web.Response(status=502)
        return web.Response(status=502)

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()
        if self.session:
            await self.session.close()
