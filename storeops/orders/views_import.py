"""The order import page: upload export files, then the core import job shows the progress."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from storeops.accounts.selectors import store_list
from storeops.core.access import requires
from storeops.core.errors import DomainError
from storeops.core.importjobs import import_job_list, import_job_start
from storeops.core.permissions import has_perm
from storeops.orders.enums import ImportFormat
from storeops.orders.permissions import OrderPerm
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
        {"form": form, "jobs": import_job_list(actor=request.user, kinds=[IMPORT_KIND])},
    )
