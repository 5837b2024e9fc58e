"""The advocates' groups: which one a new case goes to, and what is left of each one's budget.

Telegram lets a bot post about 20 messages a minute in one group. A busy
organisation spreads cases over several groups (`ADVOCATE_CHAT_IDS`, each with
an optional language): a new case goes to a group for its language (or for any
language) with the most budget left this minute, then the fewest open cases.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, Mapping, Optional, Sequence, Text

PER_MINUTE = 20  # Telegram's limit for one bot in one group


@dataclass(frozen=True)
class AdvocateGroup:
    chat_id: int
    language: Optional[Text] = None  # None: cases in any language


class Groups:
    """Routing of new cases, from what the bot posted in each group in the last minute."""

    def __init__(self, groups: Sequence[AdvocateGroup], clock: Callable[[], float] = time.monotonic) -> None:
        if not groups:
            raise ValueError("at least one advocates' group")
        self.groups = tuple(groups)
        self.ids = frozenset(group.chat_id for group in self.groups)
        self.clock = clock
        self._posted: Dict[int, Deque[float]] = {group.chat_id: deque() for group in self.groups}

    @property
    def first(self) -> int:
        return self.groups[0].chat_id

    def posted(self, chat_id: int) -> None:
        """The bot posted, copied or edited something in this group."""
        if chat_id in self._posted:
            self._posted[chat_id].append(self.clock())

    def budget(self, chat_id: int) -> int:
        """Messages the bot may still post there this minute (never below 0)."""
        recent = self._posted[chat_id]
        while recent and recent[0] < self.clock() - 60:
            recent.popleft()
        return max(PER_MINUTE - len(recent), 0)

    def for_case(self, language: Text, open_cases: Mapping[int, int]) -> int:
        """The group for a new case in `language`, given each group's open cases."""
        speaking = [g for g in self.groups if g.language == language] or \
            [g for g in self.groups if g.language is None] or list(self.groups)
        best = max(speaking, key=lambda g: (self.budget(g.chat_id), -open_cases.get(g.chat_id, 0)))
        return best.chat_id


def parse(raw: Text) -> Sequence[AdvocateGroup]:
    """"-1001,-1002:es,-1003:en" → groups; ValueError names the part that is wrong."""
    groups = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        chat, _, language = part.partition(":")
        try:
            groups.append(AdvocateGroup(int(chat), language.strip().lower() or None))
        except ValueError:
            raise ValueError(part) from None
    return groups
