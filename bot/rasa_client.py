"""The one place that speaks HTTP to Rasa: its REST channel.

One pooled aiohttp session is reused for every message; a slow or absent Rasa
raises `RasaUnavailable` within `timeout` seconds so callers can answer kindly.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import aiohttp


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    """Send a survivor's message under a pseudonym and get Rasa's replies."""

    def __init__(self, base_url: Text, timeout: float = 10.0) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def send(
        self, sender: Text, text: Text, metadata: Optional[Dict[Text, Any]] = None
    ) -> List[Dict[Text, Any]]:
        """Rasa's replies: dicts with `text`, `buttons` and/or `custom`."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        try:
            async with self._session.post(self._url, json=body) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(type(error).__name__) from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
