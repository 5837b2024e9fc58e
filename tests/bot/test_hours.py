"""Operating hours: when a survivor can expect a person to answer."""

from datetime import datetime, timezone

import pytest

from bot.hours import ALWAYS, HoursError, parse


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_always_open_by_default():
    hours = parse(ALWAYS, "UTC")
    assert hours.is_open(at("2026-11-22T03:00")) and hours.is_open(at("2026-11-23T23:59"))


def test_weekday_office_hours_in_the_advocates_time_zone():
    hours = parse("mon-fri 09:00-17:00", "America/New_York")
    assert hours.is_open(at("2026-11-23T14:00"))  # Monday 09:00 in New York
    assert not hours.is_open(at("2026-11-23T13:59"))  # 08:59 there
    assert not hours.is_open(at("2026-11-23T22:00"))  # 17:00 there: closed
    assert not hours.is_open(at("2026-11-22T15:00"))  # Sunday


def test_a_range_of_days_may_wrap_around_the_week():
    hours = parse("fri-mon 10:00-14:00", "UTC")
    assert [hours.is_open(at(f"2026-11-{day}T12:00")) for day in range(23, 30)] == [
        True, False, False, False, True, True, True]


@pytest.mark.parametrize("spec", ["9-5", "mon-fri 17:00-09:00", "xyz 09:00-10:00", "mon 25:00-26:00"])
def test_nonsense_is_refused(spec):
    with pytest.raises(HoursError):
        parse(spec, "UTC")
