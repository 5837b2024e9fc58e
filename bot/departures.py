"""Quick exits and /forget, told to every bot replica: a turn still in progress on another
replica stops sending and takes back what it sent, as bot/turns.py does within one process.

In a fleet, the message a survivor wrote and the "Leave quickly" they pressed a moment later
may reach two replicas. The one handling the exit deletes what the store knows; the other is
still waiting on Rasa for the earlier message and would answer into a chat that was just
emptied. On PostgreSQL the exit is announced with NOTIFY, and each replica LISTENs on a
connection of its own (one thread). With SQLite there is one process: nothing to tell.
The announcement carries the pseudonym only, as the store does.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import select
import threading
from typing import Callable, List, Optional, Text

import sqlalchemy as sa

log = logging.getLogger("safe_harbor.departures")
CHANNEL = "safe_harbor_departures"
POLL_SECONDS = 1.0  # how often the listener looks up from its wait to see whether it should stop
RECONNECT_SECONDS = 1.0  # after the database went away (a restart)


class Departures:
    """Announce a departure to the other replicas; hear theirs."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        self.replica = secrets.token_hex(6)  # an announcement's own replica ignores it
        self.listeners: List[Callable[[Text], object]] = []
        self._shared = engine.dialect.name == "postgresql"
        self._stopping = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def subscribe(self, listener: Callable[[Text], object]) -> None:
        """`listener(pseudonym)` runs on the event loop when another replica sees them leave."""
        self.listeners.append(listener)

    async def start(self) -> None:
        if not self._shared or self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, args=(ready,), name="departures", daemon=True)
        self._thread.start()
        await asyncio.to_thread(ready.wait, 10.0)

    async def announce(self, pseudonym: Text) -> None:
        """Best effort: the exit itself never waits on this (the chat is deleted either way)."""
        if not self._shared:
            return
        try:
            await asyncio.to_thread(self._notify, f"{self.replica}:{pseudonym}")
        except Exception as error:
            log.warning("departure_not_announced", extra={"error": type(error).__name__})

    def _notify(self, payload: Text) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_notify(:channel, :payload)"),
                               {"channel": CHANNEL, "payload": payload})

    def _listen(self, ready: threading.Event) -> None:
        """One connection, LISTENing, until `stop`; connected again after a database restart."""
        while not self._stopping.is_set():
            connection = None
            try:
                raw = self.engine.raw_connection()
                raw.detach()  # its own for as long as this replica lives: not the pool's
                connection = raw.connection
                connection.autocommit = True
                connection.cursor().execute(f"LISTEN {CHANNEL}")
                ready.set()
                while not self._stopping.is_set():
                    if select.select([connection], [], [], POLL_SECONDS)[0]:
                        connection.poll()
                        while connection.notifies:
                            self._heard(connection.notifies.pop(0).payload)
            except Exception as error:  # the database restarted: listen again
                log.warning("departures_not_heard", extra={"error": type(error).__name__})
                ready.set()  # starting never waits on a database that is away
                self._stopping.wait(RECONNECT_SECONDS)
            finally:
                if connection is not None:
                    connection.close()

    def _heard(self, payload: Text) -> None:
        replica, _, pseudonym = payload.partition(":")
        if replica == self.replica or self._loop is None:
            return
        for listener in self.listeners:
            self._loop.call_soon_threadsafe(listener, pseudonym)

    async def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, POLL_SECONDS + 1)
            self._thread = None
