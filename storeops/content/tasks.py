"""Periodic checks: the SLA of release drafts (R4.2: 75% warning to the owner, breach to 经理);
the freshness of listings (R3.3: duties per store, an alert per overdue listing)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from storeops.content.services import freshness_check, sla_check


@db_periodic_task(crontab(minute="*/5"))
def draft_sla_check_task() -> dict[str, int]:
    return sla_check()


@db_periodic_task(crontab(minute="17"))
def listing_freshness_check_task() -> dict[str, int]:
    return freshness_check()
