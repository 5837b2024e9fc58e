"""What the platform-free parts (handoff, erasure) need from a chat platform.

The Telegram adapter implements it (bot/telegram/messenger.py); the unit tests
use a recording fake.
"""

from __future__ import annotations

from typing import List, Optional, Protocol, Sequence, Text, Tuple

ButtonSpec = Tuple[Text, Text]  # (title, callback data)
ADMIN, MEMBER = "admin", "member"  # roles in the advocates' group


class DeliveryFailed(Exception):
    """The platform did not answer or refused for now; the caller tries again later."""


class DeliveryRefused(Exception):
    """The platform refused this one message for good (it is gone, or cannot be copied);
    `blocked`: the person blocked the bot, so nothing will reach them any more."""

    def __init__(self, reason: str, blocked: bool = False) -> None:
        super().__init__(reason)
        self.blocked = blocked


class Messenger(Protocol):
    async def send(self, chat_id: int, message: Text, *, thread_id: Optional[int] = None,
                   buttons: Sequence[ButtonSpec] = (), notify: bool = False,
                   reply_to: Optional[int] = None) -> int: ...

    async def edit(self, chat_id: int, message_id: int, message: Text) -> None: ...

    async def copy(self, from_chat_id: int, message_id: int, to_chat_id: int, *,
                   thread_id: Optional[int] = None, reply_to: Optional[int] = None) -> int: ...

    async def open_topic(self, chat_id: int, name: Text) -> int: ...

    async def close_topic(self, chat_id: int, topic_id: int) -> None: ...

    async def delete_topic(self, chat_id: int, topic_id: int) -> None:
        """Gone with everything in it (a topic that is already gone counts); DeliveryFailed: later."""

    async def delete(self, chat_id: int, message_ids: List[int]) -> bool:
        """True: deleted; False: the platform will never allow it (too old); DeliveryFailed: later."""

    async def role(self, chat_id: int, user_id: int) -> Optional[Text]:
        """ADMIN or MEMBER of this advocates' group; None if not in it, or restricted in it."""
