"""Run the fleet on one machine: N bots in webhook mode, M Rasa servers and the action
server, on PostgreSQL and Redis, behind a reverse proxy for Telegram's webhook.

`make run-fleet BOTS=2 RASA=2` runs it with your settings (`.env`): every bot
shares the PostgreSQL bot store (STORE_URL) and the keys, every Rasa the
PostgreSQL tracker store (TRACKER_STORE_URL) and Rasa's Redis lock store
(LOCK_STORE_URL). nginx (Debian's package) spreads the webhook over the bots;
deploy/ has the same topology for Docker Compose and Kubernetes. The fault tests
(tests/test_fleet.py) run the same `Fleet` behind the test proxy.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

import rasa_process
from bench.servers import BIN, ROOT, Servers, free_port

NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"


class Fleet:
    """The processes of a fleet, each by name (`bot0`, `rasa1`, `actions`): start, kill, restart."""

    def __init__(self, workdir: Path, bots: int, rasas: int, env: Dict[str, str]) -> None:
        self.servers = Servers(workdir)
        self.workdir = workdir
        self.env = {"PSEUDONYM_KEY": secrets.token_urlsafe(40), "CHAT_ID_KEY": secrets.token_urlsafe(40),
                    "WEBHOOK_SECRET": secrets.token_urlsafe(32), **env}  # one set of keys for every bot
        self.action_port = free_port()
        self.rasa_ports = [free_port() for _ in range(rasas)]
        self.bot_ports = [free_port() for _ in range(bots)]
        self.metrics_ports = [free_port() for _ in range(bots)]
        self.endpoints = rasa_process.endpoints_for(f"http://127.0.0.1:{self.action_port}/webhook", workdir)

    @property
    def bot_urls(self) -> List[str]:
        """Where each bot listens for the webhook (the proxy's upstreams)."""
        return [f"http://127.0.0.1:{port}" for port in self.bot_ports]

    @property
    def webhook_secret(self) -> str:
        return self.env["WEBHOOK_SECRET"]

    def start(self) -> None:
        """The action server, then every Rasa, then every bot, each waited for."""
        self.start_process("actions")
        self.servers.wait_ready("actions", f"http://127.0.0.1:{self.action_port}/health")
        for number in range(len(self.rasa_ports)):
            self.start_process(f"rasa{number}")
        for number, port in enumerate(self.rasa_ports):
            self.servers.wait_ready(f"rasa{number}", f"http://127.0.0.1:{port}/")
        for number in range(len(self.bot_ports)):
            self.start_process(f"bot{number}")
        for number in range(len(self.bot_ports)):
            self.wait_bot(number)

    def start_process(self, name: str) -> None:
        kind, number = name.rstrip("0123456789"), int(name[len(name.rstrip("0123456789")):] or 0)
        if kind == "actions":
            command = [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.action_port)]
        elif kind == "rasa":
            command = [str(BIN / "rasa"), "run", "--model", self.env.get("MODEL", "models"), "--endpoints",
                       str(self.endpoints), "--credentials", "credentials.yml", "--interface", "127.0.0.1",
                       "--port", str(self.rasa_ports[number])]
        else:
            command = [str(BIN / "python"), "-m", "bot"]
        self.servers.start(name, command, {**self.env, **self.bot_env(number)} if kind == "bot" else self.env)

    def bot_env(self, number: int) -> Dict[str, str]:
        return {"RASA_URL": ",".join(f"http://127.0.0.1:{port}" for port in self.rasa_ports),
                "ACTION_HEALTH_URL": f"http://127.0.0.1:{self.action_port}/health",
                "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(self.bot_ports[number]),
                "METRICS_LISTEN": f"127.0.0.1:{self.metrics_ports[number]}"}

    def wait_bot(self, number: int) -> None:
        self.servers.wait_ready(f"bot{number}", f"http://127.0.0.1:{self.metrics_ports[number]}/readyz")

    def kill(self, name: str) -> None:
        """Gone at once, as a crashed process or a lost machine (SIGKILL: nothing cleaned up)."""
        process = self.servers.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def restart(self, name: str) -> float:
        """Start `name` again; the seconds until it is ready."""
        started = time.monotonic()
        self.start_process(name)
        if name.startswith("bot"):
            self.wait_bot(int(name[3:]))
        elif name.startswith("rasa"):
            self.servers.wait_ready(name, f"http://127.0.0.1:{self.rasa_ports[int(name[4:])]}/")
        return time.monotonic() - started

    def stop(self) -> None:
        self.servers.stop()


def nginx_config(upstreams: List[str], listen: int, folder: Path) -> Path:
    """deploy/nginx.conf with this fleet's bots as the upstreams."""
    servers = "\n".join(f"    server {url.removeprefix('http://')} max_fails=1 fail_timeout=5s;" for url in upstreams)
    text = NGINX_TEMPLATE.read_text().replace("    server bot:8443;", servers).replace(
        "listen 8080;", f"listen 127.0.0.1:{listen};").replace("/var/run/nginx.pid", str(folder / "nginx.pid"))
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=2)
    parser.add_argument("--rasa", type=int, default=2)
    parser.add_argument("--listen", type=int, default=8080, help="the proxy's port (TLS terminates before it)")
    args = parser.parse_args(argv)
    from bot.settings import read_env_file

    env = {**rasa_process.nothing_sent_home(), **read_env_file(ROOT / ".env"), **os.environ}
    missing = [name for name in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "STORE_URL", "TRACKER_STORE_URL",
                                 "LOCK_STORE_URL") if not env.get(name)]
    if missing:
        raise SystemExit(f"The fleet needs {', '.join(missing)} (README, Scaling out).")
    if shutil.which("nginx") is None:
        raise SystemExit("The fleet's proxy is nginx: apt install nginx-light (README, Scaling out).")
    workdir = ROOT / "var" / "fleet"
    workdir.mkdir(parents=True, exist_ok=True)
    fleet = Fleet(workdir, args.bots, args.rasa, env)
    try:
        fleet.start()
        config = nginx_config(fleet.bot_urls, args.listen, workdir)
        fleet.servers.start("nginx", ["nginx", "-c", str(config), "-g", "daemon off;"], {})
        print(f"The fleet is up: {args.bots} bots, {args.rasa} Rasa, nginx on :{args.listen}; logs in {workdir}")
        subprocess.run(["sleep", "infinity"])
    except KeyboardInterrupt:
        pass
    finally:
        fleet.stop()


if __name__ == "__main__":
    main()
