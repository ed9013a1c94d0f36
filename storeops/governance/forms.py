"""Forms of the governance pages: parse input; rules stay in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.governance.enums import ApprovalStatus, OccurrenceStatus
from storeops.governance.selectors import owner_choices


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("驳回"))])
    comment = forms.CharField(
        label=_("审批意见"), max_length=2000, required=False, widget=forms.Textarea
    )


class ApprovalFilterForm(forms.Form):
    tab = forms.ChoiceField(
        choices=[("decide", _("待我审批")), ("requested", _("我发起的")), ("all", _("全部"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *ApprovalStatus.choices], required=False
    )


class OccurrenceFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=[("mine", _("我的")), ("all", _("所有人"))], required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *OccurrenceStatus.choices], required=False
    )
    owner = forms.IntegerField(label=_("责任人"), required=False, min_value=1, max_value=2**53)
    policy_id = forms.CharField(label=_("制度条款"), max_length=20, required=False)


class CompleteForm(forms.Form):
    evidence = forms.CharField(
        label=_("完成凭证（链接或说明）"),
        max_length=500,
        help_text=_("例如盘点单链接，或简短说明完成情况"),
    )


class ObligationForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    policy_id = forms.CharField(label=_("制度条款（如 R3.2）"), max_length=20, required=False)
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=owner_choices())
    store = forms.ModelChoiceField(label=_("店铺（可不填）"), queryset=None, required=False)
    schedule = forms.CharField(
        label=_("周期"),
        max_length=100,
        help_text=_(
            "5 段定时表达式（北京时间），如“0 9 * * 1”每周一 9:00、“0 9 1 * *”每月 1 日；"
            "或“every 15 days from 2026-01-01 09:00”每 15 天；或“once 2026-12-01 09:00”一次性"
        ),
    )
    due_hours = forms.IntegerField(
        label=_("完成时限（开始后多少小时）"), min_value=1, max_value=24 * 366
    )
    description = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, stores: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores  # type: ignore[attr-defined]


class PolicyForm(forms.Form):
    value = forms.CharField(label=_("新的值"), max_length=50)
