"""Forms of the storefront pages: parse input; rules stay in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.content.enums import Priority
from storeops.core import clock
from storeops.storefront.enums import ModuleType, PageKind, ProposalImageKind, ProposalStatus

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
SMALL_SELECT = {"class": "form-select form-select-sm"}
MAX_UPLOAD = 10 * 1024 * 1024


class StoreFilterForm(forms.Form):
    store = forms.ChoiceField(
        label=_("店铺"), required=False, widget=forms.Select(attrs=SMALL_SELECT)
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *ProposalStatus.choices],
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("全部店铺")), *((s.code, s.name) for s in stores)]


class PageForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("页面类型"), choices=PageKind.choices, widget=forms.Select(attrs=SELECT)
    )
    name = forms.CharField(
        label=_("页面名称"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    module_type = forms.ChoiceField(
        label=_("模块类型（自定义模块）"),
        choices=[("", "—"), *ModuleType.choices],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    parent = forms.TypedChoiceField(
        label=_("上级页面（子页面）"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    category = forms.TypedChoiceField(
        label=_("商品类目（类目页）"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    based_on = forms.TypedChoiceField(
        label=_("对应主店页面（分店）"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(
        self,
        *args: Any,
        parents: Any = (),
        categories: Any = (),
        main_pages: Any = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "—"), *((p.pk, p.name) for p in parents)]
        self.fields["category"].choices = [("", "—"), *((c.pk, c.path) for c in categories)]
        self.fields["based_on"].choices = [
            ("", "—"),
            *((p.pk, f"{p.get_kind_display()}：{p.name}") for p in main_pages),
        ]
        if editing:
            for name in ("kind", "parent", "category"):
                del self.fields[name]


class PageDraftForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    body = forms.CharField(
        label=_("正文"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 6}),
    )
    priority = forms.ChoiceField(
        label=_("优先级"), choices=Priority.choices, widget=forms.Select(attrs=SELECT)
    )


class VariantForm(PageDraftForm):
    name = forms.CharField(label=_("方案名称"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    field_order = ["name", "note", "title", "body", "priority"]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(
        label=_("方案说明"), max_length=5000, widget=forms.Textarea(attrs={**TEXT, "rows": 6})
    )


class ImageForm(forms.Form):
    kind = forms.ChoiceField(choices=ProposalImageKind.choices, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("图片"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp"}
        ),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("评论"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class ApproveForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("执行人"), coerce=int, widget=forms.Select(attrs=SELECT))
    due_date = forms.DateField(
        label=_("完成日期"),
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    comment = forms.CharField(
        label=_("审批意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )

    def __init__(self, *args: Any, owners: Any = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"due_date": clock.business_date() + dt.timedelta(days=7)})
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (u.pk, f"{u.get_full_name() or u.username}（{u.username}）") for u in owners
        ]


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=_("驳回意见"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("完成说明"), max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )
