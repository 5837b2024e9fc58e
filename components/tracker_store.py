"""Rasa's SQL tracker store, able to forget a conversation and to forget by age.

Where it keeps conversations is the TRACKER_STORE_URL setting: SQLite under var/
by default, or `postgresql://user:password@host:port/db` for Rasa replicas (the
same settings-not-YAML rule as the lock store, components/lock_store.py).
Forget-me and quick exit must leave no row behind. Their actions set the slot
`erase_conversation`; when a tracker carrying it is saved, every event of that
sender is deleted instead. Events older than RETENTION_HOURS (default 72) are
purged, checked at most every `purge_interval_seconds` while Rasa saves.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

ERASE_SLOT = "erase_conversation"
DEFAULT_DB = Path(__file__).resolve().parent.parent / "var" / "rasa-tracker.sqlite3"


def database_options(url: Optional[Text]) -> Dict[Text, Any]:
    """SQLTrackerStore's keyword arguments for a database URL (TRACKER_STORE_URL)."""
    parsed = sa.engine.make_url((url or "").strip() or f"sqlite:///{DEFAULT_DB}")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"TRACKER_STORE_URL must be sqlite:///PATH or postgresql://…, not {parsed.drivername!r}")
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database:
            raise ValueError("TRACKER_STORE_URL=sqlite:///PATH needs a file path")
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return {"dialect": parsed.drivername, "host": parsed.host, "port": parsed.port, "db": parsed.database,
            "username": parsed.username, "password": parsed.password}


def _write_ahead_log(connection: Any, _record: Any) -> None:
    """Readers never wait for the writer; commits skip the full disk sync; deleted
    conversations are overwritten with zeros, not just unlinked."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ErasingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore + erase on request + retention purge."""

    def __init__(
        self,
        *args: Any,
        retention_hours: Optional[float] = None,
        purge_interval_seconds: float = 600,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        if "dialect" not in kwargs and "db" not in kwargs:  # endpoints.yml names no database: the setting does
            kwargs.update(database_options(os.environ.get("TRACKER_STORE_URL")))
        super().__init__(*args, **kwargs)
        self._pool_sqlite_connections()
        hours = retention_hours or float(os.environ.get("RETENTION_HOURS") or 72)
        self.retention_seconds = float(hours) * 3600
        self.purge_interval_seconds = purge_interval_seconds
        self.clock = clock
        self._last_purge = float("-inf")

    def _pool_sqlite_connections(self) -> None:
        """Rasa opens a new SQLite connection for every read and save (SQLAlchemy 1.4's
        NullPool) and syncs to disk on each commit; measured (`make bench`), that was
        a fifth of Rasa's time per message. Pooled connections in WAL mode instead.
        On PostgreSQL: a pooled connection is checked before use, so a database restart
        costs no survivor's message."""
        if self.engine.dialect.name != "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            return
        url = self.engine.url
        self.engine.dispose()
        if url.database:  # owner-only, whatever the umask (its -wal and -shm files follow)
            os.chmod(url.database, 0o600)
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool,
                                       connect_args={"check_same_thread": False})
        sa.event.listen(self.engine, "connect", _write_ahead_log)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(ERASE_SLOT):
            self.erase(tracker.sender_id)
        else:
            await super().save(tracker)
        if self.clock() - self._last_purge >= self.purge_interval_seconds:
            self.purge()

    def erase(self, sender_id: Text) -> int:
        """Delete every stored event of `sender_id`; returns how many."""
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
            if self.engine.dialect.name == "sqlite":  # no copy of their words left in the log
                session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
            return deleted

    def purge(self) -> int:
        """Delete events older than the retention period; returns how many."""
        self._last_purge = self.clock()
        cutoff = self.clock() - self.retention_seconds
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.timestamp < cutoff).delete()
            session.commit()
            return deleted
