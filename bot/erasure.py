"""Erasure: the one way anything about a survivor is deleted, free of any chat platform.

Leaving (quick exit, /forget), an advocate's /end, silence and the retention
purge all come here. A survivor's leaving happens in this order, and no later
step can hold back an earlier one:

1. the adapter deletes the chat's messages (the bot's and theirs, as far as the
   platform allows) and sends one neutral line, using `depart` (which first marks
   when they left, so a turn any replica finishes later takes its replies back);
2. `forget` erases the bot store at once, and in the same transaction queues
   what is left elsewhere: Rasa's tracker and the advocates' group;
3. `work`, in the background and retried until done, erases Rasa's tracker and
   deletes the case's topic, card and copies from the group.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable, List, Optional, Set, Text

import sqlalchemy as sa

from bot import metrics
from bot.case_tables import erasures
from bot.cases import Cases
from bot.core import as_specs, choices
from bot.messenger import DeliveryFailed, DeliveryRefused, Messenger
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.store import Store
from bot.texts import text

log = logging.getLogger("safe_harbor.erasure")
LOCK_WAIT_SECONDS = 1.0


class Erasure:
    """Deletes everything kept about a person or a case, in the order above."""

    def __init__(self, store: Store, cases: Cases, rasa: RasaClient, messenger: Messenger,
                 advocate_language: Text = "en",
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.cases = cases
        self.rasa = rasa
        self.messenger = messenger
        self.advocate_language = advocate_language
        self.clock = clock
        self._working = asyncio.Lock()
        self._leaving: Set[Text] = set()
        self._background: Optional[asyncio.Task] = None

    @asynccontextmanager
    async def leaving(self, pseudonym: Text) -> AsyncIterator[None]:
        """Held from the first deletion to the store's erasure: no relay copy of their case lands
        in between. Waits at most LOCK_WAIT_SECONDS for a copy on its way (which then is deleted
        too); past that, leaving goes ahead and the relay takes back what lands late."""
        self._leaving.add(pseudonym)
        case = await self.cases.open_case_of(pseudonym)
        lock = self.cases.lock(case.alias) if case is not None else None
        try:
            held = lock is not None and await asyncio.wait_for(lock.acquire(), LOCK_WAIT_SECONDS)
        except asyncio.TimeoutError:
            held = False
        try:
            yield
        finally:
            self._leaving.discard(pseudonym)
            if held:
                lock.release()

    def is_leaving(self, pseudonym: Optional[Text]) -> bool:
        """In the middle of leaving: a copy landing now is taken back (bot/relay.py)."""
        return pseudonym in self._leaving

    async def depart(self, pseudonym: Text) -> List[int]:
        """Step 1's list: the chat's messages Telegram still lets the bot delete, read after
        the time they left is marked (`Store.depart`)."""
        return await self.store.depart(pseudonym)

    async def forget(self, pseudonym: Text, *, erase_rasa: bool) -> None:
        """Step 2: the bot store forgets this person now (their cases too, open or closed); Rasa's
        tracker (unless Rasa already erased it) and the group are queued for `work`."""
        rasa_pseudonym = pseudonym if erase_rasa else None
        aliases = await self.cases.aliases_of(pseudonym)  # an open case, and closed ones still in the group
        for alias in aliases:
            await self.cases.remove(alias, rasa_pseudonym=rasa_pseudonym,
                                    card_note=self.group_text("advocate_left").format(alias=alias))
            rasa_pseudonym = None  # one Rasa erasure is enough
        if rasa_pseudonym is not None:
            await self.cases.queue_rasa_erasure(pseudonym)
        await self.store.forget(pseudonym)
        self.start_work()

    async def end(self, alias: Text) -> None:
        """An advocate's /end: the case closes and forgets the survivor; its topic and card
        stay for the team until retention (`purge`)."""
        await self.cases.close(alias)
        metrics.case_closed()

    async def expire_silent_cases(self, retention_hours: float) -> int:
        """Open cases silent for the retention period: the survivor is told kindly, then
        the case goes the way of a survivor who left."""
        silent = await self.cases.silent(retention_hours)
        for case in silent:
            try:
                await self.messenger.send(case.chat_id, text("handoff_expired", case.language),
                                          buttons=as_specs(choices(case.language)))
            except (DeliveryFailed, DeliveryRefused) as error:  # they may have blocked the bot; erasure goes on
                log.warning("expiry_notice_not_delivered", extra={"error": type(error).__name__})
            await self.cases.remove(case.alias, card_note=self.group_text("advocate_expired").format(
                alias=case.alias))
        if silent:
            self.start_work()
        return len(silent)

    async def purge(self, retention_hours: float) -> None:
        """Retention: message ids, silent open cases, closed cases and their group posts."""
        await self.store.purge(retention_hours)
        await self.expire_silent_cases(retention_hours)
        if await self.cases.purge(retention_hours):
            self.start_work()

    def start_work(self) -> None:
        """Step 3 now, in the background: the survivor never waits for the group or Rasa."""
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self.work())

    async def settled(self) -> None:
        """Returns once the background pass started by `start_work` is over (for tests, shutdown)."""
        if self._background is not None:
            await self._background

    async def work(self) -> None:
        """One pass over the queued steps; what fails stays queued for the next pass."""
        async with self._working:
            for job in await asyncio.to_thread(self._pending):
                rasa_done = job.pseudonym is None or await self._erase_rasa(job.pseudonym)
                group_done = job.group_done or await self._clear_group(job)
                await asyncio.to_thread(self._record, job.id, rasa_done, group_done)

    async def _erase_rasa(self, pseudonym: Text) -> bool:
        try:
            await self.rasa.erase(pseudonym)
        except RasaUnavailable:
            return False
        return True

    async def _clear_group(self, job) -> bool:
        """The case's topic (with all it holds), its General-topic copies and notes, and its
        card: deleted, or edited down to one line without any detail where Telegram no
        longer lets the bot delete them. False: Telegram did not answer; try again later."""
        closed = job.card_note or self.group_text("advocate_case_closed").format(alias=job.alias)
        group = job.group_id  # every case has one (Cases.adopt gives old ones the first group)
        try:
            if job.topic_id:
                await self.messenger.delete_topic(group, job.topic_id)
            posted = json.loads(job.posts or "[]")
            if posted and not await self.messenger.delete(group, posted):
                for message_id in posted:  # too old to delete: nothing of theirs left in it
                    await self.messenger.edit(group, message_id, closed)
            if job.card_id and (job.card_note is not None
                                or not await self.messenger.delete(group, [job.card_id])):
                await self.messenger.edit(group, job.card_id, closed)
        except DeliveryFailed:
            return False
        return True

    def _pending(self) -> list:
        with self.store.engine.connect() as db:
            return db.execute(sa.select(erasures).order_by(erasures.c.id)).all()

    def _record(self, job_id: int, rasa_done: bool, group_done: bool) -> None:
        with self.store.engine.begin() as db:
            if rasa_done and group_done:
                db.execute(erasures.delete().where(erasures.c.id == job_id))
                return
            values = {"group_done": group_done, "attempts": erasures.c.attempts + 1}
            if rasa_done:
                values["pseudonym"] = None
            db.execute(erasures.update().where(erasures.c.id == job_id).values(**values))

    def group_text(self, key: Text) -> Text:
        return text(key, self.advocate_language)
