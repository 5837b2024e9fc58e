"""Synthetic survivors: conversations sent through fake Telegram (the full path) or
straight to Rasa's REST channel (Rasa alone), with the time each turn took.

A turn is done when every message of its reply has arrived. How many messages
a turn's reply has is learnt once per script from Rasa itself (the model is
deterministic), so the bot's path and Rasa's are timed to the same point.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import aiohttp
import yaml

from bot.rasa_client import RasaClient
from testkit.fake_telegram import FakeTelegram, Person  # the tests' fake Bot API

TURN_TIMEOUT = 15.0
ids = itertools.count(7_000_000_000)


def load_scripts(path: Path) -> List[dict]:
    return yaml.safe_load(path.read_text("utf-8"))["scripts"]


def as_rasa_text(turn: str) -> str:
    """A button press is its payload when sent to Rasa directly."""
    return turn[len("press:"):] if turn.startswith("press:") else turn


@dataclass
class Sample:
    seconds: Optional[float]  # None: no full reply within TURN_TIMEOUT
    finished: float = field(default_factory=time.perf_counter)


class TimedTelegram(FakeTelegram):
    """The fake Bot API, also telling waiters when a chat has received n messages."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.received: Dict[int, int] = {}
        self.waiters: Dict[int, Tuple[int, asyncio.Future]] = {}

    def arrived(self, chat_id: int) -> None:
        self.received[chat_id] = self.received.get(chat_id, 0) + 1
        waiter = self.waiters.get(chat_id)
        if waiter and self.received[chat_id] >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(time.perf_counter())

    async def api_sendMessage(self, params):
        message = await super().api_sendMessage(params)
        self.arrived(int(params["chat_id"]))
        return message

    async def api_copyMessage(self, params):
        copied = await super().api_copyMessage(params)
        self.arrived(int(params["chat_id"]))
        return copied

    def expect(self, chat_id: int, more: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters[chat_id] = (self.received.get(chat_id, 0) + more, future)
        return future


@dataclass
class Paths:
    """The two ways a message can travel, and the reply sizes learnt from Rasa."""

    fake: TimedTelegram
    rasa_url: str
    scripts: List[dict]
    session: aiohttp.ClientSession
    reply_sizes: Dict[Tuple[int, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.router = RasaClient(self.rasa_url)  # only to pick the replica, as the bot does

    async def rasa(self, sender: str, text: str, language: str) -> List[dict]:
        """Straight to Rasa's REST channel, on the replica the bot would use."""
        body = {"sender": sender, "message": text, "metadata": {"language": language}}
        async with self.session.post(self.router.url_for(sender), json=body) as response:
            response.raise_for_status()
            return await response.json()

    async def learn_reply_sizes(self) -> None:
        for number, script in enumerate(self.scripts):
            sender = f"calibrate-{number}-{next(ids)}"
            for turn_number, turn in enumerate(script["turns"]):
                replies = await self.rasa(sender, as_rasa_text(turn), script["language"])
                self.reply_sizes[(number, turn_number)] = sum(1 for r in replies if r.get("text") or r.get("buttons"))

    async def turn_via_bot(self, person: Person, script: int, turn: int) -> Sample:
        text = self.scripts[script]["turns"][turn]
        arrived = self.fake.expect(person.id, self.reply_sizes[(script, turn)])
        start = time.perf_counter()
        if text.startswith("press:"):
            keyboards = [m for m in self.fake.bot_messages(person.id) if m.get("reply_markup")]
            self.fake.press(person, keyboards[-1], as_rasa_text(text))
        else:
            self.fake.say(person, text)
        try:
            return Sample(await asyncio.wait_for(arrived, TURN_TIMEOUT) - start)
        except asyncio.TimeoutError:
            return Sample(None)

    async def turn_via_rasa(self, sender: str, script: int, turn: int) -> Sample:
        text, language = self.scripts[script]["turns"][turn], self.scripts[script]["language"]
        start = time.perf_counter()
        try:
            await asyncio.wait_for(self.rasa(sender, as_rasa_text(text), language), TURN_TIMEOUT)
            return Sample(time.perf_counter() - start)
        except (asyncio.TimeoutError, aiohttp.ClientError):
            return Sample(None)


async def conversation(paths: Paths, via_bot: bool, until: float, think: float,
                       samples: List[Sample], rng: random.Random) -> None:
    """One survivor after another on this line until `until`: scripts in turn,
    pausing `think` seconds on average (exponential) before each message."""
    while time.perf_counter() < until:
        script = rng.randrange(len(paths.scripts))
        person = Person(id=next(ids), language_code=paths.scripts[script]["language"])
        sender = f"bench-{person.id}"
        for turn in range(len(paths.scripts[script]["turns"])):
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))
            if time.perf_counter() >= until:
                return
            sample = await (paths.turn_via_bot(person, script, turn) if via_bot
                            else paths.turn_via_rasa(sender, script, turn))
            samples.append(sample)
            if sample.seconds is None:
                break  # this survivor's conversation is broken; the next one starts


async def load(paths: Paths, via_bot: bool, conversations: int, seconds: float, think: float,
               seed: int = 7) -> Tuple[List[Sample], float]:
    """`conversations` lines at once for `seconds`: the turns that finished within them."""
    samples: List[Sample] = []
    until = time.perf_counter() + seconds
    rngs = [random.Random(seed * 1000 + n) for n in range(conversations)]
    await asyncio.gather(*(conversation(paths, via_bot, until, think, samples, rng) for rng in rngs))
    return [s for s in samples if s.finished <= until or s.seconds is None], seconds


async def overhead(paths: Paths, rounds: int) -> Tuple[List[Sample], List[Sample]]:
    """One conversation at a time, each turn through the bot then straight to Rasa."""
    bot, alone = [], []
    for _ in range(rounds):
        for script, spec in enumerate(paths.scripts):
            person = Person(id=next(ids), language_code=spec["language"])
            sender = f"bench-{next(ids)}"
            for turn in range(len(spec["turns"])):
                bot.append(await paths.turn_via_bot(person, script, turn))
                alone.append(await paths.turn_via_rasa(sender, script, turn))
    return bot, alone


async def relay(paths: Paths, group_id: int, messages: int) -> Dict[str, List[Sample]]:
    """Hand one survivor to an advocate, then time messages both ways (no Rasa in the path)."""
    fake = paths.fake
    advocate = Person(id=next(ids), first_name="Ana")
    fake.members.add(advocate.id)
    survivor = Person(id=next(ids), language_code="en")
    fake.say(survivor, "i want to talk to a person")
    await fake.wait_for(lambda: [m for m in fake.bot_messages(survivor.id) if m.get("reply_markup")], 30)
    for payload in ('/inform_need{"need": "talk"}', "/affirm"):
        keyboard = [m for m in fake.bot_messages(survivor.id) if m.get("reply_markup")][-1]
        fake.press(survivor, keyboard, payload)
        await fake.wait_for(lambda shown=keyboard: fake.bot_messages(survivor.id)[-1] is not shown, 30)
    cards = await fake.wait_for(lambda: [m for _, m in sorted(fake.chats.get(group_id, {}).items())
                                         if m.get("reply_markup")], 30)
    fake.press(advocate, cards[-1], cards[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await fake.wait_for(lambda: fake.topics, 30)
    topic = next(iter(fake.topics))
    await asyncio.sleep(0.5)
    timings: Dict[str, List[Sample]] = {"advocate_to_survivor": [], "survivor_to_advocate": []}
    for number in range(messages):
        for direction, chat, send in (
                ("advocate_to_survivor", survivor.id,
                 lambda n=number: fake.post(advocate, group_id, topic, f"advocate message {n}")),
                ("survivor_to_advocate", group_id, lambda n=number: fake.say(survivor, f"survivor message {n}"))):
            arrived = fake.expect(chat, 1)
            start = time.perf_counter()
            send()
            try:
                timings[direction].append(Sample(await asyncio.wait_for(arrived, TURN_TIMEOUT) - start))
            except asyncio.TimeoutError:
                timings[direction].append(Sample(None))
    return timings
