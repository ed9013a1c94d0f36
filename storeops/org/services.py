"""Every write of the org app: permission-checked, atomic, audited (R2.1–R2.17, R5.2)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from storeops.accounts.models import Store
from storeops.audit.services import audit_record
from storeops.core import clock, crypto
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.permissions import require
from storeops.core.roles import RoleCode
from storeops.notifications.selectors import users_with_roles
from storeops.notifications.services import alert_raise, alert_resolve
from storeops.org.enums import DutyModule
from storeops.org.models import (
    Company,
    Department,
    DepartmentProcess,
    Duty,
    Position,
    PositionAcknowledgement,
    StoreCredential,
    StoreProfile,
)
from storeops.org.permissions import OrgPerm
from storeops.org.selectors import credential_may_reveal

logger = logging.getLogger(__name__)

UNSET: Any = object()
SECRET_MAX = 500
ROTATION_WARN_DAYS = 7  # the custodian is told a week ahead, and every day while overdue


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


# =================================================================================================
# The credential vault (R5.2)
# =================================================================================================
def _credential_snapshot(credential: StoreCredential) -> dict[str, Any]:
    """What the audit log may hold: never the secret, nor the login name."""
    return {
        "name": credential.name,
        "custodian": _username(credential.custodian),
        "rotation_due": credential.rotation_due.isoformat() if credential.rotation_due else None,
        "allowed_revealers": sorted(
            credential.allowed_revealers.values_list("username", flat=True)
        ),
    }


def _no_nul(value: str, *, field: str) -> str:
    if "\x00" in value:  # PostgreSQL text cannot hold it; never meaningful in a form
        raise Invalid("invalid", _("含有无效字符"), {"field": field})
    return value


def _check_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = _no_nul((value or "").strip(), field=field)
    if required and not value:
        raise Invalid("invalid", _("此项必填"), {"field": field})
    if len(value) > max_length:
        raise Invalid("invalid", _("内容过长"), {"field": field, "max_length": max_length})
    return value


def _check_people_in_store(users: Iterable[Any], store: Store, *, field: str) -> list[Any]:
    people = [u for u in users if u is not None]
    for user in people:
        if not user.is_active or not user.works_in(store):
            raise Invalid(
                "credential.person_not_in_store",
                _("所选人员不在该店铺工作"),
                {"field": field, "username": user.get_username()},
            )
    return people


@sensitive_variables("secret")
@transaction.atomic
def credential_create(
    *,
    actor: Any,
    store: Store,
    name: str,
    login: str,
    secret: str,
    custodian: Any = None,
    rotation_due: dt.date | None = None,
    allowed_revealers: Iterable[Any] = (),
) -> StoreCredential:
    if actor is not None:  # None: the system itself (demo seed, imports)
        require(actor, OrgPerm.MANAGE_CREDENTIAL, store=store)
    name = _check_text(name, field="name", max_length=100)
    login = _check_text(login, field="login", max_length=150)
    if not secret or len(secret) > SECRET_MAX:
        raise Invalid("invalid", _("密码必填且不超过500个字符"), {"field": "secret"})
    if custodian is not None:
        _check_people_in_store([custodian], store, field="custodian")
    revealers = _check_people_in_store(allowed_revealers, store, field="allowed_revealers")
    try:
        with transaction.atomic():
            credential = StoreCredential.objects.create(
                store=store,
                name=name,
                login=login,
                secret_encrypted=crypto.encrypt(secret),
                custodian=custodian,
                rotation_due=rotation_due,
                secret_changed_at=clock.now(),
            )
    except IntegrityError as exc:
        raise Conflict("credential.name_taken", _("该店铺已有同名账号"), {"field": "name"}) from exc
    credential.allowed_revealers.set(revealers)
    audit_record(
        actor=actor,
        action="org.credential.create",
        obj=credential,
        store=store,
        after=_credential_snapshot(credential),
    )
    credential_rotation_check(credential=credential)
    return credential


@sensitive_variables("secret")
@transaction.atomic
def credential_update(
    *,
    actor: Any,
    credential: StoreCredential,
    login: str | None = None,
    secret: str | None = None,
    custodian: Any = UNSET,
    rotation_due: Any = UNSET,
    allowed_revealers: Iterable[Any] | None = None,
) -> StoreCredential:
    """Change the login, replace the secret, the custodian, the rotation date or who may reveal."""
    store = credential.store
    require(actor, OrgPerm.MANAGE_CREDENTIAL, store=store)
    credential = StoreCredential.objects.select_for_update().get(pk=credential.pk)
    before = _credential_snapshot(credential)
    old_due = credential.rotation_due
    changes: dict[str, Any] = {}
    if login is not None:
        login = _check_text(login, field="login", max_length=150)
        if login != credential.login:
            credential.login = login
            changes["login_changed"] = True
    if secret is not None and secret != "":
        if len(secret) > SECRET_MAX:
            raise Invalid("invalid", _("密码不超过500个字符"), {"field": "secret"})
        credential.secret_encrypted = crypto.encrypt(secret)
        credential.secret_changed_at = clock.now()
        changes["rotated"] = True
    if custodian is not UNSET:
        if custodian is not None:
            _check_people_in_store([custodian], store, field="custodian")
        credential.custodian = custodian
    if rotation_due is not UNSET:
        credential.rotation_due = rotation_due
    credential.save()
    if allowed_revealers is not None:
        credential.allowed_revealers.set(
            _check_people_in_store(allowed_revealers, store, field="allowed_revealers")
        )
    after = _credential_snapshot(credential)
    if before != after or changes:
        audit_record(
            actor=actor,
            action="org.credential.update",
            obj=credential,
            store=store,
            before=before,
            after={**after, **changes},
        )
    if old_due != credential.rotation_due and old_due is not None:
        alert_resolve(dedupe_key=_rotation_key(credential, old_due), actor=actor)
    credential_rotation_check(credential=credential)
    return credential


class RevealDenied(Forbidden):
    default_code = "credential.reveal_denied"


def credential_reveal(*, actor: Any, credential: StoreCredential) -> str:
    """R5.2: the secret, to a holder of the vault permission (narrowed per credential) only.

    Granted or denied, the attempt is an audit event committed in its own durable transaction
    before this returns or raises: a 403 leaves its trace even if the caller's work rolls back.
    """
    with transaction.atomic(durable=True):
        allowed = credential_may_reveal(actor=actor, credential=credential)
        audit_record(
            actor=actor,
            action="org.credential.reveal" if allowed else "org.credential.reveal_denied",
            obj=credential,
            store=credential.store,
            after={"name": credential.name},
        )
        if allowed:
            try:
                plain = crypto.decrypt(credential.secret_encrypted)
            except crypto.InvalidToken as exc:
                logger.error("credential %s: no configured key opens it", credential.pk)
                raise Conflict(
                    "credential.key_missing", _("无法解密：加密密钥不匹配，请联系系统管理员")
                ) from exc
    if not allowed:
        logger.warning("credential reveal denied: user=%s credential=%s", actor.pk, credential.pk)
        raise RevealDenied(message=_("你没有查看该账号密码的权限"))
    return plain


def _rotation_key(credential: StoreCredential, due: dt.date) -> str:
    return f"org.credential.rotation:{credential.pk}:{due.isoformat()}"


@transaction.atomic
def credential_rotation_check(
    *, credential: StoreCredential | None = None, today: dt.date | None = None
) -> int:
    """Raise "改密到期" to the custodian (or the 系统管理员 when none) for every credential due
    within ROTATION_WARN_DAYS or overdue; one open alert per credential and due date."""
    today = today or clock.business_date()
    horizon = today + dt.timedelta(days=ROTATION_WARN_DAYS)
    credentials = StoreCredential.objects.filter(
        rotation_due__isnull=False, rotation_due__lte=horizon
    ).select_related("store", "custodian")
    if credential is not None:
        credentials = credentials.filter(pk=credential.pk)
    raised = 0
    for item in credentials:
        due = item.rotation_due
        recipients = (
            [item.custodian]
            if item.custodian is not None and item.custodian.is_active
            else list(users_with_roles([RoleCode.ADMIN]))
        )
        overdue = due < today
        title = (
            _("后台账号已超过改密日期：%(store)s %(name)s（%(due)s）")
            if overdue
            else _("后台账号即将到改密日期：%(store)s %(name)s（%(due)s）")
        ) % {"store": item.store.name, "name": item.name, "due": due.isoformat()}
        alert_raise(
            kind="org.credential_rotation_due",
            title=title,
            recipients=recipients,
            url=f"/org/stores/{item.store.code}/credentials/{item.pk}/edit/",
            obj=item,
            store=item.store,
            dedupe_key=_rotation_key(item, due),
        )
        raised += 1
    return raised


@transaction.atomic
def vault_reencrypt_all(*, actor: Any = None) -> int:
    """Re-encrypt every registered encrypted column under the first configured key, in one
    transaction (rows locked). Returns how many values were rewritten."""
    count = 0
    for model_label, field in crypto.encrypted_fields():
        model = apps.get_model(model_label)
        for row in model.objects.select_for_update().order_by("pk").only("pk", field):
            token = getattr(row, field)
            if not token:
                continue
            model.objects.filter(pk=row.pk).update(**{field: crypto.rotate(token)})
            count += 1
    audit_record(
        actor=actor,
        action="org.credential.rotate_key",
        object_type="org.storecredential",
        after={"count": count, "columns": [f"{m}.{f}" for m, f in crypto.encrypted_fields()]},
    )
    return count


def _unreadable_with(keys: list[str]) -> int:
    missing = 0
    for model_label, field in crypto.encrypted_fields():
        model = apps.get_model(model_label)
        for token in model.objects.values_list(field, flat=True).iterator():
            if token and not crypto.readable_with(token, keys):
                missing += 1
    return missing


@dataclass
class KeyRotation:
    count: int
    source: str  # "file" or "env"
    old_keys_dropped: bool


def vault_rotate_key(*, new_key: str | None = None, actor: Any = None) -> KeyRotation:
    """`storeops vault-rotate-key`: every stored secret re-encrypted under a new key.

    Key file: written "new,old" before the transaction, "new" only after it committed and every
    value was checked to open with the new key alone — no moment where a stored secret cannot be
    read (a crash leaves "new,old", which reads everything; running it again finishes the job).

    Environment: the operator first sets STOREOPS_ENCRYPTION_KEY="new,old" (the new key first)
    and restarts; this re-encrypts under the first key; then they drop the old key from the
    variable. A process cannot rewrite its own environment, so the command refuses a single key.
    """
    key_file = crypto.key_file_in_use()
    current = crypto.configured_keys()
    if key_file is None:
        if new_key:
            raise Invalid(
                "vault.key_from_env",
                _(
                    "密钥来自环境变量 STOREOPS_ENCRYPTION_KEY：请先把新密钥放在最前面（新,旧），再运行本命令"
                ),
            )
        if len(current) < 2:
            raise Invalid(
                "vault.single_env_key",
                _("STOREOPS_ENCRYPTION_KEY 只有一个密钥：请设为“新密钥,旧密钥”并重启后再运行"),
            )
        crypto.reset()
        count = vault_reencrypt_all(actor=actor)
        return KeyRotation(count=count, source="env", old_keys_dropped=False)
    new_key = new_key or crypto.generate_key()
    if not crypto.is_valid_key(new_key):
        raise Invalid("vault.key_invalid", _("新密钥格式无效（需为 Fernet 密钥）"))
    crypto.write_key_file(key_file, [new_key, *[k for k in current if k != new_key]])
    count = vault_reencrypt_all(actor=actor)
    for _attempt in range(3):  # a writer still holding the old key may have slipped in
        if _unreadable_with([new_key]) == 0:
            crypto.write_key_file(key_file, [new_key])
            return KeyRotation(count=count, source="file", old_keys_dropped=True)
        count += vault_reencrypt_all(actor=actor)
    return KeyRotation(count=count, source="file", old_keys_dropped=False)


# =================================================================================================
# Company, departments, processes (R2.5)
# =================================================================================================
@transaction.atomic
def company_set_name(*, actor: Any, name: str) -> Company:
    if actor is not None:
        require(actor, OrgPerm.MANAGE_ORG)
    name = _check_text(name, field="name", max_length=100)
    company = Company.objects.order_by("id").first()
    before = {"name": company.name} if company else None
    if company is None:
        company = Company.objects.create(name=name)
    elif company.name != name:
        company.name = name
        company.save(update_fields=["name"])
    if before != {"name": name}:
        audit_record(
            actor=actor,
            action="org.company.update",
            obj=company,
            before=before,
            after={"name": name},
        )
    return company


def _department_snapshot(department: Department) -> dict[str, Any]:
    return {
        "code": department.code,
        "name": department.name,
        "contact_person": _username(department.contact_person),
        "members": sorted(department.members.values_list("username", flat=True)),
    }


@transaction.atomic
def department_create(
    *,
    actor: Any,
    code: str,
    name: str,
    contact_person: Any = None,
    members: Iterable[Any] = (),
    sort_order: int = 0,
) -> Department:
    if actor is not None:
        require(actor, OrgPerm.MANAGE_ORG)
    code = _check_text(code, field="code", max_length=40)
    name = _check_text(name, field="name", max_length=60)
    try:
        with transaction.atomic():
            department = Department.objects.create(
                code=code, name=name, contact_person=contact_person, sort_order=sort_order
            )
    except IntegrityError as exc:
        raise Conflict("department.taken", _("部门编码或名称已存在"), {"field": "code"}) from exc
    people = {u.pk: u for u in members if u is not None}
    if contact_person is not None:
        people.setdefault(contact_person.pk, contact_person)  # the contact is one of the members
    department.members.set(people.values())
    audit_record(
        actor=actor,
        action="org.department.create",
        obj=department,
        after=_department_snapshot(department),
    )
    return department


@transaction.atomic
def department_update(
    *,
    actor: Any,
    department: Department,
    name: str | None = None,
    contact_person: Any = UNSET,
    members: Iterable[Any] | None = None,
) -> Department:
    require(actor, OrgPerm.MANAGE_ORG)
    before = _department_snapshot(department)
    if name is not None:
        department.name = _check_text(name, field="name", max_length=60)
    if contact_person is not UNSET:
        department.contact_person = contact_person
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError as exc:
        raise Conflict("department.taken", _("部门名称已存在"), {"field": "name"}) from exc
    if members is not None:
        people = {u.pk: u for u in members if u is not None}
    else:
        people = {u.pk: u for u in department.members.all()}
    if department.contact_person is not None:
        people.setdefault(department.contact_person.pk, department.contact_person)
    department.members.set(people.values())
    after = _department_snapshot(department)
    if before != after:
        audit_record(
            actor=actor,
            action="org.department.update",
            obj=department,
            before=before,
            after=after,
        )
    return department


@transaction.atomic
def process_create(
    *,
    actor: Any,
    from_department: Department,
    to_department: Department,
    title: str,
    handover: str = "",
    steps: str = "",
) -> DepartmentProcess:
    """R2.5: a process between two departments, shown on both departments' pages."""
    if actor is not None:
        require(actor, OrgPerm.MANAGE_ORG)
    if from_department.pk == to_department.pk:
        raise Invalid("process.same_department", _("交出和接收部门不能相同"), {"field": "to"})
    title = _check_text(title, field="title", max_length=100)
    try:
        with transaction.atomic():
            process = DepartmentProcess.objects.create(
                from_department=from_department,
                to_department=to_department,
                title=title,
                handover=handover.strip(),
                steps=steps.strip(),
            )
    except IntegrityError as exc:
        raise Conflict(
            "process.taken", _("这两个部门之间已有同名流程"), {"field": "title"}
        ) from exc
    audit_record(
        actor=actor,
        action="org.process.create",
        obj=process,
        after={
            "from": from_department.code,
            "to": to_department.code,
            "title": title,
            "handover": process.handover,
        },
    )
    return process


