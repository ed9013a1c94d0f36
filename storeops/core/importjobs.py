"""Background import jobs with a progress bar: upload → queued job → worker runs the import → result.

Any app can run its `core.imports` pipeline as a job. Usage:

1. Write a runner and register it in your AppConfig.ready()::

       def product_import_job_run(job, files, progress):
           # job: the ImportJob (job.created_by is the actor, job.store, job.options)
           # files: [JobFile] — .name (the user's filename), .open() → binary file from storage
           # progress(done, total): call it as rows go by (run_import(progress=...) does)
           with files[0].open() as handle:
               return product_import(actor=job.created_by, source=handle,
                                     filename=files[0].name, progress=progress,
                                     skip_invalid=job.options.get("skip_invalid", False))

       register_import_kind("catalog.products", product_import_job_run,
                            permission=CatalogPerm.IMPORT_PRODUCT, label=_("导入商品"),
                            back_url="catalog:import")

   The runner returns an `ImportResult` (or a dict with created/updated/unchanged/rejected/
   errors and `applied`). It writes through its services as usual (their own `require` and
   audit). A `DomainError` it raises (a file that is not a spreadsheet, missing columns) marks
   the job `rejected` with that message as a line-0 error; any other exception marks it `failed`.

2. In the view, start the job and send the user to its page::

       job = import_job_start(actor=request.user, kind="catalog.products",
                              files=[request.FILES["file"]], store=None,
                              options={"skip_invalid": True})
       return redirect("core:import_job", job_id=job.pk)

   `files` are uploaded files or `(filename, bytes)` pairs; several files make one job (an
   order import with its address file). The page (`core/import_job.html`) polls
   `core:import_job_progress` every second with htmx and shows the bar, then the counts, the
   row errors and a link to the errors as Excel (`core:import_job_errors`). To show the bar
   inside your own page: `{% include "core/_import_job_progress.html" with job=job %}`.

Why progress goes through the cache: the whole import is ONE transaction (nothing half-written),
so rows written in it, including a progress counter on the job row, are invisible to the polling
request until commit. Progress is written to Django's cache instead — a FileBasedCache in the
data dir or Redis (`STOREOPS_REDIS_URL`), both shared between the web and worker processes. The
job row is claimed (queued → running) by a conditional UPDATE before the import starts, so a task
delivered twice runs once, and the final result is written in the import's own transaction, so
the data and the job's "applied" commit together.

Who sees a job: its creator, or a user holding the kind's permission in the job's store (a store
they do not work in: 404). Uploaded files are kept in Django storage under `imports/`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from storeops.core import clock
from storeops.core.errors import DomainError, Invalid, NotFound
from storeops.core.imports import MAX_ERRORS
from storeops.core.jobs import on_commit_enqueue
from storeops.core.models import IMPORT_JOB_DONE, ImportJob, ImportJobStatus
from storeops.core.permissions import has_perm, require

logger = logging.getLogger(__name__)

MAX_FILES = 5
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
PROGRESS_TIMEOUT = 24 * 3600
PROGRESS_MIN_INTERVAL = 0.25  # seconds between two cache writes (the last one always goes)
STALE_AFTER = 30 * 60  # seconds without a sign of life before a running job counts as dead
# Uploaded files are kept this long after their job ended (for support: "what did I upload?"),
# then deleted by the nightly purge: an order export holds buyers' names, phones and addresses,
# which `erase-customer` cannot reach inside a file. The job row keeps names, sizes and hashes.
KEEP_FILES = dt.timedelta(days=7)
QUEUED_WARN_AFTER = 120  # seconds queued before the page says the worker may not be running
RUN_TASK = "storeops.core.tasks.import_job_run_task"


@dataclass(frozen=True)
class JobFile:
    """One uploaded file of a job, as the runner gets it."""

    name: str  # the user's own filename (for messages and the audit log)
    path: str  # the name in Django storage
    size: int
    sha256: str

    def open(self) -> IO[bytes]:
        return default_storage.open(self.path, "rb")


Progress = Callable[[int, int | None], None]
Runner = Callable[[ImportJob, list[JobFile], Progress], Any]


@dataclass(frozen=True)
class ImportKind:
    kind: str
    runner: Runner
    permission: str
    label: Any
    back_url: str = ""  # a URL name: "back to the import page"
    max_bytes: int = DEFAULT_MAX_BYTES
    field_labels: Mapping[str, Any] | None = None  # field → the column's label, for people


_KINDS: dict[str, ImportKind] = {}


def register_import_kind(
    kind: str,
    runner: Runner,
    *,
    permission: str,
    label: Any,
    back_url: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    field_labels: Mapping[str, Any] | None = None,
) -> None:
    """Called from an app's AppConfig.ready(). `field_labels` names the error's column as the
    user's file does (商家编码 rather than merchant_code) on the page and in the errors Excel."""
    _KINDS[kind] = ImportKind(
        kind, runner, str(permission), label, back_url, max_bytes, dict(field_labels or {})
    )


