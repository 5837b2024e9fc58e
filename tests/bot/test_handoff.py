"""The warm handoff, end to end: survivor on fake Telegram → bot + real Rasa → advocates' group."""

import asyncio
import json
from datetime import datetime, timedelta, timezone

from bot.core import HandoffRequest
from bot.texts import text
from telegram_harness import (
    ADVOCATES,
    ANA,
    LUIS,
    PHOTO,
    STRANGER,
    a_live_case,
    alias_of,
    ask_for_a_person,
    group_messages,
    person,
    start_bot,
    stop_bot,
    take,
)
from testkit.fake_telegram import Person


async def test_a_full_warm_handoff_in_spanish(bot):
    bot.fake.members.update({ANA.id})
    rosa = person("es")
    card = await ask_for_a_person(bot, rosa, "me quitaron el pasaporte y no me pagan", "quiero hablar con una persona")
    assert card["text"].startswith("Case ") and "Language: Spanish · Region: the United States" in card["text"]
    assert "Needs: legal help" in card["text"] and "me quitaron el pasaporte y no me pagan" in card["text"]
    assert card["disable_notification"] is False, "advocates are notified of a new case"
    waiting = bot.fake.bot_messages(rosa.id)[-1]["text"]
    assert waiting == text("handoff_waiting", "es")["other"].format(position=1, count=10), "after Rasa's words, the queue news"

    bot.fake.post(ANA, ADVOCATES, None, "/name Ana")
    await bot.fake.wait_for(lambda: any("Ana" in m.get("text", "") for m in group_messages(bot)
                                        if m["from"]["is_bot"]))
    assert await take(bot, ANA, card) == text("advocate_you_have_it", "en").format(alias=alias_of(card))
    [(topic, info)] = bot.fake.topics.items()
    assert info["name"] == f"Case {alias_of(card)}"
    [in_topic] = group_messages(bot, topic)
    assert "me quitaron el pasaporte" in in_topic["text"], "the card is in the case topic"
    joined = (await bot.fake.wait_for(lambda: [m for m in bot.fake.bot_messages(rosa.id)
                                               if m["text"].startswith("Ana ")]))[0]
    assert joined["text"] == text("handoff_joined", "es").format(who="Ana", shared=text("handoff_shared", "es"))

    # survivor → advocate, text and a photo, as copies in the topic; not to Rasa
    bot.fake.say(rosa, "hola Ana, gracias")
    bot.fake.say(rosa, None, **PHOTO)
    relayed = await bot.fake.wait_for(lambda: (lambda ms: ms if len(ms) == 3 else None)(group_messages(bot, topic)))
    assert relayed[1]["text"] == "hola Ana, gracias" and relayed[2]["photo"]
    assert all(m["from"]["is_bot"] for m in relayed), "copies come from the bot, not the survivor's account"

    # advocate → survivor, a text and a photo
    mine = bot.fake.post(ANA, ADVOCATES, topic, "Hola, estoy aquí contigo.")
    bot.fake.post(ANA, ADVOCATES, topic, None, **PHOTO)
    await bot.fake.wait_for(lambda: any(m.get("photo") for m in bot.fake.bot_messages(rosa.id)))
    texts = [m.get("text") for m in bot.fake.bot_messages(rosa.id)]
    assert "Hola, estoy aquí contigo." in texts

    # a reply to the advocate's message arrives as a reply to their original in the topic
    [copy] = [m for m in bot.fake.bot_messages(rosa.id) if m.get("text") == "Hola, estoy aquí contigo."]
    bot.fake.say(rosa, "sí, gracias", reply_to_message=copy)
    [answer] = await bot.fake.wait_for(lambda: [m for m in group_messages(bot, topic) if m.get("text") == "sí, gracias"])
    assert answer["reply_to_message_id"] == mine["message_id"]

    # an edit follows the message across
    bot.fake.edit(ANA, mine, "Hola, estoy aquí contigo. Tómate tu tiempo.")
    await bot.fake.wait_for(lambda: "Hola, estoy aquí contigo. Tómate tu tiempo." in
                            [m.get("text") for m in bot.fake.bot_messages(rosa.id)])

    # /end: the survivor is told, the topic closes, the assistant answers again
    bot.fake.post(ANA, ADVOCATES, topic, "/end")
    await bot.fake.wait_for(lambda: bot.fake.topics[topic]["closed"])
    assert bot.fake.bot_messages(rosa.id)[-1]["text"] == text("handoff_ended", "es")
    answer = await bot.reply_to(rosa, "hola")
    assert answer[0]["text"].startswith("Hola"), "back to the assistant"
    case = await bot.bridge.cases.get(alias_of(card))
    assert case.state == "closed" and case.chat_id is None and case.summary is None


