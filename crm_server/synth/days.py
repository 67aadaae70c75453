"""Days as integer offsets from ``today``, and their wire spellings.

The generator reasons in whole days relative to ``today`` (0 is today, -1 yesterday), which keeps
the hot loops to integer arithmetic. Times of day are Beijing local time in seconds after midnight;
:meth:`Days.ts` writes them as the wire's UTC timestamps (``YYYY-MM-DDTHH:MM:SSZ``). Business days
are Monday to Friday: the synthetic bank keeps no holiday calendar.
"""

from __future__ import annotations

import datetime as dt

BEIJING_UTC_OFFSET_S = 8 * 3600
"""Beijing is UTC+8 all year (no daylight saving time)."""

DAY_S = 86400
HOUR_S = 3600

NOW_S = 6 * HOUR_S
"""When the data is as of: 06:00 Beijing time today, after the bank's overnight batch.

Moments are kept as seconds from today's local midnight (``day * DAY_S + seconds``), so that
"now" is :data:`NOW_S` and yesterday 18:00 is ``-DAY_S + 18 * HOUR_S``.
"""


class Days:
    """Dates around ``today`` with cached ISO spellings.

    Args:
        today: The generation's "today" (the bank's business date the data is as of, at 06:00).
        past: How many days back the cached spellings reach.
        future: How many days ahead the cached spellings reach.
    """

    def __init__(self, today: dt.date, past: int = 1200, future: int = 4000) -> None:
        self.today = today
        self._ordinal = today.toordinal()
        self._past = past
        self._months_back: dict[int, list[int]] = {}
        self._iso = [
            dt.date.fromordinal(self._ordinal + offset).isoformat()
            for offset in range(-past, future)
        ]
        self._iso_t = [text + "T" for text in self._iso]

    def date(self, offset: int) -> dt.date:
        """The date ``offset`` days from today."""
        return dt.date.fromordinal(self._ordinal + offset)

    def offset(self, day: dt.date) -> int:
        """The offset of ``day`` from today (negative in the past)."""
        return day.toordinal() - self._ordinal

    def iso(self, offset: int) -> str:
        """The ISO spelling of the date ``offset`` days from today."""
        index = offset + self._past
        if 0 <= index < len(self._iso):
            return self._iso[index]
        return self.date(offset).isoformat()

    def ts(self, offset: int, local_seconds: int) -> str:
        """The UTC timestamp of a Beijing local time on the day ``offset`` days from today."""
        shift, seconds = divmod(local_seconds - BEIJING_UTC_OFFSET_S, DAY_S)
        offset += shift
        index = offset + self._past
        if 0 <= index < len(self._iso_t):
            return self._iso_t[index] + _CLOCK[seconds]
        return f"{self.date(offset).isoformat()}T{_CLOCK[seconds]}"

    def stamp(self, moment: int) -> str:
        """The UTC timestamp of a moment in seconds from today's local midnight."""
        offset, seconds = divmod(moment, DAY_S)
        return self.ts(offset, seconds)

    def weekday(self, offset: int) -> int:
        """Monday 0 … Sunday 6."""
        return (self._ordinal + offset - 1) % 7

    def is_business(self, offset: int) -> bool:
        """Whether the day is a business day (Monday to Friday)."""
        return self.weekday(offset) < 5

    def business_on_or_before(self, offset: int) -> int:
        """The latest business day at or before ``offset``."""
        while not self.is_business(offset):
            offset -= 1
        return offset

    def month_start(self, offset: int) -> int:
        """The offset of the first day of the month that holds ``offset``."""
        return offset - self.date(offset).day + 1

    def add_months(self, offset: int, months: int) -> int:
        """The offset ``months`` calendar months later (the day clamped to the month's end)."""
        day = self.date(offset)
        month_index = day.year * 12 + day.month - 1 + months
        year, month0 = divmod(month_index, 12)
        last = _days_in_month(year, month0 + 1)
        return self.offset(dt.date(year, month0 + 1, min(day.day, last)))

    def months_back(self, count: int) -> list[int]:
        """Offsets of the first days of the ``count`` complete months before this one, oldest first.

        The result is cached per ``count``; callers must not change it.
        """
        cached = self._months_back.get(count)
        if cached is None:
            first = self.month_start(0)
            cached = [self.add_months(first, -k) for k in range(count, 0, -1)]
            self._months_back[count] = cached
        return cached


_CLOCK: tuple[str, ...] = tuple(
    f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(DAY_S)
)
"""Every second of a day as ``HH:MM:SSZ``: looking up beats formatting a million timestamps."""


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day
