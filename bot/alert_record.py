"""Which alert went to which group, and when: shared by every bot replica in the store.

Kept in memory, each replica would post its own "waiting too long" alert. The
row is claimed before the alert is sent (one atomic upsert, on SQLite and
PostgreSQL alike), so within the repeat time only one replica posts it; a send
that fails gives the claim back, and the next check tries again. A kind of
alert and a group's id name no survivor.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable, Text

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

metadata = sa.MetaData()
alerts_sent = sa.Table(
    "alerts_sent",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("group_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sent_at", sa.Float, nullable=False),
)


class SentAlerts:
    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine  # the table is made by the store's migrations (bot/schema.py)
        self.clock = clock

    async def claim(self, kind: Text, group: int, repeat_seconds: float) -> float | None:
        """The time this replica claimed the alert at, or None if it went out within `repeat_seconds`."""
        return await asyncio.to_thread(self._claim, kind, group, repeat_seconds)

    def _claim(self, kind: Text, group: int, repeat_seconds: float) -> float | None:
        now = self.clock()
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(alerts_sent).values(kind=kind, group_id=group, sent_at=now)
        upsert = insert.on_conflict_do_update(
            index_elements=["kind", "group_id"], set_={"sent_at": now},
            where=alerts_sent.c.sent_at <= now - repeat_seconds)
        with self.engine.begin() as connection:
            return now if connection.execute(upsert).rowcount == 1 else None

    async def give_back(self, kind: Text, group: int, claimed_at: float) -> None:
        """The alert could not be sent: the next check (of any replica) may send it."""
        await asyncio.to_thread(self._give_back, kind, group, claimed_at)

    def _give_back(self, kind: Text, group: int, claimed_at: float) -> None:
        with self.engine.begin() as connection:
            connection.execute(alerts_sent.delete().where(
                alerts_sent.c.kind == kind, alerts_sent.c.group_id == group, alerts_sent.c.sent_at == claimed_at))
