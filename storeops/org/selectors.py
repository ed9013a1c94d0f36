"""Reading the organisation, the matrix and the vault, always within what the actor may see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from storeops.accounts.models import Store
from storeops.core.errors import NotFound
from storeops.core.permissions import has_perm, require
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


# --- departments ---------------------------------------------------------------------------------
def contact_persons_for_user(user: Any) -> list[Any]:
    """The contact persons (接口人) of the departments `user` is a member of (R2.5), each once,
    active only; may include the user themself. Empty for a user in no department."""
    if user is None or getattr(user, "pk", None) is None:
        return []
    users = (
        get_user_model()
        .objects.filter(is_active=True, contact_for_departments__members=user)
        .distinct()
        .order_by("id")
    )
    return list(users)


def company_get() -> Company | None:
    return Company.objects.order_by("id").first()


def department_list(*, actor: Any) -> QuerySet[Department]:
    return Department.objects.select_related("contact_person").prefetch_related("members")


def department_get(*, actor: Any, department_id: int) -> Department:
    department = department_list(actor=actor).filter(pk=department_id).first()
    if department is None:
        raise NotFound("department.not_found", "部门不存在")
    return department


def department_get_for_change(*, actor: Any, department_id: int) -> Department:
    require(actor, OrgPerm.MANAGE_ORG)
    return department_get(actor=actor, department_id=department_id)


def process_list(*, department: Department | None = None) -> QuerySet[DepartmentProcess]:
    processes = DepartmentProcess.objects.select_related("from_department", "to_department")
    if department is not None:
        processes = processes.filter(Q(from_department=department) | Q(to_department=department))
    return processes.order_by("id")


# --- positions -----------------------------------------------------------------------------------
def position_list(*, actor: Any) -> QuerySet[Position]:
    return Position.objects.select_related("department").prefetch_related("members")


def position_get(*, actor: Any, position_id: int) -> Position:
    position = position_list(actor=actor).filter(pk=position_id).first()
    if position is None:
        raise NotFound("position.not_found", "岗位不存在")
    return position


def position_get_for_change(*, actor: Any, position_id: int) -> Position:
    require(actor, OrgPerm.MANAGE_ORG)
    return position_get(actor=actor, position_id=position_id)


def position_may_see_pay(*, actor: Any, position: Position) -> bool:
    """Pay is shown to the people in the position and to those who manage pay (R2.6)."""
    if has_perm(actor, OrgPerm.VIEW_PAY) or has_perm(actor, OrgPerm.MANAGE_ORG):
        return True
    return position.members.filter(pk=actor.pk).exists()


def position_has_acknowledged(*, user: Any, position: Position) -> bool:
    return PositionAcknowledgement.objects.filter(
        position=position, user=user, version=position.version
    ).exists()


def positions_awaiting_ack(*, user: Any) -> list[Position]:
    """The positions whose current duties and pay this user holds but has not confirmed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    held = Position.objects.filter(members=user).order_by("id")
    acked = set(
        PositionAcknowledgement.objects.filter(user=user, position__in=held).values_list(
            "position_id", "version"
        )
    )
    return [p for p in held if (p.pk, p.version) not in acked]


def position_ack_status(*, actor: Any, position: Position) -> list[dict[str, Any]]:
    if not has_perm(actor, OrgPerm.MANAGE_ORG):
        require(actor, OrgPerm.VIEW_PAY)
    acks = {
        a.user_id: a
        for a in PositionAcknowledgement.objects.filter(position=position, version=position.version)
    }
    return [{"user": m, "ack": acks.get(m.pk)} for m in position.members.order_by("username")]


# --- store profiles ------------------------------------------------------------------------------
def store_for_actor(*, actor: Any, code: str) -> Store:
    """A store the actor works in, else 404."""
    store = Store.objects.filter(code=code).first() if "\x00" not in code else None
    if store is None or not actor.works_in(store):
        raise NotFound("store.not_found", "店铺不存在", {"store": code})
    return store


def store_profile_get(*, actor: Any, code: str) -> StoreProfile:
    """The profile (unsaved and empty when none yet) of a store the actor works in."""
    store = store_for_actor(actor=actor, code=code)
    profile = StoreProfile.objects.filter(store=store).first()
    return profile or StoreProfile(store=store)


def store_profile_get_for_change(*, actor: Any, code: str) -> StoreProfile:
    profile = store_profile_get(actor=actor, code=code)
    require(actor, OrgPerm.EDIT_STORE_PROFILE, store=profile.store)
    return profile


# --- duties --------------------------------------------------------------------------------------
def duty_list(
    *,
    actor: Any,
    module: str = "",
    owner_id: int | None = None,
    unassigned: bool = False,
) -> QuerySet[Duty]:
    duties = Duty.objects.select_related("owner", "department")
    if module:
        if module not in DutyModule.values:
            return duties.none()
        duties = duties.filter(module=module)
    if owner_id:
        duties = duties.filter(owner_id=owner_id)
    if unassigned:
        duties = duties.filter(owner__isnull=True)
    return duties.order_by("sort_order", "id")


def duty_get_for_change(*, actor: Any, duty_id: int) -> Duty:
    require(actor, OrgPerm.MANAGE_DUTY)
    duty = Duty.objects.select_related("owner", "department").filter(pk=duty_id).first()
    if duty is None:
        raise NotFound("duty.not_found", "职责不存在")
    return duty


def duties_of(*, user: Any) -> QuerySet[Duty]:
    return Duty.objects.filter(owner=user).order_by("sort_order", "id")


# --- the vault -----------------------------------------------------------------------------------
def credential_list(*, actor: Any, store: Store) -> QuerySet[StoreCredential]:
    """R5.2: the store's credentials, never their secrets. Other store → 404, no permission → 403."""
    require(actor, OrgPerm.VIEW_CREDENTIAL, store=store)
    return (
        StoreCredential.objects.filter(store=store)
        .select_related("custodian", "store")
        .prefetch_related("allowed_revealers")
        .order_by("id")
    )


def credential_list_all(*, actor: Any) -> QuerySet[StoreCredential]:
    """Every credential of the stores the actor works in (empty without the permission)."""
    if not has_perm(actor, OrgPerm.VIEW_CREDENTIAL):
        return StoreCredential.objects.none()
    return (
        StoreCredential.objects.filter(store_id__in=actor.store_ids())
        .select_related("custodian", "store")
        .order_by("store__code", "name")
    )


def credential_get(*, actor: Any, store: Store, credential_id: int) -> StoreCredential:
    """The credential if it belongs to this store and the actor works there (else 404); no
    permission check: reveal decides and audits its own refusal."""
    if not actor.works_in(store):
        raise NotFound("credential.not_found", "账号不存在")
    credential = (
        StoreCredential.objects.filter(pk=credential_id, store=store)
        .select_related("store", "custodian")
        .first()
    )
    if credential is None:
        raise NotFound("credential.not_found", "账号不存在")
    return credential


def credential_get_for_change(*, actor: Any, store: Store, credential_id: int) -> StoreCredential:
    credential = credential_get(actor=actor, store=store, credential_id=credential_id)
    require(actor, OrgPerm.MANAGE_CREDENTIAL, store=store)
    return credential


def credential_may_reveal(*, actor: Any, credential: StoreCredential) -> bool:
    """Holders of the vault permission working in the store, narrowed to the credential's own
    list when it names any."""
    if not has_perm(actor, OrgPerm.REVEAL_CREDENTIAL, store=credential.store):
        return False
    named = list(credential.allowed_revealers.values_list("id", flat=True))
    return not named or actor.pk in named