async def test_two_advocates_racing_only_one_gets_the_case(bot):
    bot.fake.members.update({ANA.id, LUIS.id})
    sam = person("en")
    card = await ask_for_a_person(bot, sam, "i owe them for the trip", "i want to talk to a person")
    data = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press(ANA, card, data)
    bot.fake.press(LUIS, card, data)  # both tap before either answer arrives
    answered = await bot.fake.wait_for(lambda: (lambda a: a if len(a) == 2 else None)(
        bot.fake.calls("answerCallbackQuery")[before:]))
    answers = [call["text"] for call in answered]
    assert sorted(answers) == sorted([text("advocate_you_have_it", "en").format(alias=alias_of(card)),
                                      text("advocate_already_taken", "en")])
    assert len(bot.fake.topics) == 1 and len(bot.fake.calls("createForumTopic")) == 1
    before = len(bot.fake.requests)
    await bot.bridge.handoff.request(bot.pseudonym(sam), sam.id, HandoffRequest(language="en", region="US"))
    since = [method for method, _ in bot.fake.requests[before:] if method != "getUpdates"]  # polling goes on
    assert since == [], "asking again while a person is with them changes nothing"


async def test_nobody_free_within_the_wait_gives_a_helpline_and_the_choice_to_leave_a_message(assistant, tmp_path):
    bot = await start_bot(tmp_path, assistant.url, HANDOFF_WAIT_MINUTES="0.02")
    try:
        sam = person("en")
        card = await ask_for_a_person(bot, sam, "they never pay me", "i want to talk to a person")
        choices = await bot.fake.wait_for(lambda: [m for m in bot.fake.bot_messages(sam.id)
                                                   if m["text"] == text("handoff_no_one_yet", "en")])
        await bot.press(sam, choices[0], "handoff:message")
        await bot.fake.wait_for(lambda: bot.fake.bot_messages(sam.id)[-1]["text"] == text("handoff_write_message", "en"))
        await bot.reply_to(sam, "please write to me after 6pm, that is when i am alone")
        left = await bot.fake.wait_for(lambda: [m for m in group_messages(bot)
                                                if m.get("text") == "please write to me after 6pm, that is when i am alone"])
        assert left[0]["reply_to_message_id"] == card["message_id"], "the message is attached to the case card"
        assert bot.fake.bot_messages(sam.id)[-1]["text"] == text("handoff_message_left", "en")
        assert len([t for t in [m["text"] for m in bot.fake.bot_messages(sam.id)]
                    if t.startswith(text("handoff_no_one_yet", "en"))]) == 1, "told once, not every tick"
    finally:
        await stop_bot(bot)


async def test_outside_hours_the_survivor_is_told_at_once(assistant, tmp_path):
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%a").lower()
    bot = await start_bot(tmp_path, assistant.url, HANDOFF_HOURS=f"{tomorrow} 09:00-17:00")
    try:
        rosa = person("es")
        await ask_for_a_person(bot, rosa, "no me pagan", "quiero hablar con una persona")
        day = text("hours_words", "es")["on_days"][tomorrow]
        told = bot.fake.bot_messages(rosa.id)[-1]
        assert told["text"] == text("handoff_closed_hours", "es").format(hours=f"{day}, de 9:00 a 17:00, hora UTC")
        assert "/ask_helpline" in str(told["reply_markup"]), "numbers to call behind a button, never named unprompted"
    finally:
        await stop_bot(bot)


async def test_a_restart_mid_case_loses_and_repeats_nothing(assistant, tmp_path):
    bot = await start_bot(tmp_path, assistant.url)
    bot.fake.members.update({ANA.id})
    rosa = person("en")
    card = await ask_for_a_person(bot, rosa, "my boss has my passport", "i want to talk to a person")
    await take(bot, ANA, card)
    [topic] = bot.fake.topics
    for _ in range(50):  # Telegram refuses copies for a while: they stay in the outbox
        bot.fake.fail_next("copyMessage", 502, "Bad Gateway")
    first = bot.fake.say(rosa, "are you still there?")
    await bot.fake.wait_for(lambda: len(bot.fake.calls("copyMessage")) >= 2)
    await stop_bot(bot, keep_fake=True)  # the bot stops with the message in flight

    bot.fake.failures.clear()
    fake = bot.fake
    restarted = await start_bot(tmp_path, assistant.url, fake=fake)
    try:
        fake.push({"message": first})  # Telegram delivers the same update again
        fake.say(rosa, "hello?")
        await fake.wait_for(lambda: len(group_messages(restarted, topic)) >= 3)
        await asyncio.sleep(1.0)  # give a duplicate every chance to appear
        relayed = [m.get("text") for m in group_messages(restarted, topic)[1:]]
        assert relayed == ["are you still there?", "hello?"], "each message exactly once, in order"
    finally:
        await stop_bot(restarted)


