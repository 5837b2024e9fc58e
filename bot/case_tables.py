"""The bot store's tables for handoff cases, and the rows as Python values.

`cases`: one row per request, the chat id and words only while open; `relay`:
which copy answers to which original; `outbox`: messages waiting to be
copied; `advocates`: the names advocates chose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.engine import Engine

WAITING, ACTIVE, CLOSED = "waiting", "active", "closed"
TO_GROUP, TO_SURVIVOR = "to_group", "to_survivor"

metadata = sa.MetaData()
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("alias", sa.String(8), primary_key=True),
    sa.Column("state", sa.String(8), nullable=False, index=True),
    sa.Column("pseudonym", sa.String(32), index=True),
    sa.Column("chat_id", sa.BigInteger),
    sa.Column("language", sa.String(8)),
    sa.Column("region", sa.String(8)),
    sa.Column("needs", sa.Text),
    sa.Column("urgent", sa.Boolean, nullable=False, default=False),
    sa.Column("summary", sa.Text),
    sa.Column("safe_to_talk", sa.Boolean),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("taken_at", sa.Float),
    sa.Column("advocate_id", sa.BigInteger),
    sa.Column("topic_id", sa.BigInteger, index=True),
    sa.Column("card_id", sa.BigInteger),
    sa.Column("fallback_sent", sa.Boolean, nullable=False, default=False),
    sa.Column("leaving_message", sa.Boolean, nullable=False, default=False),
    sa.Column("risk_noted", sa.Boolean),  # a relayed risk message was answered and flagged once
)
relay = sa.Table(  # which copy is which, so edits and replies keep working
    "relay",
    metadata,
    sa.Column("alias", sa.String(8), nullable=False, index=True),
    sa.Column("survivor_message_id", sa.BigInteger, nullable=False),
    sa.Column("group_message_id", sa.BigInteger, nullable=False),
)
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("alias", sa.String(8), nullable=False, index=True),
    sa.Column("direction", sa.String(12), nullable=False),
    sa.Column("source_chat_id", sa.BigInteger, nullable=False),
    sa.Column("source_message_id", sa.BigInteger, nullable=False),
    sa.Column("reply_to", sa.BigInteger),
    sa.Column("sent", sa.Boolean, nullable=False, default=False, index=True),
    sa.UniqueConstraint("source_chat_id", "source_message_id"),
)
advocates = sa.Table(
    "advocates",
    metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("display_name", sa.String(64), nullable=False),
)


@dataclass(frozen=True)
class Case:
    alias: Text
    state: Text
    pseudonym: Optional[Text]
    chat_id: Optional[int]
    language: Text
    region: Text
    needs: List[Text]
    urgent: bool
    summary: Optional[Text]
    safe_to_talk: Optional[bool]
    created_at: float
    taken_at: Optional[float]
    advocate_id: Optional[int]
    topic_id: Optional[int]
    card_id: Optional[int]
    fallback_sent: bool
    leaving_message: bool
    risk_noted: Optional[bool] = None

    @classmethod
    def of(cls, row) -> "Case":
        values = dict(row._mapping)
        values["needs"] = json.loads(values["needs"] or "[]")
        return cls(**values)


@dataclass(frozen=True)
class Delivery:
    id: int
    alias: Text
    direction: Text
    source_chat_id: int
    source_message_id: int
    reply_to: Optional[int]


def add_missing_columns(engine: Engine) -> None:
    """A store made before a nullable column was added gets it (no migration tool yet)."""
    for table in metadata.sorted_tables:
        present = {column["name"] for column in sa.inspect(engine).get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as db:
                    db.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}'))
