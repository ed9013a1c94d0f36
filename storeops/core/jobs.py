"""Follow-up work is queued only after the transaction commits (never for a rolled-back change).

Services name the task by its dotted path: a task module sits above services in the layering, so
services never import it; it is resolved when the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


def on_commit_enqueue(task_path: str, /, *, once: bool = False, **kwargs: Any) -> None:
    """Queue the Huey task at `task_path` once the current transaction commits.

    With `once=True` the task is queued at most once per transaction: not again while the same
    call is already pending in this transaction (a rolled-back savepoint drops its pending calls,
    so a later write in the outer transaction queues it anew).
    """
    key = (task_path, tuple(sorted(kwargs.items())))
    if once:
        pending = transaction.get_connection().run_on_commit
        if any(getattr(func, "storeops_job", None) == key for _sids, func, _robust in pending):
            return

    def enqueue() -> None:
        import_string(task_path)(**kwargs)

    enqueue.storeops_job = key  # type: ignore[attr-defined]
    transaction.on_commit(enqueue)
