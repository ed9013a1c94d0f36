"""Reading approvals, obligations and policy settings, always within what the actor may see."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from storeops.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from storeops.core.permissions import has_perm, require
from storeops.core.roles import RoleCode
from storeops.governance.enums import (
    POLICY_SPECS,
    ApprovalStatus,
    OccurrenceStatus,
    StepStatus,
)
from storeops.governance.models import (
    ApprovalRequest,
    ApprovalStep,
    Obligation,
    ObligationOccurrence,
    PolicySetting,
)
from storeops.governance.permissions import GovernancePerm

# --- approvals -----------------------------------------------------------------------------------
_DECIDED_BY_OWNER: set[str] = set()


def register_decided_by_owner(object_type: str) -> None:
    """An app whose approvals must be decided through its own service (which re-checks its rules,
    e.g. content re-scans a draft and asks for an override reason) registers the object type in
    its AppConfig.ready(); the approvals pages and API then send the approver there."""
    _DECIDED_BY_OWNER.add(object_type)


def approval_is_decided_by_owner(approval: Any) -> bool:
    return approval.object_type in _DECIDED_BY_OWNER


def object_ref(obj: Any) -> tuple[str, str]:
    """How an approval names any model instance: ("app_label.model", "pk")."""
    if obj is None or getattr(obj, "pk", None) is None:
        raise ValueError("an approval needs a saved object")
    return obj._meta.label_lower, str(obj.pk)


def snapshot_canonical(snapshot: Any) -> tuple[Any, str]:
    """The snapshot as stored (plain JSON: Decimal and dates become strings) and its sha256.

    Keys are sorted, so two dicts with the same content always give the same hash.
    """
    text = json.dumps(
        snapshot, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return json.loads(text), hashlib.sha256(text.encode()).hexdigest()


def _is_authenticated(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def _store_visible(actor: Any) -> Q:
    return Q(store__isnull=True) | Q(store_id__in=actor.store_ids())


def approval_for(obj: Any) -> ApprovalRequest | None:
    """The latest approval request of this object (any status), or None."""
    object_type, object_id = object_ref(obj)
    return (
        ApprovalRequest.objects.filter(object_type=object_type, object_id=object_id)
        .order_by("-id")
        .first()
    )


def approval_history(obj: Any) -> QuerySet[ApprovalRequest]:
    """Every request of this object, newest first, with their steps."""
    object_type, object_id = object_ref(obj)
    return (
        ApprovalRequest.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("requested_by")
        .prefetch_related("steps__decided_by")
        .order_by("-id")
    )


def approval_approved_for(obj: Any, snapshot: Any) -> ApprovalRequest | None:
    """The approved request of exactly this object and snapshot, if there is one."""
    object_type, object_id = object_ref(obj)
    _stored, digest = snapshot_canonical(snapshot)
    return (
        ApprovalRequest.objects.filter(
            object_type=object_type,
            object_id=object_id,
            snapshot_hash=digest,
            status=ApprovalStatus.APPROVED,
        )
        .order_by("-id")
        .first()
    )


def approval_previous_approved(approval: ApprovalRequest) -> ApprovalRequest | None:
    """The last approved request of the same object before this one (to show what changed)."""
    return (
        ApprovalRequest.objects.filter(
            object_type=approval.object_type,
            object_id=approval.object_id,
            status=ApprovalStatus.APPROVED,
            id__lt=approval.id,
        )
        .order_by("-id")
        .first()
    )


def approval_current_step(approval: ApprovalRequest) -> ApprovalStep | None:
    if approval.status != ApprovalStatus.PENDING:
        return None
    return approval.steps.filter(sequence=approval.current_sequence).first()


def approval_decision_refusal(actor: Any, approval: ApprovalRequest) -> DomainError | None:
    """Why this actor may not decide the request's current step now (None: they may).

    The one rule for the page (show the buttons?) and the service (refuse): no self-approval,
    nobody excluded by the owning service (the author), one of the current step's roles, in the
    store, and one person decides at most one step of a request.
    """
    if approval.store_id is not None and not actor.works_in(approval.store_id):
        return NotFound("approval.not_found", _("审批不存在"))
    if approval.status != ApprovalStatus.PENDING:
        return Conflict(
            "approval.not_pending",
            _("该审批已%(status)s，不能再处理") % {"status": approval.get_status_display()},
        )
    if approval.requested_by_id == actor.pk:
        return Forbidden("approval.self", _("不能审批自己发起的申请"))
    if approval.excluded_users.filter(pk=actor.pk).exists():
        return Forbidden("approval.excluded", _("你是该内容的作者或经手人，不能审批"))
    step = approval_current_step(approval)
    if step is None:  # a pending request always has its current step; never for valid data
        return NotFound("approval.not_found", _("审批不存在"))
    if not set(step.role_codes) & set(actor.role_codes()):
        return Forbidden(
            "approval.wrong_role",
            _("这一步需要以下角色审批：%(roles)s") % {"roles": "、".join(role_labels(step))},
            {"roles": step.role_codes},
        )
    if approval.steps.filter(decided_by=actor).exists():
        return Forbidden("approval.decided_before", _("你已审批过此申请的前一步，请由其他人审批"))
    return None


def role_labels(step: ApprovalStep) -> list[str]:
    labels = dict(RoleCode.choices)
    return [str(labels.get(code, code)) for code in step.role_codes]


def approval_waiting_for(actor: Any) -> QuerySet[ApprovalRequest]:
    """Pending requests whose current step this actor may decide (待我审批)."""
    if not _is_authenticated(actor):
        return ApprovalRequest.objects.none()
    roles = actor.role_codes()
    if not roles:
        return ApprovalRequest.objects.none()
    holds_a_role = Q()
    for code in sorted(roles):
        holds_a_role |= Q(approver_roles__contains=f",{code},")
    step_ids = ApprovalStep.objects.filter(
        holds_a_role,
        sequence=F("request__current_sequence"),
        status=StepStatus.PENDING,
        request__status=ApprovalStatus.PENDING,
    ).values("request_id")
    return (
        ApprovalRequest.objects.filter(id__in=step_ids)
        .filter(_store_visible(actor))
        .exclude(requested_by=actor)
        .exclude(excluded_users=actor)
        .exclude(steps__decided_by=actor)
        .select_related("requested_by", "store")
    )


def approval_list(*, actor: Any, mine: str = "decide", status: str = "") -> QuerySet[Any]:
    """`mine`: "decide" (waiting for me), "requested" (I asked), "all" (my stores; VIEW_APPROVAL)."""
    if not _is_authenticated(actor):
        return ApprovalRequest.objects.none()
    if mine == "decide":
        found = approval_waiting_for(actor)
    elif mine == "requested":
        found = ApprovalRequest.objects.filter(requested_by=actor).select_related(
            "requested_by", "store"
        )
    else:
        require(actor, GovernancePerm.VIEW_APPROVAL)
        found = ApprovalRequest.objects.filter(_store_visible(actor)).select_related(
            "requested_by", "store"
        )
    if status:
        found = found.filter(status=status)
    return found


def approval_get_for_view(*, actor: Any, approval_id: int) -> ApprovalRequest:
    """The request, if this actor may see it: requester, excluded author, one of its approver
    roles, or VIEW_APPROVAL — always only in a store they work in (404 otherwise)."""
    approval = (
        ApprovalRequest.objects.select_related("requested_by", "store")
        .filter(pk=approval_id)
        .first()
    )
    missing = NotFound("approval.not_found", _("审批不存在"))
    if approval is None or not _is_authenticated(actor):
        raise missing
    if approval.store_id is not None and not actor.works_in(approval.store_id):
        raise missing
    if (
        approval.requested_by_id == actor.pk
        or has_perm(actor, GovernancePerm.VIEW_APPROVAL)
        or approval.excluded_users.filter(pk=actor.pk).exists()
        or any(
            set(step.role_codes) & set(actor.role_codes()) or step.decided_by_id == actor.pk
            for step in approval.steps.all()
        )
    ):
        return approval
    raise missing


approval_get_for_change = approval_get_for_view  # deciding re-checks the step rule in the service


def snapshot_rows(snapshot: Any, previous: Any = None) -> list[dict[str, Any]]:
    """The snapshot as key → value rows for a page, each marked changed against `previous`."""
    if not isinstance(snapshot, dict):
        snapshot = {_("内容"): snapshot}
    if previous is not None and not isinstance(previous, dict):
        previous = {_("内容"): previous}
    rows = []
    keys = list(snapshot)
    if previous:
        keys += [k for k in previous if k not in snapshot]
    for key in keys:
        value = snapshot.get(key)
        before = previous.get(key) if previous else None
        rows.append(
            {
                "key": key,
                "value": _display(value) if key in snapshot else "",
                "before": _display(before) if previous and key in previous else "",
                "changed": previous is not None and (before != value or key not in snapshot),
                "removed": key not in snapshot,
            }
        )
    return rows


def _display(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


# --- obligations ---------------------------------------------------------------------------------
def obligation_list(*, actor: Any) -> QuerySet[Obligation]:
    require(actor, GovernancePerm.MANAGE_OBLIGATION)
    return (
        Obligation.objects.filter(_store_visible(actor))
        .select_related("owner", "store")
        .order_by("id")
    )


def obligation_get_for_change(*, actor: Any, obligation_id: int) -> Obligation:
    require(actor, GovernancePerm.MANAGE_OBLIGATION)
    obligation = obligation_list(actor=actor).filter(pk=obligation_id).first()
    if obligation is None:
        raise NotFound("obligation.not_found", _("定期任务不存在"))
    return obligation


def owner_candidate(*, user_id: int) -> Any:
    """An active user who may own an obligation (Invalid naming the field otherwise)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid("obligation.owner_invalid", _("请选择在职的责任人"), {"field": "owner_id"})
    return user


