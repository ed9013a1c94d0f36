"""The audit browser: filter by actor, object, action and date; export to Excel."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from storeops.audit.forms import AuditFilterForm
from storeops.audit.permissions import AuditPerm
from storeops.audit.selectors import AuditFilter, audit_event_list
from storeops.core import clock
from storeops.core.access import requires
from storeops.core.api import PAGE_DEFAULT, keyset_page
from storeops.core.errors import DomainError
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm
from storeops.core.templatetags.storeops import as_json

EXPORT_LIMIT = 100_000


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        return form, AuditFilter(**form.cleaned_data)
    return form, AuditFilter()


@requires(AuditPerm.VIEW_EVENT)
def event_list_view(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    try:
        events, next_cursor = keyset_page(
            audit_event_list(actor=request.user, filters=filters),
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_DEFAULT,
        )
    except DomainError:
        events, next_cursor = [], None
    query = request.GET.copy()
    query.pop("cursor", None)
    template = "audit/_rows.html" if request.htmx else "audit/event_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "events": events,
            "next_cursor": next_cursor,
            "query": query.urlencode(),
            "can_export": has_perm(request.user, AuditPerm.EXPORT_EVENT),
        },
    )


@requires(AuditPerm.EXPORT_EVENT)
def event_export_view(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request)
    events = audit_event_list(actor=request.user, filters=filters, perm=AuditPerm.EXPORT_EVENT)[
        :EXPORT_LIMIT
    ]
    rows = (
        (
            e.id,
            e.occurred_at,
            e.actor_username,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            e.ip or "",
            e.request_id,
            as_json(e.before),
            as_json(e.after),
            e.hash or "",
        )
        for e in events.iterator(chunk_size=2000)
    )
    content = workbook_bytes(
        "操作日志",
        [
            "编号",
            "时间（北京时间）",
            "操作人",
            "动作",
            "对象类型",
            "对象ID",
            "对象",
            "IP",
            "请求ID",
            "修改前",
            "修改后",
            "哈希",
        ],
        rows,
    )
    return xlsx_response(f"操作日志-{clock.business_date():%Y%m%d}.xlsx", content)
