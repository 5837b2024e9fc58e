"""Rasa's SQL tracker store, able to forget a conversation and to forget by age.

Forget-me and quick exit must leave no row behind. Their actions set the slot
`erase_conversation`; when a tracker carrying it is saved, every event of that
sender is deleted instead. Events older than RETENTION_HOURS (default 72) are
purged, checked at most every `purge_interval_seconds` while Rasa saves.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

ERASE_SLOT = "erase_conversation"


class ErasingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore + erase on request + retention purge."""

    def __init__(
        self,
        *args: Any,
        retention_hours: Optional[float] = None,
        purge_interval_seconds: float = 600,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        hours = retention_hours or float(os.environ.get("RETENTION_HOURS") or 72)
        self.retention_seconds = float(hours) * 3600
        self.purge_interval_seconds = purge_interval_seconds
        self.clock = clock
        self._last_purge = float("-inf")

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(ERASE_SLOT):
            self.erase(tracker.sender_id)
        else:
            await super().save(tracker)
        if self.clock() - self._last_purge >= self.purge_interval_seconds:
            self.purge()

    def erase(self, sender_id: Text) -> int:
        """Delete every stored event of `sender_id`; returns how many."""
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
            return deleted

    def purge(self) -> int:
        """Delete events older than the retention period; returns how many."""
        self._last_purge = self.clock()
        cutoff = self.clock() - self.retention_seconds
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.timestamp < cutoff).delete()
            session.commit()
            return deleted
