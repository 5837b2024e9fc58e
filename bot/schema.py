"""The bot store's schema, brought up to date by Alembic (bot/migrations/) at start.

Every process that opens the store migrates it first; on PostgreSQL an advisory
lock makes replicas that start together take turns, so the second finds the work
done. The tables' Python definitions stay with the code that queries them
(bot/store.py, bot/case_tables.py, bot/tallies.py); a test checks that the
migrations make exactly those tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.sealing import Sealer

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x5AFE4A4B  # pg_advisory_xact_lock key: one migrating process at a time


def target_metadata() -> List[sa.MetaData]:
    """Every table the bot keeps, as the code that uses them defines them."""
    from bot import alert_record, case_tables, store, tallies
    return [store.metadata, case_tables.metadata, tallies.metadata, alert_record.metadata]


RASA_TABLES = {"events"}  # Rasa's SQL tracker store, in the same database in a small fleet


def bot_tables_only(item, name, kind, reflected, compare_to) -> bool:
    """Alembic leaves Rasa's tracker table alone: a database shared with Rasa's tracker store
    is never proposed for dropping its `events`. Any other table the code does not define
    still shows (and fails tests/bot/test_schema.py)."""
    table = name if kind == "table" else getattr(getattr(item, "table", None), "name", None)
    return not (reflected and compare_to is None and table in RASA_TABLES)


def config(sealer: Optional[Sealer] = None) -> Config:
    settings = Config()
    settings.set_main_option("script_location", str(MIGRATIONS))
    settings.attributes["sealer"] = sealer  # 0001 seals raw chat ids left by the first version
    return settings


def migrate(engine: sa.engine.Engine, sealer: Optional[Sealer] = None) -> None:
    """Apply every migration the store has not had, in one transaction."""
    settings = config(sealer)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        settings.attributes["connection"] = connection
        command.upgrade(settings, "head")
    if engine.dialect.name == "sqlite":  # no copy of an old row (or raw chat id) left in the write-ahead log
        with engine.connect() as connection:
            connection.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))


def revision(engine: sa.engine.Engine) -> Optional[str]:
    """The migration the store is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