def import_kind(kind: str) -> ImportKind:
    spec = _KINDS.get(kind)
    if spec is None:
        raise Invalid("import.kind_unknown", _("未知的导入类型"), {"field": "kind"})
    return spec


# --- starting ------------------------------------------------------------------------------------
def _stored(upload: Any, *, max_bytes: int) -> JobFile:
    """Save one upload under imports/ (a fresh folder each, so names never collide)."""
    if isinstance(upload, tuple):
        name, content = upload
        upload = ContentFile(content, name=name)
    name = str(getattr(upload, "name", "") or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise Invalid(
            "import.too_large",
            _("文件不能超过 %(mb)s MB") % {"mb": max_bytes // (1024 * 1024)},
            {"field": "file", "filename": name[:200]},
        )
    digest = hashlib.sha256()
    upload.seek(0)
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    if size > max_bytes:
        raise Invalid(
            "import.too_large",
            _("文件不能超过 %(mb)s MB") % {"mb": max_bytes // (1024 * 1024)},
            {"field": "file", "filename": name[:200]},
        )
    if not size:
        raise Invalid("import.file_empty", _("文件是空的"), {"field": "file"})
    safe = get_valid_filename(name)[-100:] or "upload"
    stamp = clock.now()
    path = default_storage.save(
        f"imports/{stamp:%Y/%m}/{uuid.uuid4().hex}/{safe}",
        upload if isinstance(upload, File) else File(upload, name=safe),
    )
    return JobFile(name=name[:200], path=path, size=int(size), sha256=digest.hexdigest())


@transaction.atomic
def import_job_start(
    *,
    actor: Any,
    kind: str,
    files: Sequence[Any],
    store: Any = None,
    options: Mapping[str, Any] | None = None,
) -> ImportJob:
    """Store the files and queue the job; the worker starts it after this transaction commits."""
    spec = import_kind(kind)
    require(actor, spec.permission, store=store)
    if not files:
        raise Invalid("import.file_required", _("请选择要导入的文件"), {"field": "file"})
    if len(files) > MAX_FILES:
        raise Invalid(
            "import.too_many_files",
            _("一次最多导入 %(n)s 个文件") % {"n": MAX_FILES},
            {"field": "file"},
        )
    stored = [_stored(f, max_bytes=spec.max_bytes) for f in files]
    sha256 = (
        stored[0].sha256
        if len(stored) == 1
        else hashlib.sha256("".join(f.sha256 for f in stored).encode()).hexdigest()
    )
    job = ImportJob.objects.create(
        kind=kind,
        filenames=[f.name for f in stored],
        files=[f.__dict__ for f in stored],
        sha256=sha256,
        store=store,
        created_by=actor,
        options=dict(options or {}),
    )
    on_commit_enqueue(RUN_TASK, job_id=job.pk)
    return job


# --- progress ------------------------------------------------------------------------------------
def _progress_key(job_id: int) -> str:
    return f"storeops:importjob:{job_id}:progress"


class JobProgress:
    """The `progress(done, total)` a runner calls: written to the shared cache, outside the
    import's transaction, at most every PROGRESS_MIN_INTERVAL seconds (and always at the end)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last_write = 0.0
        self.done = 0
        self.total: int | None = None

    def __call__(self, done: int, total: int | None) -> None:
        self.done, self.total = int(done), (int(total) if total is not None else None)
        moment = time.monotonic()
        finished = total is not None and done >= total
        if not finished and moment - self.last_write < PROGRESS_MIN_INTERVAL:
            return
        self.last_write = moment
        try:
            cache.set(
                _progress_key(self.job_id),
                {"done": self.done, "total": self.total, "at": time.time()},
                timeout=PROGRESS_TIMEOUT,
            )
        except Exception:  # a progress bar must never fail an import
            logger.warning("import job %s: progress not written", self.job_id, exc_info=True)


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """done, total (None when unknown) and percent (None when unknown) for the bar."""
    if job.status == ImportJobStatus.RUNNING:
        try:
            found = cache.get(_progress_key(job.pk)) or {}
        except Exception:
            found = {}
        done, total = int(found.get("done", 0)), found.get("total")
    elif job.status == ImportJobStatus.QUEUED:
        done, total = 0, None
    else:
        done, total = job.done, job.total
    percent = None
    if total:
        percent = max(0, min(100, done * 100 // total))
    elif job.is_done:
        percent = 100
    return {"done": done, "total": total, "percent": percent}


# --- running (the task calls this) ---------------------------------------------------------------
def _result_dict(result: Any) -> dict[str, Any]:
    if hasattr(result, "as_dict"):
        body = result.as_dict()
        body["applied"] = bool(getattr(result, "applied", False))
        body["rows"] = int(getattr(result, "rows", 0))
        body["error_count"] = int(getattr(result, "error_count", len(body["errors"])))
        return body
    body = dict(result or {})
    errors = [dict(e) for e in body.get("errors", [])][:MAX_ERRORS]
    return {
        "created": int(body.get("created", 0)),
        "updated": int(body.get("updated", 0)),
        "unchanged": int(body.get("unchanged", 0)),
        "rejected": int(body.get("rejected", 0)),
        "errors": errors,
        "applied": bool(body.get("applied", not errors)),
        "rows": int(body.get("rows", 0)),
        "error_count": int(body.get("error_count", len(errors))),
    }


def _finish(job_id: int, *, status: str, result: dict[str, Any], error: str = "") -> None:
    rows = int(result.get("rows", 0))
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        result=result,
        done=rows,
        total=rows,
        error=error[:500],
        finished_at=clock.now(),
    )


def import_job_run(*, job_id: int) -> str | None:
    """Run a queued job once. Returns its final status, or None when it was not ours to run."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=clock.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by", "store").get(pk=job_id)
    spec = _KINDS.get(job.kind)
    files = [JobFile(**f) for f in job.files]
    progress = JobProgress(job.pk)
    try:
        if spec is None:
            raise RuntimeError(f"import kind {job.kind!r} is not registered")
        with transaction.atomic():
            result = _result_dict(spec.runner(job, files, progress))
            status = ImportJobStatus.APPLIED if result["applied"] else ImportJobStatus.REJECTED
            _finish(job.pk, status=status, result=result)
    except DomainError as exc:  # the file as a whole: not a spreadsheet, columns missing, no right
        status = ImportJobStatus.REJECTED
        _finish(
            job.pk,
            status=status,
            result=_result_dict(
                {"errors": [{"line": 0, "field": "", "message": exc.message}], "applied": False}
            ),
            error=exc.message,
        )
    except Exception:
        logger.exception("import job %s (%s) failed", job.pk, job.kind)
        status = ImportJobStatus.FAILED
        _finish(
            job.pk,
            status=status,
            result=_result_dict({"errors": [], "applied": False}),
            error=_("导入时发生系统错误，未写入任何数据，请联系管理员"),
        )
    try:
        cache.delete(_progress_key(job.pk))
    except Exception:
        logger.warning("import job %s: progress not cleared", job.pk, exc_info=True)
    return str(status)


def import_jobs_fail_stale(*, now: Any = None) -> int:
    """Mark running jobs without a sign of life for STALE_AFTER as failed (periodic task).

    A worker that died mid-import took its open transaction with it, so nothing was written;
    the job must not say "导入中" for ever. A sign of life is the latest progress write, or the
    start when there was none yet."""
    now = now or clock.now()
    failed = 0
    for job in ImportJob.objects.filter(
        status=ImportJobStatus.RUNNING,
        started_at__lt=now - dt.timedelta(seconds=STALE_AFTER),
    ):
        try:
            seen = (cache.get(_progress_key(job.pk)) or {}).get("at")
        except Exception:
            seen = None
        if seen is not None and now.timestamp() - float(seen) < STALE_AFTER:
            continue
        failed += ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.RUNNING).update(
            status=ImportJobStatus.FAILED,
            result=_result_dict({"errors": [], "applied": False}),
            error=_("后台导入中断（进程停止），未写入任何数据，请重新导入"),
            finished_at=now,
        )
    return failed


def import_job_files_purge(*, now: Any = None, batch: int = 1000) -> int:
    """Delete the uploaded files of jobs that ended more than KEEP_FILES ago (nightly task). The
    job keeps its file names (`filenames`), combined hash and result; its `files` list is emptied.
    Returns the files deleted. Queued and running jobs are never touched."""
    cutoff = (now or clock.now()) - KEEP_FILES
    purged = 0
    jobs = ImportJob.objects.filter(status__in=IMPORT_JOB_DONE, finished_at__lt=cutoff).exclude(
        files=[]
    )
    for job in jobs.order_by("pk")[:batch]:
        for entry in job.files:
            if entry.get("path"):
                _delete_stored(entry["path"])
                purged += 1
        ImportJob.objects.filter(pk=job.pk).update(files=[])
    if purged:
        logger.info("import files purged: %s", purged)
    return purged


def _delete_stored(path: str) -> None:
    """Delete one stored upload and, on a local disk, its own folder when it is left empty."""
    try:
        default_storage.delete(path)
    except OSError:
        logger.warning("import file %s not deleted", path, exc_info=True)
        return
    try:
        folder = os.path.dirname(default_storage.path(path))
    except NotImplementedError:  # a remote storage has no folders to tidy
        return
    with contextlib.suppress(OSError):
        os.rmdir(folder)  # only succeeds when empty


def import_job_is_waiting_long(job: ImportJob, *, now: Any = None) -> bool:
    """Queued for more than QUEUED_WARN_AFTER: the background worker may not be running."""
    if job.status != ImportJobStatus.QUEUED:
        return False
    return ((now or clock.now()) - job.created_at).total_seconds() > QUEUED_WARN_AFTER


# --- reading -------------------------------------------------------------------------------------
def import_job_get(*, actor: Any, job_id: int) -> ImportJob:
    """The job, for its creator or a holder of the kind's permission in the job's store."""
    job = ImportJob.objects.select_related("store", "created_by").filter(pk=job_id).first()
    if job is None or actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("import_job.not_found", _("导入任务不存在"))
    if job.created_by_id == actor.pk:
        return job
    if job.store_id is not None and not actor.works_in(job.store):
        raise NotFound("import_job.not_found", _("导入任务不存在"))
    spec = _KINDS.get(job.kind)
    require(actor, spec.permission if spec else "core.import_job_unknown_kind", store=job.store)
    return job


def import_job_list(
    *, actor: Any, kinds: Iterable[str] = (), limit: int = 10
) -> QuerySet[ImportJob]:
    """The actor's own latest jobs (of these kinds)."""
    found = ImportJob.objects.filter(created_by_id=actor.pk)
    kinds = list(kinds)
    if kinds:
        found = found.filter(kind__in=kinds)
    return found.order_by("-id")[:limit]


def import_job_errors(job: ImportJob) -> list[dict[str, Any]]:
    """The row errors with each field's column label (the field itself when none is known)."""
    spec = _KINDS.get(job.kind)
    labels = (spec.field_labels if spec else None) or {}
    return [
        {
            "line": e.get("line", 0),
            "field": e.get("field", ""),
            "label": str(labels.get(e.get("field", ""), e.get("field", ""))),
            "message": e.get("message", ""),
        }
        for e in (job.result or {}).get("errors", [])
    ]


def import_job_error_rows(job: ImportJob) -> list[list[Any]]:
    return [[e["line"], e["label"], e["message"]] for e in import_job_errors(job)]


def import_job_back_url(job: ImportJob) -> str:
    spec = _KINDS.get(job.kind)
    return spec.back_url if spec else ""


def import_job_label(job: ImportJob) -> Any:
    spec = _KINDS.get(job.kind)
    return spec.label if spec else job.kind


def can_see_kind(actor: Any, kind: str, *, store: Any = None) -> bool:
    spec = _KINDS.get(kind)
    return spec is not None and has_perm(actor, spec.permission, store=store)
