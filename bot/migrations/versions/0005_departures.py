"""When a survivor last left (quick exit or /forget), for an hour: a turn that another
replica finishes after the exit read the chat's message ids, or that a replica takes over
from one that died, takes its replies back instead of leaving them in the emptied chat
(bot/telegram/survivors.py). A pseudonym and a time: no person, no text.

Revision ID: 0005
Revises: 0004
Created: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departures",
        sa.Column("pseudonym", sa.String(32), primary_key=True),
        sa.Column("left_at", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("departures")
