"""Daily counts in the bot store: what the operator's report is built from.

One row per (UTC day, name, label) with a count: conversations per language,
messages per outcome, handoffs, waits per bucket, FAQ topics, safety triggers,
quick exits, forgets. Never a pseudonym, a time finer than a day, or a word of
a conversation. The bot adds what it counted (bot/metrics.py) once a minute.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date
from typing import Dict, Text, Tuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.metrics import Tallies

metadata = sa.MetaData()
daily_counts = sa.Table(
    "daily_counts",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),  # YYYY-MM-DD, UTC
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("label", sa.String(48), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)
Counts = Dict[Tuple[Text, Text, Text], int]


class DailyCounts:
    """Adds tallies to the store and reads them back for a period."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine  # its table is made by the store's migrations (bot/schema.py)

    async def save(self, tallies: Tallies) -> None:
        """Write what `tallies` counted; on failure it is kept for the next try."""
        counts = tallies.take()
        if not counts:
            return
        try:
            await asyncio.to_thread(self.add, counts)
        except Exception:
            tallies.give_back(counts)
            raise

    def add(self, counts: Counts) -> None:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        rows = [{"day": d, "name": n, "label": label, "count": c} for (d, n, label), c in counts.items()]
        insert = dialect.insert(daily_counts).values(rows)
        upsert = insert.on_conflict_do_update(
            index_elements=["day", "name", "label"], set_={"count": daily_counts.c.count + insert.excluded.count})
        with self.engine.begin() as connection:
            connection.execute(upsert)

    def between(self, first: date, last: date) -> Dict[Text, Dict[Text, int]]:
        """{name: {label: count}} summed over the days from `first` to `last`, inclusive."""
        query = (sa.select(daily_counts.c.name, daily_counts.c.label, sa.func.sum(daily_counts.c.count))
                 .where(daily_counts.c.day >= first.isoformat(), daily_counts.c.day <= last.isoformat())
                 .group_by(daily_counts.c.name, daily_counts.c.label))
        totals: Dict[Text, Dict[Text, int]] = defaultdict(dict)
        with self.engine.connect() as connection:
            for name, label, count in connection.execute(query):
                totals[name][label] = int(count)
        return dict(totals)

    def per_day(self, name: Text, first: date, last: date) -> Dict[Text, int]:
        """{day: count} of `name` (all labels) for the days that have any."""
        query = (sa.select(daily_counts.c.day, sa.func.sum(daily_counts.c.count))
                 .where(daily_counts.c.name == name, daily_counts.c.day >= first.isoformat(),
                        daily_counts.c.day <= last.isoformat())
                 .group_by(daily_counts.c.day))
        with self.engine.connect() as connection:
            return {day: int(count) for day, count in connection.execute(query)}
