"""Every write of approvals, obligations and policy settings: checked, atomic, audited.

Other apps use three approval calls: `approval_request` (ask for approval of a frozen snapshot),
`approval_require` (refuse to proceed without an approval of exactly that snapshot) and, for
their pages, `selectors.approval_for` / `approval_history`. Obligations: `obligation_create` and
`occurrence_complete` (with `selectors.occurrence_current` to find the period to complete).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from storeops.core.permissions import require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.governance.enums import (
    APPROVAL_TRANSITIONS,
    OCCURRENCE_TRANSITIONS,
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
from storeops.governance.schedules import ScheduleError, parse_schedule, period_key
from storeops.governance.selectors import (
    approval_approved_for,
    approval_current_step,
    approval_decision_refusal,
    approval_is_decided_by_owner,
    object_ref,
    policy_value,
    snapshot_canonical,
)
from storeops.notifications.selectors import users_with_roles
from storeops.notifications.services import alert_raise, alert_resolve, notify
from storeops.org.selectors import contact_persons_for_user

MAX_COMMENT = 2000
MAX_EVIDENCE = 500
MAX_DUE_HOURS = 24 * 366


def _text(value: Any, *, field: str) -> str:
    return clean_text(value, field=field)


# --- approvals -----------------------------------------------------------------------------------
def _approval_set_status(approval: ApprovalRequest, status: str) -> None:
    """The one place a request's status changes, against APPROVAL_TRANSITIONS."""
    if status not in APPROVAL_TRANSITIONS[approval.status]:
        raise Conflict(
            "approval.transition",
            _("该审批已%(status)s，不能再处理") % {"status": approval.get_status_display()},
        )
    approval.status = status
    if status != ApprovalStatus.PENDING:
        approval.decided_at = clock.now()


def _role_list(roles: Iterable[Any]) -> list[str]:
    codes = [str(r) for r in roles]
    unknown = sorted(set(codes) - set(RoleCode.values))
    if not codes or unknown:
        raise ValueError(f"approver roles must be known RoleCode values, got {codes!r}")
    return list(dict.fromkeys(codes))


def _approval_url(approval: ApprovalRequest) -> str:
    return reverse("governance:approval_detail", args=[approval.pk])


def _notify_approvers(approval: ApprovalRequest) -> None:
    step = approval_current_step(approval)
    if step is None:
        return
    excluded = {approval.requested_by_id, *approval.excluded_users.values_list("id", flat=True)}
    excluded.update(approval.steps.exclude(decided_by=None).values_list("decided_by", flat=True))
    people = [
        user
        for user in users_with_roles(step.role_codes, store=approval.store)
        if user.pk not in excluded
    ]
    notify(
        kind="governance.approval_waiting",
        title=_("待你审批：%(title)s") % {"title": approval.title},
        body=_("%(user)s 发起") % {"user": approval.requested_by},
        recipients=people,
        url=_approval_url(approval),
        store=approval.store,
    )


