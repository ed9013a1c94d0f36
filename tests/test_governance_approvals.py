"""The approvals engine (R3.5, R4.2, R5.1): request, decide, require — exercised on a real object."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from storeops.core.roles import RoleCode
from storeops.governance.enums import ApprovalStatus, StepStatus
from storeops.governance.models import ApprovalRequest
from storeops.governance.selectors import (
    approval_for,
    approval_history,
    approval_waiting_for,
    snapshot_rows,
)
from storeops.governance.services import (
    approval_cancel,
    approval_decide,
    approval_request,
    approval_require,
)
from storeops.notifications.models import Notification

SNAPSHOT = {"标题": "春季上新", "价格": Decimal("99.90"), "图片": ["a.jpg", "b.jpg"]}


@pytest.fixture
def shop(stores):
    return stores["tb-main"]


def ask(actor, shop, snapshot=SNAPSHOT, **extra):
    if "steps" not in extra:
        extra.setdefault("approver_roles", [RoleCode.MANAGER])
    return approval_request(
        actor=actor, obj=shop, snapshot=snapshot, title="首页改版", store=shop, **extra
    )


def test_request_freezes_the_snapshot_and_notifies_the_approvers(yunying, jingli, shop):
    approval = ask(yunying, shop)

    assert approval.status == ApprovalStatus.PENDING
    assert approval.snapshot == {"标题": "春季上新", "价格": "99.90", "图片": ["a.jpg", "b.jpg"]}
    assert len(approval.snapshot_hash) == 64
    assert [s.role_codes for s in approval.steps.all()] == [["manager"]]
    # the seeded demo has approvals of its own: look for this request's notice by its link
    note = Notification.objects.get(
        recipient=jingli,
        kind="governance.approval_waiting",
        url=f"/governance/approvals/{approval.pk}/",
    )
    assert note.title == "待你审批：首页改版"
    assert not Notification.objects.filter(
        recipient=yunying, url=f"/governance/approvals/{approval.pk}/"
    ).exists()  # the requester is not asked to decide their own request
    event = AuditEvent.objects.get(action="governance.approval.request", object_id=str(approval.pk))
    assert event.actor == yunying
    assert event.after["snapshot_hash"] == approval.snapshot_hash
    assert approval in approval_waiting_for(jingli)
    assert approval not in approval_waiting_for(yunying)


def test_approve_then_require_passes_for_exactly_that_snapshot(yunying, jingli, shop):
    approval = ask(yunying, shop)

    with pytest.raises(Conflict) as missing:
        approval_require(obj=shop, snapshot=SNAPSHOT)
    assert missing.value.code == "approval.missing"

    approval_decide(actor=jingli, approval=approval, approve=True, comment="可以")

    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    step = approval.steps.get()
    assert (step.status, step.decided_by, step.comment) == (StepStatus.APPROVED, jingli, "可以")
    # the same content in another key order is the same snapshot
    reordered = {"图片": ["a.jpg", "b.jpg"], "价格": Decimal("99.90"), "标题": "春季上新"}
    assert approval_require(obj=shop, snapshot=reordered) == approval
    assert (
        AuditEvent.objects.filter(
            action="governance.approval.approve", actor=jingli, object_id=str(approval.pk)
        ).count()
        == 1
    )
    done = Notification.objects.get(recipient=yunying, kind="governance.approval_decided")
    assert done.title == "审批已通过：首页改版"


def test_a_changed_snapshot_needs_a_new_approval(yunying, jingli, shop):
    approval_decide(actor=jingli, approval=ask(yunying, shop), approve=True, comment="")
    changed = {**SNAPSHOT, "价格": Decimal("89.90")}

    with pytest.raises(Conflict) as refused:
        approval_require(obj=shop, snapshot=changed)
    assert refused.value.code == "approval.missing"
    assert "尚未审批" in refused.value.message

    second = ask(yunying, shop, snapshot=changed)
    approval_decide(actor=jingli, approval=second, approve=True, comment="")
    assert approval_require(obj=shop, snapshot=changed) == second


def test_no_self_approval_even_holding_the_role(jingli, shop):
    approval = ask(jingli, shop)

    with pytest.raises(Forbidden) as refused:
        approval_decide(actor=jingli, approval=approval, approve=True, comment="")

    assert refused.value.code == "approval.self"
    assert refused.value.message == "不能审批自己发起的申请"
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert not AuditEvent.objects.filter(
        action="governance.approval.approve", object_id=str(approval.pk)
    ).exists()


def test_an_excluded_author_may_not_approve(yunying, jingli, admin, shop):
    approval = ask(admin, shop, excluded_users=[jingli])

    with pytest.raises(Forbidden) as refused:
        approval_decide(actor=jingli, approval=approval, approve=True, comment="")

    assert refused.value.code == "approval.excluded"
    assert not Notification.objects.filter(
        recipient=jingli,
        kind="governance.approval_waiting",
        url=f"/governance/approvals/{approval.pk}/",
    ).exists()
    assert approval not in approval_waiting_for(jingli)


def test_wrong_role_is_refused_and_nothing_changes(yunying, kefu, shop):
    approval = ask(yunying, shop)

    with pytest.raises(Forbidden) as refused:
        approval_decide(actor=kefu, approval=approval, approve=True, comment="")

    assert refused.value.code == "approval.wrong_role"
    assert "经理" in refused.value.message
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert approval.steps.get().status == StepStatus.PENDING


def test_other_store_is_not_found(yunying, jingli, stores):
    tb = stores["tb-main"]
    approval = ask(yunying, tb)
    jingli.stores.set([stores["jd-main"]])
    jingli.forget_access_cache()

    with pytest.raises(NotFound):
        approval_decide(actor=jingli, approval=approval, approve=True, comment="")
    # (the demo's company-wide requests, e.g. stock adjustments, still wait for 经理)
    assert approval not in approval_waiting_for(jingli)
    assert not approval_waiting_for(jingli).filter(store=tb).exists()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_reject_needs_a_comment(yunying, jingli, shop):
    approval = ask(yunying, shop)

    with pytest.raises(Invalid) as refused:
        approval_decide(actor=jingli, approval=approval, approve=False, comment="  ")
    assert refused.value.code == "approval.comment_required"
    assert refused.value.details == {"field": "comment"}
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING

    approval_decide(actor=jingli, approval=approval, approve=False, comment="图片不清晰")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.REJECTED
    assert approval.steps.get().comment == "图片不清晰"
    event = AuditEvent.objects.get(action="governance.approval.reject", object_id=str(approval.pk))
    assert event.after == {"status": "rejected", "step": 1, "comment": "图片不清晰"}
    note = Notification.objects.get(recipient=yunying, kind="governance.approval_decided")
    assert (note.title, note.body) == ("审批被驳回：首页改版", "图片不清晰")
    with pytest.raises(Conflict):
        approval_require(obj=shop, snapshot=SNAPSHOT)


def test_a_decided_request_cannot_be_decided_again(yunying, jingli, admin, shop):
    approval = ask(yunying, shop, approver_roles=[RoleCode.MANAGER, RoleCode.ADMIN])
    approval_decide(actor=jingli, approval=approval, approve=True, comment="")

    with pytest.raises(Conflict) as refused:
        approval_decide(actor=admin, approval=approval, approve=False, comment="晚了")
    assert refused.value.code == "approval.not_pending"


def test_steps_are_decided_in_order_by_different_people(yunying, jingli, shenji, admin, shop):
    approval = ask(
        yunying,
        shop,
        steps=[[RoleCode.MANAGER], [RoleCode.AUDITOR, RoleCode.ADMIN]],
    )
    assert list(approval_waiting_for(shenji)) == []  # not their step yet
    with pytest.raises(Forbidden):
        approval_decide(actor=shenji, approval=approval, approve=True, comment="")

    approval_decide(actor=jingli, approval=approval, approve=True, comment="一审通过")
    approval.refresh_from_db()
    assert (approval.status, approval.current_sequence) == (ApprovalStatus.PENDING, 2)
    assert list(approval_waiting_for(shenji)) == [approval]
    assert Notification.objects.filter(
        recipient=shenji, kind="governance.approval_waiting"
    ).exists()
    with pytest.raises(Conflict):
        approval_require(obj=shop, snapshot=SNAPSHOT)  # half-approved is not approved

    approval_decide(actor=shenji, approval=approval, approve=True, comment="二审通过")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    history = [(s.sequence, s.decided_by, s.comment) for s in approval.steps.all()]
    assert history == [(1, jingli, "一审通过"), (2, shenji, "二审通过")]


def test_one_person_decides_one_step_only(yunying, admin, shop):
    approval = ask(yunying, shop, steps=[[RoleCode.ADMIN], [RoleCode.ADMIN, RoleCode.MANAGER]])
    approval_decide(actor=admin, approval=approval, approve=True, comment="")

    with pytest.raises(Forbidden) as refused:
        approval_decide(actor=admin, approval=approval, approve=True, comment="")
    assert refused.value.code == "approval.decided_before"


def test_rejecting_a_middle_step_skips_the_rest(yunying, jingli, shop):
    approval = ask(yunying, shop, steps=[[RoleCode.MANAGER], [RoleCode.ADMIN]])
    approval_decide(actor=jingli, approval=approval, approve=False, comment="不行")

    assert [s.status for s in approval.steps.all()] == [StepStatus.REJECTED, StepStatus.SKIPPED]


def test_a_new_request_cancels_the_pending_one(yunying, jingli, shop):
    first = ask(yunying, shop)
    second = ask(yunying, shop, snapshot={**SNAPSHOT, "标题": "春季上新 v2"})

    first.refresh_from_db()
    assert first.status == ApprovalStatus.CANCELLED
    assert approval_for(shop) == second
    assert list(approval_history(shop)) == [second, first]
    waiting = list(approval_waiting_for(jingli))
    assert second in waiting
    assert first not in waiting
    cancel = AuditEvent.objects.get(action="governance.approval.cancel", object_id=str(first.pk))
    assert cancel.after["reason"] == "已提交新的版本"
    with pytest.raises(Conflict):
        approval_decide(actor=jingli, approval=first, approve=True, comment="")


def test_only_the_requester_cancels(yunying, jingli, shop):
    approval = ask(yunying, shop)
    with pytest.raises(Forbidden):
        approval_cancel(actor=jingli, approval=approval)
    assert approval_cancel(actor=yunying, approval=approval).status == ApprovalStatus.CANCELLED


def test_misuse_is_a_programming_error(yunying, shop):
    before = ApprovalRequest.objects.count()
    with pytest.raises(ValueError, match="either"):
        approval_request(actor=yunying, obj=shop, snapshot={}, title="x")
    with pytest.raises(ValueError, match="RoleCode"):
        approval_request(actor=yunying, obj=shop, snapshot={}, title="x", approver_roles=["boss"])
    with pytest.raises(ValueError, match="requesting user"):
        approval_request(actor=None, obj=shop, snapshot={}, title="x", approver_roles=["admin"])
    assert ApprovalRequest.objects.count() == before


def test_requesting_in_a_store_one_does_not_work_in_is_not_found(kefu_jd, stores):
    before = ApprovalRequest.objects.count()
    with pytest.raises(NotFound):
        ask(kefu_jd, stores["tb-main"])
    assert ApprovalRequest.objects.count() == before


def test_snapshot_rows_mark_what_changed():
    rows = snapshot_rows({"a": "1", "b": [1, 2]}, {"a": "1", "b": [1], "c": "x"})
    assert [(r["key"], r["changed"], r["removed"]) for r in rows] == [
        ("a", False, False),
        ("b", True, False),
        ("c", True, True),
    ]
    assert rows[1]["value"] == "[1, 2]"
