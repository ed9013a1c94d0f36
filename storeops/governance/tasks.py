"""Periodic obligation work: open each period, then flag the late ones (R3.2, R3.3).

No Huey lock is needed for correctness: the unique (obligation, period) constraint and the
conditional open → overdue update decide between workers running at the same moment.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from storeops.governance.services import occurrence_generate, occurrence_mark_overdue


def obligation_tick() -> dict[str, int]:
    """One run of the schedule: open current periods, mark overdue ones."""
    return {"opened": occurrence_generate(), "overdue": occurrence_mark_overdue()}


@db_periodic_task(crontab(minute="*/5"))
def obligation_tick_task() -> dict[str, int]:
    return obligation_tick()