# =================================================================================================
# Positions (R2.6)
# =================================================================================================
def _position_snapshot(position: Position) -> dict[str, Any]:
    return {
        "name": position.name,
        "department": position.department.code if position.department else None,
        "duties": position.duties,
        "qualifications": position.qualifications,
        "base_pay": str(position.base_pay),
        "commission_rate": str(position.commission_rate),
        "members": sorted(position.members.values_list("username", flat=True)),
        "version": position.version,
    }


def _check_pay(base_pay: Decimal, commission_rate: Decimal) -> tuple[Decimal, Decimal]:
    try:
        base = Decimal(base_pay).quantize(Decimal("0.01"))
        rate = Decimal(commission_rate).quantize(Decimal("0.0001"))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise Invalid("position.pay_invalid", _("薪酬格式无效"), {"field": "base_pay"}) from exc
    if not Decimal("0") <= base < Decimal("100000000"):
        raise Invalid("position.pay_invalid", _("基本工资超出范围"), {"field": "base_pay"})
    if not Decimal("0") <= rate <= Decimal("1"):
        raise Invalid(
            "position.pay_invalid", _("提成比例应在 0 到 1 之间"), {"field": "commission_rate"}
        )
    return base, rate


@transaction.atomic
def position_create(
    *,
    actor: Any,
    name: str,
    department: Department | None = None,
    duties: str = "",
    qualifications: str = "",
    base_pay: Decimal = Decimal("0"),
    commission_rate: Decimal = Decimal("0"),
    members: Iterable[Any] = (),
) -> Position:
    if actor is not None:
        require(actor, OrgPerm.MANAGE_ORG)
    name = _check_text(name, field="name", max_length=60)
    base, rate = _check_pay(base_pay, commission_rate)
    try:
        with transaction.atomic():
            position = Position.objects.create(
                name=name,
                department=department,
                duties=duties.strip(),
                qualifications=qualifications.strip(),
                base_pay=base,
                commission_rate=rate,
            )
    except IntegrityError as exc:
        raise Conflict("position.taken", _("岗位名称已存在"), {"field": "name"}) from exc
    position.members.set([u for u in members if u is not None])
    audit_record(
        actor=actor, action="org.position.create", obj=position, after=_position_snapshot(position)
    )
    return position


