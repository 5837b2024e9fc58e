"""Recording fakes for the platform-free parts' unit tests: a chat platform and Rasa.

Not mocks of our code: stand-ins for Telegram and Rasa that record what they
were asked and can refuse, so tests read what survivors and advocates would see.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import List, Optional, Tuple

from bot.messenger import ADMIN, MEMBER, DeliveryFailed, DeliveryRefused
from bot.rasa_client import RasaUnavailable


@dataclass
class Sent:
    chat_id: int
    text: str
    thread_id: Optional[int]
    buttons: Tuple[Tuple[str, str], ...]
    notify: bool
    reply_to: Optional[int]
    message_id: int


class FakeMessenger:
    """Records what is asked of the chat platform; can refuse copies or go down for a while."""

    def __init__(self, members=()):
        self.ids = itertools.count(1000)
        self.sent: List[Sent] = []
        self.edits, self.copies, self.deleted = [], [], []
        self.topics, self.closed, self.members, self.admins = {}, set(), set(members), set()
        self.refuse_copies = 0
        self.down = False  # every call fails as if Telegram did not answer
        self.too_old = set()  # message ids Telegram no longer lets the bot delete
        self.blocked = set()  # chats whose person blocked the bot
        self.gone = set()  # source message ids that can no longer be copied (deleted, service messages)
        self.topics_fail = False  # creating a forum topic fails

    def check(self):
        if self.down:
            raise DeliveryFailed("NetworkError")

    async def send(self, chat_id, message, *, thread_id=None, buttons=(), notify=False, reply_to=None):
        self.check()
        if chat_id in self.blocked:
            raise DeliveryRefused("Forbidden", blocked=True)
        self.sent.append(Sent(chat_id, message, thread_id, tuple(buttons), notify, reply_to, next(self.ids)))
        return self.sent[-1].message_id

    async def edit(self, chat_id, message_id, message):
        self.edits.append((chat_id, message_id, message))

    async def copy(self, from_chat_id, message_id, to_chat_id, *, thread_id=None, reply_to=None):
        if self.refuse_copies:
            self.refuse_copies -= 1
            raise DeliveryFailed("Bad Gateway")
        if to_chat_id in self.blocked:
            raise DeliveryRefused("Forbidden", blocked=True)
        if message_id in self.gone:
            raise DeliveryRefused("BadRequest")
        self.copies.append((from_chat_id, message_id, to_chat_id, thread_id, reply_to))
        return next(self.ids)

    async def open_topic(self, chat_id, name):
        if self.topics_fail:
            raise DeliveryFailed("TimedOut")
        topic = next(self.ids)
        self.topics[topic] = name
        return topic

    async def close_topic(self, chat_id, topic_id):
        self.closed.add(topic_id)

    async def delete_topic(self, chat_id, topic_id):
        self.check()
        self.topics.pop(topic_id, None)

    async def delete(self, chat_id, message_ids):
        self.check()
        if set(message_ids) & self.too_old:
            return False
        self.deleted += [(chat_id, m) for m in message_ids]
        return True

    async def role(self, chat_id, user_id):
        return ADMIN if user_id in self.admins else MEMBER if user_id in self.members else None

    def to(self, chat_id, thread_id=None):
        return [s for s in self.sent if s.chat_id == chat_id and s.thread_id == thread_id]


class FakeRasa:
    """Rasa's side of erasure: which conversations it was asked to erase; can be down."""

    def __init__(self):
        self.erased: List[str] = []
        self.down = False

    async def erase(self, sender):
        if self.down:
            raise RasaUnavailable("ClientConnectorError")
        self.erased.append(sender)
