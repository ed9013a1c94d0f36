"""Periodic SLA check of release drafts (R4.2): 75% warning to the owner, breach to 经理."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from storeops.content.services import sla_check


@db_periodic_task(crontab(minute="*/5"))
def draft_sla_check_task() -> dict[str, int]:
    return sla_check()
