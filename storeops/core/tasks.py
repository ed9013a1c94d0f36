"""Background import jobs (core.importjobs): the worker side."""

from huey.contrib.djhuey import db_task

from storeops.core.importjobs import import_job_run


@db_task()
def import_job_run_task(job_id: int) -> str | None:
    return import_job_run(job_id=job_id)
