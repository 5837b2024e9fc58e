"""Rasa replicas are stateless: conversations live in the PostgreSQL tracker store and
Rasa's Redis lock store keeps two replicas off one conversation, both chosen by settings
(TRACKER_STORE_URL, LOCK_STORE_URL), with endpoints.yml unchanged."""

import json
import os
import subprocess
import sys
from typing import Iterator, List

import pytest
import sqlalchemy as sa

import rasa_process
from harness import BIN, REDIS_URL, ROOT, Assistant, free_port, rasa_env, wait_until_up
from telegram_harness import POSTGRES_URL


def drop_events(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()


@pytest.fixture(scope="module")
def replicas(assistant, model, tmp_path_factory) -> Iterator[List[Assistant]]:
    """Two Rasa servers on the test PostgreSQL and Redis, sharing the run's action server."""
    import redis

    postgres, redis_url = POSTGRES_URL, REDIS_URL
    try:
        drop_events(postgres)
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except (sa.exc.OperationalError, redis.exceptions.ConnectionError) as error:
        pytest.skip(f"needs PostgreSQL and Redis ({type(error).__name__}); set TEST_POSTGRES_URL / TEST_REDIS_URL")
    workdir = tmp_path_factory.mktemp("replicas")
    endpoints = rasa_process.endpoints_for(f"http://127.0.0.1:{assistant.action_port}/webhook", workdir)
    env = rasa_env(TRACKER_STORE_URL=postgres, LOCK_STORE_URL=redis_url)
    ports = [free_port(), free_port()]
    processes, servers = [], []
    try:
        for port in ports:
            log = workdir / f"rasa{port}.log"
            process = subprocess.Popen(
                [str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
                 "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
            processes.append(process)
            servers.append((f"http://127.0.0.1:{port}", process, log))
        for url, process, log in servers:
            wait_until_up(f"{url}/", process, log)
        yield [Assistant(url, workdir / "unused.sqlite3") for url, _, _ in servers]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        drop_events(postgres)


def events_of(sender: str) -> int:
    engine = sa.create_engine(POSTGRES_URL)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    engine.dispose()
    return count


def test_a_conversation_goes_on_at_another_replica_with_what_it_said_at_the_first(replicas, sender):
    first, second = replicas
    first.say(sender, '/inform_region{"region": "GB"}', region=None)
    assert "999" in second.say(sender, "/ask_emergency_number", region=None).text, \
        "the second replica knew the region the survivor gave the first"


def test_leaving_quickly_at_one_replica_erases_the_conversation_from_postgresql(replicas, sender):
    first, second = replicas
    first.say(sender, "they took my passport")
    assert events_of(sender) > 0
    assert second.say(sender, "/quick_exit").customs == [{"quick_exit": True}]
    assert events_of(sender) == 0


def test_endpoints_yml_needs_no_environment_variable():
    """A bare `rasa run` / `rasa shell` reads endpoints.yml with nothing set."""
    check = ("from rasa.core.utils import AvailableEndpoints; "
             "e = AvailableEndpoints.read_endpoints('endpoints.yml'); "
             "import json; print(json.dumps([e.action.url, e.tracker_store.type, e.lock_store.type]))")
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == [
        "http://127.0.0.1:5055/webhook", "components.tracker_store.ErasingSQLTrackerStore",
        "components.lock_store.SettingsLockStore"]
