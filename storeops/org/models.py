"""Company, departments and their contact persons, positions, store profiles, the credential vault
and the responsibility matrix (R2.1–R2.17, R5.2)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.org.enums import DutyModule

USER = settings.AUTH_USER_MODEL


class Company(models.Model):
    """The one company that runs the stores (格润莱特 in the demo)."""

    name = models.CharField(_("公司名称"), max_length=100)

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """R2.5: every related department names a contact person (接口人)."""

    code = models.SlugField(_("部门编码"), max_length=40, unique=True)
    name = models.CharField(_("部门名称"), max_length=60, unique=True)
    contact_person = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for_departments",
        verbose_name=_("接口人"),
    )
    members = models.ManyToManyField(
        USER, blank=True, related_name="departments", verbose_name=_("成员")
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class DepartmentProcess(models.Model):
    """R2.5: a process across two departments, written down: who hands what to whom."""

    from_department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="processes_out"
    )
    to_department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="processes_in"
    )
    title = models.CharField(_("流程名称"), max_length=100)
    handover = models.TextField(_("交接内容"), blank=True)
    steps = models.TextField(_("步骤"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_department", "to_department", "title"], name="uniq_org_process"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Position(models.Model):
    """R2.6: a 岗位 (not a permission role) with duties, qualifications and a pay rule.

    `version` grows whenever duties, qualifications or pay change: holders acknowledge a version.
    """

    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="positions"
    )
    name = models.CharField(_("岗位名称"), max_length=60, unique=True)
    duties = models.TextField(_("岗位职责"), blank=True)
    qualifications = models.TextField(_("任职资格"), blank=True)
    base_pay = models.DecimalField(
        _("基本工资（元/月）"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    commission_rate = models.DecimalField(
        _("提成比例"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.0000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    members = models.ManyToManyField(
        USER, blank=True, related_name="positions", verbose_name=_("在岗人员")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PositionAcknowledgement(models.Model):
    """A member read and confirmed one version of the position's duties and pay (R2.6)."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="acks")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["position", "user", "version"], name="uniq_position_ack"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position_id}:{self.user_id}@{self.version}"


class StoreProfile(models.Model):
    """R2.2: the store's positioning, edited by 运营 and audited."""

    store = models.OneToOneField(
        "accounts.Store", on_delete=models.CASCADE, related_name="org_profile"
    )
    product_positioning = models.TextField(_("产品定位"), blank=True)
    customer_positioning = models.TextField(_("客户定位"), blank=True)
    price_positioning = models.TextField(_("价格定位"), blank=True)
    feature_positioning = models.TextField(_("特色定位"), blank=True)
    service_positioning = models.TextField(_("服务定位"), blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return str(self.store)


class Duty(models.Model):
    """One task item of the policy's matrix (R2.1–R2.16) with its 责任人 (R2.17)."""

    policy_id = models.CharField(_("编号"), max_length=10)
    module = models.CharField(_("模块"), max_length=30, choices=DutyModule.choices)
    category = models.CharField(_("任务类别"), max_length=60)
    item = models.CharField(_("任务项"), max_length=200)
    sort_order = models.PositiveIntegerField(default=0)
    owner = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duties",
        verbose_name=_("责任人"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duties",
        verbose_name=_("部门"),
    )
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["policy_id", "item"], name="uniq_duty_item")]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.item}"


class StoreCredential(models.Model):
    """R5.2: a store back-office login. The secret is kept only as a Fernet token."""

    store = models.ForeignKey(
        "accounts.Store", on_delete=models.PROTECT, related_name="credentials"
    )
    name = models.CharField(_("名称"), max_length=100)
    login = models.CharField(_("登录名"), max_length=150)
    secret_encrypted = models.TextField()
    custodian = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custodian_of_credentials",
        verbose_name=_("保管人"),
    )
    rotation_due = models.DateField(_("下次改密日期"), null=True, blank=True)
    allowed_revealers = models.ManyToManyField(
        USER, blank=True, related_name="+", verbose_name=_("限定可查看人")
    )
    secret_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["store_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="uniq_credential_name")
        ]

    def __str__(self) -> str:
        return self.name
