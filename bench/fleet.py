"""`make bench-fleet`: the fleet on this machine, one topology after another (bots × Rasa).

Each topology is the one `make run-fleet` starts: N bots in webhook mode on the
PostgreSQL bot store, M Rasa servers on the PostgreSQL tracker store and the
Redis lock store, the action server, and nginx (or, where nginx is not
installed, the tests' Python proxy) spreading the fake Bot API's webhook
deliveries over the bots. For each it measures, in one run: latency at 100
open-loop conversations; closed-loop saturation of the full path and of Rasa
alone; and the CPU each kind of process spends per message (the bots' is the
bridge's cost). Writes reports/bench-fleet.json and prints a line per topology.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp
import sqlalchemy as sa

from bench import report
from bench.drivers import Paths, TimedTelegram, load, load_scripts, overhead
from bench.servers import ROOT, free_port
from scripts.fleet import Fleet, nginx_config
from testkit.proxy import Proxy

ADVOCATES = -100777
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(group: int) -> float:
    """User + system CPU of every live process in a process group (each server is started in
    its own session: nginx's workers count with their master), from /proc/<pid>/stat."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:  # field 5, the process group
            total += sum(int(value) for value in fields[11:13])  # utime, stime
    return total / TICKS


class CpuMeter:
    """CPU seconds spent by each kind of process (bot, rasa, actions, proxy, this one) between
    `start` and `spent`."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.before: Dict[str, float] = {}

    def read(self) -> Dict[str, float]:
        totals: Dict[str, float] = {}
        for name, process in self.fleet.servers.processes.items():
            kind = name.rstrip("0123456789")
            totals[kind] = totals.get(kind, 0.0) + cpu_seconds(process.pid)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        totals["load generator and fake Telegram"] = usage.ru_utime + usage.ru_stime
        return totals

    def start(self) -> None:
        self.before = self.read()

    def spent(self) -> Dict[str, float]:
        """CPU seconds by kind of process since `start`."""
        after = self.read()
        return {kind: after[kind] - self.before.get(kind, 0.0) for kind in after}


def fresh_databases(postgres_url: str, redis_url: str) -> None:
    """Each topology starts from empty stores: the bot store and Rasa's events, and the lock keys."""
    import redis

    from bot.schema import target_metadata

    engine = sa.create_engine(postgres_url)
    for tables in target_metadata():
        tables.drop_all(engine)
    with engine.begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()
    redis.Redis.from_url(redis_url).flushdb()


async def start_proxy(fleet: Fleet, workdir: Path) -> Tuple[str, object]:
    """nginx in front of the bots, as `make run-fleet`; the tests' proxy where there is no nginx."""
    if shutil.which("nginx"):
        port = free_port()
        config = nginx_config(fleet.bot_urls, port, workdir)
        fleet.servers.start("proxy", ["nginx", "-c", str(config), "-g", "daemon off;"], {})
        await asyncio.sleep(0.5)
        return f"http://127.0.0.1:{port}", None
    proxy = Proxy(fleet.bot_urls)
    return await proxy.start(), proxy


async def topology(args: argparse.Namespace, bots: int, rasas: int, workdir: Path) -> Dict:
    fresh_databases(args.postgres, args.redis)
    fake = TimedTelegram()
    await fake.start()
    fleet = Fleet(workdir, bots=bots, rasas=rasas, env={
        "TELEGRAM_BOT_TOKEN": fake.token, "ADVOCATE_CHAT_ID": str(ADVOCATES),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{fake.port}/bot", "STORE_URL": args.postgres,
        "TRACKER_STORE_URL": args.postgres, "LOCK_STORE_URL": args.redis, "MODEL": str(args.model),
        "WEBHOOK_URL": "https://bot.example.org/telegram", "HANDOFF_WAIT_MINUTES": "60",
        # The fake has no flood limit; real Telegram allows about 30 messages/s per bot.
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0"})
    proxy = None
    figures: Dict = {"bots": bots, "rasa": rasas}
    try:
        await asyncio.to_thread(fleet.start)
        url, proxy = await start_proxy(fleet, workdir)
        figures["proxy"] = "nginx" if proxy is None else "python (testkit/proxy.py)"
        # Telegram's default is 40 simultaneous webhook connections (setWebhook max_connections).
        fake.deliver_to(url + "/telegram", fleet.webhook_secret, connections=40)
        rasa_url = ",".join(f"http://127.0.0.1:{port}" for port in fleet.rasa_ports)
        meter = CpuMeter(fleet)
        async with aiohttp.ClientSession() as session:
            paths = Paths(fake, rasa_url, load_scripts(ROOT / "bench" / "conversations.yml"), session)
            await paths.learn_reply_sizes()
            await overhead(paths, rounds=1)  # warm-up: caches, connections, lazy imports
            samples, seconds = await load(paths, True, args.conversations, args.seconds, think=5.0)
            figures["open_loop"] = {"conversations": args.conversations, **report.summary(samples, seconds)}
            figures["saturation"], figures["cpu_ms_per_message"] = await saturation(paths, meter, args)
        figures["peak_rss_mb"] = fleet.servers.peaks()
    finally:
        if proxy is not None:
            await proxy.stop()
        await fake.stop()
        await asyncio.to_thread(fleet.stop)
        fresh_databases(args.postgres, args.redis)  # nothing left for the tests sharing the database
    return figures


async def saturation(paths: Paths, meter: CpuMeter, args: argparse.Namespace) -> Tuple[Dict, Dict]:
    """Closed-loop saturation of the full path and of Rasa alone, and the CPU per answered
    message of each kind of process, over `args.rounds` rounds that alternate which goes first
    (full path then Rasa alone; Rasa alone then full path; ...). One pair of runs moved the 1×1
    ratio between 0.87 and 0.93 from one run of the bench to the next, and the second of a pair
    meets a warmer, fuller machine; the figures pool every round, and each round's are kept."""
    samples: Dict[bool, List] = {True: [], False: []}
    cpu: Dict[bool, Dict[str, float]] = {True: {}, False: {}}
    rounds = []
    for number in range(args.rounds):
        rate = {}
        for via_bot in ((True, False) if number % 2 == 0 else (False, True)):
            meter.start()
            got, seconds = await load(paths, via_bot, args.closed, args.saturation_seconds, think=0,
                                      seed=7 + number)
            for kind, used in meter.spent().items():
                cpu[via_bot][kind] = cpu[via_bot].get(kind, 0.0) + used
            samples[via_bot] += got
            rate[via_bot] = report.summary(got, seconds)["per_second"]
        rounds.append({"full_path": rate[True], "rasa_alone": rate[False],
                       "ratio": round(rate[True] / rate[False], 2)})
    seconds = args.rounds * args.saturation_seconds
    figures = {"conversations": args.closed, "rounds": rounds,
               "full_path": report.summary(samples[True], seconds),
               "rasa_alone": report.summary(samples[False], seconds)}
    figures["ratio"] = round(figures["full_path"]["per_second"] / figures["rasa_alone"]["per_second"], 2)
    answered = {via_bot: max(1, sum(1 for s in samples[via_bot] if s.seconds is not None)) for via_bot in samples}
    per_message = {name: {kind: round(1000 * used / answered[via_bot], 2) for kind, used in cpu[via_bot].items()}
                   for name, via_bot in (("full_path", True), ("rasa_alone", False))}
    return figures, per_message


def one_line(figures: Dict) -> str:
    s, o = figures["saturation"], figures["open_loop"]
    return (f"{figures['bots']}×{figures['rasa']}: open loop {o['conversations']} p50/p95 "
            f"{o.get('p50_ms')}/{o.get('p95_ms')} ms, {o['errors']} errors · saturation "
            f"{s['full_path']['per_second']}/{s['rasa_alone']['per_second']} msg/s ({s['ratio']}; rounds "
            f"{', '.join(str(r['ratio']) for r in s['rounds'])}) · "
            f"CPU ms/msg: bot {figures['cpu_ms_per_message']['full_path'].get('bot')}, Rasa "
            f"{figures['cpu_ms_per_message']['rasa_alone'].get('rasa')} · behind {figures['proxy']}")


def main(argv: List[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topologies", nargs="+", default=["1x1", "2x2", "1x2"], help="bots x Rasa")
    parser.add_argument("--conversations", type=int, default=100, help="open-loop conversations")
    parser.add_argument("--seconds", type=float, default=40, help="length of the open-loop phase")
    parser.add_argument("--closed", type=int, default=16, help="conversations in the saturation phase")
    parser.add_argument("--saturation-seconds", type=float, default=15, help="each run of a saturation round")
    parser.add_argument("--rounds", type=int, default=3,
                        help="saturation rounds, each a run of the full path and one of Rasa alone")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "safe-harbor.tar.gz")
    parser.add_argument("--postgres", default=os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="emptied before each topology (BENCH_POSTGRES_URL)")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
                        help="flushed before each topology (BENCH_REDIS_URL)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-fleet.json")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results = {}
    for name in args.topologies:
        bots, rasas = (int(n) for n in name.lower().split("x"))
        with tempfile.TemporaryDirectory(prefix="safe-harbor-fleet-") as tmp:
            results[f"{bots}x{rasas}"] = figures = asyncio.run(topology(args, bots, rasas, Path(tmp)))
        print(one_line(figures), flush=True)
    full = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "system": f"{platform.system()} {platform.machine()}",
                        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
            "topologies": results, "bench_seconds": round(time.monotonic() - started, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(full, indent=2))


if __name__ == "__main__":
    sys.exit(main())
