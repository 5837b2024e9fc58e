"""Handoff cases in the bot store: the queue, the relay's message map, the outbox.

A case holds the survivor's chat id, sealed (bot/sealing.py), only while it is
open (needed to deliver the advocate's replies). Closing it drops the chat id,
the summary and the message map; what the bot posted in the advocates' group
(and the pseudonym, so /forget still reaches it) stays until retention, when the erasure service
(bot/erasure.py) takes it back. A survivor who leaves takes the whole case
with them at once. Relayed messages go through an outbox keyed by case and
direction: each incoming message is enqueued once (a redelivered update is
recognised) and stays pending until Telegram accepted the copy, so a restart
neither loses nor repeats a message.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Callable, Dict, List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.case_locks import CaseLocks
from bot.case_tables import (
    ACTIVE,
    CLOSED,
    TO_GROUP,
    TO_SURVIVOR,
    WAITING,
    Case,
    Delivery,
    advocates,
    cases,
    erasures,
    metadata,
    outbox,
    posts,
    relay,
)
from bot.core import HandoffRequest
from bot.outage import in_thread
from bot.sealing import Sealer

__all__ = ["ACTIVE", "CLOSED", "TO_GROUP", "TO_SURVIVOR", "WAITING", "Case", "Cases", "Delivery", "metadata"]


def dialect_keeps_old_rows(db) -> bool:
    """PostgreSQL keeps a deleted row's bytes until VACUUM (see README); SQLite here runs
    with secure_delete, which zeroes them."""
    return db.dialect.name == "postgresql"


log = logging.getLogger("safe_harbor.cases")
ALIAS_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class Cases:
    """Cases, message map and outbox over the bot store's database."""

    def __init__(self, engine: Engine, sealer: Sealer, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._sealer = sealer
        self._clock = clock
        self.lock = CaseLocks(engine)  # `lock(alias)`: the case's relay and erasure, across replicas too

    @property
    def engine(self) -> Engine:
        """The bot store's database, which other shared records (alerts sent) live in too."""
        return self._engine

    async def _run(self, work: Callable, *args):
        """Every database call in a worker thread, through a short outage (bot/outage.py)."""
        return await in_thread(work, *args)

    # --- the queue -------------------------------------------------------------
    async def open(self, pseudonym: Text, chat_id: int, request: HandoffRequest, group_id: Optional[int] = None) -> Case:
        """A new waiting case (its card to go to `group_id`), or the one this person already has open."""
        return await self._run(self._open_case, pseudonym, chat_id, request, group_id)

    def _open_case(self, pseudonym: Text, chat_id: int, request: HandoffRequest, group_id: Optional[int]) -> Case:
        with self._engine.begin() as db:
            existing = db.execute(sa.select(cases).where(
                cases.c.pseudonym == pseudonym, cases.c.state != CLOSED)).first()
            if existing:
                return self._case(existing)
            alias = self._new_alias(db)
            db.execute(cases.insert().values(
                alias=alias, state=WAITING, pseudonym=pseudonym, sealed_chat=self._sealer.seal(chat_id, pseudonym),
                language=request.language, region=request.region, needs=json.dumps(list(request.needs)),
                urgent=request.urgent, urgent_reason=request.urgent_reason, summary=request.summary, safe_to_talk=request.safe_to_talk,
                created_at=self._clock(), last_seen_at=self._clock(), fallback_sent=False, leaving_message=False,
                group_id=group_id,
            ))
            return self._case(db.execute(sa.select(cases).where(cases.c.alias == alias)).one())

    def _case(self, row) -> Case:
        return Case.of(row, self._sealer)

    @staticmethod
    def _new_alias(db) -> Text:
        while True:
            alias = "".join(secrets.choice(ALIAS_LETTERS) for _ in range(4))
            if not db.execute(sa.select(cases.c.alias).where(cases.c.alias == alias)).first():
                return alias

    async def get(self, alias: Text) -> Optional[Case]:
        return await self._one(cases.c.alias == alias)

    async def open_case_of(self, pseudonym: Text) -> Optional[Case]:
        """Asked on every survivor message, of the database (indexed): another replica may
        have opened or closed it."""
        return await self._one(cases.c.pseudonym == pseudonym, cases.c.state != CLOSED)

    async def case_in_topic(self, group_id: int, topic_id: int) -> Optional[Case]:
        """The active case of this topic (topic ids are only unique within a group)."""
        return await self._one(cases.c.topic_id == topic_id, cases.c.state == ACTIVE, cases.c.group_id == group_id)

    def adopt(self, group_id: int) -> None:
        """Cases (and queued erasures) from before several groups were in this one: the first."""
        with self._engine.begin() as db:
            for table in (cases, erasures):
                db.execute(table.update().where(table.c.group_id.is_(None)).values(group_id=group_id))

    async def open_counts(self) -> Dict[int, int]:
        """Open cases per advocates' group."""
        def work():
            with self._engine.connect() as db:
                rows = db.execute(sa.select(cases.c.group_id, sa.func.count()).where(cases.c.state != CLOSED)
                                  .group_by(cases.c.group_id)).all()
                return {group: count for group, count in rows}
        return await self._run(work)

    async def _one(self, *conditions) -> Optional[Case]:
        def work():
            with self._engine.connect() as db:
                row = db.execute(sa.select(cases).where(*conditions)).first()
                return self._case(row) if row else None
        return await self._run(work)

    async def waiting(self) -> List[Case]:
        """Waiting cases in the order advocates should take them: urgent, then oldest."""
        def work():
            with self._engine.connect() as db:
                rows = db.execute(sa.select(cases).where(cases.c.state == WAITING)
                                  .order_by(cases.c.urgent.desc(), cases.c.created_at)).all()
                return [self._case(row) for row in rows]
        return await self._run(work)

    async def position(self, alias: Text) -> int:
        """1 for the next case to be taken."""
        order = [case.alias for case in await self.waiting()]
        return order.index(alias) + 1 if alias in order else 0

    async def expected_wait_minutes(self, default: float, recent: int = 20) -> float:
        """Mean time to be taken over the last cases, or `default` when none yet."""
        def work():
            with self._engine.connect() as db:
                return db.execute(sa.select(cases.c.taken_at - cases.c.created_at)
                                  .where(cases.c.taken_at.is_not(None))
                                  .order_by(cases.c.taken_at.desc()).limit(recent)).scalars().all()
        waits = await self._run(work)
        return sum(waits) / len(waits) / 60 if waits else default

    async def update(self, alias: Text, **values) -> None:
        await self._run(self._execute, cases.update().where(cases.c.alias == alias).values(**values))

    async def take(self, alias: Text, advocate_id: int) -> bool:
        """Atomically: True for the first advocate only."""
        statement = (cases.update().where(cases.c.alias == alias, cases.c.state == WAITING)
                     .values(state=ACTIVE, advocate_id=advocate_id, taken_at=self._clock(),
                             leaving_message=False))
        return await self._run(self._execute, statement) == 1

    async def untake(self, alias: Text) -> None:
        """Taking failed before the case had a topic: back in the queue as it was."""
        await self._run(self._execute, cases.update().where(
            cases.c.alias == alias, cases.c.state == ACTIVE, cases.c.topic_id.is_(None))
            .values(state=WAITING, advocate_id=None, taken_at=None))

    async def close(self, alias: Text) -> None:
        """Closed (/end): no chat id, summary, message map or pending copies kept; the group's
        topic and posts stay listed until retention (`purge`), and so does the pseudonym (a
        keyed hash, no Telegram id), so that /forget still reaches them."""
        def work():
            with self._engine.begin() as db:
                db.execute(cases.update().where(cases.c.alias == alias).values(
                    state=CLOSED, sealed_chat=None, summary=None, needs=None, safe_to_talk=None,
                    leaving_message=False, closed_at=self._clock()))
                db.execute(relay.delete().where(relay.c.alias == alias))
                db.execute(outbox.delete().where(outbox.c.alias == alias))
            self._checkpoint()
        await self._run(work)

    async def remove(self, alias: Text, *, rasa_pseudonym: Optional[Text] = None,
                     card_note: Optional[Text] = None) -> None:
        """The case and everything about it gone now; what it left in the advocates' group
        is queued for the erasure service, in the same transaction (bot/erasure.py).
        `card_note`: the card is edited down to it (else deleted); `rasa_pseudonym`: Rasa's
        tracker is erased too."""
        def work():
            with self._engine.begin() as db:
                self._remove(db, alias, rasa_pseudonym, card_note)
            self._checkpoint()
        await self._run(work)

    def _remove(self, db, alias: Text, rasa_pseudonym: Optional[Text], card_note: Optional[Text]) -> None:
        row = db.execute(sa.select(cases.c.pseudonym, cases.c.group_id, cases.c.topic_id, cases.c.card_id)
                         .where(cases.c.alias == alias)).first()
        if row is None:
            return
        self.lock.forget(alias)
        posted = list(db.execute(sa.select(posts.c.message_id).where(posts.c.alias == alias)).scalars())
        if dialect_keeps_old_rows(db):  # PostgreSQL: the words are overwritten before the row goes
            db.execute(cases.update().where(cases.c.alias == alias).values(
                summary=None, needs=None, sealed_chat=None, pseudonym=None))
        for table in (relay, outbox, posts):
            db.execute(table.delete().where(table.c.alias == alias))
        db.execute(cases.delete().where(cases.c.alias == alias))
        if rasa_pseudonym or row.topic_id or row.card_id or posted:
            db.execute(erasures.insert().values(
                pseudonym=rasa_pseudonym, alias=alias, group_id=row.group_id, topic_id=row.topic_id, card_id=row.card_id,
                card_note=card_note, posts=json.dumps(posted), group_done=False,
                created_at=self._clock(), attempts=0))

    async def aliases_of(self, pseudonym: Text) -> List[Text]:
        """Every case of this person, open or closed (what /forget and quick exit take back)."""
        def work():
            with self._engine.connect() as db:
                return list(db.execute(sa.select(cases.c.alias).where(cases.c.pseudonym == pseudonym)
                                       .order_by(cases.c.created_at)).scalars())
        return await self._run(work)

    async def queue_rasa_erasure(self, pseudonym: Text) -> None:
        """Only Rasa's tracker to erase (no case): a retried step like the group's."""
        await self._run(self._execute, erasures.insert().values(
            pseudonym=pseudonym, posts="[]", group_done=True, created_at=self._clock(), attempts=0))

    def _checkpoint(self) -> None:
        if self._engine.dialect.name == "sqlite":  # no old copy of their words in the write-ahead log
            with self._engine.connect() as db:
                db.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))

    async def silent(self, retention_hours: float) -> List[Case]:
        """Open cases with no message either way for the retention period: they expire."""
        cutoff = self._clock() - retention_hours * 3600
        def work():
            with self._engine.connect() as db:
                rows = db.execute(sa.select(cases).where(
                    cases.c.state != CLOSED,
                    sa.func.coalesce(cases.c.last_seen_at, cases.c.created_at) < cutoff)).all()
                return [self._case(row) for row in rows]
        return await self._run(work)

    async def purge(self, retention_hours: float) -> int:
        """Closed cases past retention disappear; their topic and posts are queued for erasure."""
        cutoff = self._clock() - retention_hours * 3600
        def work():
            with self._engine.begin() as db:
                old = list(db.execute(sa.select(cases.c.alias).where(
                    cases.c.state == CLOSED,
                    sa.func.coalesce(cases.c.closed_at, cases.c.created_at) < cutoff)).scalars())
                for alias in old:
                    self._remove(db, alias, None, None)
                stale = erasures.c.created_at < cutoff  # Rasa's own retention has purged its part by now
                stuck = db.execute(sa.select(sa.func.count()).where(stale, erasures.c.group_done.is_(False))).scalar()
                if stuck:
                    log.warning("group_erasure_overdue", extra={"cases": stuck})  # the bot may not delete there
                db.execute(erasures.delete().where(stale))
                return len(old)
        return await self._run(work)

    # --- relay -----------------------------------------------------------------
    async def enqueue(self, alias: Text, direction: Text, source_message_id: int,
                      reply_to: Optional[int] = None) -> bool:
        """False when this message was already enqueued (a redelivered update). Either
        direction counts as the case being alive (`silent`)."""
        def work():
            with self._engine.begin() as db:
                seen = db.execute(sa.select(outbox.c.id).where(
                    outbox.c.alias == alias, outbox.c.direction == direction,
                    outbox.c.source_message_id == source_message_id)).first()
                if seen:
                    return False
                db.execute(outbox.insert().values(
                    alias=alias, direction=direction, source_message_id=source_message_id,
                    reply_to=reply_to, sent=False))
                db.execute(cases.update().where(cases.c.alias == alias).values(last_seen_at=self._clock()))
                return True
        return await self._run(work)

    async def pending(self) -> List[Text]:
        """Cases with copies waiting, oldest first (`pending_of` says which are due)."""
        def work():
            with self._engine.connect() as db:
                rows = db.execute(sa.select(outbox.c.alias, sa.func.min(outbox.c.id).label("first"))
                                  .where(*self._waiting()).group_by(outbox.c.alias).order_by("first")).all()
                return [row.alias for row in rows]
        return await self._run(work)

    async def held_back(self) -> int:
        """Copies waiting in cases whose next copy failed at least once: each case keeps its
        order, so all of them wait for it (a backlog alert, bot/alerts.py)."""
        def work():
            stuck = sa.select(outbox.c.alias).where(*self._waiting(), outbox.c.next_at.is_not(None))
            with self._engine.connect() as db:
                return db.execute(sa.select(sa.func.count()).select_from(outbox)
                                  .where(*self._waiting(), outbox.c.alias.in_(stuck))).scalar()
        return await self._run(work)

    async def pending_of(self, alias: Text) -> List[Delivery]:
        """This case's copies due now, in the order they were written: none after one whose
        backoff is not over, so a case's messages never overtake each other."""
        def work():
            with self._engine.connect() as db:
                rows = db.execute(sa.select(outbox.c.id, outbox.c.alias, outbox.c.direction,
                                            outbox.c.source_message_id, outbox.c.reply_to, outbox.c.next_at)
                                  .where(outbox.c.alias == alias, *self._waiting()).order_by(outbox.c.id)).all()
            due = []
            for row in rows:
                if (row.next_at or 0) > self._clock():
                    break
                due.append(Delivery(*row[:5]))
            return due
        return await self._run(work)

    @staticmethod
    def _waiting() -> list:
        return [outbox.c.sent.is_(False), sa.func.coalesce(outbox.c.failed, False).is_(False)]

    async def refused(self, delivery: Delivery) -> None:
        """Refused for good: never tried again; the copies after it go on."""
        await self._run(self._execute, outbox.update().where(outbox.c.id == delivery.id).values(failed=True))

    async def retry_later(self, delivery: Delivery, first_delay: float = 1.0, longest: float = 300.0) -> None:
        """A failure worth retrying: this case's copies wait, each time twice as long."""
        def work():
            with self._engine.begin() as db:
                attempts = (db.execute(sa.select(outbox.c.attempts).where(outbox.c.id == delivery.id))
                            .scalar() or 0) + 1
                db.execute(outbox.update().where(outbox.c.id == delivery.id).values(
                    attempts=attempts, next_at=self._clock() + min(first_delay * 2 ** (attempts - 1), longest)))
        await self._run(work)

    async def delivered(self, delivery: Delivery, copy_id: int) -> None:
        """Mark sent and remember which copy answers to which original."""
        survivor_id, group_id = ((delivery.source_message_id, copy_id) if delivery.direction == TO_GROUP
                                 else (copy_id, delivery.source_message_id))
        def work():
            with self._engine.begin() as db:
                db.execute(outbox.update().where(outbox.c.id == delivery.id).values(sent=True))
                db.execute(relay.insert().values(alias=delivery.alias, survivor_message_id=survivor_id,
                                                 group_message_id=group_id))
        await self._run(work)

    async def counterpart(self, alias: Text, direction: Text, message_id: int) -> Optional[int]:
        """The copy of `message_id` on the other side (for edits and replies)."""
        source, target = ((relay.c.survivor_message_id, relay.c.group_message_id) if direction == TO_GROUP
                          else (relay.c.group_message_id, relay.c.survivor_message_id))
        def work():
            with self._engine.connect() as db:
                return db.execute(sa.select(target).where(relay.c.alias == alias, source == message_id)).scalar()
        return await self._run(work)

    async def posted(self, alias: Text, message_id: int) -> None:
        """A message the bot put in the group's General topic for this case."""
        await self._run(self._execute, posts.insert().values(alias=alias, message_id=message_id))

    # --- advocates -------------------------------------------------------------
    async def set_display_name(self, user_id: int, name: Text) -> None:
        def work():
            with self._engine.begin() as db:
                db.execute(advocates.delete().where(advocates.c.user_id == user_id))
                db.execute(advocates.insert().values(user_id=user_id, display_name=name))
        await self._run(work)

    async def display_name(self, user_id: int) -> Optional[Text]:
        def work():
            with self._engine.connect() as db:
                return db.execute(sa.select(advocates.c.display_name)
                                  .where(advocates.c.user_id == user_id)).scalar()
        return await self._run(work)

    def _execute(self, statement) -> int:
        with self._engine.begin() as db:
            return db.execute(statement).rowcount
