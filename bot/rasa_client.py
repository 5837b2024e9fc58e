"""The one place that speaks HTTP to Rasa: its REST channel.

One pooled aiohttp session is reused for every message; a slow or absent Rasa
raises `RasaUnavailable` within `timeout` seconds so callers can answer kindly.
"""

from __future__ import annotations

import zlib
from typing import Any, Dict, List, Optional, Text

import aiohttp

from bot.metrics import RASA_LATENCY

ERASE_PAYLOAD = "/quick_exit"
# A replica taking over from one that died may wait for the dead one's conversation lock to
# expire (TICKET_LOCK_LIFETIME in rasa.env, 5 s, and Rasa's 1 s retry): that attempt gets this
# much longer than RASA_TIMEOUT_SECONDS, so the survivor still gets their answer.
FAILOVER_EXTRA_SECONDS = 7.0


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    """Send a survivor's message under a pseudonym and get Rasa's replies.

    `base_urls` may list several Rasa replicas, comma-separated. Each
    conversation goes to the same replica (a stable hash of the pseudonym), so
    its turns are not spread over replicas. A replica that refuses the
    connection never saw the message, and one that resets or drops it without
    a word has died: either way the next one in the ring gets it (the replicas share the
    tracker store, and Rasa's lock store keeps two off one conversation). A
    replica that died mid-turn may have saved the message first: then Rasa's
    history holds it twice, and the survivor still gets one answer. A timeout
    or an error answer is not retried elsewhere: that replica is alive and may
    still be handling it.
    """

    def __init__(self, base_urls: Text, timeout: float = 10.0) -> None:
        self._bases = [url.strip().rstrip("/") for url in base_urls.split(",") if url.strip()]
        self._urls = [base + "/webhooks/rest/webhook" for base in self._bases]
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._failover_timeout = aiohttp.ClientTimeout(total=timeout + FAILOVER_EXTRA_SECONDS)
        self._session: Optional[aiohttp.ClientSession] = None

    def url_for(self, sender: Text) -> Text:
        """The replica for this conversation; stable across restarts of the bot."""
        return self.urls_for(sender)[0]

    def urls_for(self, sender: Text) -> List[Text]:
        """This conversation's replica first, then the others in ring order (failover)."""
        first = zlib.crc32(sender.encode()) % len(self._urls)
        return self._urls[first:] + self._urls[:first]

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def send(
        self, sender: Text, text: Text, metadata: Optional[Dict[Text, Any]] = None
    ) -> List[Dict[Text, Any]]:
        """Rasa's replies: dicts with `text`, `buttons` and/or `custom`, and `response`, the
        name of the response each came from (components/rest_channel.py)."""
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        urls = self.urls_for(sender)
        for url in urls:
            timeout = self._timeout if url == urls[0] else self._failover_timeout
            try:
                with RASA_LATENCY.time():
                    async with self.session().post(url, json=body, timeout=timeout) as response:
                        if response.status != 200:
                            raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
                        return await response.json()
            except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as error:  # refused, reset, dropped: gone
                if url == urls[-1]:
                    raise RasaUnavailable(type(error).__name__) from error
            except (aiohttp.ClientError, TimeoutError) as error:
                raise RasaUnavailable(type(error).__name__) from error
        raise RasaUnavailable("no Rasa replica configured")

    async def reachable(self) -> bool:
        """At least one replica answers its health page (`GET /`): with failover, any replica
        can answer any survivor. (Each replica's own health is its orchestrator's to watch.)"""
        for base in self._bases:
            try:
                async with self.session().get(base + "/") as response:
                    if response.status == 200:
                        return True
            except (aiohttp.ClientError, TimeoutError):
                continue
        return False

    async def erase(self, sender: Text) -> None:
        """Have Rasa delete this conversation's tracker (its quick-exit action marks it for
        erasure, and the tracker store deletes it instead of saving: components/tracker_store.py)."""
        replies = await self.send(sender, ERASE_PAYLOAD)
        if not any((reply.get("custom") or {}).get("quick_exit") for reply in replies):
            raise RasaUnavailable("Rasa did not confirm the erasure")  # the action failed: try again

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
