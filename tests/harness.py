"""The real assistant for tests: Rasa and the action server as subprocesses.

Shared by conftest.py (the fixtures) and by tests that run Rasa's own CLI.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

import rasa_process

ROOT = rasa_process.ROOT
BIN = rasa_process.BIN
MODEL = ROOT / "models" / f"{rasa_process.MODEL_NAME}.tar.gz"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # db 15: never a real lock store's


def rasa_env(**extra: str) -> Dict[str, str]:
    """Environment for every Rasa process in tests: nothing is ever sent home (rasa.env)."""
    defaults = {"TRACKER_STORE_URL": f"sqlite:///{ROOT / 'var' / 'test-tracker.sqlite3'}", "LOCK_STORE_URL": ""}
    return rasa_process.rasa_env(**{**defaults, **extra})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds}s:\n{log.read_text()[-3000:]}")


class Assistant:
    """The running assistant, spoken to over the REST channel like the bot does."""

    def __init__(self, url: str, tracker_db: Path, logs: Optional[Dict[str, Path]] = None,
                 action_port: Optional[int] = None) -> None:
        self.url = url
        self.tracker_db = tracker_db
        self.logs = logs or {}
        self.action_port = action_port

    @property
    def action_health_url(self) -> str:
        """The action server's health page, which the bot's /readyz checks."""
        return f"http://127.0.0.1:{self.action_port}/health"

    def tracker_senders(self) -> set:
        """Conversation ids with at least one event in Rasa's tracker store."""
        import sqlite3

        with sqlite3.connect(self.tracker_db) as db:
            return {row[0] for row in db.execute("select distinct sender_id from events")}

    def post(self, path: str, body: Dict[str, Any]) -> Any:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def say(self, sender: str, text: str, language: Optional[str] = "en", region: Optional[str] = "US",
            **metadata: Any) -> "Replies":
        """One message, as the bot sends it; `region` is the operator's DEFAULT_REGION (None: unset)."""
        if language:
            metadata["language"] = language
        if region:
            metadata["region"] = region
        body = {"sender": sender, "message": text, "metadata": metadata}
        return Replies(self.post("/webhooks/rest/webhook", body))

    def parse(self, text: str) -> Dict[str, Any]:
        return self.post("/model/parse", {"text": text})


class Replies(list):
    """Rasa's REST replies, with the views tests read."""

    @property
    def texts(self) -> List[str]:
        return [reply["text"] for reply in self if reply.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> List[Dict[str, str]]:
        return [button for reply in self for button in reply.get("buttons") or []]

    @property
    def customs(self) -> List[Dict[str, Any]]:
        """What the actions ask the bot to do (the session marker is only counted: bot/metrics.py)."""
        return [reply["custom"] for reply in self if reply.get("custom") and "session_started" not in reply["custom"]]