async def test_only_group_members_can_take_and_nothing_outside_a_case_topic_is_relayed(bot):
    bot.fake.members.update({ANA.id})
    rosa = person("en")
    card = await ask_for_a_person(bot, rosa, "i can't leave the farm", "i want to talk to a person")
    assert await take(bot, STRANGER, card) == text("advocate_not_member", "en")
    assert await take(bot, ANA, card, data=f"case:take:{alias_of(card)}X") == text("button_expired", "en")
    bot.fake.post(ANA, ADVOCATES, None, "general chatter about the rota")
    bot.fake.post(ANA, ADVOCATES, 77, "a message in some other topic")
    await asyncio.sleep(0.5)
    assert not bot.fake.topics and not bot.fake.calls("copyMessage")
    assert (await bot.bridge.cases.get(alias_of(card))).state == "waiting"
    bot.fake.post(ANA, ADVOCATES, None, "/queue")
    queue = await bot.fake.wait_for(lambda: [m for m in group_messages(bot) if m["text"].startswith("1. ")])
    assert queue[0]["text"].startswith(f"1. Case {alias_of(card)} · English · the United States · waiting 0 min")


async def test_urgent_cases_are_marked_and_queued_first(bot):
    calm, urgent = person("en"), person("es")
    await ask_for_a_person(bot, calm, "they never pay me", "i want to talk to a person")
    card = await ask_for_a_person(bot, urgent, "me quiero morir", "quiero hablar con una persona", urgent=True)
    assert card["text"].startswith("URGENT (self-harm risk) · Case "), "the reason, never their words"
    bot.fake.post(ANA, ADVOCATES, None, "/queue")
    queue = await bot.fake.wait_for(lambda: [m for m in group_messages(bot) if m["text"].startswith("1. ")])
    assert queue[0]["text"].startswith("1. URGENT (self-harm risk) · Case ") and "\n2. Case " in queue[0]["text"]


async def test_advocates_never_receive_the_survivors_telegram_identity(bot):
    bot.fake.members.update({ANA.id})
    marisol = Person(id=8675309, first_name="Xiomara", username="xiomara_private", language_code="es")
    card = await ask_for_a_person(bot, marisol, "me quitaron los papeles en la fábrica", "quiero hablar con una persona")
    await take(bot, ANA, card)
    bot.fake.say(marisol, "gracias")
    await bot.fake.wait_for(lambda: bot.fake.calls("copyMessage"))
    # Every request aimed at the group, minus copyMessage's from_chat_id (Telegram's pointer
    # to the original, never shown to anyone), and every message the group holds.
    to_group = [{k: v for k, v in params.items() if k != "from_chat_id"}
                for _, params in bot.fake.requests if str(params.get("chat_id")) == str(ADVOCATES)]
    assert len(to_group) >= 4, "the advocates did receive the case"
    everything = json.dumps([to_group, bot.fake.chats[ADVOCATES]], ensure_ascii=False)
    for secret in (str(marisol.id), marisol.username, marisol.first_name):
        assert secret not in everything


# --- a risk message while waiting or in a live case (the safety layer in every state) ---


async def test_a_plan_with_pills_inside_the_handoff_form_gets_the_crisis_line(bot):
    sam = person("en")
    await bot.reply_to(sam, "they keep my wages")
    await bot.reply_to(sam, "i want to talk to a person")  # the form asks its first question
    replies = await bot.reply_to(sam, "i've got a whole box of sleeping pills saved for tonight", count=3)
    texts = [m["text"] for m in replies]
    assert texts[0].startswith("Thank you for telling me. I'm glad you wrote.")
    assert "988" in texts[1], "the region's crisis line, at once"
    assert await bot.bridge.cases.open_case_of(bot.pseudonym(sam)) is None, "the form stopped; no case opened"


async def test_a_weapon_while_waiting_for_an_advocate_gets_the_danger_choices(bot):
    lucia = person("es")
    await ask_for_a_person(bot, lucia, "no me pagan desde marzo", "quiero hablar con una persona")
    [reply] = await bot.reply_to(lucia, "el encargado sacó la pistola y dice q de aqui no salgo")
    assert reply["text"].startswith("Estoy aquí contigo.")
    payloads = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert "/ask_emergency_number" in payloads and "/request_advocate" in payloads


