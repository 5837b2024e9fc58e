"""The warm handoff: queue, case cards, taking a case, who may act, waiting and closing.

Platform-free: it speaks to the chat platform through a `Messenger` (the
Telegram adapter implements it) and keeps its state in `Cases`. Survivors hear
what is happening in their language at every step, never silence; advocates
see a case alias and what the survivor chose to share, never an account.
The copies across are bot/relay.py's; risk flags are bot/urgency.py's.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Awaitable, Callable, FrozenSet, List, Optional, Sequence, Text

from bot import cards, metrics
from bot.cases import ACTIVE, TO_GROUP, TO_SURVIVOR, WAITING, Case, Cases
from bot.core import ASK_HELPLINE_PAYLOAD, HandoffRequest, as_specs, choices, leave_quickly
from bot.erasure import Erasure
from bot.groups import Groups
from bot.hours import Hours
from bot.messenger import ADMIN, ButtonSpec, DeliveryFailed, DeliveryRefused, Messenger
from bot.relay import Relay
from bot.texts import counted, text
from bot.urgency import Urgency

log = logging.getLogger("safe_harbor.handoff")
KEEP_WAITING, LEAVE_MESSAGE = "handoff:wait", "handoff:message"
TAKE, PASS = "case:take:", "case:pass:"


class Handoffs:
    """Everything between "I want a person" and the end of the case."""

    def __init__(self, cases: Cases, messenger: Messenger, erasure: Erasure, groups: Groups,
                 hours: Hours, wait_minutes: float, remember: Callable[[Text, List[int]], Awaitable[None]],
                 advocate_language: Text = "en", clock: Callable[[], float] = time.time,
                 allowed: Optional[FrozenSet[int]] = None) -> None:
        self.cases = cases
        self.allowed = allowed  # ADVOCATE_IDS: only these accounts may act on cases
        self.erasure = erasure
        self.remember = remember  # ids of what we put in a survivor's chat, for quick exit
        self.messenger = messenger
        self.groups = groups
        self.hours = hours
        self.wait_minutes = wait_minutes
        self.advocate_language = advocate_language
        self.clock = clock
        self.urgency = Urgency(self)  # relayed words with a risk (bot/urgency.py)
        self.relay = Relay(self)  # the copies across, per case (bot/relay.py)

    # --- survivor side ------------------------------------------------------------
    async def request(self, pseudonym: Text, chat_id: int, request: HandoffRequest) -> None:
        """Queue the case, show advocates its card, tell the survivor what happens now."""
        already = await self.cases.open_case_of(pseudonym)
        if already is not None and already.state == ACTIVE:
            return  # a person is already with them (an old button pressed again)
        group = self.groups.for_case(request.language, await self.cases.open_counts())
        case = await self.cases.open(pseudonym, chat_id, request, group)
        if already is None:
            metrics.case_opened()
            card_id = await self.messenger.send(
                self.group_of(case), self.card(case), notify=True,
                buttons=[(self.group_text("advocate_take"), TAKE + case.alias),
                         (self.group_text("advocate_pass"), PASS + case.alias)])
            await self.cases.update(case.alias, card_id=card_id)
        if not self.hours.is_open(datetime.fromtimestamp(self.clock(), timezone.utc)):
            await self.fallback(case, text("handoff_closed_hours", case.language).format(
                hours=self.hours.describe(case.language)))
            return
        position = await self.cases.position(case.alias)
        minutes = round(await self.cases.expected_wait_minutes(self.wait_minutes))
        await self.tell(case, counted("handoff_waiting", max(minutes, 1), case.language, position=position),
                        buttons=as_specs([leave_quickly(case.language)]))

    async def fallback(self, case: Case, why: Text) -> None:
        """Never silence, and nothing a lock screen would give away (it may come minutes later):
        a neutral line, and the choice to wait, leave a message, or get numbers to call now."""
        await self.cases.update(case.alias, fallback_sent=True)
        await self.tell(case, why, buttons=[
            (text("handoff_keep_waiting", case.language), KEEP_WAITING),
            (text("handoff_leave_message", case.language), LEAVE_MESSAGE),
            (text("numbers_to_call", case.language), ASK_HELPLINE_PAYLOAD)])

    async def choice(self, pseudonym: Text, data: Text) -> bool:
        """The survivor pressed "keep waiting" or "leave a message"; False if no case."""
        case = await self.cases.open_case_of(pseudonym)
        if case is None or case.state != WAITING:
            return False
        if data == LEAVE_MESSAGE:
            await self.cases.update(case.alias, leaving_message=True)
            await self.tell(case, text("handoff_write_message", case.language))
        else:
            await self.tell(case, text("handoff_still_waiting", case.language),
                            buttons=as_specs([leave_quickly(case.language)]))
        return True

    async def relaying(self, pseudonym: Text) -> Optional[Case]:
        """The case their words go to now (a live case, or a message being left), else None:
        read once per message and handed to `relay_to_team`."""
        case = await self.cases.open_case_of(pseudonym)
        return case if case is not None and (case.state == ACTIVE or case.leaving_message) else None

    async def from_survivor(self, pseudonym: Text, message_id: int, reply_to: Optional[int] = None) -> bool:
        """Relay to the advocate if a case is active (or a message is being left)."""
        case = await self.relaying(pseudonym)
        if case is None:
            return False
        await self.relay_to_team(case, message_id, reply_to)
        return True

    async def relay_to_team(self, case: Case, message_id: int, reply_to: Optional[int] = None) -> None:
        """Relay a survivor's message in `case` (`relaying` said their words go there)."""
        if await self.cases.enqueue(case.alias, TO_GROUP, message_id, reply_to) and case.state == WAITING:
            await self.cases.update(case.alias, leaving_message=False)
            await self.post_under_card(case, self.group_text("advocate_message"))
            await self.tell(case, text("handoff_message_left", case.language),
                            buttons=as_specs([leave_quickly(case.language)]))
        await self.relay.deliver_case(case.alias)

    async def survivor_edited(self, pseudonym: Text, message_id: int, new_text: Text) -> bool:
        case = await self.cases.open_case_of(pseudonym)
        if case is None or case.state != ACTIVE:
            return False
        copy = await self.cases.counterpart(case.alias, TO_GROUP, message_id)
        if copy:
            await self.messenger.edit(self.group_of(case), copy, new_text)
        return True

    async def tell(self, case: Case, message: Text, buttons: Sequence[ButtonSpec] = (),
                   blocked_closes: bool = True) -> bool:
        """To the survivor, never raising: a state change is committed before anyone is told.
        A survivor who blocked the bot closes their case (unless it is closing anyway)."""
        try:
            sent = await self.messenger.send(case.chat_id, message, buttons=buttons)
        except DeliveryRefused as refusal:
            if refusal.blocked and blocked_closes:
                await self.close_unreachable(case)
            return False
        except DeliveryFailed:
            log.warning("survivor_not_told")
            return False
        await self.remember(case.pseudonym, [sent])
        return True

    async def post_under_card(self, case: Case, note: Text, notify: bool = False) -> None:
        """A note about a case in the group's General topic, listed so erasure can take it back."""
        posted = await self.messenger.send(self.group_of(case), note, reply_to=case.card_id, notify=notify)
        await self.cases.posted(case.alias, posted)

    async def note(self, case: Case, message: Text) -> None:
        """A line for the team in the case's topic (or under its card), never raising."""
        try:
            if case.state == ACTIVE and case.topic_id:
                await self.messenger.send(self.group_of(case), message, thread_id=case.topic_id)
            else:
                await self.post_under_card(case, message)
        except (DeliveryFailed, DeliveryRefused) as error:
            log.warning("team_note_not_posted", extra={"error": type(error).__name__})

    async def close_unreachable(self, case: Case) -> None:
        """The survivor blocked the bot or deleted the chat: the case closes (committed
        first), then the team is told and the topic closed."""
        await self.erasure.end(case.alias)
        await self.note(case, self.group_text("advocate_blocked"))
        if case.topic_id:
            await self.messenger.close_topic(self.group_of(case), case.topic_id)

    @staticmethod
    def group_of(case: Case) -> int:
        """The advocates' group of this case (Cases.adopt gives cases from before several groups the first)."""
        return case.group_id

    # --- advocate side ------------------------------------------------------------
    async def take(self, alias: Text, user_id: int) -> Text:
        """The first member to press Take gets the case; the answer for the button. The case
        is active only once its topic exists; telling people comes after and cannot undo it."""
        waiting = await self.cases.get(alias)
        if waiting is None:
            return self.group_text("advocate_already_taken")
        group = self.group_of(waiting)
        if not await self.role(group, user_id):
            return self.group_text("advocate_not_member")
        if not await self.cases.take(alias, user_id):
            return self.group_text("advocate_already_taken")
        try:
            topic = await self.messenger.open_topic(group, self.group_text("advocate_case").format(alias=alias))
        except (DeliveryFailed, DeliveryRefused):
            await self.cases.untake(alias)
            return self.group_text("advocate_try_again")
        await self.cases.update(alias, topic_id=topic)
        metrics.case_taken(self.clock() - waiting.created_at)
        case = await self.cases.get(alias)
        if case is None:  # they left while the topic was being opened
            await self.messenger.delete_topic(group, topic)
            return self.group_text("advocate_already_taken")
        name = await self.cases.display_name(user_id)
        await self.note(case, self.card(case))
        who = name or self.group_text("handoff_someone")
        taken = self.group_text("advocate_taken_by").format(who=who)
        if case.card_id:
            await self.messenger.edit(group, case.card_id, f"{self.title(case)}\n{taken}")
        shared = "handoff_shared" if case.summary else "handoff_not_shared"
        await self.tell(case, text("handoff_joined", case.language).format(
            who=name or text("handoff_someone", case.language), shared=text(shared, case.language)))
        await self.relay.deliver_case(alias)  # anything still in the outbox for this case
        return self.group_text("advocate_you_have_it").format(alias=alias)

    async def pass_case(self, alias: Text, user_id: int) -> Text:
        case = await self.cases.get(alias)
        if case is None or not await self.role(self.group_of(case), user_id):
            return self.group_text("advocate_not_member")
        return self.group_text("advocate_passed")

    async def role(self, group: int, user_id: Optional[int]) -> Optional[Text]:
        """ADMIN or MEMBER when this account may act on this group's cases: in the group, not
        restricted, and on ADVOCATE_IDS when that list is set; None otherwise (and anonymous)."""
        if user_id is None or (self.allowed is not None and user_id not in self.allowed):
            return None
        return await self.messenger.role(group, user_id)

    async def from_advocate(self, group: int, topic_id: int, message_id: int, reply_to: Optional[int] = None,
                            user_id: Optional[int] = None) -> Optional[Text]:
        """A message in a case topic goes to the survivor when the advocate who has the case
        wrote it as themself; otherwise the refusal to show them (None: nothing to say)."""
        case = await self.cases.case_in_topic(group, topic_id)
        if case is None:
            return None
        if user_id is None:
            return self.group_text("advocate_not_yourself")  # an anonymous admin, or a channel
        if user_id != case.advocate_id or (self.allowed is not None and user_id not in self.allowed):
            return self.group_text("advocate_not_owner")
        if await self.cases.enqueue(case.alias, TO_SURVIVOR, message_id, reply_to):
            await self.relay.deliver_case(case.alias)
        return None

    async def advocate_edited(self, group: int, topic_id: int, message_id: int, new_text: Text,
                              user_id: Optional[int]) -> None:
        case = await self.cases.case_in_topic(group, topic_id)
        if case is None or user_id != case.advocate_id or (self.allowed is not None and user_id not in self.allowed):
            return
        copy = await self.cases.counterpart(case.alias, TO_SURVIVOR, message_id)
        if copy:
            await self.messenger.edit(case.chat_id, copy, new_text)

    async def end(self, group: int, topic_id: Optional[int], user_id: Optional[int]) -> Text:
        """/end in a case topic, by the advocate who has it or a group admin: closed first,
        then the survivor is told and returns to the assistant; a survivor who cannot be told
        does not keep the case open."""
        case = await self.cases.case_in_topic(group, topic_id) if topic_id else None
        if case is None:
            return self.group_text("advocate_no_case")
        if not await self.owns_or_admin(case, user_id):
            return self.group_text("advocate_not_owner")
        await self.relay.deliver_case(case.alias)  # nothing the advocate wrote before /end is lost
        await self.erasure.end(case.alias)
        await self.tell(case, text("handoff_ended", case.language), buttons=as_specs(choices(case.language)),
                        blocked_closes=False)
        await self.messenger.close_topic(group, topic_id)
        return self.group_text("advocate_ended").format(alias=case.alias)

    async def owns_or_admin(self, case: Case, user_id: Optional[int]) -> bool:
        role = await self.role(self.group_of(case), user_id)
        return role == ADMIN or (role is not None and user_id == case.advocate_id)

    async def reassign(self, group: int, topic_id: Optional[int], user_id: Optional[int],
                       to_user_id: Optional[int]) -> Text:
        """/reassign in a case topic, by a group admin: the case goes to `to_user_id` (the
        author of the message they replied to), or to the admin. The survivor hears who."""
        case = await self.cases.case_in_topic(group, topic_id) if topic_id else None
        if case is None:
            return self.group_text("advocate_no_case")
        if await self.role(group, user_id) != ADMIN:
            return self.group_text("advocate_admins_only")
        new_owner = to_user_id or user_id
        if not await self.role(group, new_owner):
            return self.group_text("advocate_not_member")
        await self.cases.update(case.alias, advocate_id=new_owner)
        name = await self.cases.display_name(new_owner)
        await self.tell(case, text("handoff_reassigned", case.language).format(
            who=name or text("handoff_someone", case.language)))
        return self.group_text("advocate_reassigned").format(
            alias=case.alias, who=name or self.group_text("handoff_someone"))

    async def queue(self) -> Text:
        """/queue: who is waiting in every group, urgent first, then the longest waiting."""
        return cards.queue(await self.cases.waiting(), self.advocate_language, self.clock())

    async def set_name(self, user_id: int, name: Text) -> Text:
        name = " ".join(name.split())[:32]
        if not name:
            return self.group_text("advocate_name_usage")
        await self.cases.set_display_name(user_id, name)
        return self.group_text("advocate_name_set").format(name=name)

    # --- what advocates read (bot/cards.py), in ADVOCATE_LANGUAGE --------------------
    def group_text(self, key: Text) -> Text:
        return text(key, self.advocate_language)

    def card(self, case: Case) -> Text:
        return cards.card(case, self.advocate_language, self.hours.zone)

    def title(self, case: Case) -> Text:
        return cards.title(case, self.advocate_language)

    # --- background ---------------------------------------------------------------
    async def tick(self) -> None:
        """Nobody took a case within the wait: tell the survivor, once, what they can do."""
        for case in await self.cases.waiting():
            if not case.fallback_sent and self.clock() - case.created_at >= self.wait_minutes * 60:
                await self.fallback(case, text("handoff_no_one_yet", case.language))
