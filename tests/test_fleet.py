"""Fault tests of the fleet on the real engines: two bots in webhook mode behind a proxy,
two Rasa servers, the action server, PostgreSQL and Redis, under steady load from the
fake Bot API (which delivers by webhook and retries like Telegram).

Whatever fails, every survivor message gets exactly one answer, in order per chat.
Each test writes its counts and its time to recover to reports/fleet-faults.json.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, List

import pytest
import pytest_asyncio
import sqlalchemy as sa

from bot.schema import target_metadata
from harness import REDIS_URL, ROOT
from scripts.fleet import Fleet
from telegram_harness import ADVOCATES, POSTGRES_URL, person
from testkit.fake_telegram import FakeTelegram
from testkit.proxy import Proxy

pytestmark = pytest.mark.asyncio(loop_scope="module")
# Two messages with different answers, alternated, so a lost, repeated or overtaken answer shows:
# one through Rasa's NLU, one the bot answers itself.
MESSAGES = ("what's the emergency number", "/help")
# 24 people, each writing again 1.5 s after an answer: about 15 messages a second in all, and
# each person under the bot's own limit of 40 a minute (bot/telegram/order.py).
SURVIVORS, THINK_SECONDS, ANSWER_WITHIN = 24, 1.5, 60.0
LOAD_SECONDS, FAULT_AFTER_SECONDS, LOAD_AFTER_FAULT_SECONDS = 8.0, 2.0, 4.0
# A bot is killed while Telegram holds its replies, long enough for every reply Telegram took
# to be in the journal: Telegram has no idempotency key, so a replica killed in the moment
# between Telegram's answer and its journal write repeats that reply (bot/telegram/journal.py),
# and the test would pass or fail on the timing of the kill.
JOURNAL_SETTLE_SECONDS = 0.5
REPORT = ROOT / "reports" / "fleet-faults.json"


def reachable_engines() -> None:
    import redis

    try:
        sa.create_engine(POSTGRES_URL).connect().close()
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (sa.exc.OperationalError, redis.exceptions.ConnectionError) as error:
        pytest.skip(f"the fleet needs PostgreSQL and Redis ({type(error).__name__}); "
                    "set TEST_POSTGRES_URL / TEST_REDIS_URL")


def empty_postgres() -> None:
    engine = sa.create_engine(POSTGRES_URL)
    for tables in target_metadata():
        tables.drop_all(engine)
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fleet(model, tmp_path_factory):
    reachable_engines()
    empty_postgres()
    fake = FakeTelegram()
    await fake.start()
    workdir = tmp_path_factory.mktemp("fleet")
    running = Fleet(workdir, bots=2, rasas=2, env={
        "TELEGRAM_BOT_TOKEN": fake.token, "ADVOCATE_CHAT_ID": str(ADVOCATES),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{fake.port}/bot", "STORE_URL": POSTGRES_URL,
        "TRACKER_STORE_URL": POSTGRES_URL, "LOCK_STORE_URL": REDIS_URL, "MODEL": str(model),
        "WEBHOOK_URL": "https://bot.example.org/telegram", "DEFAULT_REGION": "US",
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0", "HANDOFF_WAIT_MINUTES": "60"})
    proxy = Proxy(running.bot_urls)
    try:
        await asyncio.to_thread(running.start)
        fake.deliver_to(await proxy.start() + "/telegram", running.webhook_secret)
        yield LoadedFleet(running, fake)
    finally:
        await proxy.stop()
        await fake.stop()
        await asyncio.to_thread(running.stop)
        empty_postgres()


class LoadedFleet:
    """The running fleet and the fake Telegram, with the load the tests put on it."""

    def __init__(self, processes: Fleet, fake: FakeTelegram) -> None:
        self.processes, self.fake = processes, fake
        self.answers: Dict[str, List[str]] = {}  # each message's answer: the texts of its bubbles

    async def learn(self) -> None:
        for message in MESSAGES:
            if message not in self.answers:
                rosa = person("en")
                self.fake.say(rosa, message)
                await self.fake.wait_for(lambda rosa=rosa: self.fake.bot_messages(rosa.id), ANSWER_WITHIN)
                await asyncio.sleep(1.0)
                self.answers[message] = [m.get("text") for m in self.fake.bot_messages(rosa.id)]

    async def load(self, during=None) -> Dict[str, object]:
        """SURVIVORS people write, each after the last answer, from before `during` (a coroutine
        function, the fault) until after it. Counts, in-flight messages and latencies back."""
        await self.learn()
        people = [person("en") for _ in range(SURVIVORS)]
        sent: Dict[int, List[str]] = {p.id: [] for p in people}
        latencies: List[float] = []
        in_flight = [0]  # messages sent and not answered yet
        unanswered: List[str] = []
        started = time.monotonic()
        end = [started + LOAD_SECONDS]

        async def talk(someone, delay: float) -> None:
            await asyncio.sleep(delay)  # people do not write in step: some are mid-answer at the fault
            while time.monotonic() < end[0]:
                message = MESSAGES[len(sent[someone.id]) % len(MESSAGES)]
                expected = sum(len(self.answers[m]) for m in sent[someone.id]) + len(self.answers[message])
                sent[someone.id].append(message)
                began = time.monotonic()
                in_flight[0] += 1
                self.fake.say(someone, message)
                try:
                    await self.fake.wait_for(
                        lambda expected=expected: len(self.fake.bot_messages(someone.id)) >= expected, ANSWER_WITHIN)
                except AssertionError:  # not answered: counted below, and this person stops
                    unanswered.append(message)
                    return
                in_flight[0] -= 1
                latencies.append(time.monotonic() - began)
                await asyncio.sleep(THINK_SECONDS * jitter.uniform(0.5, 1.5))

        jitter = random.Random(len(self.answers) + SURVIVORS)  # the same pattern every run
        jobs = [asyncio.create_task(talk(someone, jitter.uniform(0, THINK_SECONDS))) for someone in people]
        fault_seconds, caught_in_flight, failures_before = 0.0, 0, self.fake.delivery_failures
        if during is not None:
            await asyncio.sleep(FAULT_AFTER_SECONDS)
            waited = time.monotonic()  # the fault strikes while several messages are on their way
            while in_flight[0] < 3 and time.monotonic() - waited < 5:
                await asyncio.sleep(0.002)
            caught_in_flight = in_flight[0]
            fault_started = time.monotonic()
            await during()
            fault_seconds = time.monotonic() - fault_started
            end[0] = max(end[0], time.monotonic() + LOAD_AFTER_FAULT_SECONDS)
        await asyncio.gather(*jobs)
        await asyncio.sleep(1.5)  # time for a repeated answer to show, were there one
        transcripts_right = all(
            [m.get("text") for m in self.fake.bot_messages(p.id)] == [t for m in sent[p.id] for t in self.answers[m]]
            for p in people)
        answered = sum(len(self.fake.bot_messages(p.id)) for p in people)
        expected = sum(len(self.answers[m]) for p in people for m in sent[p.id])
        return {"survivors": SURVIVORS, "messages_sent": sum(len(m) for m in sent.values()),
                "bot_messages_expected": expected, "bot_messages_seen": answered, "unanswered": len(unanswered),
                "in_flight_when_the_fault_began": caught_in_flight,
                "deliveries_telegram_retried": self.fake.delivery_failures - failures_before,
                "slowest_answer_s": round(max(latencies), 2),
                "p95_answer_s": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 2),
                "fault_action_s": round(fault_seconds, 2),
                "exactly_once_in_order": transcripts_right}


def record(fault: str, figures: Dict[str, object]) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report[fault] = figures
    REPORT.write_text(json.dumps(report, indent=2))


async def test_steady_load_without_a_fault_is_answered_exactly_once(fleet):
    figures = await fleet.load()
    record("none", figures)
    assert figures["exactly_once_in_order"], figures


async def killed_under_load(fleet, name: str, fault: str) -> None:
    """`name` killed (SIGKILL) with messages on their way, then started again. A bot dies
    with turns asking Rasa or between replies (its replies held, see JOURNAL_SETTLE_SECONDS)."""
    async def kill() -> None:
        bot = name.startswith("bot")
        if bot:
            fleet.fake.hold("sendMessage")
        try:
            if bot:
                await asyncio.sleep(JOURNAL_SETTLE_SECONDS)
            await asyncio.to_thread(fleet.processes.kill, name)
        finally:
            if bot:
                fleet.fake.release("sendMessage")

    figures = await fleet.load(during=kill)
    figures["restart_ready_s"] = round(await asyncio.to_thread(fleet.processes.restart, name), 1)
    record(fault, figures)
    assert figures["exactly_once_in_order"], figures


async def test_killing_a_bot_replica_loses_and_repeats_nothing_and_it_comes_back(fleet):
    await killed_under_load(fleet, "bot0", "kill one bot replica, then restart it")


async def test_killing_a_rasa_replica_loses_and_repeats_nothing(fleet):
    await killed_under_load(fleet, "rasa1", "kill one Rasa replica")


async def test_an_update_delivered_twice_is_answered_once(fleet):
    async def deliver_twice() -> None:
        for _ in range(5):  # Telegram repeats a few updates it saw no answer to in time
            fleet.fake.redeliver(fleet.fake.delivered[-1])
            await asyncio.sleep(0.3)

    figures = await fleet.load(during=deliver_twice)
    figures["redelivered"] = 5
    record("deliver a webhook update twice", figures)
    assert figures["exactly_once_in_order"], figures


def service(command: List[str]) -> None:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not on this machine")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.skip(f"could not run {' '.join(command)}: {done.stderr.strip()[:200]}")


async def test_restarting_postgresql_loses_and_repeats_nothing(fleet):
    cluster = Path("/etc/postgresql")
    versions = sorted(p.name for p in cluster.iterdir()) if cluster.exists() else []
    if not versions:
        pytest.skip("no Debian PostgreSQL cluster to restart here")

    async def restart() -> None:
        await asyncio.to_thread(service, ["pg_ctlcluster", versions[-1], "main", "restart"])

    figures = await fleet.load(during=restart)
    record("restart PostgreSQL", figures)
    assert figures["exactly_once_in_order"], figures


async def test_restarting_redis_loses_and_repeats_nothing(fleet):
    async def restart() -> None:
        await asyncio.to_thread(service, ["service", "redis-server", "restart"])

    figures = await fleet.load(during=restart)
    record("restart Redis", figures)
    assert figures["exactly_once_in_order"], figures
