"""`make bench`: the real action server, Rasa and bot against the fake Telegram Bot API.

Measures (README, "Benchmarks"): bridge overhead against Rasa alone at one
conversation; latency under 20/50/100 open-loop conversations; closed-loop
saturation of the full path and of Rasa alone in the same run; advocate ↔
survivor relay latency; peak memory, start-up and training time. Writes
reports/bench.json and reports/bench.png, prints one line, stops everything it
started, and gives up after --budget seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

import rasa_process
from bench import report
from bench.drivers import Paths, TimedTelegram, load, load_scripts, overhead, relay
from bench.servers import BIN, ROOT, Servers, free_port
from bot.telegram.order import MAX_PER_WINDOW

# The relay phase sends back to back, within a minute: the handoff's updates ("a person, please" and
# two presses) and the relayed messages. A person's updates beyond MAX_PER_WINDOW a minute get
# "slow down" instead (bot/telegram/order.py), and would count as lost here.
MOST_RELAYED = MAX_PER_WINDOW - 3

ADVOCATES = -100777


def redis_reachable() -> bool:
    """Replicas need the Redis lock store (LOCK_STORE_URL)."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def train(workdir: Path) -> tuple:
    """A from-scratch training (no cache), timed; the model it made."""
    start = time.monotonic()
    rasa_process.train(out=str(workdir), name="bench", force=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return round(time.monotonic() - start, 1), workdir / "bench.tar.gz"


async def measure(args: argparse.Namespace, servers: Servers, model: Path) -> dict:
    workdir = servers.workdir
    action_port, rasa_ports = free_port(), [free_port() for _ in range(args.replicas)]
    rasa_url = ",".join(f"http://127.0.0.1:{port}" for port in rasa_ports)
    env = {"TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.sqlite3'}",
           "LOCK_STORE_URL": "" if args.replicas == 1 else "redis://127.0.0.1:6379/1"}
    endpoints = str(rasa_process.endpoints_for(f"http://127.0.0.1:{action_port}/webhook", workdir))
    servers.start("actions", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                              "--port", str(action_port)], env)
    for number, port in enumerate(rasa_ports):
        servers.start(f"rasa{number or ''}", [
            str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", endpoints,
            "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)], env)
    await asyncio.to_thread(servers.wait_ready, "actions", f"http://127.0.0.1:{action_port}/health")
    for number, port in enumerate(rasa_ports):
        await asyncio.to_thread(servers.wait_ready, f"rasa{number or ''}", f"http://127.0.0.1:{port}/")

    fake = TimedTelegram()
    await fake.start()
    servers.start("bot", [str(BIN / "python"), "-m", "bot"], {
        "TELEGRAM_BOT_TOKEN": fake.token, "ADVOCATE_CHAT_ID": str(ADVOCATES),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{fake.port}/bot", "RASA_URL": rasa_url,
        "PSEUDONYM_KEY": "b" * 40, "STORE_URL": f"sqlite:///{workdir}/bot.sqlite3",
        "HANDOFF_WAIT_MINUTES": "60", "METRICS_LISTEN": f"127.0.0.1:{free_port()}",
        # The fake has no flood limit; real Telegram allows about 30 messages/s per bot.
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0"})
    await fake.wait_for(lambda: fake.calls("getUpdates"), 60)
    figures: dict = {}
    async with aiohttp.ClientSession() as session:
        paths = Paths(fake, rasa_url, load_scripts(ROOT / "bench" / "conversations.yml"), session)
        await paths.learn_reply_sizes()
        await overhead(paths, rounds=1)  # warm-up: caches, connections, lazy imports
        bot, alone = await overhead(paths, rounds=args.rounds)
        figures["overhead"] = {"bot": report.summary(bot), "rasa": report.summary(alone)}
        figures["overhead"]["ratio_p50"] = round(figures["overhead"]["bot"]["p50_ms"]
                                                 / figures["overhead"]["rasa"]["p50_ms"], 2)
        figures["overhead"]["ratio_p95"] = round(figures["overhead"]["bot"]["p95_ms"]
                                                 / figures["overhead"]["rasa"]["p95_ms"], 2)
        figures["open_loop"] = {}
        for conversations in args.loads:
            samples, seconds = await load(paths, True, conversations, args.seconds, think=5.0)
            figures["open_loop"][str(conversations)] = report.summary(samples, seconds)
            print(f"  open loop {conversations}: {figures['open_loop'][str(conversations)]}", flush=True)
        bot_samples, bot_seconds = await load(paths, True, args.closed, args.saturation_seconds, think=0)
        rasa_samples, rasa_seconds = await load(paths, False, args.closed, args.saturation_seconds, think=0)
        saturation = {"conversations": args.closed, "bot": report.summary(bot_samples, bot_seconds),
                      "rasa": report.summary(rasa_samples, rasa_seconds)}
        saturation["ratio"] = round(saturation["bot"]["per_second"] / saturation["rasa"]["per_second"], 2)
        figures["saturation"] = saturation
        figures["relay"] = {k: report.summary(v) for k, v in (await relay(paths, ADVOCATES, args.relay)).items()}
    figures["peak_rss_mb"] = servers.peaks()
    figures["startup_seconds"] = dict(servers.ready_seconds)
    await fake.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--seconds", type=float, default=40, help="length of each open-loop phase")
    parser.add_argument("--closed", type=int, default=16, help="conversations in the saturation phase")
    parser.add_argument("--saturation-seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the scripts for the overhead")
    parser.add_argument("--relay", type=int, default=30, help=f"relayed messages each way (at most {MOST_RELAYED})")
    parser.add_argument("--replicas", type=int, default=2, help="Rasa processes (more than one: Redis lock store)")
    parser.add_argument("--no-training", action="store_true", help="use models/ instead of timing a training")
    parser.add_argument("--budget", type=float, default=570, help="give up after this many seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    args = parser.parse_args()
    if args.relay > MOST_RELAYED:
        parser.error(f"--relay {args.relay}: at most {MOST_RELAYED}, or the per-person limit refuses the rest")
    if args.replicas > 1 and not redis_reachable():
        print("Redis is not reachable at 127.0.0.1:6379: measuring one Rasa replica instead.")
        args.replicas = 1

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="safe-harbor-bench-") as tmp:
        workdir = Path(tmp)
        training_seconds, model = (None, ROOT / "models" / "safe-harbor.tar.gz") if args.no_training \
            else train(workdir)
        model_mb = round(model.stat().st_size / 1e6, 1)
        servers = Servers(workdir)
        try:
            remaining = args.budget - (time.monotonic() - started)
            figures = asyncio.run(asyncio.wait_for(measure(args, servers, model), remaining))
        finally:
            servers.stop()
    full = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "system": f"{platform.system()} {platform.machine()}",
                    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
        "training_seconds": training_seconds,
        "rasa_replicas": args.replicas,
        "model_size_mb": model_mb,
        **figures,
        "bench_seconds": round(time.monotonic() - started, 1),
    }
    report.write(full, args.out)
    print(report.one_line(full))


if __name__ == "__main__":
    sys.exit(main())
