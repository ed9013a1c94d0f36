"""Forms of the notification pages: parse input; rules stay in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.accounts.models import Store
from storeops.notifications.enums import ChannelKind, DeliveryStatus, Severity


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("渠道名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=ChannelKind.choices)
    webhook_url = forms.CharField(
        label=_("Webhook 地址"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("加签密钥（仅钉钉）"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    clear_secret = forms.BooleanField(label=_("清除已设置的加签密钥"), required=False)
    min_severity = forms.ChoiceField(
        label=_("最低级别"), choices=Severity.choices, initial=Severity.WARNING
    )
    alert_kinds = forms.CharField(
        label=_("只接收这些预警类型（用逗号分隔，留空接收全部）"), max_length=500, required=False
    )
    store = forms.ModelChoiceField(
        label=_("只接收此店铺的预警（留空接收全部）"),
        queryset=Store.objects.order_by("code"),
        required=False,
        empty_label=_("全部店铺"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webhook_url"].required = creating
        if creating:
            del self.fields["clear_secret"]
        else:
            self.fields["webhook_url"].help_text = _("留空则保留原地址")
            self.fields["secret"].help_text = _("留空则保留原密钥")

    def clean_alert_kinds(self) -> list[str]:
        raw = self.cleaned_data.get("alert_kinds") or ""
        return [k.strip() for k in raw.replace("，", ",").split(",") if k.strip()]


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *DeliveryStatus.choices], required=False
    )
