"""Each role's permissions: the registered defaults, the page/API matrix, editing the matrix."""

from __future__ import annotations

import pytest

from storeops.accounts.models import KnownPermission, Role, RolePermission
from storeops.accounts.services import role_set_permissions, role_sync_defaults
from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict
from storeops.core.permissions import all_permissions
from storeops.web.navigation import MODULES

# Every demo user and the role it holds (demo.services.DEMO_USERS).
DEMO_ROLES = {
    "admin": "admin",
    "yunying": "operations",
    "kefu": "customer_service",
    "qihua": "planning",
    "meigong": "design",
    "yingxiao": "marketing",
    "shichang": "marketing_group",
    "shangwu": "commerce",
    "cangku": "warehouse",
    "caiwu": "finance",
    "shenji": "auditor",
    "jingli": "manager",
    "kefu_jd": "customer_service",
}
USERS = tuple(DEMO_ROLES)

# Who may open what; everybody else gets 403 (the policy's task matrix, written out).
ORG_READERS = {"admin", "shenji", "jingli"}
AUDIT_READERS = {"admin", "shenji", "jingli"}
PAGE_ALLOWED = {
    "/org/users/": ORG_READERS,
    "/org/roles/": ORG_READERS,
    "/org/stores/": {"admin"},
    "/audit/events/": AUDIT_READERS,
    "/audit/events/export/": AUDIT_READERS,
    # R3.5: every employee may propose a page redesign
    "/m/store_building/": set(USERS),
    "/m/catalog/": {
        "admin",
        "yunying",
        "qihua",
        "meigong",
        "yingxiao",
        "shichang",
        "shangwu",
        "jingli",
        # they look products up (brief A): 客服, 仓库, 财务, 审计
        "kefu",
        "kefu_jd",
        "cangku",
        "caiwu",
        "shenji",
    },
    "/m/orders/": {"admin", "yunying", "kefu", "kefu_jd", "cangku", "caiwu", "jingli"},
    "/m/fulfillment/": {"admin", "yunying", "cangku", "jingli"},
    "/m/inventory/": {"admin", "yunying", "kefu", "kefu_jd", "cangku", "caiwu", "jingli"},
    "/m/aftersales/": {"admin", "yunying", "kefu", "kefu_jd", "cangku", "jingli"},
    "/m/customers/": {"admin", "yunying", "kefu", "kefu_jd", "yingxiao", "jingli"},
    "/m/marketing/": {"admin", "yunying", "qihua", "meigong", "yingxiao", "shichang", "jingli"},
    "/m/finance/": {"admin", "caiwu", "shenji", "jingli"},
    "/m/org/": {"admin", "shenji", "jingli"},
    "/m/audit/": {"admin", "shenji", "jingli"},
}
API_ALLOWED = {
    "/api/v1/roles": ORG_READERS,
    "/api/v1/audit/events": AUDIT_READERS,
}


def _expected(allowed: set[str], ok: int = 200) -> dict[str, int]:
    return {u: (ok if u in allowed else 403) for u in USERS}


def _grants() -> set[tuple[str, str]]:
    return set(RolePermission.objects.values_list("role__code", "codename"))


def test_every_module_page_is_in_the_matrix():
    assert {f"/m/{m.key}/" for m in MODULES} == {p for p in PAGE_ALLOWED if p.startswith("/m/")}


@pytest.mark.parametrize("username", USERS)
def test_me_lists_the_registered_defaults_of_the_users_role(username, demo, api_as):
    # given a demo user holding one role
    role = DEMO_ROLES[username]
    expected = sorted(s.codename for s in all_permissions() if role in s.default_roles)
    # when they ask who they are
    response = api_as(demo[username]).get("/api/v1/me")
    # then their permissions are exactly the defaults registered for that role
    assert response.status_code == 200
    body = response.json()
    assert [r["code"] for r in body["roles"]] == [role]
    assert body["permissions"] == expected


def test_admin_holds_every_registered_permission(admin, api_as):
    body = api_as(admin).get("/api/v1/me").json()
    assert body["permissions"] == [s.codename for s in all_permissions()]


@pytest.mark.parametrize("path", sorted(PAGE_ALLOWED))
def test_page_access_matrix(path, demo, web_as):
    # given every demo user signed in; when each opens the page
    seen = {u: web_as(demo[u]).get(path).status_code for u in USERS}
    # then exactly the allowed roles get 200, everybody else 403
    assert seen == _expected(PAGE_ALLOWED[path])


@pytest.mark.parametrize("path", sorted(PAGE_ALLOWED))
def test_page_sends_a_visitor_to_login(path, client, db):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/login/?next={path}"


