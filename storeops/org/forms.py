"""Forms of the org pages. A secret field never renders its value back."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from storeops.org.models import Department
from storeops.org.services import PROFILE_FIELDS


def _active_users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class StyledForm(forms.Form):
    """Bootstrap classes on the widgets (the templates render them with `as_widget`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", "3")


class CredentialForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    login = forms.CharField(label=_("登录名"), max_length=150)
    secret = forms.CharField(
        label=_("密码"),
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    custodian = forms.ModelChoiceField(label=_("保管人"), queryset=None, required=False)
    rotation_due = forms.DateField(
        label=_("下次改密日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    allowed_revealers = forms.ModelMultipleChoiceField(
        label=_("限定可查看密码的人（不选：所有有权限者）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, store=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        people = _active_users().filter(stores=store) if store is not None else _active_users()
        self.fields["custodian"].queryset = people
        self.fields["allowed_revealers"].queryset = people
        if editing:
            self.fields["name"].disabled = True
            self.fields["secret"].required = False
            self.fields["secret"].label = _("新密码（留空则不修改）")


class DutyForm(StyledForm):
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=None, required=False)
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.all(), required=False
    )
    notes = forms.CharField(label=_("备注"), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_users()


class StoreProfileForm(StyledForm):
    product_positioning = forms.CharField(
        label=_("产品定位"), required=False, max_length=5000, widget=forms.Textarea
    )
    customer_positioning = forms.CharField(
        label=_("客户定位"), required=False, max_length=5000, widget=forms.Textarea
    )
    price_positioning = forms.CharField(
        label=_("价格定位"), required=False, max_length=5000, widget=forms.Textarea
    )
    feature_positioning = forms.CharField(
        label=_("特色定位"), required=False, max_length=5000, widget=forms.Textarea
    )
    service_positioning = forms.CharField(
        label=_("服务定位"), required=False, max_length=5000, widget=forms.Textarea
    )

    field_order = list(PROFILE_FIELDS)


class PositionForm(StyledForm):
    duties = forms.CharField(label=_("岗位职责"), required=False, widget=forms.Textarea)
    qualifications = forms.CharField(label=_("任职资格"), required=False, widget=forms.Textarea)
    base_pay = forms.DecimalField(
        label=_("基本工资（元/月）"), max_digits=10, decimal_places=2, min_value=Decimal("0")
    )
    commission_rate = forms.DecimalField(
        label=_("提成比例（如 0.0150 = 1.5%）"),
        max_digits=6,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
    )


class DepartmentForm(StyledForm):
    code = forms.SlugField(label=_("部门编码"), max_length=40)
    name = forms.CharField(label=_("部门名称"), max_length=60)
    contact_person = forms.ModelChoiceField(label=_("接口人"), queryset=None, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("成员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = _active_users()
        self.fields["members"].queryset = _active_users()
        if editing:
            del self.fields["code"]  # the code is fixed once created


class ProcessForm(StyledForm):
    from_department = forms.ModelChoiceField(label=_("交出部门"), queryset=Department.objects.all())
    to_department = forms.ModelChoiceField(label=_("接收部门"), queryset=Department.objects.all())
    title = forms.CharField(label=_("流程"), max_length=100)
    handover = forms.CharField(
        label=_("交接内容"), required=False, max_length=2000, widget=forms.Textarea
    )
    steps = forms.CharField(label=_("步骤"), required=False, max_length=5000, widget=forms.Textarea)


class PositionCreateForm(PositionForm):
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.all(), required=False
    )
    name = forms.CharField(label=_("岗位名称"), max_length=60)
    members = forms.ModelMultipleChoiceField(
        label=_("在岗人员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = [
        "department",
        "name",
        "duties",
        "qualifications",
        "base_pay",
        "commission_rate",
        "members",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _active_users()
