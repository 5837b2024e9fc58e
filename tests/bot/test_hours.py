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


@pytest.mark.parametrize("spec, zone, language, words", [
    ("mon-fri 09:00-17:00", "America/New_York", "en", "weekdays, 9 am to 5 pm, New York time"),
    ("mon-fri 09:00-17:30", "America/New_York", "es", "de lunes a viernes, de 9:00 a 17:30, hora de Nueva York"),
    ("mon-sun 00:00-24:00", "UTC", "en", "every day, midnight to midnight, UTC"),
    ("sat 10:00-14:00", "Europe/London", "en", "on Saturdays, 10 am to 2 pm, London time"),
    ("sat 10:00-14:00", "UTC", "es", "los sábados, de 10:00 a 14:00, hora UTC"),
    ("tue-thu 08:00-12:00", "Europe/London", "es", "de martes a jueves, de 8:00 a 12:00, hora de Londres"),
])
def test_hours_are_told_to_survivors_in_words(spec, zone, language, words):
    assert parse(spec, zone).describe(language) == words
