"""Approvals over the API and on the pages: the persona matrix (allowed / denied / other store)."""

from __future__ import annotations

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.roles import RoleCode
from storeops.governance.enums import ApprovalStatus
from storeops.governance.services import approval_request

SNAPSHOT = {"标题": "店铺招牌更新", "颜色": "蓝"}


@pytest.fixture
def approval(yunying, stores):
    return approval_request(
        actor=yunying,
        obj=stores["jd-main"],
        snapshot=SNAPSHOT,
        title="京东店招更新",
        approver_roles=[RoleCode.MANAGER],
        store=stores["jd-main"],
        url="/org/stores/",
    )


def test_list_waiting_for_me(api_as, jingli, approval):
    response = api_as(jingli).get("/api/v1/approvals")

    assert response.status_code == 200
    body = response.json()
    # newest first; the seeded demo may have its own pending approvals after it
    assert body["items"][0]["id"] == approval.pk
    item = body["items"][0]
    assert item["status"] == "pending"
    assert item["status_label"] == "待审批"
    assert item["snapshot"] == SNAPSHOT
    assert item["store"] == "jd-main"
    assert item["requested_by"] == "yunying"
    assert item["steps"][0]["approver_roles"] == ["manager"]
    assert body["next"] is None


def test_list_requested_and_all(api_as, yunying, kefu, shenji, approval):
    mine = api_as(yunying).get("/api/v1/approvals", mine="requested").json()
    assert [a["id"] for a in mine["items"]] == [approval.pk]
    assert api_as(yunying).get("/api/v1/approvals").json()["items"] == []
    assert api_as(kefu).get("/api/v1/approvals", mine="all").status_code == 403
    everything = api_as(shenji).get("/api/v1/approvals", mine="all", status="pending").json()
    assert everything["items"][0]["id"] == approval.pk
    assert {a["status"] for a in everything["items"]} == {"pending"}
    approved = api_as(shenji).get("/api/v1/approvals", mine="all", status="approved").json()
    assert approval.pk not in [a["id"] for a in approved["items"]]
    assert {a["status"] for a in approved["items"]} <= {"approved"}


def test_list_pages_with_a_cursor(api_as, jingli, yunying, stores):
    for code in ("tb-main", "jd-main", "pdd-main"):
        approval_request(
            actor=yunying,
            obj=stores[code],
            snapshot={"店": code},
            title=code,
            approver_roles=[RoleCode.MANAGER],
            store=stores[code],
        )
    client = api_as(jingli)
    first = client.get("/api/v1/approvals", limit=2).json()
    second = client.get("/api/v1/approvals", limit=2, cursor=first["next"]).json()
    # newest first; the seeded demo's own pending approvals come after these three
    assert [a["title"] for a in first["items"] + second["items"]][:3] == [
        "pdd-main",
        "jd-main",
        "tb-main",
    ]
    assert len(first["items"]) == 2


def test_detail_matrix(api_as, approval, yunying, jingli, shenji, kefu, kefu_jd, stores):
    url = f"/api/v1/approvals/{approval.pk}"
    assert api_as(yunying).get(url).status_code == 200  # requester
    assert api_as(jingli).get(url).status_code == 200  # approver role
    assert api_as(shenji).get(url).status_code == 200  # VIEW_APPROVAL
    assert api_as(kefu).get(url).status_code == 404  # no business with it
    assert api_as(None).get(url).status_code == 401
    jingli.stores.set([stores["tb-main"]])
    assert api_as(jingli).get(url).status_code == 404  # other store
    assert api_as(jingli).get("/api/v1/approvals/999999").status_code == 404


def test_approve_over_the_api(api_as, approval, jingli):
    response = api_as(jingli).post(f"/api/v1/approvals/{approval.pk}/approve", {"comment": "同意"})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["steps"][0]["decided_by"] == "jingli"
    assert body["steps"][0]["comment"] == "同意"
    assert (
        AuditEvent.objects.filter(
            action="governance.approval.approve", object_id=str(approval.pk)
        ).count()
        == 1
    )