def owner_choices() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True).order_by("username")


def obligation_for(*, kind: str, owner: Any, store: Any = None) -> Obligation | None:
    """The obligation another app created with this `kind` for this owner (and store)."""
    return Obligation.objects.filter(kind=kind, owner=owner, store=store).order_by("id").first()


def occurrence_current(obligation: Obligation) -> ObligationOccurrence | None:
    """The open or overdue period of this obligation (the earliest, if several are unfinished)."""
    return (
        obligation.occurrences.filter(status__in=[OccurrenceStatus.OPEN, OccurrenceStatus.OVERDUE])
        .order_by("opens_at")
        .first()
    )


def occurrence_list(
    *,
    actor: Any,
    mine: bool = True,
    status: str = "",
    owner_id: int | None = None,
    policy_id: str = "",
) -> QuerySet[ObligationOccurrence]:
    """My periods (mine=True), or everyone's in my stores (VIEW_OBLIGATION)."""
    if not _is_authenticated(actor):
        return ObligationOccurrence.objects.none()
    found = ObligationOccurrence.objects.select_related(
        "obligation", "obligation__owner", "obligation__store", "done_by"
    )
    if mine:
        found = found.filter(obligation__owner=actor)
    else:
        require(actor, GovernancePerm.VIEW_OBLIGATION)
        found = found.filter(
            Q(obligation__store__isnull=True) | Q(obligation__store_id__in=actor.store_ids())
        )
    if status:
        found = found.filter(status=status)
    if owner_id:
        found = found.filter(obligation__owner_id=owner_id)
    if policy_id:
        found = found.filter(obligation__policy_id=policy_id)
    return found


