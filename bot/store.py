"""The bot store: what the bridge must remember, keyed by pseudonym, and no more.

Here: the ids of the messages in a survivor's chat, so that quick exit can
delete them (Telegram lets bots delete messages for 48 hours), the language
they chose in the chat, and the ids of the Telegram updates already handled. No Telegram
user id, name or text is stored; the chat id comes from each update (an open
case keeps it sealed: bot/cases.py). SQLite by
default, PostgreSQL by STORE_URL: the same SQLAlchemy Core code for both, the
schema kept up to date by migrations (bot/schema.py). Calls
run in a worker thread so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.schema import migrate
from bot.sealing import Sealer

DELETABLE_SECONDS = 48 * 3600  # Telegram's window for deleting messages

metadata = sa.MetaData()
chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("pseudonym", sa.String(32), nullable=False, index=True),
    sa.Column("message_id", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.UniqueConstraint("pseudonym", "message_id"),
)
telegram_updates = sa.Table(  # handled once: a retried webhook delivery is recognised (no person named)
    "telegram_updates",
    metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seen_at", sa.Float, nullable=False, index=True),
)
UPDATE_MEMORY_SECONDS = 24 * 3600  # Telegram gives up redelivering an update long before this
chosen_languages = sa.Table(  # the language a survivor chose in the chat, for the bot's own texts
    "chosen_languages",
    metadata,
    sa.Column("pseudonym", sa.String(32), primary_key=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("chosen_at", sa.Float, nullable=False, index=True),
)


def sqlite_pragmas(connection, _record) -> None:
    """WAL with NORMAL sync: a commit no longer waits for a disk flush (an OS crash may
    lose the last message ids; a bot crash loses nothing), and readers never block writers."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")  # a closed case's summary is overwritten, not unlinked
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def owner_only(database: Path) -> None:
    """The SQLite file readable by its owner only, whatever the umask: SQLite gives its
    -wal and -shm files the same mode."""
    database.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    database.chmod(0o600)


class Store:
    """Message ids per pseudonym, for quick exit; purged after retention."""

    def __init__(self, url: Text, clock: Callable[[], float] = time.time, sealer: Optional[Sealer] = None) -> None:
        if url.startswith("sqlite:///"):
            owner_only(Path(url[len("sqlite:///"):]))
            # Pooled (SQLAlchemy 1.4 would open a connection per call) and shared by threads.
            self._engine = sa.create_engine(url, future=True, poolclass=sa.pool.QueuePool,
                                            connect_args={"check_same_thread": False})
            sa.event.listen(self._engine, "connect", sqlite_pragmas)
        else:
            self._engine = sa.create_engine(url, future=True)
        self._clock = clock
        migrate(self._engine, sealer)  # bot/migrations/: every table the bot keeps, up to date

    @property
    def engine(self) -> sa.engine.Engine:
        """Shared with the handoff cases: one database for everything the bot keeps."""
        return self._engine

    async def reachable(self) -> bool:
        """The database answers a trivial query (readiness, bot/health.py)."""
        def ping() -> bool:
            with self._engine.connect() as connection:
                return connection.execute(sa.text("SELECT 1")).scalar() == 1
        return await asyncio.to_thread(ping)

    async def remember(self, pseudonym: Text, message_ids: Iterable[int]) -> None:
        rows = [{"pseudonym": pseudonym, "message_id": m, "created_at": self._clock()}
                for m in message_ids]
        if rows:
            await asyncio.to_thread(self._insert, rows)

    def _insert(self, rows: List[dict]) -> None:
        with self._engine.begin() as connection:  # an id already known is simply skipped
            connection.execute(self._insert_new(chat_messages).values(rows))

    def _insert_new(self, table: sa.Table):
        """INSERT … ON CONFLICT DO NOTHING, in this database's dialect: one statement, no race
        between replicas."""
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()

    async def first_time(self, update_id: int) -> bool:
        """True the first time any replica sees this Telegram update; False for a redelivery."""
        return await asyncio.to_thread(self._first_time, update_id)

    def _first_time(self, update_id: int) -> bool:
        with self._engine.begin() as connection:
            inserted = connection.execute(self._insert_new(telegram_updates).values(
                update_id=update_id, seen_at=self._clock()))
            return inserted.rowcount == 1

    async def message_ids(self, pseudonym: Text) -> List[int]:
        """Ids still inside Telegram's deletion window, oldest first."""
        since = self._clock() - DELETABLE_SECONDS
        query = (sa.select(chat_messages.c.message_id)
                 .where(chat_messages.c.pseudonym == pseudonym, chat_messages.c.created_at >= since)
                 .order_by(chat_messages.c.message_id))
        return await asyncio.to_thread(self._scalars, query)

    def _scalars(self, query) -> List:
        with self._engine.connect() as connection:
            return list(connection.execute(query).scalars())

    async def choose_language(self, pseudonym: Text, language: Text) -> None:
        """The survivor chose `language` in the chat: the bot's own texts follow it too."""
        await asyncio.to_thread(self._choose_language, pseudonym, language)

    def _choose_language(self, pseudonym: Text, language: Text) -> None:
        with self._engine.begin() as connection:
            connection.execute(chosen_languages.delete().where(chosen_languages.c.pseudonym == pseudonym))
            connection.execute(chosen_languages.insert().values(
                pseudonym=pseudonym, language=language, chosen_at=self._clock()))

    async def chosen_language(self, pseudonym: Text) -> Optional[Text]:
        """The language this survivor chose, if they chose one."""
        query = sa.select(chosen_languages.c.language).where(chosen_languages.c.pseudonym == pseudonym)
        found = await asyncio.to_thread(self._scalars, query)
        return found[0] if found else None

    async def forget(self, pseudonym: Text) -> None:
        await asyncio.to_thread(self._execute_all, [
            chat_messages.delete().where(chat_messages.c.pseudonym == pseudonym),
            chosen_languages.delete().where(chosen_languages.c.pseudonym == pseudonym)])

    async def purge(self, retention_hours: float) -> int:
        """Delete rows older than retention (and never keep ids past 48 hours)."""
        keep = min(retention_hours * 3600, DELETABLE_SECONDS)
        now = self._clock()
        active = sa.select(chat_messages.c.pseudonym)  # still writing: their choice stays
        return await asyncio.to_thread(self._execute_all, [
            chat_messages.delete().where(chat_messages.c.created_at < now - keep),
            chosen_languages.delete().where(chosen_languages.c.chosen_at < now - retention_hours * 3600,
                                            chosen_languages.c.pseudonym.not_in(active)),
            telegram_updates.delete().where(telegram_updates.c.seen_at < now - UPDATE_MEMORY_SECONDS)])

    def _execute_all(self, statements) -> int:
        with self._engine.begin() as connection:
            return sum(connection.execute(statement).rowcount for statement in statements)

    def close(self) -> None:
        self._engine.dispose()
