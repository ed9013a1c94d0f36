"""The order import page: upload export files, then the core import job shows the progress."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_list
from storeops.core.access import requires
from storeops.core.errors import DomainError
from storeops.core.importjobs import import_job_list, import_job_start
from storeops.core.permissions import has_perm
from storeops.orders.enums import ImportFormat
from storeops.orders.permissions import OrderPerm
from storeops.orders.services import aliases
from storeops.orders.services.imports import IMPORT_KIND


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class OrderImportForm(forms.Form):
    store = forms.ChoiceField(label=_("店铺"))
    format = forms.ChoiceField(
        label=_("格式"),
        choices=[("auto", _("自动识别")), *ImportFormat.choices],
        initial="auto",
    )
    files = MultipleFileField(
        label=_("订单导出文件"), widget=MultipleFileInput(attrs={"accept": ".csv,.xls,.xlsx"})
    )
    skip_invalid = forms.BooleanField(label=_("只导入有效的订单，报告无效的行"), required=False)

    def __init__(self, *args, stores=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.code, str(s)) for s in stores]


@requires(OrderPerm.IMPORT_ORDER)
def order_import_view(request: HttpRequest) -> HttpResponse:
    """R2.8: marketplace exports in; Taobao's order report and item report together."""
    stores = [
        s for s in store_list(actor=request.user) if has_perm(request.user, OrderPerm.IMPORT_ORDER)
    ]
    form = OrderImportForm(request.POST or None, request.FILES or None, stores=stores)
    if request.method == "POST" and form.is_valid():
        store = next(s for s in stores if s.code == form.cleaned_data["store"])
        try:
            job = import_job_start(
                actor=request.user,
                kind=IMPORT_KIND,
                files=form.cleaned_data["files"],
                store=store,
                options={
                    "format": form.cleaned_data["format"],
                    "skip_invalid": form.cleaned_data["skip_invalid"],
                },
            )
        except DomainError as exc:
            form.add_error("files", exc.message)
        else:
            return redirect("core:import_job", job_id=job.pk)
    return render(
        request,
        "orders/import.html",
        {
            "form": form,
            "jobs": import_job_list(actor=request.user, kinds=[IMPORT_KIND]),
            "can_edit_aliases": has_perm(request.user, OrderPerm.MANAGE_IMPORT_ALIASES),
        },
    )


# --- the alias profile per platform (表头别名) -----------------------------------------------------
class ImportAliasForm(forms.Form):
    format = forms.ChoiceField(label=_("平台格式"), choices=ImportFormat.choices)
    field = forms.ChoiceField(label=_("对应字段"))
    alias = forms.CharField(label=_("导出文件里的表头"), max_length=100)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = aliases.field_choices()


def _platform(request: HttpRequest) -> str:
    value = request.GET.get("format") or request.POST.get("format") or ImportFormat.TAOBAO
    return value if value in ImportFormat.values else ImportFormat.TAOBAO


@requires(OrderPerm.MANAGE_IMPORT_ALIASES)
def import_alias_view(request: HttpRequest) -> HttpResponse:
    """Issue 5: each platform's header names as the import reads them, and our own additions —
    a platform that renames a column is answered here, without a new release."""
    platform = _platform(request)
    form = ImportAliasForm(request.POST or None, initial={"format": platform})
    if request.method == "POST" and form.is_valid():
        try:
            row = aliases.import_alias_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("已添加别名“%(alias)s” → %(label)s")
                % {"alias": row.alias, "label": aliases.field_label(row.field)},
            )
            return redirect(f"{reverse('orders:import_aliases')}?format={row.format}")
    return render(
        request,
        "orders/import_aliases.html",
        {
            "form": form,
            "platform": platform,
            "platforms": ImportFormat.choices,
            "profile": aliases.import_alias_profile(platform),
        },
    )


@requires(OrderPerm.MANAGE_IMPORT_ALIASES)
@require_POST
def import_alias_toggle_view(request: HttpRequest, alias_id: int) -> HttpResponse:
    row = aliases.import_alias_update(
        actor=request.user, alias_id=alias_id, is_active=request.POST.get("active") == "1"
    )
    messages.success(
        request,
        (_("已启用别名“%(alias)s”") if row.is_active else _("已停用别名“%(alias)s”"))
        % {"alias": row.alias},
    )
    return redirect(f"{reverse('orders:import_aliases')}?format={row.format}")


@requires(OrderPerm.MANAGE_IMPORT_ALIASES)
@require_POST
def import_alias_delete_view(request: HttpRequest, alias_id: int) -> HttpResponse:
    platform = _platform(request)
    aliases.import_alias_delete(actor=request.user, alias_id=alias_id)
    messages.success(request, _("已删除别名"))
    return redirect(f"{reverse('orders:import_aliases')}?format={platform}")
