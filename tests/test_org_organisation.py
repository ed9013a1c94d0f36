"""R2.5 departments and contact persons, R2.6 positions (duties, pay, acknowledgement),
R2.2 store profiles."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.org.models import Department, Position, PositionAcknowledgement, StoreProfile
from storeops.org.selectors import contact_persons_for_user, positions_awaiting_ack
from storeops.org.services import (
    department_create,
    department_update,
    position_acknowledge,
    position_create,
    position_update,
    process_create,
)


def put(api, path, payload):
    return api.client.put(path, json.dumps(payload), content_type="application/json", **api.headers)


# --- departments and contact persons (R2.5) -------------------------------------------------------
def test_contact_persons_for_user(demo):
    assert contact_persons_for_user(demo["kefu_jd"]) == [demo["kefu"]]
    assert contact_persons_for_user(demo["kefu"]) == [demo["kefu"]]  # the contact themself
    assert contact_persons_for_user(demo["admin"]) == []  # in no department
    assert contact_persons_for_user(None) == []


def test_contact_persons_of_several_departments_each_once(demo, jingli):
    service = Department.objects.get(code="service")
    warehouse = Department.objects.get(code="warehouse")
    service.members.add(demo["cangku"])
    warehouse.members.add(demo["kefu_jd"])
    assert contact_persons_for_user(demo["kefu_jd"]) == sorted(
        [demo["kefu"], demo["cangku"]], key=lambda u: u.pk
    )
    department_update(actor=jingli, department=warehouse, contact_person=demo["kefu_jd"])
    assert demo["kefu_jd"] in contact_persons_for_user(demo["kefu_jd"])
    demo["kefu"].is_active = False
    demo["kefu"].save()
    assert demo["kefu"] not in contact_persons_for_user(demo["kefu_jd"])


def test_department_create_audited_and_refused_without_permission(demo, jingli, yunying):
    department = department_create(
        actor=jingli, code="design", name="设计部", contact_person=demo["meigong"]
    )
    assert list(department.members.all()) == [demo["meigong"]]  # the contact is a member
    event = AuditEvent.objects.filter(action="org.department.create").latest("id")
    assert event.after["contact_person"] == "meigong"
    with pytest.raises(Forbidden):
        department_create(actor=yunying, code="x", name="某部")
    assert not Department.objects.filter(code="x").exists()
    with pytest.raises(Conflict):
        department_create(actor=jingli, code="design", name="另一个")


def test_process_shown_on_both_departments_pages(demo, jingli, web_as):
    commerce = Department.objects.get(code="commerce")
    planning = Department.objects.get(code="planning")
    with pytest.raises(Invalid):
        process_create(actor=jingli, from_department=commerce, to_department=commerce, title="x")
    page_from = web_as(demo["kefu"]).get(f"/org/departments/{commerce.pk}/").content.decode()
    page_to = web_as(demo["kefu"]).get(f"/org/departments/{planning.pk}/").content.decode()
    assert "新品资料" in page_from
    assert "新品资料" in page_to
    assert "郑商务" in page_from  # the contact person


def test_departments_api(demo, api_as):
    response = api_as(demo["kefu"]).get("/api/v1/org/departments")
    assert response.status_code == 200
    service = next(d for d in response.json()["items"] if d["code"] == "service")
    assert service == {
        "id": service["id"],
        "code": "service",
        "name": "客服部",
        "contact_person": "kefu",
        "members": ["kefu", "kefu_jd"],
    }
    assert api_as(None).get("/api/v1/org/departments").status_code == 401


def test_department_list_page(demo, web_as):
    page = web_as(demo["cangku"]).get("/org/departments/")
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("商务部", "市场组", "企划组", "运营部", "客服部", "仓库", "财务部", "格润莱特"):
        assert name in text


# --- positions (R2.6) ----------------------------------------------------------------------------
def test_member_acknowledges_and_a_change_asks_again(demo, jingli, web_as):
    kefu = demo["kefu"]
    position = Position.objects.get(name="客服专员")
    assert position in positions_awaiting_ack(user=kefu)
    workbench = web_as(kefu).get("/workbench/").content.decode()
    assert "请确认岗位职责与薪酬：客服专员" in workbench

    page = web_as(kefu).get(f"/org/positions/{position.pk}/").content.decode()
    assert "¥4500.00" in page
    assert "我已阅读并确认" in page
    response = web_as(kefu).post(f"/org/positions/{position.pk}/acknowledge/")
    assert response.status_code == 302
    assert PositionAcknowledgement.objects.filter(position=position, user=kefu, version=1).exists()
    assert position not in positions_awaiting_ack(user=kefu)
    assert "请确认岗位职责" not in web_as(kefu).get("/workbench/").content.decode()

    position = position_update(actor=jingli, position=position, base_pay=Decimal("4800"))
    assert position.version == 2
    assert position in positions_awaiting_ack(user=kefu)
    event = AuditEvent.objects.filter(action="org.position.update").latest("id")
    assert event.before["base_pay"] == "4500.00"
    assert event.after["base_pay"] == "4800.00"
    # a change of members only is not a new version
    position = position_update(actor=jingli, position=position, members=[kefu])
    assert position.version == 2


def test_acknowledge_refused_to_non_member(demo, web_as):
    position = Position.objects.get(name="客服专员")
    with pytest.raises(Forbidden):
        position_acknowledge(actor=demo["cangku"], position=position)
    assert (
        web_as(demo["cangku"]).post(f"/org/positions/{position.pk}/acknowledge/").status_code == 403
    )
    assert not PositionAcknowledgement.objects.exists()


def test_pay_shown_to_members_and_pay_managers_only(demo, web_as):
    position = Position.objects.get(name="客服专员")
    assert (
        "¥4500.00"
        not in web_as(demo["cangku"]).get(f"/org/positions/{position.pk}/").content.decode()
    )
    manager_page = web_as(demo["jingli"]).get(f"/org/positions/{position.pk}/").content.decode()
    assert "¥4500.00" in manager_page
    assert "未确认" in manager_page  # the acknowledgement status for managers
    listing = web_as(demo["cangku"]).get("/org/positions/").content.decode()
    assert "¥4000.00" in listing  # their own
    assert "¥4500.00" not in listing


def test_position_pay_rules_validated(jingli):
    with pytest.raises(Invalid):
        position_create(actor=jingli, name="x", commission_rate=Decimal("1.5"))
    with pytest.raises(Invalid):
        position_create(actor=jingli, name="y", base_pay=Decimal("-1"))
    position = position_create(
        actor=jingli, name="z", base_pay=Decimal("3000.456"), commission_rate=Decimal("0.015")
    )
    assert position.base_pay == Decimal("3000.46")
    assert position.commission_rate == Decimal("0.0150")


def test_position_edit_refused_without_permission(demo, yunying, web_as):
    position = Position.objects.get(name="客服专员")
    with pytest.raises(Forbidden):
        position_update(actor=yunying, position=position, base_pay=Decimal("1"))
    assert web_as(yunying).get(f"/org/positions/{position.pk}/edit/").status_code == 403
    position.refresh_from_db()
    assert position.base_pay == Decimal("4500.00")


# --- store profiles (R2.2) -----------------------------------------------------------------------
PROFILE = "/api/v1/stores/{code}/profile"
FIVE = {
    "product_positioning": "灯具",
    "customer_positioning": "年轻家庭",
    "price_positioning": "中端",
    "feature_positioning": "护眼",
    "service_positioning": "一年质保",
}


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("yunying", "pdd-main", 200),
        ("jingli", "pdd-main", 200),
        ("kefu", "pdd-main", 403),
        ("kefu_jd", "pdd-main", 404),
        ("kefu_jd", "jd-main", 403),
    ],
)
def test_profile_put_persona_matrix(persona, code, status, demo, api_as):
    response = put(api_as(demo[persona]), PROFILE.format(code=code), FIVE)
    assert response.status_code == status
    saved = StoreProfile.objects.filter(store__code=code).first()
    if status == 200:
        assert response.json()["product_positioning"] == "灯具"
        assert saved.service_positioning == "一年质保"
        event = AuditEvent.objects.filter(
            action="org.store_profile.update", store_id=saved.store_id
        ).latest("id")
        assert event.after == FIVE
        assert event.before == dict.fromkeys(FIVE, "")
    else:
        assert saved is None or saved.product_positioning != "灯具"


def test_profile_get(demo, api_as):
    body = api_as(demo["kefu"]).get(PROFILE.format(code="tb-main")).json()
    assert body["product_positioning"].startswith("家用照明灯具")
    assert api_as(demo["kefu_jd"]).get(PROFILE.format(code="tb-main")).status_code == 404
    assert (
        api_as(demo["kefu"]).get(PROFILE.format(code="pdd-main")).json()["price_positioning"] == ""
    )


def test_profile_too_long_is_422(yunying, api_as):
    response = put(
        api_as(yunying), PROFILE.format(code="tb-main"), {"price_positioning": "x" * 5001}
    )
    assert response.status_code == 422


def test_profile_page_edit_and_read_only(demo, web_as):
    response = web_as(demo["yunying"]).post(
        "/org/stores/pdd-main/profile/", {**FIVE, "price_positioning": "低价走量"}
    )
    assert response.status_code == 302
    assert StoreProfile.objects.get(store__code="pdd-main").price_positioning == "低价走量"
    page = web_as(demo["kefu"]).get("/org/stores/pdd-main/profile/").content.decode()
    assert "低价走量" in page
    assert "<textarea" not in page
    assert web_as(demo["kefu"]).post("/org/stores/pdd-main/profile/", FIVE).status_code == 403
    assert web_as(demo["kefu_jd"]).get("/org/stores/pdd-main/profile/").status_code == 404