@transaction.atomic
def position_update(
    *,
    actor: Any,
    position: Position,
    department: Any = UNSET,
    duties: str | None = None,
    qualifications: str | None = None,
    base_pay: Decimal | None = None,
    commission_rate: Decimal | None = None,
    members: Iterable[Any] | None = None,
) -> Position:
    """A change of duties, qualifications or pay starts a new version: holders confirm again."""
    require(actor, OrgPerm.MANAGE_ORG)
    position = Position.objects.select_for_update().get(pk=position.pk)
    before = _position_snapshot(position)
    if department is not UNSET:
        position.department = department
    if duties is not None:
        position.duties = duties.strip()
    if qualifications is not None:
        position.qualifications = qualifications.strip()
    base, rate = _check_pay(
        position.base_pay if base_pay is None else base_pay,
        position.commission_rate if commission_rate is None else commission_rate,
    )
    position.base_pay, position.commission_rate = base, rate
    terms = ("duties", "qualifications", "base_pay", "commission_rate")
    if any(str(getattr(position, t)) != before[t] for t in terms):
        position.version += 1
    position.save()
    if members is not None:
        position.members.set([u for u in members if u is not None])
    after = _position_snapshot(position)
    if before != after:
        audit_record(
            actor=actor, action="org.position.update", obj=position, before=before, after=after
        )
    return position


