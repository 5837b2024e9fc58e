"""Messages still being answered, so a quick exit never waits for them and misses nothing.

A quick exit jumps the queue of its chat (bot/telegram/order.py): it does not
wait while an earlier message waits on a slow Rasa. That earlier turn's message
ids are not stored yet, so the exit takes them from here; and once the person
has left, the turn sends nothing more and stores nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterator, List, Set, Text


class Turns:
    """Per person: the ids of the turns in progress, and whether they left meanwhile."""

    def __init__(self) -> None:
        self._open: Dict[Text, List[List[int]]] = {}
        self._left: Set[Text] = set()

    @contextmanager
    def turn(self, sender: Text, seen: List[int]) -> Iterator[List[int]]:
        """The list this turn adds its message ids to (starting with `seen`)."""
        ids = list(seen)
        self._open.setdefault(sender, []).append(ids)
        try:
            yield ids
        finally:
            self._open[sender].remove(ids)
            if not self._open[sender]:
                del self._open[sender]
                self._left.discard(sender)

    def leave(self, sender: Text) -> List[List[int]]:
        """They are leaving: those turns stop sending and store nothing more. Returns their
        live id lists: a message already on its way when they left is added there later."""
        if sender in self._open:
            self._left.add(sender)
        return list(self._open.get(sender, []))

    def left(self, sender: Text) -> bool:
        return sender in self._left
