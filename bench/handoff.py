"""`make bench`'s handoff phase: N simultaneous cases over 1 and over 3 advocates' groups, with
Telegram's pacing on (20 messages a minute per group, 30 a second overall) as a deployment runs.

For each layout: N survivors ask for a person through Rasa, one advocate per group takes
each card, then every survivor writes `--messages` messages, `--gap` seconds apart. The time
from writing to the copy in the group is the relay latency; the part above one second is
the throttling delay. Writes reports/bench-handoff.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import rasa_process
from bench.drivers import TimedTelegram, ids
from bench.report import percentile
from bench.servers import BIN, ROOT, Servers, free_port
from testkit.fake_telegram import Person

THROTTLED_ABOVE_SECONDS = 1.0


class CopyClock(TimedTelegram):
    """The fake Bot API, noting when each relayed text reached a group."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.copied_at: Dict[str, float] = {}

    async def api_copyMessage(self, params):
        copied = await super().api_copyMessage(params)
        source = self.chats.get(int(params["chat_id"]), {}).get(copied["message_id"], {})
        if source.get("text"):
            self.copied_at[source["text"]] = time.perf_counter()
        return copied


def offers(message: dict) -> List[str]:
    """The callback data of a message's buttons."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button["callback_data"] for row in rows for button in row]


def untaken_cards(fake: CopyClock, groups: List[int]) -> list:
    return [m for g in groups for m in fake.chats.get(g, {}).values()
            if any(data.startswith("case:take:") for data in offers(m))]


async def open_case(fake: CopyClock, survivor: Person, advocates: Dict[int, Person], groups: List[int]) -> None:
    """The survivor asks for a person (three turns through Rasa); the group's advocate takes the
    card (one case at a time: cards carry no name to tell them apart, by design)."""
    fake.say(survivor, "i want to talk to a person")
    for payload in ('/inform_need{"need": "talk"}', "/affirm"):
        keyboard = await fake.wait_for(lambda p=payload: [m for m in fake.bot_messages(survivor.id)
                                                          if p in offers(m)], 120)
        fake.press(survivor, keyboard[-1], payload)
    [card] = await fake.wait_for(lambda: untaken_cards(fake, groups), 240)
    fake.press(advocates[card["chat"]["id"]], card, card["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await fake.wait_for(lambda: not untaken_cards(fake, groups), 240)


async def layout(servers: Servers, rasa_url: str, groups: int, cases: int, messages: int, gap: float) -> dict:
    fake = CopyClock()
    await fake.start()
    group_ids = [-100900 - n for n in range(groups)]
    advocates = {group: Person(id=next(ids), first_name="Ana") for group in group_ids}
    fake.members.update(person.id for person in advocates.values())
    servers.start(f"bot-{groups}-groups", [str(BIN / "python"), "-m", "bot"], {
        "TELEGRAM_BOT_TOKEN": fake.token, "ADVOCATE_CHAT_IDS": ",".join(map(str, group_ids)),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{fake.port}/bot", "RASA_URL": rasa_url,
        "PSEUDONYM_KEY": "h" * 40, "STORE_URL": f"sqlite:///{servers.workdir}/handoff-{groups}.sqlite3",
        "KEYS_DIR": str(servers.workdir / "keys"), "HANDOFF_WAIT_MINUTES": "60", "METRICS_LISTEN": f"127.0.0.1:{free_port()}"})
    await fake.wait_for(lambda: fake.calls("getUpdates"), 60)
    survivors = [Person(id=next(ids), language_code="en") for _ in range(cases)]
    started = time.monotonic()
    for survivor in survivors:
        await open_case(fake, survivor, advocates, group_ids)
    opened_seconds = time.monotonic() - started
    sent_at: Dict[str, float] = {}

    async def write(survivor: Person, offset: float) -> None:
        await asyncio.sleep(offset)
        for number in range(messages):
            words = f"case message {survivor.id} {number}"
            sent_at[words] = time.perf_counter()
            fake.say(survivor, words)
            await asyncio.sleep(gap)

    await asyncio.gather(*(write(s, gap * n / cases) for n, s in enumerate(survivors)))
    await fake.wait_for(lambda: all(words in fake.copied_at for words in sent_at), 900)
    latencies = [fake.copied_at[words] - at for words, at in sent_at.items()]
    await fake.stop()
    return {"groups": groups, "cases": cases, "messages": len(latencies),
            "seconds_to_open_all_cases": round(opened_seconds, 1),
            "relay_p50_s": round(percentile(latencies, 50), 2), "relay_p95_s": round(percentile(latencies, 95), 2),
            "relay_max_s": round(max(latencies), 2),
            "throttled_share": round(sum(t > THROTTLED_ABOVE_SECONDS for t in latencies) / len(latencies), 2),
            "mean_throttling_delay_s": round(statistics.mean(max(t - THROTTLED_ABOVE_SECONDS, 0) for t in latencies), 2)}


async def measure(args: argparse.Namespace, servers: Servers) -> dict:
    action_port, rasa_port = free_port(), free_port()
    env = {"TRACKER_STORE_URL": f"sqlite:///{servers.workdir / 'tracker.sqlite3'}"}
    endpoints = rasa_process.endpoints_for(f"http://127.0.0.1:{action_port}/webhook", servers.workdir)
    servers.start("actions", [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)], env)
    servers.start("rasa", [str(BIN / "rasa"), "run", "--model", str(ROOT / "models" / "safe-harbor.tar.gz"),
                           "--endpoints", str(endpoints), "--credentials", "credentials.yml",
                           "--interface", "127.0.0.1", "--port", str(rasa_port)], env)
    await asyncio.to_thread(servers.wait_ready, "actions", f"http://127.0.0.1:{action_port}/health")
    await asyncio.to_thread(servers.wait_ready, "rasa", f"http://127.0.0.1:{rasa_port}/")
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    return {"layouts": [await layout(servers, rasa_url, groups, args.cases, args.messages, args.gap)
                        for groups in args.groups]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--cases", type=int, default=9, help="simultaneous cases")
    parser.add_argument("--messages", type=int, default=4, help="messages each survivor writes")
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between one survivor's messages")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="safe-harbor-bench-handoff-") as tmp:
        servers = Servers(Path(tmp))
        try:
            figures = asyncio.run(measure(args, servers))
        finally:
            servers.stop()
    figures["bench_seconds"] = round(time.monotonic() - started, 1)
    args.out.mkdir(exist_ok=True)
    (args.out / "bench-handoff.json").write_text(json.dumps(figures, indent=2) + "\n")
    for row in figures["layouts"]:
        print(f"handoff: {row['cases']} cases over {row['groups']} group(s): relay p95 {row['relay_p95_s']} s, "
              f"throttled {row['throttled_share']:.0%}, mean throttling delay {row['mean_throttling_delay_s']} s")


if __name__ == "__main__":
    main()
