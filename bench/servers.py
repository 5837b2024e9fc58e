"""Start and stop the real processes the benchmark measures, and read their peak memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import rasa_process

ROOT = rasa_process.ROOT
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> Optional[float]:
    """The process's high-water resident memory (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@dataclass
class Servers:
    """Every process started here; `stop` ends them all, whatever happened."""

    workdir: Path
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    started: Dict[str, float] = field(default_factory=dict)
    ready_seconds: Dict[str, float] = field(default_factory=dict)

    def start(self, name: str, command: List[str], env: Dict[str, str]) -> None:
        log = (self.workdir / f"{name}.log").open("w")
        self.started[name] = time.monotonic()
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=rasa_process.rasa_env(**env), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True, umask=0o077)

    def wait_ready(self, name: str, url: str, timeout: float = 240) -> None:
        """Poll `url` until it answers; the time since start is that server's start-up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                tail = (self.workdir / f"{name}.log").read_text(errors="replace").splitlines()[-15:]
                raise RuntimeError(f"{name} exited; the end of {self.workdir / name}.log:\n" + "\n".join(tail))
            try:
                urllib.request.urlopen(url, timeout=1).close()
                self.ready_seconds[name] = round(time.monotonic() - self.started[name], 1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not start within {timeout:.0f} s; see {self.workdir / name}.log")

    def peaks(self) -> Dict[str, Optional[float]]:
        return {name: peak_rss_mb(process.pid) for name, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
