"""R5.2 the credential vault: secrets encrypted at rest, never in a list, response, log, export or
audit payload; reveal only to the vault permission (narrowed per credential), every attempt
audited; the store decides 404 before the permission decides 403."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from storeops.accounts.models import Role
from storeops.accounts.services import user_create
from storeops.audit.models import AuditEvent
from storeops.core import crypto
from storeops.core.clock import BUSINESS_TZ
from storeops.core.roles import RoleCode
from storeops.notifications.models import Alert
from storeops.org.models import StoreCredential
from storeops.org.services import credential_create, credential_reveal, credential_update
from tests.conftest import PASSWORD

SECRET = "Pa55-淘宝后台-Zq8#k"
URL = "/api/v1/stores/{code}/credentials"


def patch(api, path, payload):
    return api.client.patch(
        path, json.dumps(payload), content_type="application/json", **api.headers
    )


@pytest.fixture
def cred(admin, stores):
    return credential_create(
        actor=admin, store=stores["tb-main"], name="淘宝主账号", login="glt_tb", secret=SECRET
    )


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _no_secret_anywhere_in_audit():
    for event in AuditEvent.objects.all():
        text = json.dumps([event.before, event.after, event.object_repr], ensure_ascii=False)
        assert SECRET not in text, event.action


# --- create ------------------------------------------------------------------------------------
def test_admin_creates_a_credential_201_without_the_secret(admin, api_as):
    response = api_as(admin).post(
        URL.format(code="tb-main"),
        {"name": "淘宝主账号", "login": "glt_tb", "secret": SECRET, "custodian": "yunying"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"id", "name", "login", "custodian"}
    assert "secret" not in body
    assert SECRET not in response.content.decode()
    credential = StoreCredential.objects.get(pk=body["id"])
    assert credential.secret_encrypted != SECRET
    assert SECRET not in credential.secret_encrypted
    assert crypto.decrypt(credential.secret_encrypted) == SECRET
    event = _events("org.credential.create")[-1]
    assert event.after == {
        "name": "淘宝主账号",
        "custodian": "yunying",
        "rotation_due": None,
        "allowed_revealers": [],
    }
    _no_secret_anywhere_in_audit()


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("yunying", "tb-main", 403),  # works there, may list but not create
        ("kefu", "tb-main", 403),
        ("kefu_jd", "tb-main", 404),  # does not work in tb-main
        ("kefu_jd", "jd-main", 403),
        ("admin", "no-such-store", 404),
    ],
)
def test_create_refused(persona, code, status, demo, api_as):
    response = api_as(demo[persona]).post(
        URL.format(code=code), {"name": "x", "login": "y", "secret": SECRET}
    )
    assert response.status_code == status
    assert SECRET not in response.content.decode()
    assert not StoreCredential.objects.filter(name="x").exists()


def test_create_duplicate_name_is_409_and_bad_input_422_without_echo(admin, cred, api_as):
    api = api_as(admin)
    dup = api.post(
        URL.format(code="tb-main"), {"name": "淘宝主账号", "login": "a", "secret": SECRET}
    )
    assert dup.status_code == 409
    bad = api.post(
        URL.format(code="tb-main"),
        {"name": "新", "login": "a", "secret": SECRET, "rotation_due": "not-a-date"},
    )
    assert bad.status_code == 422
    missing = api.post(URL.format(code="tb-main"), {"name": "新", "secret": SECRET})
    assert missing.status_code == 422
    for response in (dup, bad, missing):
        assert SECRET not in response.content.decode()
    assert StoreCredential.objects.filter(store__code="tb-main").count() == 2  # demo's + cred


def test_anonymous_is_401(cred, api_as):
    assert api_as(None).get(URL.format(code="tb-main")).status_code == 401
    reveal = api_as(None).post(URL.format(code="tb-main") + f"/{cred.pk}/reveal")
    assert reveal.status_code == 401


# --- list --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("admin", "tb-main", 200),
        ("yunying", "tb-main", 200),
        ("jingli", "tb-main", 200),
        ("kefu", "tb-main", 403),
        ("kefu_jd", "tb-main", 404),
        ("kefu_jd", "jd-main", 403),
    ],
)
def test_list_persona_matrix(persona, code, status, demo, cred, api_as):
    response = api_as(demo[persona]).get(URL.format(code=code))
    assert response.status_code == status
    assert SECRET not in response.content.decode()
    if status == 200:
        items = response.json()["items"]
        assert sorted(i["name"] for i in items) == ["主账号", "淘宝主账号"]
        assert "secret" not in items[0]
        assert "secret_encrypted" not in items[0]


# --- reveal ------------------------------------------------------------------------------------
def test_admin_reveals_and_it_is_audited_without_the_secret(admin, cred, api_as):
    response = api_as(admin).post(URL.format(code="tb-main") + f"/{cred.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {"secret": SECRET}
    event = _events("org.credential.reveal")[-1]
    assert event.actor == admin
    assert event.object_id == str(cred.pk)
    assert event.store_id == cred.store_id
    _no_secret_anywhere_in_audit()


@pytest.mark.parametrize("persona", ["yunying", "jingli", "kefu"])
def test_reveal_denied_403_is_audited(persona, demo, cred, api_as):
    response = api_as(demo[persona]).post(URL.format(code="tb-main") + f"/{cred.pk}/reveal")
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    denied = _events("org.credential.reveal_denied")
    assert [(e.actor_username, e.object_id) for e in denied] == [(persona, str(cred.pk))]
    assert not _events("org.credential.reveal")


def test_reveal_in_a_store_not_worked_in_is_404(kefu_jd, cred, api_as):
    response = api_as(kefu_jd).post(URL.format(code="tb-main") + f"/{cred.pk}/reveal")
    assert response.status_code == 404
    # the wrong store's path with a real id is 404 too
    other = api_as(kefu_jd).post(URL.format(code="jd-main") + f"/{cred.pk}/reveal")
    assert other.status_code == 404


@pytest.fixture
def admin2(stores):
    return user_create(
        actor=None,
        username="admin2",
        password=PASSWORD,
        first_name="第二管理员",
        roles=[Role.objects.get(code=RoleCode.ADMIN)],
        stores=list(stores.values()),
    )


def test_reveal_narrowed_per_credential(admin, admin2, stores, api_as):
    credential = credential_create(
        actor=admin,
        store=stores["tb-main"],
        name="仅限admin2",
        login="x",
        secret=SECRET,
        allowed_revealers=[admin2],
    )
    path = URL.format(code="tb-main") + f"/{credential.pk}/reveal"
    assert api_as(admin).post(path).status_code == 403
    assert api_as(admin2).post(path).json() == {"secret": SECRET}
    assert [e.actor_username for e in _events("org.credential.reveal_denied")] == ["admin"]
    assert [e.actor_username for e in _events("org.credential.reveal")] == ["admin2"]


def test_granting_reveal_to_another_role_works(yunying, cred, api_as):
    from storeops.accounts.models import RolePermission
    from storeops.org.permissions import OrgPerm

    RolePermission.objects.create(
        role=Role.objects.get(code=RoleCode.OPERATIONS), codename=OrgPerm.REVEAL_CREDENTIAL
    )
    response = api_as(yunying).post(URL.format(code="tb-main") + f"/{cred.pk}/reveal")
    assert response.json() == {"secret": SECRET}


@pytest.mark.django_db(transaction=True)
def test_denied_reveal_is_committed_before_the_403(stores):
    """No test transaction here: what the database holds after the 403 is what really committed."""
    from storeops.demo.services import demo_seed

    demo_seed(password=PASSWORD)
    from storeops.accounts.models import User

    admin = User.objects.get(username="admin")
    yunying = User.objects.get(username="yunying")
    store = stores["tb-main"] if stores else None
    from storeops.accounts.models import Store

    store = Store.objects.get(code="tb-main")
    credential = credential_create(
        actor=admin, store=store, name="淘宝主账号", login="glt_tb", secret=SECRET
    )
    from django.test import Client

    from storeops.accounts.services import token_create

    _t, raw = token_create(user=yunying, name="t")
    response = Client().post(
        URL.format(code="tb-main") + f"/{credential.pk}/reveal",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action="org.credential.reveal_denied", actor=yunying, object_id=str(credential.pk)
    ).exists()
    # and the reveal refuses to run inside someone else's transaction, where a rollback could
    # swallow its audit event
    with pytest.raises(RuntimeError), transaction.atomic():
        credential_reveal(actor=yunying, credential=credential)


# --- update ------------------------------------------------------------------------------------
def test_admin_replaces_the_secret_and_custodian(admin, yunying, cred, api_as):
    api = api_as(admin)
    path = URL.format(code="tb-main") + f"/{cred.pk}"
    response = patch(api, path, {"secret": "新密码-2025", "custodian": "yunying"})
    assert response.status_code == 200
    assert "新密码-2025" not in response.content.decode()
    assert response.json()["custodian"] == "yunying"
    assert api.post(path + "/reveal").json() == {"secret": "新密码-2025"}
    event = _events("org.credential.update")[-1]
    assert event.before["custodian"] is None
    assert event.after["custodian"] == "yunying"
    assert event.after["rotated"] is True
    assert "新密码-2025" not in json.dumps(event.after, ensure_ascii=False)


@pytest.mark.parametrize(("persona", "status"), [("yunying", 403), ("kefu_jd", 404)])
def test_update_refused_changes_nothing(persona, status, demo, cred, api_as):
    before = StoreCredential.objects.get(pk=cred.pk).secret_encrypted
    response = patch(
        api_as(demo[persona]), URL.format(code="tb-main") + f"/{cred.pk}", {"secret": "x"}
    )
    assert response.status_code == status
    assert StoreCredential.objects.get(pk=cred.pk).secret_encrypted == before
    assert not _events("org.credential.update")


def test_custodian_must_work_in_the_store(admin, cred, api_as):
    response = patch(
        api_as(admin), URL.format(code="tb-main") + f"/{cred.pk}", {"custodian": "kefu_jd"}
    )
    assert response.status_code == 422
    assert StoreCredential.objects.get(pk=cred.pk).custodian is None


# --- nowhere in clear --------------------------------------------------------------------------
def test_secret_is_in_no_response_log_export_or_audit(demo, admin, shenji, web_as, api_as, caplog):
    caplog.set_level(logging.DEBUG)
    api = api_as(admin)
    bodies = []
    with CaptureQueriesContext(connection) as queries:
        created = api.post(
            URL.format(code="tb-main"), {"name": "测试账号", "login": "glt", "secret": SECRET}
        )
        cid = created.json()["id"]
        bodies.append(created)
        bodies.append(api.get(URL.format(code="tb-main")))
        bodies.append(patch(api, URL.format(code="tb-main") + f"/{cid}", {"secret": SECRET}))
        bodies.append(
            api.post(
                URL.format(code="tb-main"), {"name": "测试账号", "login": "g", "secret": SECRET}
            )
        )
        revealed = api.post(URL.format(code="tb-main") + f"/{cid}/reveal")
        assert revealed.json() == {"secret": SECRET}
        bodies.append(api_as(shenji).get("/api/v1/audit/events", limit=200))
        audit_web = web_as(admin)
        bodies.append(audit_web.get("/org/stores/tb-main/credentials/"))
        bodies.append(audit_web.get(f"/org/stores/tb-main/credentials/{cid}/edit/"))
        bodies.append(  # the page's error path: a duplicate name re-renders the form
            audit_web.post(
                "/org/stores/tb-main/credentials/new/",
                {"name": "测试账号", "login": "g", "secret": SECRET},
            )
        )
        bodies.append(audit_web.post(f"/org/stores/kefu-none/credentials/{cid}/reveal/"))
        denied_page = web_as(demo["yunying"]).post(f"/org/stores/tb-main/credentials/{cid}/reveal/")
        assert denied_page.status_code == 403
        bodies.append(denied_page)
        export = web_as(shenji).get("/audit/events/export/")
    for response in bodies:
        assert SECRET not in response.content.decode(), response.request["PATH_INFO"]
    assert bodies[-3].status_code == 200
    assert "同名" in bodies[-3].content.decode()
    book = load_workbook(io.BytesIO(export.content))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert any("org.credential.reveal" in c for c in cells)
    assert not any(SECRET in c for c in cells)
    assert SECRET not in caplog.text
    assert all(SECRET not in q["sql"] for q in queries.captured_queries)
    assert SECRET not in "".join(str(r.args) for r in caplog.records)


# --- rotation due (alert to the custodian) ---------------------------------------------------
@time_machine.travel(dt.datetime(2025, 6, 10, 10, 0, tzinfo=BUSINESS_TZ), tick=False)
def test_rotation_due_alerts_the_custodian_once(admin, yunying, stores):
    from storeops.notifications.models import Notification
    from storeops.org.services import credential_rotation_check

    today = dt.date(2025, 6, 10)
    credential = credential_create(
        actor=admin,
        store=stores["tb-main"],
        name="测试账号",
        login="g",
        secret=SECRET,
        custodian=yunying,
        rotation_due=today + dt.timedelta(days=30),
    )
    assert credential_rotation_check(today=today) == 0
    assert credential_rotation_check(today=today + dt.timedelta(days=25)) == 1
    assert credential_rotation_check(today=today + dt.timedelta(days=26)) == 1  # same open alert
    alerts = Alert.objects.filter(kind="org.credential_rotation_due", resolved_at__isnull=True)
    assert alerts.count() == 1
    assert list(
        Notification.objects.filter(alert=alerts.get()).values_list(
            "recipient__username", flat=True
        )
    ) == ["yunying"]
    credential_update(
        actor=admin,
        credential=credential,
        secret="new",
        rotation_due=today + dt.timedelta(days=120),
    )
    assert not Alert.objects.filter(
        kind="org.credential_rotation_due", resolved_at__isnull=True
    ).exists()


def test_rotation_overdue_without_custodian_goes_to_admins(admin, stores):
    from storeops.notifications.models import Notification

    credential_create(
        actor=admin,
        store=stores["jd-main"],
        name="京东",
        login="g",
        secret=SECRET,
        rotation_due=dt.date(2020, 1, 1),
    )
    alert = Alert.objects.get(kind="org.credential_rotation_due")
    assert "已超过改密日期" in alert.title
    assert set(
        Notification.objects.filter(alert=alert).values_list("recipient__username", flat=True)
    ) == {"admin"}


def test_reveal_page_shows_the_secret_once_and_is_not_cached(admin, cred, web_as):
    client = web_as(admin)
    listing = client.get("/org/stores/tb-main/credentials/").content.decode()
    assert "显示密码" in listing
    assert "data-confirm" in listing
    assert SECRET not in listing
    assert client.get(f"/org/stores/tb-main/credentials/{cred.pk}/reveal/").status_code == 405
    page = client.post(f"/org/stores/tb-main/credentials/{cred.pk}/reveal/")
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert len(_events("org.credential.reveal")) == 1


def test_overview_page_lists_my_stores_credentials(yunying, kefu, kefu_jd, cred, web_as):
    page = web_as(yunying).get("/org/credentials/").content.decode()
    assert "淘宝主账号" in page
    assert "glt_tb" in page
    assert SECRET not in page
    assert web_as(kefu).get("/org/credentials/").status_code == 403
    assert web_as(kefu_jd).get("/org/stores/tb-main/credentials/").status_code == 404