@transaction.atomic
def position_acknowledge(*, actor: Any, position: Position) -> PositionAcknowledgement:
    """R2.6 "communicate to the team": a holder confirms the current duties and pay."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden(message=_("请先登录"))
    if not position.members.filter(pk=actor.pk).exists():
        raise Forbidden("position.not_member", _("你不在该岗位上"))
    ack, created = PositionAcknowledgement.objects.get_or_create(
        position=position,
        user=actor,
        version=position.version,
        defaults={"acknowledged_at": clock.now()},
    )
    if created:
        audit_record(
            actor=actor,
            action="org.position.acknowledge",
            obj=position,
            after={"version": position.version},
        )
    return ack


# =================================================================================================
# Store profiles (R2.2)
# =================================================================================================
PROFILE_FIELDS = (
    "product_positioning",
    "customer_positioning",
    "price_positioning",
    "feature_positioning",
    "service_positioning",
)
PROFILE_MAX = 5000


@transaction.atomic
def store_profile_update(*, actor: Any, profile: StoreProfile, **fields: str) -> StoreProfile:
    """R2.2: product, customer, price, feature and service positioning, audited before/after."""
    store = profile.store
    if actor is not None:
        require(actor, OrgPerm.EDIT_STORE_PROFILE, store=store)
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise Invalid("invalid", _("未知字段"), {"fields": unknown})
    profile, _created = StoreProfile.objects.select_for_update().get_or_create(store=store)
    before = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    for name, value in fields.items():
        if value is None:
            continue
        value = _no_nul(str(value).strip(), field=name)
        if len(value) > PROFILE_MAX:
            raise Invalid("invalid", _("内容过长"), {"field": name, "max_length": PROFILE_MAX})
        setattr(profile, name, value)
    after = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    if before != after:
        profile.updated_at = clock.now()
        profile.updated_by = actor
        profile.save()
        audit_record(
            actor=actor,
            action="org.store_profile.update",
            obj=profile,
            store=store,
            before={k: v for k, v in before.items() if v != after[k]},
            after={k: v for k, v in after.items() if v != before[k]},
        )
    return profile


# =================================================================================================
# The responsibility matrix (R2.1–R2.16, R2.17)
# =================================================================================================
M = DutyModule
# (policy id, module, task category, task items): REQUIREMENTS.md chapter 2, one duty per item.
DUTY_MATRIX: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("R2.1", M.PLATFORM_BUILDING, "总体规划：平台选择、投入策略", ("平台选择", "投入策略")),
    (
        "R2.2",
        M.PLATFORM_BUILDING,
        "网店定位",
        ("产品定位", "客户定位", "价格定位", "特色定位", "服务定位"),
    ),
    (
        "R2.3",
        M.PLATFORM_BUILDING,
        "网店设计",
        ("店铺招牌", "商品分类", "主店子页面", "描述模板", "促销区", "自定义模块"),
    ),
    ("R2.4", M.PLATFORM_BUILDING, "店铺空间、辅助平台", ("开通店铺空间并充实内容", "企业博客")),
    (
        "R2.5",
        M.INTERNAL_SUPPORT,
        "人员、流程、协调",
        ("各部门指定接口人", "跨部门任务流程", "与接口人演练流程"),
    ),
    (
        "R2.6",
        M.TEAM_BUILDING,
        "岗位、薪酬、沟通",
        ("岗位职责和任职资格", "薪酬体系", "向团队传达职责与薪酬"),
    ),
    ("R2.7", M.STORE_OPERATIONS, "产品上架", ("商品拍照", "四大模块商品描述")),
    (
        "R2.8",
        M.STORE_OPERATIONS,
        "在线销售",
        ("在线客服（旺旺）", "改价", "备注", "修改发货状态", "评价"),
    ),
    ("R2.9", M.STORE_OPERATIONS, "配货发货", ("配货、核对", "按打包规范打包", "安排快递取件发货")),
    ("R2.10", M.STORE_OPERATIONS, "售后服务", ("处理各类客户反馈",)),
    (
        "R2.11",
        M.STORE_OPERATIONS,
        "客户维护",
        ("客户资料数据库", "客户关怀、促销信息发布", "统计分析，决策支持"),
    ),
    ("R2.12", M.STORE_MARKETING, "软营销", ("坚持写博客", "策划软营销活动", "软营销复盘总结")),
    (
        "R2.13",
        M.STORE_MARKETING,
        "硬广告",
        ("广告投放计划", "购买平台广告", "广告设计制作", "按计划投放并备战", "广告效果复盘"),
    ),
    (
        "R2.14",
        M.STORE_MARKETING,
        "店内促销",
        ("定期策划促销", "促销设计制作", "促销上线，各岗位就绪", "促销复盘"),
    ),
    ("R2.15", M.STORE_MARKETING, "市场调查", ("同类产品市场与营销统计",)),
    ("R2.16", M.FINANCE, "对账、审核、库存", ("及时对账", "审核进账金额", "库存预警", "财务对接")),
)


@transaction.atomic
def duty_seed() -> int:
    """Create the matrix's missing task items (idempotent; never touches an existing one)."""
    existing = set(Duty.objects.values_list("policy_id", "item"))
    new = []
    order = 0
    for policy_id, module, category, items in DUTY_MATRIX:
        for item in items:
            order += 10
            if (policy_id, item) not in existing:
                new.append(
                    Duty(
                        policy_id=policy_id,
                        module=module,
                        category=category,
                        item=item,
                        sort_order=order,
                    )
                )
    Duty.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit_record(
            actor=None,
            action="org.duty.seed",
            object_type="org.duty",
            after={"created": len(new)},
        )
    return len(new)


