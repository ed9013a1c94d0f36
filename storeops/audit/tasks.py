"""Sealing runs shortly after each commit that wrote events, and every minute as a safety net.

No Huey lock: `audit_seal` locks the chain head row itself, so two sealers simply run one after
the other and the second finds nothing to do (idempotent).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storeops.audit.services import audit_seal


@db_task()
def audit_seal_task() -> int:
    return audit_seal()


@db_periodic_task(crontab(minute="*"))
def audit_seal_periodic_task() -> int:
    return audit_seal()
