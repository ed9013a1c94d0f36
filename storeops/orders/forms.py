"""Forms of the order pages: parse input; the rules stay in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.orders.enums import COURIERS, ExceptionReason, FlagColour, OrderStatus

TEXT = {"class": "form-control"}
SMALL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select"}
SMALL_SELECT = {"class": "form-select form-select-sm"}
# filters sit side by side in one wrapping row
FILTER = {"class": "form-control form-control-sm w-auto"}
FILTER_SELECT = {"class": "form-select form-select-sm w-auto"}
MONEY = {"min_value": 0, "max_value": 99999999, "max_digits": 10, "decimal_places": 2}


class OrderFilterForm(forms.Form):
    store = forms.ChoiceField(
        label=_("店铺"), required=False, widget=forms.Select(attrs=FILTER_SELECT)
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *OrderStatus.choices],
        required=False,
        widget=forms.Select(attrs=FILTER_SELECT),
    )
    date_from = forms.DateField(
        label=_("下单日期起"),
        required=False,
        widget=forms.DateInput(attrs={**FILTER, "type": "date", "title": _("下单日期起")}),
    )
    date_to = forms.DateField(
        label=_("下单日期止"),
        required=False,
        widget=forms.DateInput(attrs={**FILTER, "type": "date", "title": _("下单日期止")}),
    )
    order_no = forms.CharField(
        label=_("订单号"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={**FILTER, "placeholder": _("订单号")}),
    )
    buyer = forms.CharField(
        label=_("买家"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**FILTER, "placeholder": _("买家ID/昵称")}),
    )
    phone_last4 = forms.RegexField(
        label=_("电话后四位"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("请输入 4 位数字")},
        widget=forms.TextInput(
            attrs={**FILTER, "placeholder": _("电话后四位"), "inputmode": "numeric"}
        ),
    )
    sku = forms.CharField(
        label=_("商家编码"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={**FILTER, "placeholder": _("商家编码")}),
    )
    flag = forms.ChoiceField(
        label=_("旗帜"),
        choices=[("", _("全部旗帜")), *[c for c in FlagColour.choices if c[0]]],
        required=False,
        widget=forms.Select(attrs=FILTER_SELECT),
    )
    exception_reason = forms.ChoiceField(
        label=_("异常原因"),
        choices=[("", _("全部原因")), *ExceptionReason.choices],
        required=False,
        widget=forms.Select(attrs=FILTER_SELECT),
    )

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("全部店铺")), *((s.code, s.name) for s in stores)]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=255,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("反审核原因")}),
    )


class ExceptionForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("异常原因"),
        choices=ExceptionReason.choices,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    detail = forms.CharField(
        label=_("说明"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("说明")}),
    )


class PriceAdjustForm(forms.Form):
    target = forms.ChoiceField(label=_("改价对象"), widget=forms.Select(attrs=SMALL_SELECT))
    new_amount = forms.DecimalField(
        label=_("新金额（¥）"),
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.01", "placeholder": _("新金额（¥）")}),
        **MONEY,
    )
    reason = forms.CharField(
        label=_("改价原因"),
        max_length=255,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("改价原因")}),
    )

    def __init__(self, *args: Any, lines: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            ("shipping", _("运费")),
            *(
                (
                    f"line:{line.pk}",
                    _("第 %(n)s 行 %(code)s 单价")
                    % {"n": line.line_no, "code": line.merchant_code},
                )
                for line in lines
            ),
        ]


class RemarkForm(forms.Form):
    remark = forms.CharField(
        label=_("卖家备注"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**SMALL, "rows": 2}),
    )


class FlagForm(forms.Form):
    flag = forms.ChoiceField(
        label=_("旗帜"),
        choices=FlagColour.choices,
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )


class ShipForm(forms.Form):
    courier = forms.ChoiceField(
        label=_("快递公司"),
        choices=[(name, name) for name, _code in COURIERS],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    tracking_no = forms.CharField(
        label=_("运单号"),
        max_length=64,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("运单号")}),
    )


class ManualOrderForm(forms.Form):
    store = forms.ChoiceField(label=_("店铺"), widget=forms.Select(attrs=SELECT))
    platform_order_no = forms.CharField(
        label=_("订单号（留空自动编号）"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    buyer_nick = forms.CharField(
        label=_("买家昵称"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    receiver_name = forms.CharField(
        label=_("收货人"), max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    receiver_phone = forms.CharField(
        label=_("收货电话"), max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    receiver_province = forms.CharField(
        label=_("省"), max_length=40, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    receiver_city = forms.CharField(
        label=_("市"), max_length=40, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    receiver_district = forms.CharField(
        label=_("区"), max_length=40, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    receiver_street = forms.CharField(
        label=_("详细地址"), max_length=255, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    lines_text = forms.CharField(
        label=_("商品（每行：商家编码 数量 [单价]）"),
        max_length=20000,
        widget=forms.Textarea(
            attrs={**TEXT, "rows": 4, "placeholder": "GLT-CUP-500-BK 2\nGLT-CUP-500-WH 1 59.00"}
        ),
    )
    shipping_amount = forms.DecimalField(
        label=_("运费（¥）"),
        initial=0,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01"}),
        **MONEY,
    )
    discount_amount = forms.DecimalField(
        label=_("优惠（¥）"),
        initial=0,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01"}),
        **MONEY,
    )
    is_paid = forms.BooleanField(label=_("已收款（进入待审核）"), required=False)
    buyer_message = forms.CharField(
        label=_("买家留言"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    seller_remark = forms.CharField(
        label=_("卖家备注"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.code, s.name) for s in stores]

    def clean_lines_text(self) -> list[dict[str, Any]]:
        lines = []
        for number, raw in enumerate(self.cleaned_data["lines_text"].splitlines(), start=1):
            parts = raw.split()
            if not parts:
                continue
            if len(parts) not in (2, 3) or not parts[1].isdigit():
                raise forms.ValidationError(
                    _("第 %(n)s 行应为：商家编码 数量 [单价]") % {"n": number}
                )
            lines.append(
                {
                    "merchant_code": parts[0],
                    "quantity": int(parts[1]),
                    "unit_price": parts[2] if len(parts) == 3 else None,
                }
            )
        if not lines:
            raise forms.ValidationError(_("请至少填写一行商品"))
        return lines


class ReviewRulesForm(forms.Form):
    is_enabled = forms.BooleanField(label=_("启用自动审单"), required=False)
    require_address_complete = forms.BooleanField(label=_("地址完整"), required=False)
    require_no_buyer_message = forms.BooleanField(label=_("无买家留言"), required=False)
    require_known_skus = forms.BooleanField(label=_("商品均已匹配"), required=False)
    check_blacklist = forms.BooleanField(label=_("非黑名单买家"), required=False)
    amount_limit = forms.DecimalField(
        label=_("实付金额上限（¥，留空不限）"),
        required=False,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.01"}),
        **MONEY,
    )


class BlacklistForm(forms.Form):
    buyer = forms.CharField(
        label=_("买家ID/昵称"), max_length=100, widget=forms.TextInput(attrs=SMALL)
    )
    reason = forms.CharField(
        label=_("原因"), max_length=255, required=False, widget=forms.TextInput(attrs=SMALL)
    )


class ReviewImportForm(forms.Form):
    store = forms.ChoiceField(label=_("店铺"), widget=forms.Select(attrs=SMALL_SELECT))
    file = forms.FileField(
        label=_("评价导出文件（.csv / .xlsx / .xls）"), widget=forms.ClearableFileInput(attrs=SMALL)
    )
    skip_invalid = forms.BooleanField(label=_("跳过有错误的行"), required=False)

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.code, s.name) for s in stores]


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("回复"), max_length=5000, widget=forms.Textarea(attrs={**SMALL, "rows": 2})
    )
