"""Forms of the account pages: parse input; rules stay in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.accounts.enums import Language, Platform
from storeops.accounts.models import Role, Store


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=512,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label=_("动态验证码（已启用两步验证时填写）"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("界面语言"), choices=Language.choices)


class EmailForm(forms.Form):
    email = forms.CharField(label=_("邮箱"), max_length=254, required=False)


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("当前密码"),
        max_length=512,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("新密码"),
        max_length=512,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(label=_("验证器中的 6 位数字"), max_length=8)


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=100, required=False)


class UserAccessForm(forms.Form):
    roles = forms.ModelMultipleChoiceField(
        label=_("角色"),
        queryset=Role.objects.order_by("id"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    stores = forms.ModelMultipleChoiceField(
        label=_("负责店铺"),
        queryset=Store.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("启用"), required=False)


class UserCreateForm(UserAccessForm):
    username = forms.RegexField(label=_("用户名"), max_length=150, regex=r"^[A-Za-z0-9_.@+-]+$")
    first_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    password = forms.CharField(
        label=_("初始密码"), min_length=8, max_length=512, widget=forms.PasswordInput
    )


class StoreCreateForm(forms.Form):
    code = forms.SlugField(label=_("店铺编码"), max_length=40)
    platform = forms.ChoiceField(label=_("平台"), choices=Platform.choices)
    name = forms.CharField(label=_("店铺名称"), max_length=100)
    is_main_store = forms.BooleanField(label=_("主店"), required=False)
