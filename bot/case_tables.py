"""The bot store's tables for handoff cases, and the rows as Python values.

`cases`: one row per request, the sealed chat id and words only while open;
`relay`: which copy answers to which original; `outbox`: messages waiting to
be copied (by case and direction: no chat id); `posts`: what the bot put in
the group's General topic for a case, so erasure can take it back;
`erasures`: the later, retried steps of an erasure (Rasa, the group);
`advocates`: the names advocates chose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import List, Optional, Text

import sqlalchemy as sa

from bot.sealing import Sealer

WAITING, ACTIVE, CLOSED = "waiting", "active", "closed"
TO_GROUP, TO_SURVIVOR = "to_group", "to_survivor"

metadata = sa.MetaData()
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("alias", sa.String(8), primary_key=True),
    sa.Column("state", sa.String(8), nullable=False, index=True),
    sa.Column("pseudonym", sa.String(32), index=True),
    sa.Column("sealed_chat", sa.Text),  # bot/sealing.py: the chat id, encrypted, while open
    sa.Column("language", sa.String(8)),
    sa.Column("region", sa.String(8)),
    sa.Column("needs", sa.Text),
    sa.Column("urgent", sa.Boolean, nullable=False, default=False),
    sa.Column("urgent_reason", sa.String(16)),  # "self_harm" | "danger": the reason, never the words
    sa.Column("summary", sa.Text),
    sa.Column("safe_to_talk", sa.Boolean),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("taken_at", sa.Float),
    sa.Column("advocate_id", sa.BigInteger),
    sa.Column("group_id", sa.BigInteger),  # the advocates' group of its card and topic
    sa.Column("topic_id", sa.BigInteger, index=True),
    sa.Column("card_id", sa.BigInteger),
    sa.Column("fallback_sent", sa.Boolean, nullable=False, default=False),
    sa.Column("leaving_message", sa.Boolean, nullable=False, default=False),
    sa.Column("risk_noted", sa.Boolean),  # a relayed risk message was answered and flagged once
    sa.Column("last_seen_at", sa.Float),  # last message either way: open cases expire after silence
    sa.Column("closed_at", sa.Float),  # retention of a closed case counts from here
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
    sa.Column("source_message_id", sa.BigInteger, nullable=False),  # in the chat `direction` comes from
    sa.Column("reply_to", sa.BigInteger),
    sa.Column("sent", sa.Boolean, nullable=False, default=False, index=True),
    sa.Column("failed", sa.Boolean),  # refused for good: the sender was told, the case went on
    sa.Column("attempts", sa.Integer),  # failures worth retrying so far
    sa.Column("next_at", sa.Float),  # not before this time (backoff)
    sa.UniqueConstraint("alias", "direction", "source_message_id"),
)
posts = sa.Table(  # the card, notes and copies in the General topic (a topic is deleted whole)
    "posts",
    metadata,
    sa.Column("alias", sa.String(8), nullable=False, index=True),
    sa.Column("message_id", sa.BigInteger, nullable=False),
)
erasures = sa.Table(  # steps that may fail and are retried; none of them holds back another
    "erasures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pseudonym", sa.String(32)),  # set while Rasa's tracker is still to be erased
    sa.Column("alias", sa.String(8)),
    sa.Column("group_id", sa.BigInteger),
    sa.Column("topic_id", sa.BigInteger),
    sa.Column("card_id", sa.BigInteger),
    sa.Column("posts", sa.Text),  # JSON list of General-topic message ids
    sa.Column("card_note", sa.Text),  # the card is edited down to this; None: deleted
    sa.Column("group_done", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
)
advocates = sa.Table(
    "advocates",
    metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),  # Telegram's id of an advocate
    sa.Column("display_name", sa.String(64), nullable=False),
)


@dataclass(frozen=True)
class Case:
    alias: Text
    state: Text
    pseudonym: Optional[Text]
    chat_id: Optional[int]  # opened from `sealed_chat`; in memory only
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
    group_id: Optional[int] = None
    last_seen_at: Optional[float] = None
    closed_at: Optional[float] = None
    urgent_reason: Optional[Text] = None

    @classmethod
    def of(cls, row, sealer: Sealer) -> "Case":
        values = dict(row._mapping)
        values["needs"] = json.loads(values["needs"] or "[]")
        sealed = values.pop("sealed_chat")
        try:
            values["chat_id"] = sealer.open(sealed, values["pseudonym"]) if sealed else None
        except ValueError:  # CHAT_ID_KEY changed, or the row was altered: unreachable, still erasable
            values["chat_id"] = None
        return cls(**values)


@dataclass(frozen=True)
class Delivery:
    id: int
    alias: Text
    direction: Text
    source_message_id: int
    reply_to: Optional[int]
