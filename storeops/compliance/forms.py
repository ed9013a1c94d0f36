"""Forms of the compliance pages (parsing only; the services validate and decide)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.compliance.enums import PatternKind, RuleKey, Severity, TermCategory
from storeops.compliance.models import SEVERITY_OR_AUTO
from storeops.compliance.selectors import MAX_SCAN_LENGTH


class TermFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部类别")), *TermCategory.choices], required=False
    )
    q = forms.CharField(label=_("搜索"), max_length=50, required=False)


class TermForm(forms.Form):
    term = forms.CharField(label=_("词语"), max_length=50)
    category = forms.ChoiceField(label=_("类别"), choices=TermCategory.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=SEVERITY_OR_AUTO, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class TermEditForm(forms.Form):
    severity = forms.ChoiceField(label=_("严重程度"), choices=SEVERITY_OR_AUTO, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class TermImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("txt（每行一个词）或 csv/xlsx/xls（列：词语、类别、严重程度、说明）"),
    )
    default_category = forms.ChoiceField(
        label=_("txt 文件的类别"), choices=TermCategory.choices, initial=TermCategory.SUPERLATIVE
    )


class WhitelistForm(forms.Form):
    term = forms.CharField(label=_("词语"), max_length=50)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ToggleForm(forms.Form):
    is_active = forms.BooleanField(label=_("启用"), required=False)


class PatternForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PatternKind.choices)
    label = forms.CharField(label=_("名称"), max_length=100, required=False)
    pattern = forms.CharField(
        label=_("内容"),
        max_length=200,
        help_text=_("供应商名称原样填写；正则表达式不区分大小写，全角字符按半角匹配"),
    )
    severity = forms.ChoiceField(label=_("严重程度"), choices=SEVERITY_OR_AUTO, required=False)


class PatternEditForm(forms.Form):
    severity = forms.ChoiceField(label=_("严重程度"), choices=SEVERITY_OR_AUTO, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class RuleForm(forms.Form):
    key = forms.ChoiceField(choices=RuleKey.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    is_enabled = forms.BooleanField(label=_("启用"), required=False)
    threshold = forms.DecimalField(
        label=_("相似度阈值"), max_digits=3, decimal_places=2, required=False
    )


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("文案"), max_length=MAX_SCAN_LENGTH, widget=forms.Textarea(attrs={"rows": 8})
    )
    listing_price = forms.DecimalField(
        label=_("商品售价（元，选填）"),
        max_digits=11,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
    )
