"""Telegram updates being handled or handled, so a webhook delivered twice is processed once.

Telegram retries a webhook delivery it did not see answered, and with several
replicas behind a proxy the retry may reach another one. Each row says which
replica (a random id per process) took the update and whether it finished: a
retry of an update whose replica died is taken over. An update id is a counter
of the bot's updates, and a replica id names a process: neither names a person.

Revision ID: 0002
Revises: 0001
Created: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seen_at", sa.Float, nullable=False, index=True),
        sa.Column("owner", sa.String(16), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("telegram_updates")
