"""One place that builds the bridge from its settings, and closes what it opened.

The Telegram bot (`python -m bot`), the terminal chat, the tests' harness and
the benchmark (which starts `python -m bot`) all go through `build`.
"""

from __future__ import annotations

from typing import Optional

from bot.core import Core
from bot.rasa_client import RasaClient
from bot.sealing import Sealer
from bot.settings import Settings
from bot.store import Store
from knowledge.resources import check_all_region_files


class Bridge:
    """The platform-free parts: the core (with its Rasa client) and the bot store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.core = Core(RasaClient(settings.rasa_url, timeout=settings.rasa_timeout), settings.default_region)
        self._store: Optional[Store] = None

    @property
    def store(self) -> Store:
        """Opened on first use: the terminal chat never needs it."""
        if self._store is None:
            self._store = Store(self.settings.store_url, sealer=Sealer(self.settings.chat_id_key))
        return self._store

    async def close(self) -> None:
        """Close the Rasa client's connections and the store's database pool."""
        await self.core.rasa.close()
        if self._store is not None:
            self._store.close()
            self._store = None


def build(settings: Settings) -> Bridge:
    """Check the content the bot reads, then make the bridge."""
    check_all_region_files(settings.default_region)  # a bad resource file stops start-up here
    return Bridge(settings)