async def test_self_harm_in_a_live_case_is_answered_at_once_then_marked_urgent_with_the_reason_only(bot):
    rosa, card, topic = await a_live_case(bot)
    words = "tonight i'm swallowing the whole box of pills, i've made my peace"
    bot.fake.say(rosa, words)
    notes = await bot.fake.wait_for(lambda: [m for m in group_messages(bot, topic)
                                             if m.get("text", "").startswith("URGENT · ")])
    assert notes[0]["text"] == text("advocate_urgent_self_harm", "en"), "the reason only, never their words"
    assert notes[0]["disable_notification"] is False
    assert words in [m.get("text") for m in group_messages(bot, topic)], "their words still reach the advocate"
    assert [m for m in bot.fake.bot_messages(rosa.id) if "988" in m.get("text", "")], \
        "the crisis line was sent before the team was told"
    assert (await bot.bridge.cases.open_case_of(bot.pseudonym(rosa))).urgent

    before = len(bot.fake.bot_messages(rosa.id))
    bot.fake.say(rosa, "i have the pills right here")
    await bot.fake.wait_for(lambda: "i have the pills right here" in [m.get("text") for m in group_messages(bot, topic)])
    await asyncio.sleep(1)
    assert len([m for m in group_messages(bot, topic) if m.get("text", "").startswith("URGENT")]) == 1
    assert len(bot.fake.bot_messages(rosa.id)) == before, "once per case: the advocate is with them now"


async def test_an_edit_that_adds_a_risk_in_a_live_case_is_answered_too(bot):
    rosa, _, topic = await a_live_case(bot)
    original = bot.fake.say(rosa, "ok")
    await bot.fake.wait_for(lambda: "ok" in [m.get("text") for m in group_messages(bot, topic)])
    bot.fake.edit(rosa, original, "he grabbed a knife and says he will kill me tonight")
    notes = await bot.fake.wait_for(lambda: [m for m in group_messages(bot, topic)
                                             if m.get("text") == text("advocate_urgent_danger", "en")])
    assert notes and [m for m in bot.fake.bot_messages(rosa.id) if m["text"].startswith("I'm here with you.")]


async def test_a_possible_risk_in_a_live_case_tells_the_team_only(bot):
    rosa, _, topic = await a_live_case(bot)
    before = len(bot.fake.bot_messages(rosa.id))
    bot.fake.say(rosa, "honestly i don't plan on waking up tomorrow, i've made my peace")
    await bot.fake.wait_for(lambda: [m for m in group_messages(bot, topic)
                                     if m.get("text") == text("advocate_possible_self_harm", "en")])
    await asyncio.sleep(0.5)
    assert len(bot.fake.bot_messages(rosa.id)) == before, "they are talking with a person: the bot stays quiet"


async def test_danger_in_a_message_left_for_the_team_is_answered_and_marks_the_card(assistant, tmp_path):
    bot = await start_bot(tmp_path, assistant.url, HANDOFF_WAIT_MINUTES="0.02")
    try:
        sam = person("en")
        card = await ask_for_a_person(bot, sam, "they never pay me", "i want to talk to a person")
        choices = await bot.fake.wait_for(lambda: [m for m in bot.fake.bot_messages(sam.id)
                                                   if m["text"] == text("handoff_no_one_yet", "en")])
        await bot.press(sam, choices[0], "handoff:message")
        await bot.fake.wait_for(lambda: bot.fake.bot_messages(sam.id)[-1]["text"].startswith("Write your message now."))
        bot.fake.say(sam, "he took out a knife and says i'm not leaving this house alive")
        notes = await bot.fake.wait_for(lambda: [m for m in group_messages(bot)
                                                 if m.get("text") == text("advocate_urgent_danger", "en")])
        assert notes[0]["reply_to_message_id"] == card["message_id"]
        assert bot.fake.chats[ADVOCATES][card["message_id"]]["text"].startswith("URGENT (danger) · Case ")
        assert [m for m in bot.fake.bot_messages(sam.id) if m["text"].startswith("I'm here with you.")]
    finally:
        await stop_bot(bot)


async def test_ordinary_words_in_a_live_case_are_only_relayed(bot):
    rosa, card, topic = await a_live_case(bot)
    before = len(bot.fake.bot_messages(rosa.id))
    bot.fake.say(rosa, "my phone is dying, I'll write again tonight")
    await bot.fake.wait_for(lambda: "my phone is dying, I'll write again tonight" in
                            [m.get("text") for m in group_messages(bot, topic)])
    await asyncio.sleep(1)  # the risk check runs after the relay: give it time to (not) speak
    assert not [m for m in group_messages(bot, topic) if m.get("text", "").startswith("URGENT")]
    assert len(bot.fake.bot_messages(rosa.id)) == before
