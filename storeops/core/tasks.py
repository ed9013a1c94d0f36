"""Background import jobs (core.importjobs): the worker side."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storeops.core.importjobs import (
    import_job_files_purge,
    import_job_run,
    import_jobs_fail_stale,
)


@db_task()
def import_job_run_task(job_id: int) -> str | None:
    return import_job_run(job_id=job_id)


@db_periodic_task(crontab(minute="*/10"))
def import_jobs_fail_stale_task() -> int:
    return import_jobs_fail_stale()


@db_periodic_task(crontab(hour="19", minute="50"))  # 03:50 Beijing time
def import_job_files_purge_task() -> int:
    return import_job_files_purge()