def occurrence_get_for_change(*, actor: Any, occurrence_id: int) -> ObligationOccurrence:
    """A period the actor may complete: their own, or (MANAGE_OBLIGATION) anyone's in their stores."""
    occurrence = (
        ObligationOccurrence.objects.select_related("obligation", "obligation__owner")
        .filter(pk=occurrence_id)
        .first()
    )
    missing = NotFound("occurrence.not_found", _("定期任务不存在"))
    if occurrence is None or not _is_authenticated(actor):
        raise missing
    obligation = occurrence.obligation
    if obligation.store_id is not None and not actor.works_in(obligation.store_id):
        raise missing
    if obligation.owner_id == actor.pk or has_perm(actor, GovernancePerm.MANAGE_OBLIGATION):
        return occurrence
    if has_perm(actor, GovernancePerm.VIEW_OBLIGATION):
        raise Forbidden("occurrence.not_owner", _("只有责任人或经理可以完成这项任务"))
    raise missing


# --- policy settings -----------------------------------------------------------------------------
def policy_value(key: str) -> int | Decimal:
    """The policy number in force (R3.2, R3.3, R4.2 …): the changed value, else the default."""
    spec = POLICY_SPECS[str(key)]
    row = PolicySetting.objects.filter(key=spec.key).values_list("value", flat=True).first()
    return spec.default if row is None else spec.kind(row)


def policy_list() -> list[dict[str, Any]]:
    """Every policy setting with its value in force and who changed it last."""
    rows = {r.key: r for r in PolicySetting.objects.select_related("updated_by")}
    result = []
    for spec in POLICY_SPECS.values():
        row = rows.get(spec.key)
        result.append(
            {
                "key": spec.key,
                "label": spec.label,
                "value": spec.default if row is None else spec.kind(row.value),
                "default": spec.default,
                "unit": spec.unit,
                "policy_id": spec.policy_id,
                "kind": "decimal" if spec.kind is Decimal else "int",
                "minimum": spec.minimum,
                "maximum": spec.maximum,
                "updated_by": row.updated_by if row else None,
                "updated_at": row.updated_at if row else None,
            }
        )
    return result
