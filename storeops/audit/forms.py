from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), max_length=150, required=False)
    action = forms.CharField(label=_("动作"), max_length=100, required=False)
    object_type = forms.CharField(label=_("对象类型"), max_length=100, required=False)
    object_id = forms.CharField(label=_("对象 ID"), max_length=64, required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
