"""Periodic: every active store has its weekly blog duty (R2.12)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from storeops.storefront.services import blog_obligations_ensure


@db_periodic_task(crontab(minute="23", hour="1"))  # 09:23 Asia/Shanghai (the scheduler runs in UTC)
def blog_obligations_ensure_task() -> int:
    return blog_obligations_ensure()
