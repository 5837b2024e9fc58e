"""Several advocates' groups: a new case goes where its language is spoken and Telegram's
budget of 20 messages a minute per group is least used; each group's topics are its own."""

import pytest

from bot.core import HandoffRequest
from bot.groups import PER_MINUTE, AdvocateGroup, Groups
from bot.store import Store
from bot.texts import text
from testkit.handoffs import ANA, LUIS, ROSA, ROSA_CHAT, SAM, SAM_CHAT, make_handoffs
from testkit.messenger import FakeMessenger

SPANISH, ENGLISH, ANY = -1001, -1002, -1003


@pytest.fixture
def groups(clock):
    return Groups([AdvocateGroup(SPANISH, "es"), AdvocateGroup(ENGLISH, "en"), AdvocateGroup(ANY)], clock=clock)


def use(groups, chat_id, messages):
    for _ in range(messages):
        groups.posted(chat_id)


def test_a_case_goes_to_a_group_for_its_language_then_to_one_for_any(groups):
    assert groups.for_case("es", {}) == SPANISH and groups.for_case("en", {}) == ENGLISH
    assert groups.for_case("uk", {}) == ANY
    only_languages = Groups([AdvocateGroup(SPANISH, "es"), AdvocateGroup(ENGLISH, "en")])
    assert only_languages.for_case("uk", {}) in (SPANISH, ENGLISH), "never nowhere"


def test_among_groups_for_a_language_the_most_budget_left_wins_then_the_fewest_open_cases(clock):
    groups = Groups([AdvocateGroup(-1), AdvocateGroup(-2), AdvocateGroup(-3)], clock=clock)
    use(groups, -1, 5)
    use(groups, -2, 3)
    use(groups, -3, 3)
    assert groups.for_case("en", {-2: 4, -3: 1}) == -3
    use(groups, -3, 1)
    assert groups.for_case("en", {}) == -2


def test_a_groups_budget_comes_back_after_a_minute_and_never_goes_below_zero(groups, clock):
    use(groups, ANY, PER_MINUTE + 5)
    assert groups.budget(ANY) == 0
    clock.now += 61
    assert groups.budget(ANY) == PER_MINUTE


def test_with_every_group_at_its_limit_a_new_case_still_gets_a_group(groups):
    for group in (SPANISH, ENGLISH, ANY):
        use(groups, group, PER_MINUTE)
    assert groups.for_case("es", {SPANISH: 3}) == SPANISH


@pytest.fixture
def store(tmp_path, clock):
    store = Store(f"sqlite:///{tmp_path}/bot.sqlite3", clock=clock)
    yield store
    store.close()


async def test_cases_are_spread_and_each_group_keeps_its_own_cards_topics_and_members(store, clock):
    messenger = FakeMessenger(members={ANA})
    groups = Groups([AdvocateGroup(-1), AdvocateGroup(-2)], clock=clock)
    handoffs = make_handoffs(store, messenger, clock, groups=groups.groups)
    await handoffs.request(ROSA, ROSA_CHAT, HandoffRequest(language="es", region="US"))
    use(handoffs.groups, -1, 10)
    await handoffs.request(SAM, SAM_CHAT, HandoffRequest(language="en", region="US"))
    rosa, sam = await handoffs.cases.open_case_of(ROSA), await handoffs.cases.open_case_of(SAM)
    assert (rosa.group_id, sam.group_id) == (-1, -2)
    assert [s.chat_id for s in messenger.sent if s.buttons and s.chat_id < 0] == [-1, -2], "each card in its own group"
    await handoffs.take(rosa.alias, ANA)
    [topic] = messenger.topics
    assert await handoffs.cases.case_in_topic(-1, topic) is not None
    assert await handoffs.cases.case_in_topic(-2, topic) is None, "the same topic id in another group is not hers"
    assert await handoffs.from_advocate(-2, topic, 31, user_id=ANA) is None and messenger.copies == []
    messenger.members = {LUIS}
    assert await handoffs.take(sam.alias, LUIS) == text("advocate_you_have_it", "en").format(alias=sam.alias)
    assert set(messenger.topics) - {topic} and messenger.sent[-1].chat_id == SAM_CHAT
