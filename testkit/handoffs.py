"""The handoff and its erasure service built as the bot builds them (bot/telegram/app.py),
on a test's store, with the recording stand-ins for Telegram and Rasa; and the people."""

from bot.cases import Cases
from bot.core import HandoffRequest
from bot.erasure import Erasure
from bot.groups import AdvocateGroup, Groups
from bot.handoff import Handoffs
from bot.hours import ALWAYS, parse
from bot.sealing import Sealer
from testkit.messenger import FakeRasa

GROUP, ANA, LUIS, STRANGER, BOSS = -100123, 501, 502, 999, 503  # BOSS: a group admin
ROSA, ROSA_CHAT = "pseudonym-rosa", 11
SAM, SAM_CHAT = "pseudonym-sam", 12
STORY = HandoffRequest(language="es", region="US", needs=("legal",), summary="“me quitaron el pasaporte”")


def make_handoffs(store, messenger, clock, hours=ALWAYS, rasa=None, allowed=None, groups=None):
    cases = Cases(store.engine, Sealer(b"c" * 40), clock=clock)
    erasure = Erasure(store, cases, rasa or FakeRasa(), messenger, "en", clock=clock)
    groups = Groups(groups or [AdvocateGroup(GROUP)], clock=clock)  # `groups`: AdvocateGroup list
    cases.adopt(groups.first)
    return Handoffs(cases, messenger, erasure, groups, parse(hours, "UTC"), wait_minutes=10,
                    remember=store.remember, advocate_language="en", clock=clock, allowed=allowed)


