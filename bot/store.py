"""The bot store: what the bridge must remember, keyed by pseudonym, and no more.

Here: the ids of the messages in a survivor's chat, so that quick exit can
delete them (Telegram lets bots delete messages for 48 hours), the language
they chose in the chat, and the ids of the Telegram updates already handled (with, while one
is being handled, the message ids of the replies already sent: bot/telegram/journal.py). No Telegram
user id, name or text is stored; the chat id comes from each update (an open
case keeps it sealed: bot/cases.py). SQLite by
default, PostgreSQL by STORE_URL: the same SQLAlchemy Core code for both, the
schema kept up to date by migrations (bot/schema.py). Calls
run in a worker thread so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Text

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.outage import in_thread
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
telegram_updates = sa.Table(  # handled once across replicas: a retried webhook delivery is recognised
    "telegram_updates",
    metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seen_at", sa.Float, nullable=False, index=True),
    sa.Column("owner", sa.String(16), nullable=False),  # the replica handling it (a process id, no person)
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("replies_out", sa.Text, nullable=True),  # JSON: each sent reply's message ids and fingerprint (journal.py)
)
departures = sa.Table(  # when a survivor last left: a turn finishing after that takes its replies back
    "departures",
    metadata,
    sa.Column("pseudonym", sa.String(32), primary_key=True),
    sa.Column("left_at", sa.Float, nullable=False, index=True),
)
DEPARTURE_MEMORY_SECONDS = 3600  # far longer than any turn or takeover; then the marker goes
UPDATE_MEMORY_SECONDS = 24 * 3600  # Telegram gives up redelivering an update long before this
SQLITE_LEASE_SECONDS = 60.0  # SQLite has no session locks: an unfinished update is taken over after this
NEW, DONE, BUSY = "new", "done", "busy"


class Claim(NamedTuple):
    """A replica's claim on an update: NEW, DONE or BUSY, and for an update taken over from
    a replica that died, the journal of the replies it had already sent (journal.py)."""

    state: Text
    replies_out: Sequence[Dict[str, Any]] = ()
    taken_over: bool = False


chosen_languages = sa.Table(  # the language a survivor chose in the chat, for the bot's own texts
    "chosen_languages",
    metadata,
    sa.Column("pseudonym", sa.String(32), primary_key=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("chosen_at", sa.Float, nullable=False, index=True),
)


def presence_key(owner: Text) -> int:
    """The advisory lock key of a replica's presence, the same in every replica."""
    return int.from_bytes(hashlib.sha256(f"replica:{owner}".encode()).digest()[:8], "big", signed=True)


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


# libpq's TCP keepalives: a connection cut without a word (a network partition, a host gone)
# fails within about a minute instead of waiting for ever; above all the departures
# listener's (bot/departures.py), which only ever waits to hear.
TCP_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


