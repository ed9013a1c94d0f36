"""Sealing runs shortly after each commit that wrote events, and every minute as a safety net."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from storeops.audit.services import audit_seal


@db_task()
@lock_task("audit-seal")
def audit_seal_task() -> int:
    return audit_seal()


@db_periodic_task(crontab(minute="*"))
@lock_task("audit-seal")
def audit_seal_periodic_task() -> int:
    return audit_seal()