def _duty_key(duty: Duty) -> str:
    return f"org.duty.unowned:{duty.pk}"


def _duty_snapshot(duty: Duty) -> dict[str, Any]:
    return {
        "owner": _username(duty.owner),
        "department": duty.department.code if duty.department else None,
        "notes": duty.notes,
    }


@transaction.atomic
def duty_update(
    *,
    actor: Any,
    duty: Duty,
    owner: Any = UNSET,
    department: Any = UNSET,
    notes: str | None = None,
) -> Duty:
    """R2.17 分工负责: assign the 责任人 and department of a task item."""
    if actor is not None:  # None: the system itself (demo seed)
        require(actor, OrgPerm.MANAGE_DUTY)
    # No select_related under the lock: on PostgreSQL a row re-read after waiting for the lock
    # would come back with the joined owner of the old snapshot.
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    before = _duty_snapshot(duty)
    if owner is not UNSET:
        if owner is not None and not owner.is_active:
            raise Invalid("duty.owner_inactive", _("责任人账号已停用"), {"field": "owner"})
        duty.owner = owner
    if department is not UNSET:
        duty.department = department
    if notes is not None:
        if len(notes) > 2000:
            raise Invalid("invalid", _("内容过长"), {"field": "notes", "max_length": 2000})
        _no_nul(notes, field="notes")
        duty.notes = notes.strip()
    duty.save()
    after = _duty_snapshot(duty)
    if before != after:
        audit_record(actor=actor, action="org.duty.update", obj=duty, before=before, after=after)
    duty_owner_check(duty=duty, actor=actor)
    return duty


@transaction.atomic
def duty_owner_check(*, duty: Duty | None = None, actor: Any = None) -> int:
    """A task item without a 责任人 is an alert to the 系统管理员 (one per item); assigning an
    owner resolves it. Returns how many items are unowned."""
    duties = Duty.objects.all() if duty is None else Duty.objects.filter(pk=duty.pk)
    admins = None
    unowned = 0
    for item in duties.select_related("owner").order_by("sort_order", "id"):
        if item.owner_id is not None and item.owner.is_active:
            alert_resolve(dedupe_key=_duty_key(item), actor=actor)
            continue
        unowned += 1
        if admins is None:
            admins = list(users_with_roles([RoleCode.ADMIN]))
        alert_raise(
            kind="org.duty_unowned",
            title=_("职责未指定责任人：%(id)s %(item)s")
            % {"id": item.policy_id, "item": item.item},
            recipients=admins,
            url=f"/org/duties/?unassigned=1#duty-{item.pk}",
            obj=item,
            dedupe_key=_duty_key(item),
        )
    return unowned