@pytest.mark.parametrize("path", sorted(API_ALLOWED))
def test_api_access_matrix(path, demo, api_as):
    seen = {}
    for u in USERS:
        response = api_as(demo[u]).get(path)
        seen[u] = response.status_code
        if response.status_code == 403:
            assert response.json()["error"]["code"] == "permission.denied"
    assert seen == _expected(API_ALLOWED[path])


@pytest.mark.parametrize("path", sorted(API_ALLOWED))
def test_api_refuses_anonymous_with_401(path, db, api_as):
    response = api_as(None).get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.required"


def test_kefu_gets_403_on_roles_and_shenji_200_on_audit(kefu, shenji, web_as):
    assert web_as(kefu).get("/org/roles/").status_code == 403
    assert web_as(shenji).get("/audit/events/").status_code == 200


def test_api_roles_lists_each_roles_grants(jingli, api_as):
    body = api_as(jingli).get("/api/v1/roles").json()
    by_code = {r["code"]: r["permissions"] for r in body["items"]}
    assert body["count"] == 12
    assert by_code["admin"] == [s.codename for s in all_permissions()]
    assert by_code["auditor"] == sorted(
        s.codename for s in all_permissions() if "auditor" in s.default_roles
    )


def _matrix_post(grants: set[tuple[str, str]]) -> dict[str, list[str]]:
    role_ids = dict(Role.objects.values_list("code", "id"))
    return {"grant": sorted(f"{role_ids[r]}:{c}" for r, c in grants)}


def test_admin_edits_the_matrix_and_it_is_audited(admin, web_as):
    # given the default matrix; 客服 may enter the orders module
    before = _grants()
    assert ("customer_service", "web.module_orders") in before
    kefu_before = sorted(c for r, c in before if r == "customer_service")
    # when the admin saves the matrix without that one tick
    wanted = before - {("customer_service", "web.module_orders")}
    events_before = AuditEvent.objects.count()
    response = web_as(admin).post("/org/roles/", _matrix_post(wanted))
    # then the row is gone and nothing else changed
    assert response.status_code == 302
    assert response.url == "/org/roles/"
    assert _grants() == wanted
    # and one accounts.role.update event records the 客服 role's before and after
    new = list(AuditEvent.objects.order_by("id")[events_before:])
    assert [(e.action, e.object_type, e.object_repr, e.actor_username) for e in new] == [
        ("accounts.role.update", "accounts.role", "客服", "admin")
    ]
    kefu_role = Role.objects.get(code="customer_service")
    assert new[0].object_id == str(kefu_role.pk)
    assert new[0].before == {"permissions": kefu_before}
    assert new[0].after == {"permissions": [c for c in kefu_before if c != "web.module_orders"]}


def test_admin_grants_a_new_permission(admin, web_as):
    before = _grants()
    assert ("customer_service", "audit.view_event") not in before
    response = web_as(admin).post(
        "/org/roles/", _matrix_post(before | {("customer_service", "audit.view_event")})
    )
    assert response.status_code == 302
    assert _grants() == before | {("customer_service", "audit.view_event")}
    event = AuditEvent.objects.filter(action="accounts.role.update").get()
    assert "audit.view_event" not in event.before["permissions"]
    assert "audit.view_event" in event.after["permissions"]


def test_jingli_may_view_but_not_edit_the_matrix(jingli, web_as):
    # given 经理, who may view the matrix but not edit it
    client = web_as(jingli)
    assert client.get("/org/roles/").status_code == 200
    before = _grants()
    events_before = AuditEvent.objects.count()
    # when they post a matrix with every tick removed
    response = client.post("/org/roles/", {"grant": []})
    # then 403 and nothing changed
    assert response.status_code == 403
    assert _grants() == before
    assert AuditEvent.objects.count() == events_before


def test_unknown_codename_is_refused_and_nothing_changes(admin, web_as):
    before = _grants()
    events_before = AuditEvent.objects.count()
    response = web_as(admin).post(
        "/org/roles/", _matrix_post(before | {("customer_service", "accounts.no_such_perm")})
    )
    assert response.status_code == 422
    assert _grants() == before
    assert AuditEvent.objects.count() == events_before


def test_admin_role_keeps_every_permission_when_the_matrix_omits_it(admin, web_as):
    # given a matrix post that ticks nothing for 系统管理员
    before = _grants()
    wanted = {(r, c) for r, c in before if r != "admin"}
    # when the admin saves it
    response = web_as(admin).post("/org/roles/", _matrix_post(wanted))
    # then the 系统管理员 role still holds everything and no event was written
    assert response.status_code == 302
    assert _grants() == before
    admin_codes = sorted(c for r, c in _grants() if r == "admin")
    assert admin_codes == [s.codename for s in all_permissions()]
    assert not AuditEvent.objects.filter(action="accounts.role.update").exists()


