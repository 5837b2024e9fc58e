"""Baseline: the bot store as the last version before migrations made it, and any older one adopted.

Before Alembic the tables were made by `create_all`, which never changes a table that
exists. A store from then is brought to this baseline here: missing tables and
nullable columns are added, an outbox that held raw chat ids is rebuilt without them,
and raw chat ids in `cases` are sealed (bot/sealing.py) and the column dropped. The tables are
written out as they were, not imported: a migration describes one moment.

Revision ID: 0001
Revises:
Created: 2026-12-03
"""

from __future__ import annotations

from typing import Callable, Dict, List

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def col(name: str, kind, **options) -> Callable[[], sa.Column]:
    return lambda: sa.Column(name, kind, **options)


TABLES: Dict[str, List[Callable[[], sa.Column]]] = {
    "chat_messages": [col("pseudonym", sa.String(32), nullable=False, index=True),
                      col("message_id", sa.BigInteger, nullable=False),
                      col("created_at", sa.Float, nullable=False, index=True)],
    "chosen_languages": [col("pseudonym", sa.String(32), primary_key=True),
                         col("language", sa.String(8), nullable=False),
                         col("chosen_at", sa.Float, nullable=False, index=True)],
    "cases": [col("alias", sa.String(8), primary_key=True), col("state", sa.String(8), nullable=False, index=True),
              col("pseudonym", sa.String(32), index=True), col("sealed_chat", sa.Text),
              col("language", sa.String(8)), col("region", sa.String(8)), col("needs", sa.Text),
              col("urgent", sa.Boolean, nullable=False), col("urgent_reason", sa.String(16)),
              col("summary", sa.Text), col("safe_to_talk", sa.Boolean), col("created_at", sa.Float, nullable=False),
              col("taken_at", sa.Float), col("advocate_id", sa.BigInteger), col("group_id", sa.BigInteger),
              col("topic_id", sa.BigInteger, index=True), col("card_id", sa.BigInteger),
              col("fallback_sent", sa.Boolean, nullable=False), col("leaving_message", sa.Boolean, nullable=False),
              col("risk_noted", sa.Boolean), col("last_seen_at", sa.Float), col("closed_at", sa.Float)],
    "relay": [col("alias", sa.String(8), nullable=False, index=True),
              col("survivor_message_id", sa.BigInteger, nullable=False),
              col("group_message_id", sa.BigInteger, nullable=False)],
    "outbox": [col("id", sa.Integer, primary_key=True, autoincrement=True),
               col("alias", sa.String(8), nullable=False, index=True), col("direction", sa.String(12), nullable=False),
               col("source_message_id", sa.BigInteger, nullable=False), col("reply_to", sa.BigInteger),
               col("sent", sa.Boolean, nullable=False, index=True), col("failed", sa.Boolean),
               col("attempts", sa.Integer), col("next_at", sa.Float)],
    "posts": [col("alias", sa.String(8), nullable=False, index=True), col("message_id", sa.BigInteger, nullable=False)],
    "erasures": [col("id", sa.Integer, primary_key=True, autoincrement=True), col("pseudonym", sa.String(32)),
                 col("alias", sa.String(8)), col("group_id", sa.BigInteger), col("topic_id", sa.BigInteger),
                 col("card_id", sa.BigInteger), col("posts", sa.Text), col("card_note", sa.Text),
                 col("group_done", sa.Boolean, nullable=False), col("created_at", sa.Float, nullable=False),
                 col("attempts", sa.Integer, nullable=False)],
    "advocates": [col("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
                  col("display_name", sa.String(64), nullable=False)],
    "daily_counts": [col("day", sa.String(10), primary_key=True), col("name", sa.String(32), primary_key=True),
                     col("label", sa.String(48), primary_key=True), col("count", sa.BigInteger, nullable=False)],
}
UNIQUE = {"chat_messages": ["pseudonym", "message_id"], "outbox": ["alias", "direction", "source_message_id"]}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    if "outbox" in present and "source_chat_id" in columns_of("outbox"):
        rebuild_outbox_without_chat_ids()  # made anew: the loop below finds it complete
    for name, columns in TABLES.items():
        if name not in present:
            op.create_table(name, *(make() for make in columns), *unique(name))
        else:
            add_missing_columns(name, columns)
    if "chat_id" in columns_of("cases"):
        seal_raw_chat_ids()


def unique(name: str) -> list:
    return [sa.UniqueConstraint(*UNIQUE[name])] if name in UNIQUE else []


def columns_of(table: str) -> set:
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)}


def add_missing_columns(name: str, columns: List[Callable[[], sa.Column]]) -> None:
    present = columns_of(name)
    for make in columns:
        column = make()
        if column.name not in present and column.nullable:
            op.add_column(name, column)


def rebuild_outbox_without_chat_ids() -> None:
    """The first outbox kept each message's chat id: its waiting copies move to the new one."""
    db = op.get_bind()
    waiting = db.execute(sa.text(
        "SELECT alias, direction, source_message_id, reply_to FROM outbox WHERE NOT sent")).all()
    op.drop_table("outbox")
    table = op.create_table("outbox", *(make() for make in TABLES["outbox"]), *unique("outbox"))
    if waiting:
        op.bulk_insert(table, [dict(row._mapping, sent=False) for row in waiting])


def seal_raw_chat_ids() -> None:
    """The first cases table held raw chat ids: each open one is sealed, then all are cleared."""
    db = op.get_bind()
    raw = db.execute(sa.text("SELECT alias, pseudonym, chat_id FROM cases WHERE chat_id IS NOT NULL")).all()
    sealer = context.config.attributes.get("sealer")
    if raw and sealer is None:
        raise RuntimeError("This store holds raw chat ids: start the bot once (it seals them with CHAT_ID_KEY).")
    for alias, pseudonym, chat_id in raw:
        sealed = sealer.seal(chat_id, pseudonym) if pseudonym else None
        db.execute(sa.text("UPDATE cases SET sealed_chat = :sealed, chat_id = NULL WHERE alias = :alias"),
                   {"sealed": sealed, "alias": alias})
    with op.batch_alter_table("cases") as cases:
        cases.drop_column("chat_id")


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
