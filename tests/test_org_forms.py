"""R2.5/R2.6 pages: create and edit departments, add processes, create positions."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from storeops.audit.models import AuditEvent
from storeops.org.models import Department, DepartmentProcess, Position


def test_admin_creates_and_edits_a_department(demo, admin, web_as):
    web = web_as(admin)
    page = web.get(reverse("org:department_list"))
    assert "新建部门" in page.content.decode()
    assert "新增流程" in page.content.decode()
    response = web.post(
        reverse("org:department_create"),
        {"code": "design", "name": "设计部", "contact_person": demo["meigong"].pk},
    )
    department = Department.objects.get(code="design")
    assert response.status_code == 302
    assert list(department.members.all()) == [demo["meigong"]]
    assert AuditEvent.objects.filter(action="org.department.create").exists()
    detail = web.get(reverse("org:department_detail", args=[department.pk]))
    assert "编辑" in detail.content.decode()
    response = web.post(
        reverse("org:department_edit", args=[department.pk]),
        {"name": "视觉设计部", "members": [demo["meigong"].pk, demo["yunying"].pk]},
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name == "视觉设计部"
    assert department.contact_person is None
    assert AuditEvent.objects.filter(action="org.department.update").exists()


def test_admin_adds_a_process_and_a_same_department_process_is_refused(demo, admin, web_as):
    web = web_as(admin)
    service = Department.objects.get(code="service")
    warehouse = Department.objects.get(code="warehouse")
    data = {"from_department": service.pk, "to_department": warehouse.pk, "title": "退货交接"}
    assert web.post(reverse("org:process_create"), data).status_code == 302
    assert DepartmentProcess.objects.filter(title="退货交接").exists()
    assert AuditEvent.objects.filter(action="org.process.create").exists()
    response = web.post(
        reverse("org:process_create"), {**data, "to_department": service.pk, "title": "自交接"}
    )
    assert response.status_code == 200
    assert "交出和接收部门不能相同" in response.content.decode()
    assert not DepartmentProcess.objects.filter(title="自交接").exists()


def test_admin_creates_a_position(demo, admin, web_as):
    web = web_as(admin)
    assert "新建岗位" in web.get(reverse("org:position_list")).content.decode()
    service = Department.objects.get(code="service")
    response = web.post(
        reverse("org:position_create"),
        {
            "department": service.pk,
            "name": "售后专员",
            "duties": "处理退款",
            "qualifications": "",
            "base_pay": "5000",
            "commission_rate": "0.0100",
            "members": [demo["kefu"].pk],
        },
    )
    assert response.status_code == 302
    position = Position.objects.get(name="售后专员")
    assert position.base_pay == Decimal("5000.00")
    assert position.department == service
    assert list(position.members.all()) == [demo["kefu"]]
    assert AuditEvent.objects.filter(action="org.position.create").exists()


def test_without_permission_403_and_nothing_changes(demo, yunying, web_as):
    web = web_as(yunying)
    assert "新建部门" not in web.get(reverse("org:department_list")).content.decode()
    assert "新建岗位" not in web.get(reverse("org:position_list")).content.decode()
    service = Department.objects.get(code="service")
    assert (
        "编辑" not in web.get(reverse("org:department_detail", args=[service.pk])).content.decode()
    )
    departments, positions = Department.objects.count(), Position.objects.count()
    events = AuditEvent.objects.filter(action__startswith="org.").count()
    assert web.get(reverse("org:department_create")).status_code == 403
    assert (
        web.post(reverse("org:department_create"), {"code": "x", "name": "某部"}).status_code == 403
    )
    edit = reverse("org:department_edit", args=[service.pk])
    assert web.post(edit, {"name": "改名"}).status_code == 403
    assert web.post(reverse("org:process_create"), {"title": "t"}).status_code == 403
    response = web.post(
        reverse("org:position_create"), {"name": "某岗", "base_pay": "1", "commission_rate": "0"}
    )
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.name != "改名"
    assert (Department.objects.count(), Position.objects.count()) == (departments, positions)
    assert AuditEvent.objects.filter(action__startswith="org.").count() == events


def test_bad_input_re_renders_with_the_error(demo, admin, web_as):
    web = web_as(admin)
    response = web.post(reverse("org:department_create"), {"code": "empty", "name": ""})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "text-danger" in response.content.decode()
    assert not Department.objects.filter(code="empty").exists()
    response = web.post(
        reverse("org:position_create"),
        {"name": "负薪岗", "base_pay": "-1", "commission_rate": "0"},
    )
    assert response.status_code == 200
    assert "text-danger" in response.content.decode()
    assert not Position.objects.filter(name="负薪岗").exists()
    response = web.post(
        reverse("org:position_create"), {"name": "", "base_pay": "1", "commission_rate": "0"}
    )
    assert response.status_code == 200
    assert not Position.objects.filter(name="").exists()