def test_admin_role_cannot_be_edited_directly(admin):
    before = _grants()
    with pytest.raises(Conflict) as refused:
        role_set_permissions(
            actor=admin, role=Role.objects.get(code="admin"), codenames=["audit.view_event"]
        )
    assert refused.value.code == "role.admin_fixed"
    assert refused.value.status == 409
    assert _grants() == before
    assert not AuditEvent.objects.filter(action="accounts.role.update").exists()


def test_sync_defaults_does_not_restore_a_permission_the_admin_removed(admin):
    # given the admin removed 客服's entry to the orders module
    kefu_role = Role.objects.get(code="customer_service")
    kept = list(kefu_role.grants.values_list("codename", flat=True))
    kept.remove("web.module_orders")
    role_set_permissions(actor=admin, role=kefu_role, codenames=kept)
    before = _grants()
    # when the defaults are synced again (every deploy does)
    introduced = role_sync_defaults()
    # then nothing is introduced and the removal stands
    assert introduced == []
    assert _grants() == before
    assert ("customer_service", "web.module_orders") not in _grants()


def test_sync_defaults_grants_a_newly_introduced_codename_once(admin):
    # given a codename not yet known (as when an app adds a permission)
    KnownPermission.objects.filter(codename="audit.export_event").delete()
    RolePermission.objects.filter(codename="audit.export_event").exclude(
        role__code="admin"
    ).delete()
    # when the defaults are synced
    introduced = role_sync_defaults()
    # then its default roles get it, once, and the introduction is audited
    assert introduced == ["audit.export_event"]
    assert sorted(
        RolePermission.objects.filter(codename="audit.export_event").values_list(
            "role__code", flat=True
        )
    ) == ["admin", "auditor", "manager"]
    assert KnownPermission.objects.filter(codename="audit.export_event").count() == 1
    event = AuditEvent.objects.filter(action="accounts.role.sync_defaults").latest("id")
    assert event.after == {"introduced": ["audit.export_event"]}


def test_sync_defaults_grants_a_default_role_the_code_added_later_once(admin, monkeypatch):
    from dataclasses import replace

    from storeops.core import permissions

    codename = "audit.export_event"
    spec = permissions._REGISTRY[codename]
    assert "warehouse" not in spec.default_roles
    assert ("warehouse", codename) not in _grants()
    # given a release that adds 仓库 to the codename's default roles
    monkeypatch.setitem(
        permissions._REGISTRY,
        codename,
        replace(spec, default_roles=spec.default_roles | {"warehouse"}),
    )
    # when the defaults are synced (every deploy does)
    assert role_sync_defaults() == []
    # then 仓库 has it, the others are as they were, and the extension is audited
    assert ("warehouse", codename) in _grants()
    event = AuditEvent.objects.filter(action="accounts.role.sync_defaults").latest("id")
    assert event.after == {"introduced": [], "extended": {codename: ["warehouse"]}}
    assert sorted(KnownPermission.objects.get(codename=codename).default_roles) == sorted(
        spec.default_roles | {"warehouse"}
    )
    # and once the admin takes it away again, another sync leaves it away
    warehouse = Role.objects.get(code="warehouse")
    kept = [c for c in warehouse.grants.values_list("codename", flat=True) if c != codename]
    role_set_permissions(actor=admin, role=warehouse, codenames=kept)
    events = AuditEvent.objects.filter(action="accounts.role.sync_defaults").count()
    role_sync_defaults()
    assert ("warehouse", codename) not in _grants()
    assert AuditEvent.objects.filter(action="accounts.role.sync_defaults").count() == events


def test_sync_defaults_records_the_roles_of_codenames_known_from_before_without_granting(admin):
    # given codenames known before their default roles were recorded (an older database)
    KnownPermission.objects.update(default_roles=None)
    assert KnownPermission.objects.filter(default_roles__isnull=True).count() > 10
    kefu_role = Role.objects.get(code="customer_service")
    kept = [
        c for c in kefu_role.grants.values_list("codename", flat=True) if c != "web.module_orders"
    ]
    role_set_permissions(actor=admin, role=kefu_role, codenames=kept)
    before = _grants()
    # when the defaults are synced
    role_sync_defaults()
    # then the roles are recorded as applied, and nothing the admin removed comes back
    assert not KnownPermission.objects.filter(default_roles__isnull=True).exists()
    assert _grants() == before
