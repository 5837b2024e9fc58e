"""The warm handoff as a specification: `Handoffs` with a fake Messenger and a hand-moved clock.

No Telegram, no Rasa, no sleeping: every test runs in milliseconds. The few
end-to-end handoff tests (test_handoff.py) check the same story on real parts.
"""


from bot.cases import ACTIVE, CLOSED, WAITING
from bot.core import HandoffRequest
from bot.handoff import KEEP_WAITING, LEAVE_MESSAGE, PASS, TAKE
from bot.texts import text
from testkit.handoffs import ANA, BOSS, GROUP, LUIS, ROSA, ROSA_CHAT, SAM, SAM_CHAT, STORY, STRANGER, make_handoffs


async def taken(handoffs, messenger):
    """Rosa asked and Ana took the case; its topic."""
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    await handoffs.take(await alias_of(handoffs, ROSA), ANA)
    [topic] = messenger.topics
    return topic


async def alias_of(handoffs, pseudonym):
    return (await handoffs.cases.open_case_of(pseudonym)).alias


# --- request -----------------------------------------------------------------------
async def test_a_request_posts_a_card_with_take_and_pass_and_tells_the_survivor_their_place(handoffs, messenger, store):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    alias = await alias_of(handoffs, ROSA)
    [card] = messenger.to(GROUP)
    assert card.text.startswith(text("advocate_case", "en").format(alias=alias))
    assert "Language: Spanish · Region: the United States" in card.text and "Needs: legal help" in card.text
    assert text("advocate_first_message", "en") in card.text, "a reminder to keep the first message neutral"
    assert card.text.endswith(f"{text('advocate_shared', 'en')}\n“me quitaron el pasaporte”")
    assert card.buttons == ((text("advocate_take", "en"), TAKE + alias), (text("advocate_pass", "en"), PASS + alias))
    assert card.notify, "advocates are notified of a new case; survivors' messages stay silent"
    [told] = messenger.to(ROSA_CHAT)
    assert told.text == text("handoff_waiting", "es")["other"].format(position=1, count=10)
    assert told.buttons == ((text("leave_quickly", "es"), "/quick_exit"),)
    assert await store.message_ids(ROSA) == [told.message_id], "remembered for quick exit"


