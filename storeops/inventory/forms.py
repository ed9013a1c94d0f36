"""Forms of the inventory pages; they only parse input — the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

WIDGET = {"class": "form-control"}


class WarehouseForm(forms.Form):
    code = forms.CharField(
        label=_("仓库编码（字母数字）"), max_length=32, widget=forms.TextInput(WIDGET)
    )
    name = forms.CharField(label=_("仓库名称"), max_length=60, widget=forms.TextInput(WIDGET))
    address = forms.CharField(
        label=_("地址"), max_length=200, required=False, widget=forms.TextInput(WIDGET)
    )


class WarehouseEditForm(forms.Form):
    name = forms.CharField(label=_("仓库名称"), max_length=60, widget=forms.TextInput(WIDGET))
    address = forms.CharField(
        label=_("地址"), max_length=200, required=False, widget=forms.TextInput(WIDGET)
    )
    is_active = forms.BooleanField(
        label=_("启用"), required=False, widget=forms.CheckboxInput({"class": "form-check-input"})
    )


class _StockForm(forms.Form):
    sku = forms.CharField(label=_("商家编码"), max_length=64, widget=forms.TextInput(WIDGET))
    warehouse = forms.ChoiceField(label=_("仓库"), widget=forms.Select({"class": "form-select"}))

    def __init__(self, *args: Any, warehouses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [(w.code, f"{w.code} {w.name}") for w in warehouses]


class ReceiptForm(_StockForm):
    quantity = forms.IntegerField(
        label=_("数量"), min_value=1, max_value=1_000_000, widget=forms.NumberInput(WIDGET)
    )
    reference = forms.CharField(
        label=_("单据号/参考"), max_length=100, required=False, widget=forms.TextInput(WIDGET)
    )
    unit_cost = forms.DecimalField(
        label=_("单位成本（留空按当前平均成本）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        widget=forms.NumberInput({**WIDGET, "step": "0.01"}),
    )

    def __init__(self, *args: Any, with_cost: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_cost:
            del self.fields["unit_cost"]


class AdjustmentForm(_StockForm):
    quantity = forms.IntegerField(
        label=_("调整数量（盘盈为正，盘亏/破损为负）"),
        min_value=-1_000_000,
        max_value=1_000_000,
        widget=forms.NumberInput(WIDGET),
    )
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.TextInput(WIDGET))


class DecideForm(forms.Form):
    comment = forms.CharField(
        label=_("意见（驳回时必填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea({**WIDGET, "rows": 2}),
    )


class StockRuleForm(forms.Form):
    safety_stock = forms.IntegerField(
        label=_("安全库存"), min_value=0, max_value=1_000_000, widget=forms.NumberInput(WIDGET)
    )
    upper_limit = forms.IntegerField(
        label=_("库存上限（可空）"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        widget=forms.NumberInput(WIDGET),
    )
    lead_time_days = forms.IntegerField(
        label=_("补货周期（天）"), min_value=0, max_value=365, widget=forms.NumberInput(WIDGET)
    )
