"""Alerts to the advocates' group, where the team already is: each one line of what
happened and one of what to do, and each kind at most once per ALERT_REPEAT_MINUTES
per group, so a long outage is one message, not a flood — across every bot
replica, which share the record of what was sent (bot/alert_record.py).

Checked every ALERT_CHECK_SECONDS:
- waiting: a survivor has waited past HANDOFF_WAIT_MINUTES and nobody took the case
  (to that case's group; the card says who, the alert only how many);
- rasa_down: Rasa has not answered its health page for RASA_DOWN_ALERT_SECONDS;
- relay_backlog: at least RELAY_BACKLOG_ALERT copies wait behind one that failed;
- group_budget: the bot has used most of Telegram's 20 messages a minute in a group.
"""

from __future__ import annotations

import logging
import time
from typing import Awaitable, Callable, Dict, Iterable, Optional, Text

from bot import metrics
from bot.alert_record import SentAlerts
from bot.cases import Cases
from bot.messenger import DeliveryFailed, DeliveryRefused, Messenger
from bot.texts import text

log = logging.getLogger("safe_harbor.alerts")


class Alerts:
    def __init__(self, cases: Cases, messenger: Messenger, groups: Iterable[int], language: Text, *,
                 wait_minutes: float, rasa_reachable: Callable[[], Awaitable[bool]],
                 budget_low: Callable[[int], bool] = lambda _group: False,
                 repeat_minutes: float = 30.0, rasa_down_seconds: float = 60.0, backlog_at: int = 5,
                 clock: Callable[[], float] = time.time) -> None:
        self.cases = cases
        self.messenger = messenger
        self.groups = tuple(groups)
        self.language = language
        self.wait_minutes = wait_minutes
        self.rasa_reachable = rasa_reachable
        self.budget_low = budget_low
        self.repeat_seconds = repeat_minutes * 60
        self.rasa_down_seconds = rasa_down_seconds
        self.backlog_at = backlog_at
        self.clock = clock
        self.rasa_down_since: Optional[float] = None
        self.sent = SentAlerts(cases.engine, clock)

    async def check(self) -> None:
        """Every condition, each on its own: one that cannot be checked does not stop the rest."""
        for condition in (self.waiting, self.rasa, self.relay_backlog, self.group_budget):
            try:
                await condition()
            except Exception as error:
                log.warning("alert_check_failed", extra={"check": condition.__name__, "error": type(error).__name__})

    async def waiting(self) -> None:
        too_long: Dict[int, int] = {}
        for case in await self.cases.waiting():
            if self.clock() - case.created_at >= self.wait_minutes * 60:
                too_long[case.group_id] = too_long.get(case.group_id, 0) + 1
        for group, count in too_long.items():
            await self.send("waiting", group, count=count, minutes=round(self.wait_minutes))

    async def rasa(self) -> None:
        if await self.rasa_reachable():
            self.rasa_down_since = None
            return
        if self.rasa_down_since is None:
            self.rasa_down_since = self.clock()
        if self.clock() - self.rasa_down_since >= self.rasa_down_seconds:
            await self.send("rasa_down", self.groups[0], seconds=round(self.rasa_down_seconds))

    async def relay_backlog(self) -> None:
        count = await self.cases.held_back()
        if count >= self.backlog_at:
            await self.send("relay_backlog", self.groups[0], count=count)

    async def group_budget(self) -> None:
        for group in self.groups:
            if self.budget_low(group):
                await self.send("group_budget", group)

    async def send(self, kind: Text, group: int, **values) -> None:
        """Posted unless this kind went to this group within the repeat time (from any replica)."""
        claimed_at = await self.sent.claim(kind, group, self.repeat_seconds)
        if claimed_at is None:
            return
        try:
            await self.messenger.send(group, text(f"alert_{kind}", self.language).format(**values), notify=True)
        except (DeliveryFailed, DeliveryRefused) as error:
            log.warning("alert_not_delivered", extra={"alert": kind, "error": type(error).__name__})
            await self.sent.give_back(kind, group, claimed_at)
            return
        metrics.alert(kind)
        log.warning("alert_sent", extra={"alert": kind})
