"""The replies already sent for an update still being handled, so a replica that takes
over the update of one that died mid-turn sends only the rest (bot/telegram/journal.py).

A JSON list with the Telegram message ids of each reply sent so far; emptied once
the update is handled. Message ids of the bot's own messages: no person, no text.

Revision ID: 0004
Revises: 0003
Created: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("telegram_updates") as table:
        table.add_column(sa.Column("replies_out", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("telegram_updates") as table:
        table.drop_column("replies_out")
