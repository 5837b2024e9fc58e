"""URGENT on a case when words relayed during it carry a risk: the reason only, never the words.

The bot checks what a survivor relays (bot/telegram/survivors.py) with the
safety layer's word lists and model; this module is what the team then sees.
A clear risk is flagged once per case, after the survivor got the crisis or
danger reply; a possible risk only tells the team, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Text

from bot.cases import ACTIVE, Case

if TYPE_CHECKING:
    from bot.handoff import Handoffs


class Urgency:
    """Flags on a case, posted through the handoff's messenger in the advocates' language."""

    def __init__(self, handoffs: "Handoffs") -> None:
        self.handoffs = handoffs
        self.cases = handoffs.cases

    async def risk_is_new(self, pseudonym: Text) -> bool:
        """A clear risk is answered once per case (the advocate is with them after that)."""
        case = await self.cases.open_case_of(pseudonym)
        return case is not None and not case.risk_noted

    async def mark_possible_risk(self, pseudonym: Text, reason: Text) -> None:
        """A possible risk: URGENT and one line for the team, nothing for the survivor."""
        case = await self.cases.open_case_of(pseudonym)
        if case is not None and not case.urgent:
            await self.flag(case, f"advocate_possible_{reason}", reason)

    async def mark_urgent(self, pseudonym: Text, reason: Text) -> None:
        """After the survivor got the crisis or danger reply: URGENT for the team, with the
        reason ("self_harm" or "danger") only."""
        case = await self.cases.open_case_of(pseudonym)
        if case is None:
            return
        await self.cases.update(case.alias, risk_noted=True)
        await self.flag(case, f"advocate_urgent_{reason}", reason)

    async def flag(self, case: Case, note_key: Text, reason: Text) -> None:
        """URGENT, with its reason, on the case (queue, card) and the note in its topic, or under its card."""
        reason = "self_harm" if "self_harm" in (case.urgent_reason, reason) else reason  # as actions/handoff.py ranks
        await self.cases.update(case.alias, urgent=True, urgent_reason=reason)
        case = await self.cases.get(case.alias)
        handoffs = self.handoffs
        note = handoffs.group_text(note_key)
        if case.state == ACTIVE and case.topic_id:
            await handoffs.messenger.send(handoffs.group_of(case), note, thread_id=case.topic_id, notify=True)
        elif case.card_id:
            await handoffs.messenger.edit(handoffs.group_of(case), case.card_id, handoffs.card(case))
            await handoffs.post_under_card(case, note, notify=True)
