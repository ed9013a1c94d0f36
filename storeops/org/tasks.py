"""Daily checks of the org app: credentials due for a new password (R5.2), duties with no owner
(R2.17). Both are idempotent (one open alert per key), so a second run the same day is harmless."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from storeops.org.services import credential_rotation_check, duty_owner_check


@db_periodic_task(crontab(hour="1", minute="10"))
@lock_task("org-credential-rotation-check")
def credential_rotation_check_task() -> int:
    return credential_rotation_check()


@db_periodic_task(crontab(hour="1", minute="20"))
@lock_task("org-duty-owner-check")
def duty_owner_check_task() -> int:
    return duty_owner_check()
