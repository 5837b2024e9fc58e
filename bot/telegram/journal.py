"""The replies already sent for the webhook update being handled, so that a replica taking
over the update of one that died mid-turn sends only the rest.

Telegram has no idempotency key: a message sent is sent. The webhook claims each
update in the shared store (`Store.claim_update`); after each reply the replica
writes, for every reply sent so far, its message ids and a fingerprint of what it said
(`Store.replies_out`). A replica that takes the update over asks Rasa again and walks
the answer: a reply whose fingerprint matches the one out at that place is skipped and
its ids kept, so quick exit still deletes it. From the first reply that differs (the
tracker had moved on) everything is sent: a repeat in other words beats a lost answer,
and the ids of what the dead replica had sent are kept all the same.

The note is written just before the next reply goes out, not after each one: the last
reply of a turn (most turns have one) is covered by the update's finish a moment later,
which saves a store write per message. One window is left: a replica killed between
Telegram's answer to a reply and the next write (the next reply's, or the finish)
repeats that one reply. Polling mode has no journal: an update is fetched by one process only.
"""

from __future__ import annotations

import hashlib
import logging
from contextvars import ContextVar
from typing import Any, Dict, List, Optional, Sequence, Text

from bot.core import Reply
from bot.store import Store

log = logging.getLogger("safe_harbor.telegram")


def fingerprint(reply: Reply, key: bytes) -> Text:
    """A short keyed digest of a reply's text and buttons: enough to tell two answers apart,
    nothing to read back. Keyed, because the bot's replies are a small known set: an unkeyed
    digest in the store would tell anyone who reads the database which reply (a crisis line,
    the danger choices) a chat was getting."""
    said = "\x1f".join([reply.text, *(f"{b.title}\x1e{b.payload}" for b in reply.buttons)])
    return hashlib.blake2b(said.encode(), key=key, digest_size=8).hexdigest()


class Journal:
    """The replies of one update: those out before this replica took it, then its own."""

    def __init__(self, store: Store, update_id: int, owner: Text, key: bytes,
                 out_before: Sequence[Dict[str, Any]] = (), taken_over: bool = False) -> None:
        self.store = store
        self.taken_over = taken_over  # from a replica that died: the person may have left since
        self.key = key  # the same on every replica, never in the store (`journal_key`)
        self.update_id = update_id
        self.owner = owner
        self.out: List[Dict[str, Any]] = [dict(entry) for entry in out_before]
        self.position = 0  # replies this replica's handling has come to
        self.left_over: List[int] = []  # ids of a dead replica's replies this answer no longer has
        self.unwritten = False  # `out` differs from the store's copy (`write` before the next reply)

    def already_out(self, reply: Reply) -> Optional[List[int]]:
        """`reply`'s message ids when a replica before this one sent it here, else None."""
        if self.position >= len(self.out):
            return None
        if self.out[self.position]["of"] == fingerprint(reply, self.key):
            self.position += 1
            return self.out[self.position - 1]["ids"]
        log.warning("reply_journal_diverged", extra={"position": self.position})
        self.left_over = [i for entry in self.out[self.position:] for i in entry["ids"]]
        del self.out[self.position:]
        self.unwritten = True
        return None

    def unclaimed(self) -> List[int]:
        """Ids of a dead replica's replies this answer has not come to (it was shorter, or
        went another way): still in the chat, so quick exit must know them."""
        return self.left_over + [i for entry in self.out[self.position:] for i in entry["ids"]]

    async def write(self) -> None:
        """Before a reply goes out: the store learns what is out already. A store that cannot
        take the note costs only the protection: the replies are already with the survivor."""
        if not self.unwritten:
            return
        self.unwritten = False
        try:
            if not await self.store.replies_out(self.update_id, self.owner, self.out):
                log.warning("reply_journal_taken_over")  # another replica thought this one dead
        except Exception as error:
            log.warning("reply_not_journalled", extra={"error": type(error).__name__})

    def sent(self, reply: Reply, message_ids: List[int]) -> List[int]:
        """Note `reply` as out (written before the next one, `write`); its ids back, with those
        of a dead replica's replies this answer replaced (for quick exit)."""
        ids, self.left_over = self.left_over + list(message_ids), []
        self.out.append({"ids": ids, "of": fingerprint(reply, self.key)})
        self.position += 1
        self.unwritten = True
        return ids


def journal_key(webhook_secret: Text) -> bytes:
    """The fingerprints' key, from the webhook secret: every replica has it, the store does not."""
    return hashlib.blake2b(webhook_secret.encode(), person=b"reply-journal").digest()


current: ContextVar[Optional[Journal]] = ContextVar("safe_harbor_update_journal", default=None)


def unclaimed() -> List[int]:
    """`Journal.unclaimed` of the update being handled; none in polling mode."""
    update_journal = current.get()
    return update_journal.unclaimed() if update_journal is not None else []
