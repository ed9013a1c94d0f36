"""When an obligation's periods open, in Asia/Shanghai business time.

Three forms, so every rule of the policy can be written down:

* a 5-field crontab ``minute hour day-of-month month day-of-week`` — ``0 9 * * 1`` is every
  Monday 09:00 (R3.2 weekly stocktake), ``0 9 1 * *`` the first of each month. Fields take ``*``,
  numbers, ``a-b`` ranges, ``a,b`` lists and ``/n`` steps; day-of-week 0 or 7 is Sunday. As in
  cron, when both day fields are restricted a day matching either one counts.
* ``every N days from YYYY-MM-DD [HH:MM]`` — a fixed interval from a start (R3.3 every half
  month = ``every 15 days from 2026-01-01 09:00``), which no crontab can express.
* ``once YYYY-MM-DD HH:MM`` — a one-off duty with a single period.

A period is identified by the local time it opens (``period_key``), so every form shares one
unique key and a period opened twice (two workers) is the same row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from storeops.core.clock import BUSINESS_TZ, local

MAX_SCHEDULE_LENGTH = 100
LOOKBACK_DAYS = 400  # a crontab matching nothing in a year and a month (e.g. "0 0 31 2 *")

_FIELDS = (  # name, lowest, highest
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("weekday", 0, 7),
)
_EVERY = re.compile(
    r"^every\s+(\d{1,3})\s+days?\s+from\s+(\d{4}-\d{2}-\d{2})(?:\s+(\d{1,2}:\d{2}))?$"
)
_ONCE = re.compile(r"^once\s+(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})$")


class ScheduleError(ValueError):
    """The schedule text is not one of the three forms; the message says why, in Chinese."""


def _parse_field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for piece in text.split(","):
        body, _slash, step_text = piece.partition("/")
        step = 1
        if _slash:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleError(_("定时表达式的步长无效：%(piece)s") % {"piece": piece})
            step = int(step_text)
        if body == "*":
            start, end = low, high
        elif "-" in body:
            left, _dash, right = body.partition("-")
            if not (left.isdigit() and right.isdigit()):
                raise ScheduleError(_("定时表达式无法识别：%(piece)s") % {"piece": piece})
            start, end = int(left), int(right)
        elif body.isdigit():
            start = end = int(body)
            if _slash:
                end = high
        else:
            raise ScheduleError(_("定时表达式无法识别：%(piece)s") % {"piece": piece})
        if not (low <= start <= high and low <= end <= high and start <= end):
            raise ScheduleError(
                _("%(piece)s 超出范围（%(low)s–%(high)s）")
                % {"piece": piece, "low": low, "high": high}
            )
        values.update(range(start, end + 1, step))
    if name == "weekday":
        values = {v % 7 for v in values}  # 7 is Sunday too
    return frozenset(values)


@dataclass(frozen=True)
class Schedule:
    text: str
    kind: str  # "cron" | "every" | "once"
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Sunday
    any_day: bool = True
    any_weekday: bool = True
    start: dt.datetime | None = None  # "every" and "once", aware (Asia/Shanghai)
    interval_days: int = 0

    def _day_matches(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = (day.weekday() + 1) % 7 in self.weekdays
        if self.any_day and self.any_weekday:
            return True
        if self.any_day:
            return by_weekday
        if self.any_weekday:
            return by_day
        return by_day or by_weekday  # cron: either restricted day field

    def latest_start(self, at: dt.datetime) -> dt.datetime | None:
        """The opening time of the period running at `at` (the last opening at or before it)."""
        now = local(at).replace(second=0, microsecond=0)
        if self.kind == "once" and self.start is not None:
            return self.start if self.start <= now else None
        if self.kind == "every" and self.start is not None:
            if now < self.start:
                return None
            periods = (now - self.start) // dt.timedelta(days=self.interval_days)
            return self.start + dt.timedelta(days=self.interval_days * periods)
        hours = sorted(self.hours, reverse=True)
        minutes = sorted(self.minutes, reverse=True)
        for back in range(LOOKBACK_DAYS):
            day = now.date() - dt.timedelta(days=back)
            if not self._day_matches(day):
                continue
            for hour in hours:
                if back == 0 and hour > now.hour:
                    continue
                for minute in minutes:
                    if back == 0 and hour == now.hour and minute > now.minute:
                        continue
                    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BUSINESS_TZ)
        return None


def _parse_time(text: str | None) -> dt.time:
    if not text:
        return dt.time(0, 0)
    hour, minute = (int(p) for p in text.split(":"))
    if hour > 23 or minute > 59:
        raise ScheduleError(_("时间无效：%(time)s") % {"time": text})
    return dt.time(hour, minute)


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ScheduleError(_("日期无效：%(date)s") % {"date": text}) from exc


def parse_schedule(text: str) -> Schedule:
    """Parse and validate; raises ScheduleError with a message a user can act on."""
    text = " ".join((text or "").split()).lower()
    if not text:
        raise ScheduleError(_("请填写周期"))
    if len(text) > MAX_SCHEDULE_LENGTH:
        raise ScheduleError(_("周期写得太长"))
    if match := _EVERY.match(text):
        days = int(match.group(1))
        if not 1 <= days <= 366:
            raise ScheduleError(_("间隔天数须在 1 到 366 之间"))
        start = dt.datetime.combine(
            _parse_date(match.group(2)), _parse_time(match.group(3)), tzinfo=BUSINESS_TZ
        )
        return Schedule(text=text, kind="every", start=start, interval_days=days)
    if match := _ONCE.match(text):
        start = dt.datetime.combine(
            _parse_date(match.group(1)), _parse_time(match.group(2)), tzinfo=BUSINESS_TZ
        )
        return Schedule(text=text, kind="once", start=start)
    parts = text.split(" ")
    if len(parts) != 5:
        raise ScheduleError(
            _(
                "周期格式应为 5 段定时表达式（如“0 9 * * 1”每周一 9:00）、"
                "“every 15 days from 2026-01-01 09:00”或“once 2026-12-01 09:00”"
            )
        )
    sets = [
        _parse_field(part, name, low, high)
        for part, (name, low, high) in zip(parts, _FIELDS, strict=True)
    ]
    schedule = Schedule(
        text=text,
        kind="cron",
        minutes=sets[0],
        hours=sets[1],
        days=sets[2],
        months=sets[3],
        weekdays=sets[4],
        any_day=parts[2] == "*",
        any_weekday=parts[4] == "*",
    )
    if schedule.latest_start(dt.datetime(2100, 1, 1, tzinfo=BUSINESS_TZ)) is None:
        raise ScheduleError(_("这个定时表达式一年内不会触发"))
    return schedule


def period_key(opens_at: dt.datetime) -> str:
    """The period's identity: the local minute it opens."""
    return local(opens_at).strftime("%Y-%m-%d %H:%M")