@transaction.atomic
def approval_request(
    *,
    actor: Any,
    obj: Any,
    snapshot: Any,
    title: str,
    approver_roles: Sequence[Any] = (),
    steps: Sequence[Sequence[Any]] | None = None,
    url: str = "",
    store: Any = None,
    excluded_users: Iterable[Any] = (),
) -> ApprovalRequest:
    """Ask for approval of exactly `snapshot` of `obj` (R5.1).

    Give `approver_roles` for one step, or `steps` (a list of role lists, decided in order).
    An earlier pending request for the same object is cancelled: only the newest snapshot waits.
    The requester and `excluded_users` (e.g. the draft's author) can never approve it.
    """
    if not actor or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ValueError("an approval request needs an active requesting user")
    if bool(approver_roles) == bool(steps):
        raise ValueError("give either approver_roles (one step) or steps, not both or neither")
    step_roles = [_role_list(roles) for roles in (steps or [approver_roles])]
    if store is not None and not actor.works_in(store):
        raise NotFound("approval.store_not_found", _("对象不存在"))
    title = _text(title, field="title")
    if not title:
        raise Invalid("approval.title_required", _("请填写审批标题"), {"field": "title"})
    object_type, object_id = object_ref(obj)
    stored, digest = snapshot_canonical(snapshot)
    for earlier in ApprovalRequest.objects.select_for_update().filter(
        object_type=object_type, object_id=object_id, status=ApprovalStatus.PENDING
    ):
        _approval_withdraw(actor=actor, approval=earlier, reason=_("已提交新的版本"))
    approval = ApprovalRequest.objects.create(
        object_type=object_type,
        object_id=object_id,
        store=store,
        title=title[:200],
        url=url[:500],
        snapshot=stored,
        snapshot_hash=digest,
        requested_by=actor,
        requested_at=clock.now(),
    )
    approval.excluded_users.set([u for u in excluded_users if u is not None])
    ApprovalStep.objects.bulk_create(
        [
            ApprovalStep(request=approval, sequence=i, approver_roles=",{},".format(",".join(r)))
            for i, r in enumerate(step_roles, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="governance.approval.request",
        obj=approval,
        store=store,
        after={
            "object": f"{object_type}:{object_id}",
            "snapshot_hash": digest,
            "steps": step_roles,
            "excluded_users": sorted(approval.excluded_users.values_list("username", flat=True)),
        },
    )
    _notify_approvers(approval)
    return approval


@transaction.atomic
def approval_decide(
    *, actor: Any, approval: ApprovalRequest, approve: bool, comment: str = ""
) -> ApprovalRequest:
    """Approve or reject the current step. The row is locked, so two approvers deciding the same
    step at once give one decision and one refusal. A rejection needs a comment."""
    comment = _text(comment, field="comment")
    if len(comment) > MAX_COMMENT:
        raise Invalid("approval.comment_too_long", _("意见太长"), {"field": "comment"})
    if not approve and not comment:
        raise Invalid("approval.comment_required", _("驳回时请填写意见"), {"field": "comment"})
    approval = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
    refusal = approval_decision_refusal(actor, approval)
    if refusal is not None:
        raise refusal
    step = approval_current_step(approval)
    if step is None:  # the refusal check found it; only broken data gets here
        raise Conflict("approval.no_step", _("该审批没有待处理的步骤"))
    before = {"status": approval.status, "step": step.sequence}
    now = clock.now()
    step.status = StepStatus.APPROVED if approve else StepStatus.REJECTED
    step.decided_by = actor
    step.decided_at = now
    step.comment = comment
    step.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    next_step = approval.steps.filter(sequence__gt=step.sequence).order_by("sequence").first()
    if approve and next_step is not None:
        approval.current_sequence = next_step.sequence
        approval.save(update_fields=["current_sequence"])
    elif approve:
        _approval_set_status(approval, ApprovalStatus.APPROVED)
        approval.save(update_fields=["status", "decided_at"])
    else:
        _approval_set_status(approval, ApprovalStatus.REJECTED)
        approval.save(update_fields=["status", "decided_at"])
        approval.steps.filter(status=StepStatus.PENDING).update(status=StepStatus.SKIPPED)
    audit_record(
        actor=actor,
        action="governance.approval.approve" if approve else "governance.approval.reject",
        obj=approval,
        store=approval.store,
        before=before,
        after={"status": approval.status, "step": step.sequence, "comment": comment},
    )
    if approval.status == ApprovalStatus.PENDING:
        _notify_approvers(approval)
    else:
        finished = (_("审批已通过：%(title)s") if approve else _("审批被驳回：%(title)s")) % {
            "title": approval.title
        }
        notify(
            kind="governance.approval_decided",
            title=finished,
            body=comment,
            recipients=[approval.requested_by],
            url=_approval_url(approval),
            store=approval.store,
        )
    return approval


def approval_decide_generic(
    *, actor: Any, approval: ApprovalRequest, approve: bool, comment: str = ""
) -> ApprovalRequest:
    """Deciding from the approvals pages and API. Refused for an object whose own service decides
    (a release draft: its approval re-scans the copy and may need an override reason), so no
    entry point can approve around the owner's rules."""
    if approval_is_decided_by_owner(approval):
        raise Conflict(
            "approval.decide_in_owner",
            _("请到该事项自己的页面审批（那里会重新检查相关规则）"),
            {"url": approval.url},
        )
    return approval_decide(actor=actor, approval=approval, approve=approve, comment=comment)


def _approval_withdraw(*, actor: Any, approval: ApprovalRequest, reason: str) -> None:
    _approval_set_status(approval, ApprovalStatus.CANCELLED)
    approval.save(update_fields=["status", "decided_at"])
    approval.steps.filter(status=StepStatus.PENDING).update(status=StepStatus.SKIPPED)
    audit_record(
        actor=actor,
        action="governance.approval.cancel",
        obj=approval,
        store=approval.store,
        before={"status": ApprovalStatus.PENDING},
        after={"status": approval.status, "reason": reason},
    )


@transaction.atomic
def approval_cancel(*, actor: Any, approval: ApprovalRequest) -> ApprovalRequest:
    """The requester withdraws a pending request."""
    approval = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
    if approval.requested_by_id != getattr(actor, "pk", None):
        raise Forbidden("approval.not_requester", _("只有发起人可以撤销审批"))
    _approval_withdraw(actor=actor, approval=approval, reason=_("发起人撤销"))
    return approval


def approval_require(*, obj: Any, snapshot: Any) -> ApprovalRequest:
    """Refuse (409 approval.missing) unless exactly this snapshot of `obj` was approved.

    The owning service calls this right before it acts; a changed snapshot needs a new approval.
    """
    approval = approval_approved_for(obj, snapshot)
    if approval is None:
        raise Conflict("approval.missing", _("这一版本尚未审批通过，不能继续"))
    return approval


# --- obligations ---------------------------------------------------------------------------------
def _occurrence_set_status(occurrence: ObligationOccurrence, status: str) -> None:
    """The one place a period's status changes, against OCCURRENCE_TRANSITIONS."""
    if status not in OCCURRENCE_TRANSITIONS[occurrence.status]:
        raise Conflict(
            "occurrence.transition",
            _("该任务已%(status)s") % {"status": occurrence.get_status_display()},
        )
    occurrence.status = status


def _alert_key(occurrence: ObligationOccurrence) -> str:
    return f"governance.occurrence_overdue:{occurrence.pk}"


def _validated(
    *, title: str, owner: Any, schedule: str, due_hours: Any, policy_id: str, store: Any
) -> dict[str, Any]:
    title = _text(title, field="title")
    if not title or len(title) > 200:
        raise Invalid("obligation.title_invalid", _("名称须为 1–200 个字"), {"field": "title"})
    try:
        parsed = parse_schedule(schedule)
    except ScheduleError as exc:
        raise Invalid("obligation.schedule_invalid", str(exc), {"field": "schedule"}) from exc
    if (
        isinstance(due_hours, bool)
        or not isinstance(due_hours, int)
        or not 1 <= due_hours <= MAX_DUE_HOURS
    ):
        raise Invalid(
            "obligation.due_hours_invalid",
            _("完成时限须为 1 到 %(max)s 小时") % {"max": MAX_DUE_HOURS},
            {"field": "due_hours"},
        )
    if owner is None or not owner.is_active:
        raise Invalid("obligation.owner_invalid", _("请选择在职的责任人"), {"field": "owner"})
    if store is not None and not owner.works_in(store):
        raise Invalid("obligation.owner_not_in_store", _("责任人不负责该店铺"), {"field": "owner"})
    policy_id = _text(policy_id, field="policy_id")
    if len(policy_id) > 20:
        raise Invalid("obligation.policy_id_invalid", _("制度条款编号太长"), {"field": "policy_id"})
    return {
        "title": title,
        "owner": owner,
        "schedule": parsed.text,
        "due_hours": due_hours,
        "policy_id": policy_id,
        "store": store,
    }


def _obligation_snapshot(obligation: Obligation) -> dict[str, Any]:
    return {
        "title": obligation.title,
        "owner": obligation.owner.username,
        "schedule": obligation.schedule,
        "due_hours": obligation.due_hours,
        "policy_id": obligation.policy_id,
        "kind": obligation.kind,
        "store": obligation.store.code if obligation.store else None,
        "is_active": obligation.is_active,
    }


def _open_period(obligation: Obligation, *, at: dt.datetime) -> ObligationOccurrence | None:
    """Open the period running at `at`, once: the unique (obligation, period) decides.

    A period already over when the obligation was created is not opened (no one is born late).
    """
    opens_at = parse_schedule(obligation.schedule).latest_start(at)
    if opens_at is None:
        return None
    due_at = opens_at + dt.timedelta(hours=obligation.due_hours)
    if due_at <= obligation.created_at:
        return None
    key = period_key(opens_at)
    if obligation.occurrences.filter(period_key=key).exists():
        return None
    try:
        with transaction.atomic():
            occurrence = ObligationOccurrence.objects.create(
                obligation=obligation, period_key=key, opens_at=opens_at, due_at=due_at
            )
            audit_record(
                actor=None,
                action="governance.occurrence.open",
                obj=occurrence,
                store=obligation.store,
                after={"period": key, "due_at": due_at.isoformat()},
            )
            notify(
                kind="governance.obligation_open",
                title=_("定期任务：%(title)s") % {"title": obligation.title},
                body=_("截止 %(due)s") % {"due": clock.local(due_at).strftime("%Y-%m-%d %H:%M")},
                recipients=[obligation.owner],
                url=reverse("governance:occurrence_complete", args=[occurrence.pk]),
                store=obligation.store,
            )
    except IntegrityError:  # another worker opened this period a moment ago
        return None
    return occurrence


@transaction.atomic
def obligation_create(
    *,
    actor: Any,
    title: str,
    owner: Any,
    schedule: str,
    due_hours: int,
    policy_id: str = "",
    store: Any = None,
    description: str = "",
    kind: str = "",
) -> Obligation:
    """A duty with an owner and a schedule (see `schedules`); its current period opens at once.

    `actor` None is the system (another app's service acting on its own rule)."""
    if actor is not None:
        require(actor, GovernancePerm.MANAGE_OBLIGATION, store=store)
    fields = _validated(
        title=title,
        owner=owner,
        schedule=schedule,
        due_hours=due_hours,
        policy_id=policy_id,
        store=store,
    )
    now = clock.now()
    obligation = Obligation.objects.create(
        **fields,
        description=_text(description, field="description"),
        kind=(kind or "")[:64],
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action="governance.obligation.create",
        obj=obligation,
        store=store,
        after=_obligation_snapshot(obligation),
    )
    _open_period(obligation, at=now)
    return obligation


@transaction.atomic
def obligation_update(
    *,
    actor: Any,
    obligation: Obligation,
    title: str,
    owner: Any,
    schedule: str,
    due_hours: int,
    is_active: bool,
    policy_id: str = "",
    store: Any = None,
    description: str = "",
) -> Obligation:
    """Change the rule; periods already opened keep their times."""
    require(actor, GovernancePerm.MANAGE_OBLIGATION, store=obligation.store)
    if store is not None:
        require(actor, GovernancePerm.MANAGE_OBLIGATION, store=store)
    fields = _validated(
        title=title,
        owner=owner,
        schedule=schedule,
        due_hours=due_hours,
        policy_id=policy_id,
        store=store,
    )
    before = _obligation_snapshot(obligation)
    for name, value in fields.items():
        setattr(obligation, name, value)
    obligation.description = _text(description, field="description")
    obligation.is_active = bool(is_active)
    obligation.updated_at = clock.now()
    obligation.save()
    after = _obligation_snapshot(obligation)
    if before != after:
        audit_record(
            actor=actor,
            action="governance.obligation.update",
            obj=obligation,
            store=obligation.store,
            before=before,
            after=after,
        )
    if obligation.is_active:
        _open_period(obligation, at=clock.now())
    return obligation


def occurrence_generate(*, at: dt.datetime | None = None) -> int:
    """Open the current period of every active obligation (the periodic task's body).

    Each obligation in its own transaction; several workers at once open each period once.
    Returns how many periods this call opened.
    """
    at = at or clock.now()
    opened = 0
    for obligation in Obligation.objects.filter(is_active=True).select_related("owner", "store"):
        with transaction.atomic():
            if _open_period(obligation, at=at) is not None:
                opened += 1
    return opened


def occurrence_mark_overdue(*, at: dt.datetime | None = None) -> int:
    """Open periods past their due time become overdue, with an alert to the owner and the
    owner's department contact person (one alert per period, however often this runs)."""
    at = at or clock.now()
    late = list(
        ObligationOccurrence.objects.filter(
            status=OccurrenceStatus.OPEN, due_at__lt=at
        ).values_list("id", flat=True)
    )
    marked = 0
    for occurrence_id in late:
        with transaction.atomic():
            changed = ObligationOccurrence.objects.filter(
                pk=occurrence_id, status=OccurrenceStatus.OPEN
            ).update(status=OccurrenceStatus.OVERDUE)
            if not changed:  # completed, or marked by another worker meanwhile
                continue
            occurrence = ObligationOccurrence.objects.select_related(
                "obligation__owner", "obligation__store"
            ).get(pk=occurrence_id)
            obligation = occurrence.obligation
            audit_record(
                actor=None,
                action="governance.occurrence.overdue",
                obj=occurrence,
                store=obligation.store,
                before={"status": OccurrenceStatus.OPEN},
                after={"status": OccurrenceStatus.OVERDUE},
            )
            alert_raise(
                kind="governance.obligation_overdue",
                title=_("定期任务逾期：%(title)s（%(owner)s）")
                % {"title": obligation.title, "owner": obligation.owner},
                body=_("截止时间 %(due)s")
                % {"due": clock.local(occurrence.due_at).strftime("%Y-%m-%d %H:%M")},
                recipients=[obligation.owner, *contact_persons_for_user(obligation.owner)],
                url=reverse("governance:occurrence_complete", args=[occurrence.pk]),
                obj=occurrence,
                store=obligation.store,
                dedupe_key=_alert_key(occurrence),
            )
            marked += 1
    return marked


@transaction.atomic
def occurrence_complete(
    *, actor: Any, occurrence: ObligationOccurrence, evidence: str, by_the_work: bool = False
) -> ObligationOccurrence:
    """Mark a period done with its evidence (a link or a short note), by the owner or a manager.
    Completing an overdue period resolves its alert.

    `by_the_work=True` is for the app that owns the duty when the work itself just happened (a blog
    post published for the weekly blog duty): the calling service has checked its own permission
    and the evidence is the work, whoever of the team did it."""
    occurrence = (
        ObligationOccurrence.objects.select_for_update()
        .select_related("obligation")
        .get(pk=occurrence.pk)
    )
    obligation = occurrence.obligation
    if not by_the_work:
        if obligation.owner_id != getattr(actor, "pk", None):
            require(actor, GovernancePerm.MANAGE_OBLIGATION, store=obligation.store)
        elif obligation.store_id is not None and not actor.works_in(obligation.store_id):
            raise NotFound("occurrence.not_found", _("定期任务不存在"))
    evidence = _text(evidence, field="evidence")
    if not evidence:
        raise Invalid(
            "occurrence.evidence_required", _("请填写完成凭证（链接或说明）"), {"field": "evidence"}
        )
    if len(evidence) > MAX_EVIDENCE:
        raise Invalid("occurrence.evidence_too_long", _("凭证太长"), {"field": "evidence"})
    before = {"status": occurrence.status}
    _occurrence_set_status(occurrence, OccurrenceStatus.DONE)
    occurrence.evidence = evidence
    occurrence.done_by = actor
    occurrence.done_at = clock.now()
    occurrence.save(update_fields=["status", "evidence", "done_by", "done_at"])
    audit_record(
        actor=actor,
        action="governance.occurrence.complete",
        obj=occurrence,
        store=obligation.store,
        before=before,
        after={"status": occurrence.status, "evidence": evidence},
    )
    alert_resolve(dedupe_key=_alert_key(occurrence), actor=actor)
    return occurrence


# --- policy settings -----------------------------------------------------------------------------
def _policy_parse(spec: Any, value: Any) -> int | Decimal:
    wrong = Invalid(
        "policy.value_invalid",
        _("“%(label)s”须为 %(min)s 到 %(max)s 之间的%(kind)s")
        % {
            "label": spec.label,
            "min": spec.minimum,
            "max": spec.maximum,
            "kind": _("整数") if spec.kind is int else _("数字"),
        },
        {"field": "value", "key": spec.key},
    )
    if isinstance(value, bool) or value is None:
        raise wrong
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise wrong from exc
    if not number.is_finite():
        raise wrong
    if not spec.minimum <= number <= spec.maximum:
        raise wrong
    if spec.kind is int:
        if number != number.to_integral_value():
            raise wrong
        typed: int | Decimal = int(number)
    else:
        if number.as_tuple().exponent < -2:  # type: ignore[operator]
            raise wrong
        typed = number
    if not spec.minimum <= typed <= spec.maximum:
        raise wrong
    return typed


@transaction.atomic
def policy_set(*, actor: Any, key: str, value: Any) -> int | Decimal:
    """Change one of the policy's numbers (系统管理员 by default); audited with before/after."""
    require(actor, GovernancePerm.MANAGE_POLICY)
    spec = POLICY_SPECS.get(str(key))
    if spec is None:
        raise NotFound("policy.unknown", _("没有这个制度参数"), {"key": str(key)})
    typed = _policy_parse(spec, value)
    before = policy_value(spec.key)
    if typed == before and PolicySetting.objects.filter(key=spec.key).exists():
        return before
    PolicySetting.objects.update_or_create(
        key=spec.key,
        defaults={"value": str(typed), "updated_by": actor, "updated_at": clock.now()},
    )
    audit_record(
        actor=actor,
        action="governance.policy.update",
        object_type="governance.policysetting",
        object_id=spec.key,
        object_repr=str(spec.label),
        before={"key": spec.key, "value": str(before)},
        after={"key": spec.key, "value": str(typed)},
    )
    return typed
