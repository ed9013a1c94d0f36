"""Time: stored in UTC, shown and reasoned about in Asia/Shanghai business time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return timezone.now()


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(BUSINESS_TZ)


def business_date(value: dt.datetime | None = None) -> dt.date:
    return local(value or now()).date()


def start_of_business_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BUSINESS_TZ)
