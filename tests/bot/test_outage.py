"""A store call rides out a short database outage, and gives up after one."""

import pytest
import sqlalchemy as sa

from bot import outage


class Flaky:
    """A database call that cannot connect the first `failures` times."""

    def __init__(self, failures):
        self.failures, self.calls = failures, 0

    def __call__(self, value):
        self.calls += 1
        if self.calls <= self.failures:
            raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())
        return value


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(outage, "RETRY_SECONDS", (0.01, 0.01, 0.01))


async def test_a_call_during_a_short_outage_succeeds_once_the_database_is_back():
    work = Flaky(failures=3)
    assert await outage.in_thread(work, "done") == "done"
    assert work.calls == 4


async def test_a_longer_outage_fails_the_call():
    with pytest.raises(sa.exc.OperationalError):
        await outage.in_thread(Flaky(failures=10), "never")


async def test_other_errors_are_not_retried():
    calls = []

    def broken():
        calls.append(1)
        raise sa.exc.IntegrityError("INSERT", {}, ValueError())

    with pytest.raises(sa.exc.IntegrityError):
        await outage.in_thread(broken)
    assert len(calls) == 1
