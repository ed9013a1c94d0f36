"""Redesign proposals (R3.5): anyone proposes with mock-ups, others comment, 经理 approves (never
their own), the approval creates the execution task with owner and due time, before/after kept."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from storeops.accounts.models import Role
from storeops.accounts.services import user_create
from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.roles import RoleCode
from storeops.governance.models import ApprovalRequest, ObligationOccurrence
from storeops.governance.services import approval_decide_generic
from storeops.notifications.models import Notification
from storeops.storefront import services
from storeops.storefront.models import RedesignProposal
from tests.conftest import PASSWORD
from tests.storefront_helpers import png_bytes, publish_page

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(demo, stores):
    page = services.page_create(
        actor=demo["qihua"], store=stores["tb-main"], kind="store_page", name="改版测试页"
    )
    publish_page(page, writer=demo["qihua"], approver=demo["jingli"], title="旧版", body="旧内容")
    return page


@pytest.fixture
def proposal(demo, page):
    proposal = services.proposal_create(
        actor=demo["kefu"], page=page, title="首屏换成大图", description="顾客反映首屏太挤"
    )
    services.proposal_image_add(
        actor=demo["kefu"], proposal=proposal, kind="mockup", content=png_bytes()
    )
    return proposal


DUE = dt.date(2026, 12, 4)


def test_anyone_proposes_and_before_is_the_live_page(demo, page, proposal):
    assert proposal.status == "discussing"
    assert proposal.before_publication.revision.title == "旧版"
    assert proposal.images.get().kind == "mockup"
    assert AuditEvent.objects.filter(
        action="storefront.proposal.create", object_id=str(proposal.pk)
    ).exists()


def test_others_comment_and_the_proposer_is_told(demo, proposal):
    services.proposal_comment(actor=demo["yunying"], proposal=proposal, body="同意，图片要压缩")

    assert proposal.comments.get().author == demo["yunying"]
    assert Notification.objects.filter(
        recipient=demo["kefu"], kind="storefront.proposal_comment"
    ).exists()
    with pytest.raises(Invalid):
        services.proposal_comment(actor=demo["yunying"], proposal=proposal, body="  ")


def test_submit_needs_a_mockup_and_only_the_proposer_submits(demo, page):
    bare = services.proposal_create(
        actor=demo["kefu"], page=page, title="没有设计稿", description="先提个想法"
    )
    with pytest.raises(Conflict) as refused:
        services.proposal_submit(actor=demo["kefu"], proposal=bare)
    assert refused.value.code == "proposal.mockup_required"
    bare.refresh_from_db()
    assert bare.status == "discussing"
    with pytest.raises(Forbidden):
        services.proposal_submit(actor=demo["yunying"], proposal=bare)


def test_manager_approves_and_the_execution_task_is_created(demo, proposal):
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)

    services.proposal_approve(
        actor=demo["jingli"], proposal=proposal, owner=demo["qihua"], due_date=DUE, comment="可以"
    )

    proposal.refresh_from_db()
    assert proposal.status == "approved"
    assert proposal.owner == demo["qihua"]
    due_at = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)  # 18:00 Shanghai
    assert proposal.due_at == due_at
    obligation = proposal.obligation
    assert (obligation.owner, obligation.kind, obligation.policy_id) == (
        demo["qihua"],
        "storefront.redesign",
        "R3.5",
    )
    occurrence = ObligationOccurrence.objects.get(obligation=obligation)
    assert (occurrence.status, occurrence.due_at) == ("open", due_at)
    assert Notification.objects.filter(
        recipient=demo["qihua"], kind="storefront.proposal_assigned"
    ).exists()
    event = AuditEvent.objects.get(action="storefront.proposal.approve", object_id=str(proposal.pk))
    assert event.after["owner"] == "qihua"


def test_self_approval_is_refused(demo, page, stores):
    second = user_create(
        actor=None,
        username="jingli2",
        password=PASSWORD,
        roles=[Role.objects.get(code=RoleCode.MANAGER)],
        stores=[stores["tb-main"]],
    )
    own = services.proposal_create(
        actor=demo["jingli"], page=page, title="经理自己的方案", description="换配色"
    )
    services.proposal_image_add(
        actor=demo["jingli"], proposal=own, kind="mockup", content=png_bytes()
    )
    services.proposal_submit(actor=demo["jingli"], proposal=own)

    with pytest.raises(Forbidden) as refused:
        services.proposal_approve(actor=demo["jingli"], proposal=own, owner=second, due_date=DUE)

    assert refused.value.code == "approval.self"
    own.refresh_from_db()
    assert (own.status, own.obligation_id) == ("submitted", None)
    services.proposal_approve(actor=second, proposal=own, owner=demo["qihua"], due_date=DUE)
    own.refresh_from_db()
    assert own.status == "approved"


def test_not_a_manager_cannot_approve_and_governance_sends_to_the_proposal(demo, proposal):
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)

    with pytest.raises(Forbidden):
        services.proposal_approve(
            actor=demo["yunying"], proposal=proposal, owner=demo["qihua"], due_date=DUE
        )
    approval = ApprovalRequest.objects.get(
        object_type="storefront.redesignproposal", object_id=str(proposal.pk)
    )
    with pytest.raises(Conflict) as elsewhere:
        approval_decide_generic(actor=demo["jingli"], approval=approval, approve=True)
    assert elsewhere.value.code == "approval.decide_in_owner"
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_owner_must_work_in_the_store_and_due_date_in_the_future(demo, proposal):
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)
    with pytest.raises(Invalid) as wrong_owner:
        services.proposal_approve(
            actor=demo["jingli"], proposal=proposal, owner=demo["kefu_jd"], due_date=DUE
        )
    assert wrong_owner.value.details == {"field": "owner"}
    with pytest.raises(Invalid) as past:
        services.proposal_approve(
            actor=demo["jingli"],
            proposal=proposal,
            owner=demo["qihua"],
            due_date=dt.date(2026, 11, 27),  # today, but 18:00 has come
        )
    assert past.value.details == {"field": "due_date"}
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_rejected_proposal_is_revised_and_submitted_again(demo, proposal):
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)
    services.proposal_reject(actor=demo["jingli"], proposal=proposal, comment="先做移动端")
    proposal.refresh_from_db()
    assert proposal.status == "rejected"

    services.proposal_update(
        actor=demo["kefu"], proposal=proposal, title="首屏换成大图（移动端）", description="改"
    )
    proposal.refresh_from_db()
    assert proposal.status == "discussing"
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_refused_transitions(demo, proposal):
    with pytest.raises(Conflict):  # not submitted yet
        services.proposal_approve(
            actor=demo["jingli"], proposal=proposal, owner=demo["qihua"], due_date=DUE
        )
    with pytest.raises(Conflict):
        services.proposal_complete(actor=demo["jingli"], proposal=proposal)
    services.proposal_withdraw(actor=demo["kefu"], proposal=proposal)
    with pytest.raises(Conflict):
        services.proposal_submit(actor=demo["kefu"], proposal=proposal)
    with pytest.raises(Conflict):
        services.proposal_comment(actor=demo["yunying"], proposal=proposal, body="晚了")
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_done_records_before_and_after(demo, page, proposal):
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)
    services.proposal_approve(
        actor=demo["jingli"], proposal=proposal, owner=demo["qihua"], due_date=DUE
    )
    with pytest.raises(Conflict) as nothing_new:
        services.proposal_complete(actor=demo["qihua"], proposal=proposal)
    assert nothing_new.value.code == "proposal.after_missing"
    with pytest.raises(Forbidden):
        services.proposal_complete(actor=demo["yunying"], proposal=proposal)

    after = publish_page(
        page, writer=demo["qihua"], approver=demo["jingli"], title="新版", body="大图首屏"
    )
    services.proposal_complete(actor=demo["qihua"], proposal=proposal, note="已上线")

    proposal = RedesignProposal.objects.get(pk=proposal.pk)
    assert proposal.status == "done"
    assert proposal.before_publication.revision.title == "旧版"
    assert proposal.after_publication == after
    occurrence = ObligationOccurrence.objects.get(obligation=proposal.obligation)
    assert occurrence.status == "done"
    assert occurrence.evidence == f"/storefront/proposals/{proposal.pk}/"
    assert AuditEvent.objects.filter(
        action="storefront.proposal.complete", object_id=str(proposal.pk)
    ).exists()


def test_after_screenshots_are_enough_without_a_new_publication(demo, proposal):
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)
    services.proposal_approve(
        actor=demo["jingli"], proposal=proposal, owner=demo["qihua"], due_date=DUE
    )
    with pytest.raises(Conflict):  # after-screenshots are the owner's, mock-ups are closed
        services.proposal_image_add(
            actor=demo["kefu"], proposal=proposal, kind="mockup", content=png_bytes()
        )
    services.proposal_image_add(
        actor=demo["qihua"], proposal=proposal, kind="after", content=png_bytes((0, 120, 0))
    )

    services.proposal_complete(actor=demo["qihua"], proposal=proposal)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.after_publication_id) == ("done", None)


def test_not_an_image_is_refused(demo, proposal):
    with pytest.raises(Invalid) as refused:
        services.proposal_image_add(
            actor=demo["kefu"], proposal=proposal, kind="mockup", content=b"<svg></svg>"
        )
    assert refused.value.code == "image.unreadable"
    assert proposal.images.count() == 1
