"""Forms of the content pages: parse input; rules stay in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.content.enums import (
    DraftKind,
    DraftStatus,
    IntakeClassification,
    IntakeSource,
    Priority,
)
from storeops.core.api import MAX_ID

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
SMALL_SELECT = {"class": "form-select form-select-sm"}


class DraftFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *DraftStatus.choices],
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("", _("全部类型")), *DraftKind.choices],
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    priority = forms.ChoiceField(
        label=_("优先级"),
        choices=[("", _("全部优先级")), *Priority.choices],
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    store = forms.ChoiceField(
        label=_("店铺"), required=False, widget=forms.Select(attrs=SMALL_SELECT)
    )

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("全部店铺")), *((s.code, s.name) for s in stores)]


class DraftForm(forms.Form):
    store = forms.ChoiceField(label=_("店铺"), widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(
        label=_("类型"), choices=DraftKind.choices, widget=forms.Select(attrs=SELECT)
    )
    priority = forms.ChoiceField(
        label=_("优先级"), choices=Priority.choices, widget=forms.Select(attrs=SELECT)
    )
    target = forms.IntegerField(
        label=_("对象编号（商品详情填店铺商品编号；新页面留空）"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.NumberInput(attrs=TEXT),
    )
    intake = forms.TypedChoiceField(
        label=_("来自信息提报"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    body = forms.CharField(
        label=_("正文"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 10}),
    )
    price = forms.DecimalField(
        label=_("新售价（仅商品详情；留空不改价）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01"}),
    )

    def __init__(
        self, *args: Any, stores: Any = (), intakes: Any = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.code, s.name) for s in stores]
        self.fields["intake"].choices = [
            ("", _("（无，计时从创建开始）")),
            *(
                (
                    i.pk,
                    f"#{i.pk} {i.get_source_display()} · {i.get_classification_display()} · {i.title}",
                )
                for i in intakes
            ),
        ]
        if editing:
            for name in ("store", "kind", "target", "intake"):
                del self.fields[name]


class ApproveForm(forms.Form):
    comment = forms.CharField(max_length=2000, required=False)
    override_reason = forms.CharField(max_length=2000, required=False)


class RejectForm(forms.Form):
    comment = forms.CharField(max_length=2000, required=False)


class IntakeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("提报部门"), choices=IntakeSource.choices, widget=forms.Select(attrs=SELECT)
    )
    classification = forms.ChoiceField(
        label=_("信息类别"), choices=IntakeClassification.choices, widget=forms.Select(attrs=SELECT)
    )
    store = forms.ChoiceField(label=_("店铺"), required=False, widget=forms.Select(attrs=SELECT))
    listing = forms.IntegerField(
        label=_("店铺商品编号（可选）"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.NumberInput(attrs=TEXT),
    )
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    content = forms.CharField(
        label=_("内容"), max_length=20000, widget=forms.Textarea(attrs={**TEXT, "rows": 6})
    )

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [
            ("", _("（不限店铺）")),
            *((s.code, s.name) for s in stores),
        ]


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(
            attrs={"class": "form-control form-control-sm w-auto", "type": "month"}, format="%Y-%m"
        ),
    )


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("哪里不准确"),
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )


class DriftForm(forms.Form):
    """The text as it stands on the platform now (only what is filled in is compared)."""

    title = forms.CharField(
        label=_("线上标题"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    body = forms.CharField(
        label=_("线上正文"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 5}),
    )
    price = forms.DecimalField(
        label=_("线上售价"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01"}),
    )


class DriftImportForm(forms.Form):
    store = forms.ChoiceField(label=_("店铺"), widget=forms.Select(attrs=SELECT))
    file = forms.FileField(
        label=_("平台商品导出文件（CSV、XLSX、XLS）"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.code, s.name) for s in stores]
