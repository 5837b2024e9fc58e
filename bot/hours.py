"""The advocates' operating hours: "mon-fri 09:00-17:00" in a time zone.

Outside these hours a survivor asking for a person is told so at once and
given the region's 24/7 helpline, instead of waiting for nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Dict, FrozenSet, Optional, Text
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.texts import texts_of

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPEC = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s*$")
ALWAYS = "mon-sun 00:00-24:00"


class HoursError(ValueError):
    """The hours or time zone setting cannot be understood."""


def clock(moment: Optional[time], words: Dict[Text, Text]) -> Text:
    """"9 am", "5:30 pm", "midnight" (words["clock"] == "12") or "9:00", "17:30" ("24")."""
    if moment is None or moment == time(0, 0):
        return words["midnight"]
    if words["clock"] == "24":
        return f"{moment.hour}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


@dataclass(frozen=True)
class Hours:
    days: FrozenSet[int]
    start: time
    end: Optional[time]  # None: until midnight
    zone: ZoneInfo
    text: Text  # as configured, for operators
    first_day: int = 0
    last_day: int = 6

    def describe(self, language: Text) -> Text:
        """In words, for survivors: "weekdays, 9 am to 5 pm, New York time"."""
        words = texts_of("hours_words", language)
        first, last = self.first_day, self.last_day
        if len(self.days) == 7:
            days = words["every_day"]
        elif (first, last) == (0, 4):
            days = words["weekdays"]
        elif first == last:
            days = words["on_days"][DAYS[first]]
        else:
            days = words["day_range"].format(first=words[DAYS[first]], last=words[DAYS[last]])
        city = str(self.zone.key).rsplit("/", 1)[-1].replace("_", " ")
        zone = words["zone_utc"] if city == "UTC" else words["zone"].format(city=words["cities"].get(city, city))
        return words["span"].format(days=days, start=clock(self.start, words), end=clock(self.end, words), zone=zone)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if local.weekday() not in self.days:
            return False
        now = local.time().replace(tzinfo=None)
        return self.start <= now and (self.end is None or now < self.end)


def parse(spec: Text, zone: Text) -> Hours:
    """`spec` like "mon-fri 09:00-17:00" (or "sat 10:00-14:00"); `zone` an IANA name."""
    match = SPEC.match(spec.lower())
    if not match:
        raise HoursError(f"{spec!r} is not like 'mon-fri 09:00-17:00'")
    first, last, start_h, start_m, end_h, end_m = match.groups()
    if first not in DAYS or (last or first) not in DAYS:
        raise HoursError(f"{spec!r}: days are {', '.join(DAYS)}")
    a, b = DAYS.index(first), DAYS.index(last or first)
    days = frozenset(range(a, b + 1)) if a <= b else frozenset(list(range(a, 7)) + list(range(0, b + 1)))
    try:
        start = time(int(start_h), int(start_m))
        end = None if (end_h, end_m) == ("24", "00") else time(int(end_h), int(end_m))
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise HoursError(f"{spec!r} in {zone!r}: not a valid time or time zone") from None
    if end is not None and end <= start:
        raise HoursError(f"{spec!r}: the end must come after the start")
    return Hours(days, start, end, tz, f"{spec.strip()} ({zone})", a, b)