def test_reject_without_comment_is_422_naming_the_field(api_as, approval, jingli):
    response = api_as(jingli).post(f"/api/v1/approvals/{approval.pk}/reject", {"comment": ""})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "approval.comment_required"
    assert response.json()["error"]["details"] == {"field": "comment"}
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_reject_with_comment(api_as, approval, jingli):
    response = api_as(jingli).post(
        f"/api/v1/approvals/{approval.pk}/reject", {"comment": "颜色不对"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


def test_decision_refusals(api_as, approval, yunying, kefu, shenji, jingli, stores):
    url = f"/api/v1/approvals/{approval.pk}/approve"
    self_approval = api_as(yunying).post(url, {"comment": ""})
    assert self_approval.status_code == 403
    assert self_approval.json()["error"]["code"] == "approval.self"
    assert api_as(shenji).post(url, {}).json()["error"]["code"] == "approval.wrong_role"
    assert api_as(kefu).post(url, {}).status_code == 404
    assert api_as(None).post(url, {}).status_code == 401
    jingli.stores.set([stores["tb-main"]])
    assert api_as(jingli).post(url, {}).status_code == 404
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert not AuditEvent.objects.filter(
        action="governance.approval.approve", object_id=str(approval.pk)
    ).exists()


def test_bad_input(api_as, jingli, approval):
    client = api_as(jingli)
    assert client.get("/api/v1/approvals", mine="everyone").status_code == 422
    assert client.get("/api/v1/approvals", status="done").status_code == 422
    assert client.get("/api/v1/approvals", cursor="???").status_code == 422
    assert client.get(f"/api/v1/approvals/{2**60}").status_code == 422
    too_long = client.post(f"/api/v1/approvals/{approval.pk}/approve", {"comment": "x" * 2001})
    assert too_long.status_code == 422
    nul = client.post(f"/api/v1/approvals/{approval.pk}/reject", {"comment": "a\x00b"})
    assert nul.status_code == 422
    assert nul.json()["error"]["details"] == {"field": "comment"}


# --- pages ---------------------------------------------------------------------------------------
def test_pages_waiting_detail_and_decide(web_as, approval, jingli, yunying):
    client = web_as(jingli)
    page = client.get("/governance/approvals/")
    assert page.status_code == 200
    assert "京东店招更新" in page.content.decode()

    detail = client.get(f"/governance/approvals/{approval.pk}/").content.decode()
    assert "店铺招牌更新" in detail
    assert 'data-testid="decide-form"' in detail

    requester_view = web_as(yunying).get(f"/governance/approvals/{approval.pk}/").content.decode()
    assert 'data-testid="decide-form"' not in requester_view
    assert "不能审批自己发起的申请" in requester_view

    response = client.post(
        f"/governance/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": ""},
        follow=True,
    )
    assert "驳回时请填写意见" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING

    response = client.post(
        f"/governance/approvals/{approval.pk}/decide/",
        {"decision": "approve", "comment": "好"},
        follow=True,
    )
    assert response.status_code == 200
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert "已通过" in response.content.decode()


def test_detail_shows_the_change_against_the_last_approved(web_as, yunying, jingli, stores):
    shop = stores["tb-main"]
    first = approval_request(
        actor=yunying, obj=shop, snapshot={"价格": "99"}, title="改价", approver_roles=["manager"]
    )
    web_as(jingli).post(f"/governance/approvals/{first.pk}/decide/", {"decision": "approve"})
    second = approval_request(
        actor=yunying, obj=shop, snapshot={"价格": "89"}, title="改价", approver_roles=["manager"]
    )
    html = web_as(jingli).get(f"/governance/approvals/{second.pk}/").content.decode()
    assert f"与上次通过的版本（#{first.pk}）对比" in html
    assert 'class="table-warning"' in html


def test_workbench_panel_lists_it(web_as, approval, jingli, kefu):
    html = web_as(jingli).get("/workbench/").content.decode()
    assert "京东店招更新" in html
    assert f"/governance/approvals/{approval.pk}/" in html
    assert "京东店招更新" not in web_as(kefu).get("/workbench/").content.decode()


def test_all_tab_only_with_view_permission(web_as, approval, kefu, shenji):
    assert "京东店招更新" not in web_as(kefu).get("/governance/approvals/?tab=all").content.decode()
    assert "京东店招更新" in web_as(shenji).get("/governance/approvals/?tab=all").content.decode()
    assert web_as(kefu).get(f"/governance/approvals/{approval.pk}/").status_code == 404
