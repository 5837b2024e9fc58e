"""Shared fixtures: one trained model and one real Rasa + action server per run.

Training is done once (by `make test`, or here when the model is missing) and
the servers are started once per test session, so every conversation test
talks to the real assistant over Rasa's REST channel.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

import rasa_process
from harness import BIN, MODEL, REDIS_URL, ROOT, Assistant, free_port, rasa_env, wait_until_up
from telegram_harness import POSTGRES_URL
from testkit.clock import Clock


@pytest.fixture(scope="session")
def model() -> Path:
    """The trained model; trained here only if `make train` has not run."""
    if not MODEL.exists():
        rasa_process.train()
    return MODEL


@pytest.fixture(scope="session")
def assistant(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Real action server and Rasa server on free local ports, for the whole run."""
    workdir = tmp_path_factory.mktemp("assistant")
    action_port, rasa_port = free_port(), free_port()
    env = rasa_env(TRACKER_STORE_URL=f"sqlite:///{workdir / 'tracker.sqlite3'}")
    endpoints = rasa_process.endpoints_for(f"http://127.0.0.1:{action_port}/webhook", workdir)
    logs = {name: workdir / f"{name}.log" for name in ("actions", "rasa")}
    commands = {
        "actions": [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                    "--port", str(action_port)],
        # --enable-api (bound to 127.0.0.1) only so tests can call /model/parse.
        "rasa": [str(BIN / "rasa"), "run", "--model", str(model), "--enable-api",
                 "--endpoints", str(endpoints), "--credentials", "credentials.yml",
                 "--interface", "127.0.0.1", "--port", str(rasa_port)],
    }
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, env=env, stdout=logs[name].open("w"), umask=0o077,
                               stderr=subprocess.STDOUT)
        for name, command in commands.items()
    }
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes["actions"], logs["actions"])
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", processes["rasa"], logs["rasa"])
        yield Assistant(f"http://127.0.0.1:{rasa_port}", workdir / "tracker.sqlite3", logs,
                        action_port=action_port)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    """A fresh conversation id per test, like a new pseudonym."""
    return "test-" + request.node.name.replace("[", "-").replace("]", "")[:60] + f"-{time.monotonic_ns()}"


@pytest.fixture
def clock() -> Clock:
    """A clock the test moves by hand: `clock.now += 60`."""
    return Clock()


@pytest.fixture
def postgres_server() -> str:
    """The test PostgreSQL's URL where a server is reachable; a clear skip where not."""
    engine = sa.create_engine(POSTGRES_URL)
    try:
        engine.connect().close()
    except sa.exc.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({type(error.orig).__name__}); "
                    "set TEST_POSTGRES_URL to run the PostgreSQL tests")
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def redis_server() -> str:
    """The test Redis's URL (an emptied database of its own) where reachable; a clear skip where not."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(error).__name__}); set TEST_REDIS_URL to run "
                    "the Redis tests")
    yield REDIS_URL
    client.flushdb()
    client.close()
