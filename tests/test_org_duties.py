"""The responsibility matrix (R2.1–R2.16 task items, R2.17 分工负责): seeded on every install,
owners assigned by 系统管理员 / 经理, shown on the 工作台, exported to Excel, an unowned item is an
alert to the 系统管理员."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from storeops.audit.models import AuditEvent
from storeops.core.excel import XLSX_TYPE
from storeops.notifications.models import Alert, Notification
from storeops.org.models import Department, Duty
from storeops.org.services import DUTY_MATRIX, duty_owner_check, duty_seed

URL = "/api/v1/org/duties"


def patch(api, path, payload):
    return api.client.patch(
        path, json.dumps(payload), content_type="application/json", **api.headers
    )


def _open_unowned_alerts():
    return Alert.objects.filter(kind="org.duty_unowned", resolved_at__isnull=True)


def test_every_task_item_is_seeded_once(db):
    expected = sum(len(items) for _id, _m, _c, items in DUTY_MATRIX)
    assert Duty.objects.count() == expected  # seeded after migrate, before any demo data
    assert duty_seed() == 0  # idempotent
    assert set(Duty.objects.values_list("policy_id", flat=True)) == {
        f"R2.{n}" for n in range(1, 17)
    }
    r23 = list(Duty.objects.filter(policy_id="R2.3").values_list("item", flat=True))
    assert r23 == ["店铺招牌", "商品分类", "主店子页面", "描述模板", "促销区", "自定义模块"]


def test_seed_restores_a_missing_item_without_touching_others(demo, admin):
    Duty.objects.filter(policy_id="R2.15").delete()
    kept = Duty.objects.get(policy_id="R2.8", item="改价")
    assert duty_seed() == 1
    assert Duty.objects.get(policy_id="R2.8", item="改价").owner == kept.owner


def test_list_api_with_owner_and_department(demo, api_as):
    response = api_as(demo["kefu"]).get(URL)
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == Duty.objects.count()
    price = next(i for i in items if i["item"] == "改价")
    assert price["policy_id"] == "R2.8"
    assert price["owner"] == "kefu"
    assert price["department"]["name"] == "客服部"
    assert price["module_label"] == "网店运营"
    unowned = api_as(demo["kefu"]).get(URL, unassigned="true").json()["items"]
    assert sorted(i["item"] for i in unowned) == ["企业博客", "同类产品市场与营销统计"]
    mine = api_as(demo["kefu"]).get(URL, owner="cangku").json()["items"]
    assert {i["owner"] for i in mine} == {"cangku"}


@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 200), ("jingli", 200), ("yunying", 403), ("kefu", 403)]
)
def test_patch_persona_matrix(persona, status, demo, api_as):
    duty = Duty.objects.get(item="企业博客")
    response = patch(
        api_as(demo[persona]), f"{URL}/{duty.pk}", {"owner": "qihua", "notes": "每周一篇"}
    )
    assert response.status_code == status
    duty.refresh_from_db()
    if status == 200:
        assert response.json()["owner"] == "qihua"
        assert duty.owner.username == "qihua"
        event = AuditEvent.objects.filter(action="org.duty.update").latest("id")
        assert event.before == {"owner": None, "department": None, "notes": ""}
        assert event.after == {"owner": "qihua", "department": None, "notes": "每周一篇"}
        assert event.actor_username == persona
    else:
        assert duty.owner is None


def test_patch_bad_input(admin, api_as):
    duty = Duty.objects.get(item="企业博客")
    api = api_as(admin)
    assert patch(api, f"{URL}/{duty.pk}", {"owner": "nobody"}).status_code == 422
    assert patch(api, f"{URL}/{duty.pk}", {"department": 999999}).status_code == 422
    assert patch(api, f"{URL}/999999", {"owner": "kefu"}).status_code == 404
    assert patch(api, f"{URL}/0", {"owner": "kefu"}).status_code == 422
    duty.refresh_from_db()
    assert duty.owner is None


def test_patch_clears_owner_and_sets_department(admin, api_as):
    duty = Duty.objects.get(item="改价")
    planning = Department.objects.get(code="planning")
    response = patch(api_as(admin), f"{URL}/{duty.pk}", {"owner": None, "department": planning.pk})
    assert response.status_code == 200
    duty.refresh_from_db()
    assert duty.owner is None
    assert duty.department == planning
    assert _open_unowned_alerts().filter(dedupe_key=f"org.duty.unowned:{duty.pk}").exists()


def test_unowned_items_alert_the_admins_and_resolve_when_assigned(demo, admin, api_as):
    alerts = _open_unowned_alerts()
    assert sorted(a.title for a in alerts) == [
        "职责未指定责任人：R2.15 同类产品市场与营销统计",
        "职责未指定责任人：R2.4 企业博客",
    ]
    assert set(
        Notification.objects.filter(alert__in=alerts).values_list("recipient__username", flat=True)
    ) == {"admin"}
    assert duty_owner_check() == 2  # the periodic check: still 2, no second alert
    assert alerts.count() == 2
    duty = Duty.objects.get(item="企业博客")
    patch(api_as(admin), f"{URL}/{duty.pk}", {"owner": "qihua"})
    assert [a.title for a in _open_unowned_alerts()] == [
        "职责未指定责任人：R2.15 同类产品市场与营销统计"
    ]


def test_an_owner_deactivated_counts_as_unowned(demo):
    demo["cangku"].is_active = False
    demo["cangku"].save()
    duty_owner_check()
    titles = [a.title for a in _open_unowned_alerts()]
    assert "职责未指定责任人：R2.9 配货、核对" in titles


def test_periodic_task(demo):
    from storeops.org.tasks import duty_owner_check_task

    Duty.objects.filter(item="改价").update(owner=None)
    duty_owner_check_task.call_local()
    assert _open_unowned_alerts().count() == 3


def test_workbench_shows_my_duties(demo, web_as):
    page = web_as(demo["cangku"]).get("/workbench/").content.decode()
    assert "我的职责：按打包规范打包" in page
    assert "我的职责：库存预警" in page
    assert "我的职责：改价" not in page


def test_matrix_page_filters_and_edit(demo, admin, web_as):
    page = web_as(demo["kefu"]).get("/org/duties/?unassigned=1").content.decode()
    assert "企业博客" in page
    assert "改价" not in page
    assert "指定</a>" not in page  # kefu may not edit
    duty = Duty.objects.get(item="企业博客")
    response = web_as(admin).post(
        f"/org/duties/{duty.pk}/edit/", {"owner": demo["qihua"].pk, "notes": ""}
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.owner == demo["qihua"]
    assert web_as(demo["yunying"]).get(f"/org/duties/{duty.pk}/edit/").status_code == 403


def test_matrix_excel_export(demo, web_as):
    response = web_as(demo["kefu"]).get("/org/duties/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("编号", "模块", "任务类别", "任务项", "责任人", "部门", "备注")
    assert ("R2.8", "网店运营", "在线销售", "改价", "李客服", "客服部", None) in rows
    assert len(rows) == 1 + Duty.objects.count()
    filtered = web_as(demo["kefu"]).get("/org/duties/export/?unassigned=1")
    rows = list(load_workbook(io.BytesIO(filtered.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3
