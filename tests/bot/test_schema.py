"""The bot store's schema is made and changed by migrations (bot/schema.py), from an
empty database and from the store the last version without migrations left."""

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.schema import bot_tables_only, config, migrate, revision, target_metadata
from bot.sealing import Sealer
from bot.store import Store

SCHEMAS = Path(__file__).parent / "schemas"
ROOT = Path(__file__).resolve().parents[2]
SEALER = Sealer(b"c" * 40)
HEAD = ScriptDirectory.from_config(config()).get_current_head()


def differences(engine: sa.engine.Engine) -> list:
    """What Alembic's autogenerate would still change: nothing, when the migrations made
    exactly the tables the code defines."""
    with engine.connect() as db:
        context = MigrationContext.configure(db, opts={"compare_type": True, "include_object": bot_tables_only})
        return [change for change in compare_metadata(context, target_metadata())
                if not (change[0] == "remove_table" and change[1].name == "alembic_version")]


def the_store_before_migrations(url: str) -> sa.engine.Engine:
    """The tables exactly as create_all made them at the last version without Alembic."""
    engine = sa.create_engine(url, future=True)
    ddl = (SCHEMAS / f"before_migrations.{engine.dialect.name}.sql").read_text()
    with engine.begin() as db:
        for statement in filter(str.strip, ddl.split(";")):
            lines = [line for line in statement.splitlines() if not line.startswith("--")]
            if any(line.strip() for line in lines):
                db.execute(sa.text("\n".join(lines)))
    return engine


def test_an_empty_database_is_migrated_to_exactly_the_tables_the_code_defines(store_url):
    store = Store(store_url)
    assert revision(store.engine) == HEAD
    assert differences(store.engine) == []
    store.close()


def test_rasas_tracker_table_in_the_same_database_is_left_alone(store_url):
    engine = sa.create_engine(store_url, future=True)
    with engine.begin() as db:  # as Rasa's SQLTrackerStore makes it, when TRACKER_STORE_URL = STORE_URL
        db.execute(sa.text("DROP TABLE IF EXISTS events"))
        db.execute(sa.text("DROP TABLE IF EXISTS leftover"))
        db.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                           "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, data TEXT)"))
        db.execute(sa.text("CREATE INDEX ix_events_sender_id ON events (sender_id)"))
        db.execute(sa.text("CREATE TABLE leftover (id INTEGER PRIMARY KEY)"))
    try:
        migrate(engine)
        assert [change[0] for change in differences(engine)] == ["remove_table"], "only the unknown table shows"
    finally:
        with engine.begin() as db:
            db.execute(sa.text("DROP TABLE events"))
            db.execute(sa.text("DROP TABLE leftover"))
        engine.dispose()


def test_a_store_from_before_migrations_is_adopted_with_its_rows(store_url):
    engine = the_store_before_migrations(store_url)
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO cases (alias, state, pseudonym, urgent, created_at, fallback_sent, "
                           "leaving_message) VALUES ('K7F2', 'waiting', 'p1', false, 1.0, false, false)"))
        db.execute(sa.text("INSERT INTO outbox (alias, direction, source_message_id, sent) "
                           "VALUES ('K7F2', 'to_group', 40, false)"))
        db.execute(sa.text("INSERT INTO daily_counts VALUES ('2026-11-30', 'conversations', 'en', 12)"))
    assert revision(engine) is None
    migrate(engine, SEALER)
    assert revision(engine) == HEAD
    assert differences(engine) == []
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT alias, state FROM cases")).all() == [("K7F2", "waiting")]
        assert db.execute(sa.text("SELECT source_message_id FROM outbox")).scalars().all() == [40]
        assert db.execute(sa.text("SELECT count FROM daily_counts")).scalars().all() == [12]
        assert db.execute(sa.text("SELECT count(*) FROM telegram_updates")).scalar() == 0
    engine.dispose()


def test_migrating_twice_changes_nothing(store_url):
    Store(store_url).close()
    engine = sa.create_engine(store_url, future=True)
    migrate(engine)
    assert revision(engine) == HEAD and differences(engine) == []
    engine.dispose()


def test_replicas_starting_together_take_turns_and_all_start(postgres):
    """Three processes migrating one empty PostgreSQL at once: the advisory lock makes the
    later ones wait and find the work done, instead of failing on a table that now exists."""
    start = [sys.executable, "-c", "import sqlalchemy as sa, sys; from bot.schema import migrate; "
             "engine = sa.create_engine(sys.argv[1], future=True); engine.connect().close(); "
             "print('ready', flush=True); sys.stdin.readline(); migrate(engine)", postgres]
    replicas = [subprocess.Popen(start, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for replica in replicas:  # all loaded and connected: then all at once
        assert replica.stdout.readline() == "ready\n"
    for replica in replicas:
        replica.stdin.write("go\n")
        replica.stdin.flush()
    results = [(replica.wait(timeout=120), replica.stderr.read()) for replica in replicas]
    assert results == [(0, "")] * 3
    engine = sa.create_engine(postgres, future=True)
    assert revision(engine) == HEAD and differences(engine) == []
    engine.dispose()


@pytest.mark.parametrize("back_to", ["base", "0001"])
def test_each_migration_can_be_undone_and_done_again(tmp_path, back_to):
    from alembic import command
    engine = sa.create_engine(f"sqlite:///{tmp_path}/s.sqlite3", future=True)
    migrate(engine)
    settings = config()
    with engine.begin() as db:
        settings.attributes["connection"] = db
        command.downgrade(settings, back_to)
    assert revision(engine) == (None if back_to == "base" else back_to)
    migrate(engine)
    assert revision(engine) == HEAD and differences(engine) == []
    engine.dispose()
