"""Follow-up work is queued only after the transaction commits (never for a rolled-back change).

Services name the task by its dotted path: a task module sits above services in the layering, so
services never import it; it is resolved when the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


def on_commit_enqueue(task_path: str, /, **kwargs: Any) -> None:
    """Queue the Huey task at `task_path` once the current transaction commits."""

    def enqueue() -> None:
        import_string(task_path)(**kwargs)

    transaction.on_commit(enqueue)
