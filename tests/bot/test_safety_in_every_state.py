"""A risk message gets the right reply in every state: in the handoff form, while waiting, in a live case.

Real Rasa and action server, the bot against the fake Bot API. Phrasings here
are not in data/ and avoid the obvious words, like the misses that started this.
"""

from telegram_harness import ADVOCATES, person

from bot.texts import text
from test_handoff import ANA, ask_for_a_person, group_messages, take

CRISIS_OPENING = ("Thank you for telling me. I'm glad you wrote.", "Gracias por decírmelo.")
DANGER_OPENING = ("I'm here with you. Your safety comes first.", "Estoy aquí contigo.")


async def test_a_plan_with_pills_inside_the_handoff_form_gets_the_crisis_line(bot):
    sam = person("en")
    await bot.reply_to(sam, "they keep my wages")
    await bot.reply_to(sam, "i want to talk to a person")  # the form asks its first question
    replies = await bot.reply_to(sam, "i've got a whole box of sleeping pills saved for tonight", count=3)
    texts = [m["text"] for m in replies]
    assert texts[0].startswith(CRISIS_OPENING[0])
    assert "988" in texts[1], "the region's crisis line, at once"
    assert await bot.bridge.cases.open_case_of(bot.pseudonym(sam)) is None, "the form stopped; no case opened"


async def test_a_weapon_while_waiting_for_an_advocate_gets_the_danger_choices(bot):
    lucia = person("es")
    await ask_for_a_person(bot, lucia, "no me pagan desde marzo", "quiero hablar con una persona")
    [reply] = await bot.reply_to(lucia, "el encargado sacó la pistola y dice q de aqui no salgo")
    assert reply["text"].startswith(DANGER_OPENING[1])
    payloads = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert "/ask_emergency_number" in payloads and "/request_advocate" in payloads


async def test_self_harm_in_a_live_case_marks_it_urgent_with_the_reason_only_and_answers_at_once(bot):
    bot.fake.members.update({ANA.id})
    rosa = person("en")
    card = await ask_for_a_person(bot, rosa, "they took my passport", "i want to talk to a person")
    await take(bot, ANA, card)
    [topic] = bot.fake.topics
    words = "honestly i don't plan on waking up tomorrow, i've made my peace"
    bot.fake.say(rosa, words)
    notes = await bot.fake.wait_for(lambda: [m for m in group_messages(bot, topic)
                                             if m.get("text", "").startswith("URGENT · ")])
    assert notes[0]["text"] == text("advocate_urgent_reason", "en").format(
        reason=text("advocate_reason_self_harm", "en"))
    assert words not in notes[0]["text"] and notes[0]["disable_notification"] is False
    assert words in [m.get("text") for m in group_messages(bot, topic)], "their words still reach the advocate"
    answer = await bot.fake.wait_for(lambda: [m["text"] for m in bot.fake.bot_messages(rosa.id)
                                              if "988" in m.get("text", "")])
    assert answer, "the crisis line while the advocate is on the way"
    assert (await bot.bridge.cases.open_case_of(bot.pseudonym(rosa))).urgent


async def test_ordinary_words_in_a_live_case_are_only_relayed(bot):
    bot.fake.members.update({ANA.id})
    rosa = person("en")
    card = await ask_for_a_person(bot, rosa, "they took my passport", "i want to talk to a person")
    await take(bot, ANA, card)
    [topic] = bot.fake.topics
    before = len(bot.fake.bot_messages(rosa.id))
    bot.fake.say(rosa, "my phone is dying, I'll write again tonight")
    await bot.fake.wait_for(lambda: "my phone is dying, I'll write again tonight" in
                            [m.get("text") for m in group_messages(bot, topic)])
    assert not [m for m in group_messages(bot, topic) if m.get("text", "").startswith("URGENT")]
    assert len(bot.fake.bot_messages(rosa.id)) == before
    assert ADVOCATES in bot.fake.chats
