"""The replies already sent for the webhook update being handled, so that a replica taking
over the update of one that died mid-turn sends only the rest.

Telegram has no idempotency key: a message sent is sent. The webhook claims each
update in the shared store (`Store.claim_update`); after each reply the replica
writes the message ids of every reply sent so far (`Store.replies_out`). A replica
that takes the update over asks Rasa again (the same message in the same state
gets the same answer), skips as many replies as were out and keeps their ids, so
quick exit still deletes them. One window is left: a replica killed between
Telegram's answer and that one write repeats that one reply.

Polling mode has no journal: an update is fetched by one process only.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import List, Optional, Sequence

from bot.store import Store

log = logging.getLogger("safe_harbor.telegram")


class Journal:
    """The replies of one update: those out before this replica took it, then its own."""

    def __init__(self, store: Store, update_id: int, out_before: Sequence[Sequence[int]] = ()) -> None:
        self.store = store
        self.update_id = update_id
        self.out = [list(ids) for ids in out_before]
        self.position = 0  # replies this replica's handling has come to

    def already_out(self) -> Optional[List[int]]:
        """The next reply's message ids when a replica before this one sent it, else None."""
        if self.position < len(self.out):
            self.position += 1
            return self.out[self.position - 1]
        return None

    async def sent(self, message_ids: List[int]) -> None:
        """Note one more reply as out. A store that cannot take the note costs only the
        protection: the reply is already with the survivor."""
        self.out.append(list(message_ids))
        self.position += 1
        try:
            await self.store.replies_out(self.update_id, self.out)
        except Exception as error:
            log.warning("reply_not_journalled", extra={"error": type(error).__name__})


current: ContextVar[Optional[Journal]] = ContextVar("safe_harbor_update_journal", default=None)