async def test_the_card_says_whether_it_was_safe_to_talk(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    await handoffs.request(SAM, SAM_CHAT, HandoffRequest(language="en", region="US", safe_to_talk=False))
    rosa, sam = (card.text for card in messenger.to(GROUP))
    assert f"Safe to talk when asked: {text('advocate_safe_not_asked', 'en')}" in rosa
    assert f"Safe to talk when asked: {text('advocate_safe_no', 'en')}" in sam


async def test_without_consent_the_card_says_so_and_carries_no_words(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, HandoffRequest(language="en", region="US"))
    [card] = messenger.to(GROUP)
    assert text("advocate_not_shared", "en") in card.text and "“" not in card.text
    assert f"Needs: {text('advocate_no_needs', 'en')}" in card.text


async def test_asking_again_is_one_case_and_one_card(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    assert len(messenger.to(GROUP)) == 1 and len(messenger.to(ROSA_CHAT)) == 2
    await handoffs.take(await alias_of(handoffs, ROSA), ANA)
    before = len(messenger.sent)
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    assert len(messenger.sent) == before, "a person is already with them: nothing changes"


async def test_the_place_in_line_counts_urgent_cases_first(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    await handoffs.request(SAM, SAM_CHAT, HandoffRequest(language="en", region="US", urgent=True))
    assert messenger.to(SAM_CHAT)[-1].text == text("handoff_waiting", "en")["other"].format(position=1, count=10)
    assert messenger.to(GROUP)[-1].text.startswith(text("advocate_urgent", "en") + " · ")
    assert await handoffs.cases.position(await alias_of(handoffs, ROSA)) == 2


CHOICES_ES = ((text("handoff_keep_waiting", "es"), KEEP_WAITING), (text("handoff_leave_message", "es"), LEAVE_MESSAGE),
              (text("numbers_to_call", "es"), "/ask_helpline"))


async def test_outside_hours_the_survivor_hears_it_at_once_in_words_with_choices(store, messenger, clock):
    closed = make_handoffs(store, messenger, clock, hours="sat 00:00-00:01")  # the clock is on a Monday
    await closed.request(ROSA, ROSA_CHAT, STORY)
    [why] = messenger.to(ROSA_CHAT)
    assert why.text == text("handoff_closed_hours", "es").format(hours="los sábados, de medianoche a 0:01, hora UTC")
    assert why.buttons == CHOICES_ES, "numbers to call behind a button: nothing named on the lock screen"


# --- take and pass --------------------------------------------------------------------
async def test_the_first_member_to_take_gets_a_topic_and_the_survivor_is_told_who(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    alias = await alias_of(handoffs, ROSA)
    await handoffs.set_name(ANA, "  Ana   M. ")
    assert await handoffs.take(alias, STRANGER) == text("advocate_not_member", "en")
    assert await handoffs.take(alias, ANA) == text("advocate_you_have_it", "en").format(alias=alias)
    assert await handoffs.take(alias, LUIS) == text("advocate_already_taken", "en")
    [(topic, name)] = messenger.topics.items()
    assert name == text("advocate_case", "en").format(alias=alias)
    [card_in_topic] = messenger.to(GROUP, topic)
    assert "“me quitaron el pasaporte”" in card_in_topic.text
    card_id = messenger.to(GROUP)[0].message_id
    assert messenger.edits[-1] == (GROUP, card_id, text("advocate_case", "en").format(alias=alias) + "\n"
                                   + text("advocate_taken_by", "en").format(who="Ana M."))
    assert messenger.to(ROSA_CHAT)[-1].text == text("handoff_joined", "es").format(
        who="Ana M.", shared=text("handoff_shared", "es"))
    assert (await handoffs.cases.get(alias)).state == ACTIVE


async def test_pass_leaves_the_case_in_the_queue(handoffs):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    alias = await alias_of(handoffs, ROSA)
    assert await handoffs.pass_case(alias, STRANGER) == text("advocate_not_member", "en")
    assert await handoffs.pass_case(alias, LUIS) == text("advocate_passed", "en")
    assert (await handoffs.cases.get(alias)).state == WAITING


# --- waiting: tick and fallback -----------------------------------------------------------
async def test_nobody_free_within_the_wait_gives_a_helpline_and_choices_once(handoffs, messenger, clock):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    clock.now += 10 * 60 - 1
    await handoffs.tick()
    assert len(messenger.to(ROSA_CHAT)) == 1, "not before the wait is over"
    clock.now += 1
    await handoffs.tick()
    await handoffs.tick()
    _, why = messenger.to(ROSA_CHAT)
    assert why.text == text("handoff_no_one_yet", "es")
    assert why.buttons == CHOICES_ES


async def test_keep_waiting_and_leave_a_message(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    assert await handoffs.choice(ROSA, KEEP_WAITING)
    assert messenger.to(ROSA_CHAT)[-1].text == text("handoff_still_waiting", "es")
    assert not await handoffs.from_survivor(ROSA, 1), "while waiting, words go to the assistant"
    assert await handoffs.choice(ROSA, LEAVE_MESSAGE)
    assert messenger.to(ROSA_CHAT)[-1].text == text("handoff_write_message", "es")
    assert await handoffs.from_survivor(ROSA, 2)
    card_id = messenger.to(GROUP)[0].message_id
    assert messenger.to(GROUP)[-1].text == text("advocate_message", "en")
    assert messenger.copies == [(ROSA_CHAT, 2, GROUP, None, card_id)], "attached to the case card"
    assert messenger.to(ROSA_CHAT)[-1].text == text("handoff_message_left", "es")
    assert not await handoffs.from_survivor(ROSA, 3), "one message, then back to the assistant"
    assert not await handoffs.choice(SAM, KEEP_WAITING), "no case: the button has expired"


# --- relay and order -------------------------------------------------------------------
async def test_messages_cross_in_order_as_copies_and_replies_stay_replies(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    for message_id in (21, 22):
        assert await handoffs.from_survivor(ROSA, message_id)
    await handoffs.from_advocate(GROUP, topic, 31, user_id=ANA)
    copy_of_31 = messenger.copies[-1]
    assert messenger.copies[:2] == [(ROSA_CHAT, 21, GROUP, topic, None), (ROSA_CHAT, 22, GROUP, topic, None)]
    assert copy_of_31[:4] == (GROUP, 31, ROSA_CHAT, None)
    survivor_copy = await handoffs.cases.counterpart(await alias_of(handoffs, ROSA), "to_survivor", 31)
    await handoffs.from_survivor(ROSA, 23, reply_to=survivor_copy)
    assert messenger.copies[-1] == (ROSA_CHAT, 23, GROUP, topic, 31), "a reply to the advocate's original"


async def test_copies_telegram_did_not_take_wait_with_backoff_and_go_once_in_order(handoffs, messenger, clock):
    topic = await taken(handoffs, messenger)
    messenger.refuse_copies = 2
    await handoffs.from_survivor(ROSA, 21)
    await handoffs.from_survivor(ROSA, 22)
    await handoffs.from_survivor(ROSA, 21)  # the same update delivered again
    assert messenger.copies == []
    clock.now += 1
    await handoffs.relay.deliver()  # the second failure: now it waits 2 s
    clock.now += 1
    await handoffs.relay.deliver()
    assert messenger.copies == [], "not before its backoff is over"
    clock.now += 1
    await handoffs.relay.deliver()
    assert [c[1] for c in messenger.copies] == [21, 22], "each once, in the order written"
    assert {c[3] for c in messenger.copies} == {topic}


async def test_a_message_telegram_refuses_for_good_is_skipped_and_its_sender_told(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    messenger.gone.add(21)
    await handoffs.from_survivor(ROSA, 21)
    await handoffs.from_survivor(ROSA, 22)
    assert [c[1] for c in messenger.copies] == [22], "the case goes on"
    assert messenger.to(ROSA_CHAT)[-1].text == text("relay_failed", "es")
    messenger.gone.add(31)
    await handoffs.from_advocate(GROUP, topic, 31, user_id=ANA)
    assert messenger.to(GROUP, topic)[-1].text == text("advocate_relay_failed", "en")
    await handoffs.relay.deliver()
    assert [c[1] for c in messenger.copies] == [22], "never tried again"


async def test_one_cases_stuck_message_does_not_hold_back_another_case(handoffs, messenger):
    await taken(handoffs, messenger)
    await handoffs.request(SAM, SAM_CHAT, HandoffRequest(language="en", region="US"))
    await handoffs.take(await alias_of(handoffs, SAM), LUIS)
    messenger.refuse_copies = 1  # Rosa's message meets a Telegram that does not answer
    await handoffs.from_survivor(ROSA, 21)
    await handoffs.from_survivor(SAM, 41)
    assert [c[1] for c in messenger.copies] == [41]


async def test_a_survivor_who_blocked_the_bot_closes_their_case(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    alias = await alias_of(handoffs, ROSA)
    messenger.blocked.add(ROSA_CHAT)
    await handoffs.from_advocate(GROUP, topic, 31, user_id=ANA)
    case = await handoffs.cases.get(alias)
    assert case.state == CLOSED and case.chat_id is None
    assert messenger.to(GROUP, topic)[-1].text == text("advocate_blocked", "en") and topic in messenger.closed


async def test_a_topic_that_cannot_be_opened_leaves_the_case_in_the_queue(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    alias = await alias_of(handoffs, ROSA)
    messenger.topics_fail = True
    assert await handoffs.take(alias, ANA) == text("advocate_try_again", "en")
    assert (await handoffs.cases.get(alias)).state == WAITING
    messenger.topics_fail = False
    assert await handoffs.take(alias, LUIS) == text("advocate_you_have_it", "en").format(alias=alias)


async def test_end_closes_the_case_even_when_the_survivor_cannot_be_told(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    alias = await alias_of(handoffs, ROSA)
    messenger.blocked.add(ROSA_CHAT)
    assert await handoffs.end(GROUP, topic, ANA) == text("advocate_ended", "en").format(alias=alias)
    assert (await handoffs.cases.get(alias)).state == CLOSED


async def test_a_copy_that_lands_after_the_survivor_left_is_taken_back(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    original = messenger.copy

    async def slow_copy(*args, **kwargs):
        copied = await original(*args, **kwargs)
        await handoffs.erasure.forget(ROSA, erase_rasa=False)  # they leave while it is on its way
        return copied

    messenger.copy = slow_copy
    await handoffs.from_advocate(GROUP, topic, 31, user_id=ANA)
    assert len([d for d in messenger.deleted if d[0] == ROSA_CHAT]) == 1, "the copy is deleted again"


async def test_edits_follow_the_message_across(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    await handoffs.from_survivor(ROSA, 21)
    await handoffs.survivor_edited(ROSA, 21, "fixed")
    assert messenger.edits[-1][0] == GROUP and messenger.edits[-1][2] == "fixed"
    await handoffs.from_advocate(GROUP, topic, 31, user_id=ANA)
    await handoffs.advocate_edited(GROUP, topic, 31, "better", ANA)
    assert messenger.edits[-1][0] == ROSA_CHAT and messenger.edits[-1][2] == "better"


async def test_nothing_outside_a_case_topic_is_relayed(handoffs, messenger):
    await taken(handoffs, messenger)
    await handoffs.from_advocate(GROUP, 77, 41, user_id=ANA)
    assert messenger.copies == []


# --- the end ---------------------------------------------------------------------------
async def test_end_tells_the_survivor_closes_the_topic_and_keeps_nothing(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    alias = await alias_of(handoffs, ROSA)
    assert await handoffs.end(GROUP, None, ANA) == text("advocate_no_case", "en")
    assert await handoffs.end(GROUP, topic, ANA) == text("advocate_ended", "en").format(alias=alias)
    assert messenger.to(ROSA_CHAT)[-1].text == text("handoff_ended", "es")
    assert topic in messenger.closed
    case = await handoffs.cases.get(alias)
    assert (case.state, case.chat_id, case.summary) == (CLOSED, None, None)
    assert not await handoffs.from_survivor(ROSA, 50), "back to the assistant"


async def test_the_queue_lists_urgent_first_with_minutes_waited_in_words(handoffs, clock):
    assert await handoffs.queue() == text("advocate_queue_empty", "en")
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    clock.now += 5 * 60
    await handoffs.request(SAM, SAM_CHAT, HandoffRequest(language="en", region="GB", urgent=True))
    clock.now += 60
    rosa, sam = await alias_of(handoffs, ROSA), await alias_of(handoffs, SAM)
    line = text("advocate_queue_line", "en")
    assert (await handoffs.queue()).split("\n") == [
        line.format(number=1, urgent=text("advocate_urgent", "en") + " · ", alias=sam, language="English",
                    region="the United Kingdom", minutes=1),
        line.format(number=2, urgent="", alias=rosa, language="Spanish", region="the United States", minutes=6)]


async def test_a_name_is_one_short_line(handoffs):
    assert await handoffs.set_name(ANA, "   ") == text("advocate_name_usage", "en")
    assert await handoffs.set_name(ANA, "Ana " * 20) == text("advocate_name_set", "en").format(name=("Ana " * 8)[:32])


# --- urgency: relayed words with a risk (bot/urgency.py) ------------------------------
async def test_a_clear_risk_in_a_live_case_is_flagged_once_in_its_topic_with_the_reason_only(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    assert await handoffs.urgency.risk_is_new(ROSA)
    await handoffs.urgency.mark_urgent(ROSA, "self_harm")
    [note] = [s for s in messenger.to(GROUP, topic) if s.text.startswith("URGENT")]
    assert note.text == text("advocate_urgent_self_harm", "en") and note.notify
    assert not await handoffs.urgency.risk_is_new(ROSA), "answered once per case"
    assert (await handoffs.cases.open_case_of(ROSA)).urgent_reason == "self_harm"


async def test_a_possible_risk_tells_the_team_once_and_leaves_a_clear_one_still_to_answer(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    await handoffs.urgency.mark_possible_risk(ROSA, "danger")
    await handoffs.urgency.mark_possible_risk(ROSA, "danger")
    notes = [s.text for s in messenger.to(GROUP, topic) if s.text.startswith("URGENT")]
    assert notes == [text("advocate_possible_danger", "en")]
    assert await handoffs.urgency.risk_is_new(ROSA), "a clear risk later still gets the crisis reply"


async def test_a_risk_in_a_message_left_for_the_team_marks_the_card(handoffs, messenger):
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    [card] = messenger.to(GROUP)
    await handoffs.urgency.mark_urgent(ROSA, "danger")
    assert messenger.edits[-1][1] == card.message_id and messenger.edits[-1][2].startswith("URGENT (danger) · ")
    [note] = [s for s in messenger.to(GROUP) if s.text == text("advocate_urgent_danger", "en")]
    assert note.reply_to == card.message_id


# --- who may do what --------------------------------------------------------------
async def test_only_the_advocate_who_took_the_case_reaches_the_survivor_edits_or_ends_it(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    alias = await alias_of(handoffs, ROSA)
    assert await handoffs.from_advocate(GROUP, topic, 31, user_id=LUIS) == text("advocate_not_owner", "en")
    assert await handoffs.from_advocate(GROUP, topic, 32, user_id=None) == text("advocate_not_yourself", "en")
    assert messenger.copies == [], "neither reached the survivor"
    assert await handoffs.from_advocate(GROUP, topic, 33, user_id=ANA) is None and len(messenger.copies) == 1
    await handoffs.advocate_edited(GROUP, topic, 33, "changed by someone else", LUIS)
    assert messenger.edits[-1][2] != "changed by someone else"
    assert await handoffs.end(GROUP, topic, LUIS) == text("advocate_not_owner", "en")
    assert (await handoffs.cases.get(alias)).state == ACTIVE
    messenger.admins.add(BOSS)
    assert await handoffs.end(GROUP, topic, BOSS) == text("advocate_ended", "en").format(alias=alias)


async def test_an_admin_reassigns_a_case_and_the_survivor_hears_who(handoffs, messenger):
    topic = await taken(handoffs, messenger)
    alias = await alias_of(handoffs, ROSA)
    await handoffs.set_name(LUIS, "Luis")
    assert await handoffs.reassign(GROUP, topic, ANA, LUIS) == text("advocate_admins_only", "en")
    messenger.admins.add(BOSS)
    assert await handoffs.reassign(GROUP, topic, BOSS, STRANGER) == text("advocate_not_member", "en")
    assert await handoffs.reassign(GROUP, topic, BOSS, LUIS) == text("advocate_reassigned", "en").format(alias=alias, who="Luis")
    assert messenger.to(ROSA_CHAT)[-1].text == text("handoff_reassigned", "es").format(who="Luis")
    assert await handoffs.from_advocate(GROUP, topic, 41, user_id=ANA) == text("advocate_not_owner", "en")
    assert await handoffs.from_advocate(GROUP, topic, 42, user_id=LUIS) is None


async def test_with_advocate_ids_set_only_those_accounts_may_take_a_case(store, messenger, clock):
    handoffs = make_handoffs(store, messenger, clock, allowed=frozenset({LUIS}))
    await handoffs.request(ROSA, ROSA_CHAT, STORY)
    alias = await alias_of(handoffs, ROSA)
    assert await handoffs.take(alias, ANA) == text("advocate_not_member", "en"), "in the group, not on the list"
    assert await handoffs.take(alias, LUIS) == text("advocate_you_have_it", "en").format(alias=alias)


async def test_the_card_is_in_words_with_the_urgency_reason_and_a_neutral_first_message_tip(handoffs, messenger):
    await handoffs.request(SAM, SAM_CHAT, HandoffRequest(language="en", region="", needs=("shelter", "money_food"),
                                                         urgent=True, urgent_reason="self_harm", safe_to_talk=False))
    [card] = messenger.to(GROUP)
    assert card.text.split("\n")[:3] == [
        f"URGENT (self-harm risk) · Case {await alias_of(handoffs, SAM)}",
        "Language: English · Region: not said",
        "Needs: a safe place, money or food"]
    assert f"Safe to talk when asked: {text('advocate_safe_no', 'en')}" in card.text
    assert text("advocate_first_message", "en") in card.text
