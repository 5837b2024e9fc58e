"""The one place that speaks HTTP to Rasa: its REST channel.

One pooled aiohttp session is reused for every message; a slow or absent Rasa
raises `RasaUnavailable` within `timeout` seconds so callers can answer kindly.
"""

from __future__ import annotations

import zlib
from typing import Any, Dict, List, Optional, Text

import aiohttp

ERASE_PAYLOAD = "/quick_exit"


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    """Send a survivor's message under a pseudonym and get Rasa's replies.

    `base_urls` may list several Rasa replicas, comma-separated. Each
    conversation always goes to the same replica (a stable hash of the
    pseudonym), so one conversation is never processed by two at once.
    """

    def __init__(self, base_urls: Text, timeout: float = 10.0) -> None:
        self._urls = [url.strip().rstrip("/") + "/webhooks/rest/webhook"
                      for url in base_urls.split(",") if url.strip()]
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    def url_for(self, sender: Text) -> Text:
        """The replica for this conversation; stable across restarts of the bot."""
        return self._urls[zlib.crc32(sender.encode()) % len(self._urls)]

    async def send(
        self, sender: Text, text: Text, metadata: Optional[Dict[Text, Any]] = None
    ) -> List[Dict[Text, Any]]:
        """Rasa's replies: dicts with `text`, `buttons` and/or `custom`."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        try:
            async with self._session.post(self.url_for(sender), json=body) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(type(error).__name__) from error

    async def erase(self, sender: Text) -> None:
        """Have Rasa delete this conversation's tracker (its quick-exit action marks it for
        erasure, and the tracker store deletes it instead of saving: components/tracker_store.py)."""
        replies = await self.send(sender, ERASE_PAYLOAD)
        if not any((reply.get("custom") or {}).get("quick_exit") for reply in replies):
            raise RasaUnavailable("Rasa did not confirm the erasure")  # the action failed: try again

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
