"""The import job page: a progress bar polled with htmx, then the result and its row errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from storeops.core.access import authenticated
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.importjobs import (
    import_job_back_url,
    import_job_error_rows,
    import_job_errors,
    import_job_get,
    import_job_is_waiting_long,
    import_job_label,
    import_job_progress,
)


def _context(request: HttpRequest, job_id: int) -> dict:
    job = import_job_get(actor=request.user, job_id=job_id)
    return {
        "job": job,
        "progress": import_job_progress(job),
        "errors": import_job_errors(job) if job.is_done else [],
        "waiting_long": import_job_is_waiting_long(job),
        "label": import_job_label(job),
        "back_url": import_job_back_url(job),
    }


# The creator or a holder of the kind's permission in the job's store: decided in import_job_get.
@authenticated
def import_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "core/import_job.html", _context(request, job_id))


@authenticated
def import_job_progress_view(request: HttpRequest, job_id: int) -> HttpResponse:
    response = render(request, "core/_import_job_progress.html", _context(request, job_id))
    response["Cache-Control"] = "no-store"
    return response


@authenticated
def import_job_errors_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get(actor=request.user, job_id=job_id)
    rows = import_job_error_rows(job)
    headers = [_("行"), _("列"), _("问题")]
    return xlsx_response(f"导入错误-{job.pk}.xlsx", workbook_bytes(_("导入错误"), headers, rows))
