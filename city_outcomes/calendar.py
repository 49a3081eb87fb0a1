"""The city's reporting calendar and clock: months are the city's months, cut at local midnight.

Timestamps are stored in UTC, but "the month of a trip" is the month on the city's wall clock: a
trip at 23:30 on 31 January in Riverton (UTC-5) is a January trip, though it is 04:30 on 1 February
in UTC. Dates (a bill's month, a fuel purchase's day) are already local. The reporting calendar runs
from the city's ``first_month`` up to, not including, the month that has not yet ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from city_outcomes.config import CityConfig


def city_zone(city: CityConfig) -> ZoneInfo:
    """The city's IANA time zone (UTC for a city whose feeds carry no timestamps and names none)."""
    return ZoneInfo(city.city.timezone or "UTC")


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def previous_month(month: date) -> date:
    """The first day of the month before ``month``."""
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


@dataclass(frozen=True)
class CityClock:
    """What time it is in the city: ``now`` in UTC, ``today`` and the current month on its wall clock."""

    now_utc: datetime  # naive, UTC (as timestamps are stored)
    today: date

    @property
    def current_month(self) -> date:
        """The month that has not yet ended: no partition holds it until it has."""
        return month_start(self.today)


def city_clock(city: CityConfig, now: datetime | None = None) -> CityClock:
    """The city's clock at ``now`` (default: the real time)."""
    instant = (now or datetime.now(UTC)).astimezone(UTC)
    return CityClock(now_utc=instant.replace(tzinfo=None), today=instant.astimezone(city_zone(city)).date())


def local_midnight_utc(city: CityConfig, day: date) -> datetime:
    """The instant (naive UTC) at which ``day`` begins on the city's clock."""
    return datetime(day.year, day.month, day.day, tzinfo=city_zone(city)).astimezone(UTC).replace(tzinfo=None)


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"
