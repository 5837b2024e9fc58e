"""Alerts sent to the advocates' groups, shared by every bot replica (bot/alert_record.py).

Each replica used to remember in memory which alert it had sent; with several
replicas each posted its own. One row per kind of alert and group, with the
time it was last sent.

Revision ID: 0003
Revises: 0002
Created: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts_sent",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("group_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("sent_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alerts_sent")