class Store:
    """Message ids per pseudonym, for quick exit; purged after retention."""

    def __init__(self, url: Text, clock: Callable[[], float] = time.time, sealer: Optional[Sealer] = None) -> None:
        if url.startswith("sqlite:///"):
            owner_only(Path(url[len("sqlite:///"):]))
            # Pooled (SQLAlchemy 1.4 would open a connection per call) and shared by threads.
            self._engine = sa.create_engine(url, future=True, poolclass=sa.pool.QueuePool,
                                            connect_args={"check_same_thread": False})
            sa.event.listen(self._engine, "connect", sqlite_pragmas)
        else:  # a connection PostgreSQL dropped (a restart, a failover) is replaced, not used
            self._engine = sa.create_engine(url, future=True, pool_pre_ping=True, connect_args=TCP_KEEPALIVE)
        self._clock = clock
        self._presence: Optional[sa.engine.Connection] = None
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
            await in_thread(self._insert, rows)

    async def remember_turn(self, pseudonym: Text, message_ids: Iterable[int], written_at: float) -> bool:
        """Keep a turn's message ids, unless the person left (`depart`) after writing the
        message it answers: then nothing is kept and False says "take the turn back".

        The ids are committed before the departure is read, and `depart` commits before the
        exit reads the ids: whichever comes second sees the other, on every replica."""
        rows = [{"pseudonym": pseudonym, "message_id": m, "created_at": self._clock()} for m in message_ids]
        return await in_thread(self._remember_turn, pseudonym, rows, written_at)

    def _remember_turn(self, pseudonym: Text, rows: List[dict], written_at: float) -> bool:
        with self._engine.connect() as connection:
            if rows:
                connection.execute(self._insert_new(chat_messages).values(rows))
                connection.commit()
            left_at = connection.execute(sa.select(departures.c.left_at).where(
                departures.c.pseudonym == pseudonym)).scalar()
            if left_at is None or left_at < written_at:
                connection.commit()
                return True
            connection.execute(chat_messages.delete().where(
                chat_messages.c.pseudonym == pseudonym,
                chat_messages.c.message_id.in_([row["message_id"] for row in rows])))
            connection.commit()
            return False

    async def departed_since(self, pseudonym: Text, written_at: float) -> bool:
        """They left after writing the message at `written_at` (a replica taking over the
        update of one that died asks this before answering)."""
        query = sa.select(departures.c.left_at).where(departures.c.pseudonym == pseudonym,
                                                      departures.c.left_at >= written_at)
        return bool(await in_thread(self._scalars, query))

    async def depart(self, pseudonym: Text) -> List[int]:
        """They are leaving: mark the time, then return the chat's message ids (as
        `message_ids`). In this order, so a turn storing its ids meanwhile is never missed
        by both sides (`remember_turn`)."""
        return await in_thread(self._depart, pseudonym, self._clock())

    def _depart(self, pseudonym: Text, now: float) -> List[int]:
        with self._engine.connect() as connection:
            connection.execute(departures.delete().where(departures.c.pseudonym == pseudonym))
            connection.execute(departures.insert().values(pseudonym=pseudonym, left_at=now))
            connection.commit()
            ids = connection.execute(self._message_ids_query(pseudonym)).scalars()
            connection.commit()
            return list(ids)

    def _insert(self, rows: List[dict]) -> None:
        with self._engine.begin() as connection:  # an id already known is simply skipped
            connection.execute(self._insert_new(chat_messages).values(rows))

    def _insert_new(self, table: sa.Table):
        """INSERT … ON CONFLICT DO NOTHING, in this database's dialect: one statement, no race
        between replicas."""
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()

    async def claim_update(self, update_id: int, owner: Text) -> Claim:
        """NEW: this replica handles the update (first delivery, or its replica died); DONE:
        handled already, drop it; BUSY: another live replica is handling it, ask again later."""
        return await asyncio.to_thread(self._claim_update, update_id, owner)

    def _claim_update(self, update_id: int, owner: Text) -> Claim:
        now = self._clock()
        with self._engine.begin() as connection:
            inserted = connection.execute(self._insert_new(telegram_updates).values(
                update_id=update_id, seen_at=now, owner=owner, done=False))
            if inserted.rowcount == 1:
                return Claim(NEW)
            row = connection.execute(sa.select(telegram_updates.c.owner, telegram_updates.c.done,
                                               telegram_updates.c.seen_at, telegram_updates.c.replies_out)
                                     .where(telegram_updates.c.update_id == update_id)).one()
            if row.done:
                return Claim(DONE)
            if row.owner == owner or self._alive(connection, row.owner, row.seen_at):
                return Claim(BUSY)
            taken = connection.execute(telegram_updates.update().where(
                telegram_updates.c.update_id == update_id, telegram_updates.c.owner == row.owner,
                telegram_updates.c.done.is_(False)).values(owner=owner, seen_at=now))
            if taken.rowcount != 1:
                return Claim(BUSY)
            return Claim(NEW, json.loads(row.replies_out) if row.replies_out else [], taken_over=True)

    async def replies_out(self, update_id: int, owner: Text, replies: List[Any]) -> bool:
        """Each reply sent so far for this update (journal.py), written after each one; False
        when `owner` no longer holds the update (another replica took it over). Tried once:
        in a store outage the next reply must not wait out `in_thread`'s retries."""
        return await asyncio.to_thread(self._replies_out, update_id, owner, json.dumps(replies))

    def _replies_out(self, update_id: int, owner: Text, replies: Text) -> bool:
        with self._engine.begin() as connection:
            return connection.execute(telegram_updates.update().where(
                telegram_updates.c.update_id == update_id, telegram_updates.c.owner == owner,
                telegram_updates.c.done.is_(False)).values(replies_out=replies)).rowcount == 1

    def _alive(self, connection, owner: Text, seen_at: float) -> bool:
        """On PostgreSQL a replica holds its presence lock while it lives (`be_present`); on
        SQLite, an unfinished update is left to its replica for a lease."""
        if self._engine.dialect.name != "postgresql":
            return self._clock() - seen_at < SQLITE_LEASE_SECONDS
        key = presence_key(owner)
        if connection.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar():
            return False  # nobody holds it: that replica is gone (the lock goes with this transaction)
        return True

    async def finish_update(self, update_id: int) -> None:
        await asyncio.to_thread(self._execute_all, [
            telegram_updates.update().where(telegram_updates.c.update_id == update_id).values(
                done=True, replies_out=None)])

    def be_present(self, owner: Text) -> None:
        """Hold this replica's presence lock for the life of the process (PostgreSQL): when the
        process dies, its connection and the lock go, and its unfinished updates are taken over.
        Called again now and then: a database restart ends the session, so the lock is taken anew."""
        if self._engine.dialect.name != "postgresql":
            return
        if self._presence is not None:
            try:
                self._presence.execute(sa.text("SELECT 1"))
                self._presence.commit()
                return
            except sa.exc.DBAPIError:
                self._presence.invalidate()
                self._presence.close()
                self._presence = None
        presence = self._engine.connect()
        presence.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": presence_key(owner)})
        presence.commit()
        self._presence = presence

    async def message_ids(self, pseudonym: Text) -> List[int]:
        """Ids still inside Telegram's deletion window, oldest first."""
        return await in_thread(self._scalars, self._message_ids_query(pseudonym))

    def _message_ids_query(self, pseudonym: Text):
        since = self._clock() - DELETABLE_SECONDS
        return (sa.select(chat_messages.c.message_id)
                .where(chat_messages.c.pseudonym == pseudonym, chat_messages.c.created_at >= since)
                .order_by(chat_messages.c.message_id))

    def _scalars(self, query) -> List:
        with self._engine.connect() as connection:
            return list(connection.execute(query).scalars())

    async def choose_language(self, pseudonym: Text, language: Text) -> None:
        """The survivor chose `language` in the chat: the bot's own texts follow it too."""
        await in_thread(self._choose_language, pseudonym, language)

    def _choose_language(self, pseudonym: Text, language: Text) -> None:
        with self._engine.begin() as connection:
            connection.execute(chosen_languages.delete().where(chosen_languages.c.pseudonym == pseudonym))
            connection.execute(chosen_languages.insert().values(
                pseudonym=pseudonym, language=language, chosen_at=self._clock()))

    async def chosen_language(self, pseudonym: Text) -> Optional[Text]:
        """The language this survivor chose, if they chose one."""
        query = sa.select(chosen_languages.c.language).where(chosen_languages.c.pseudonym == pseudonym)
        found = await in_thread(self._scalars, query)
        return found[0] if found else None

    async def forget(self, pseudonym: Text) -> None:
        await in_thread(self._execute_all, [
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
            telegram_updates.delete().where(telegram_updates.c.seen_at < now - UPDATE_MEMORY_SECONDS),
            departures.delete().where(departures.c.left_at < now - DEPARTURE_MEMORY_SECONDS)])

    def _execute_all(self, statements) -> int:
        with self._engine.begin() as connection:
            return sum(connection.execute(statement).rowcount for statement in statements)

    def close(self) -> None:
        if self._presence is not None:
            self._presence.close()
            self._presence = None
        self._engine.dispose()
