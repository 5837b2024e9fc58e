"""Telegram update ids already handled, so a webhook delivered twice is processed once.

Telegram retries a webhook delivery it did not see answered, and with several
replicas behind a proxy the retry may reach another one. An update id is a counter
of the bot's updates: it names no person.

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
    )


def downgrade() -> None:
    op.drop_table("telegram_updates")
