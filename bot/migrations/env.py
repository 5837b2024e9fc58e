"""Alembic's environment for the bot store: run at start by bot/schema.py, or by hand
(`alembic upgrade head`, `alembic revision --autogenerate -m "…"`) with STORE_URL set."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from bot.schema import bot_tables_only, target_metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # the alembic command line: the bot's own setting says where
        from bot.sealing import Sealer
        from bot.settings import load
        settings = load()
        context.config.attributes["sealer"] = Sealer(settings.chat_id_key)  # for a store older than 0001
        engine = sa.create_engine(settings.store_url)
        with engine.begin() as connection:
            migrate_on(connection)
        engine.dispose()
    else:
        migrate_on(connection)


def migrate_on(connection: sa.engine.Connection) -> None:
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=target_metadata(),
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_object=bot_tables_only)
    with context.begin_transaction():
        context.run_migrations()


run()
