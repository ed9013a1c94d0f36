"""User and store services: their effect, their audit event, their refusals (nothing changed)."""

import pytest

from storeops.accounts.models import Role, Store, User
from storeops.accounts.services import (
    store_create,
    user_create,
    user_set_language,
    user_set_password,
    user_update_access,
)
from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.demo.services import DEMO_USERS, demo_seed
from tests.conftest import PASSWORD


def test_admin_creates_a_user_with_roles_and_stores(admin, stores):
    role = Role.objects.get(code="warehouse")
    user = user_create(
        actor=admin,
        username="cangku2",
        password="a-long-pass",
        first_name="新仓管",
        roles=[role],
        stores=[stores["jd-main"]],
    )
    assert user.check_password("a-long-pass")
    assert set(user.role_codes()) == {"warehouse"}
    assert [s.code for s in Store.objects.filter(users=user)] == ["jd-main"]
    event = AuditEvent.objects.get(action="accounts.user.create", object_id=str(user.pk))
    assert event.actor_username == "admin"
    assert event.after == {
        "username": "cangku2",
        "is_active": True,
        "roles": ["warehouse"],
        "stores": ["jd-main"],
        "language": "zh-hans",
    }
    assert "a-long-pass" not in str(event.after)


def test_kefu_cannot_create_users_and_nothing_changes(kefu):
    users_before = User.objects.count()
    events_before = AuditEvent.objects.count()
    with pytest.raises(Forbidden):
        user_create(actor=kefu, username="intruder", password="a-long-pass")
    assert User.objects.count() == users_before
    assert AuditEvent.objects.count() == events_before


def test_duplicate_username_is_a_conflict(admin):
    with pytest.raises(Conflict) as info:
        user_create(actor=admin, username="kefu", password="a-long-pass")
    assert info.value.details == {"field": "username"}


def test_deactivating_a_user_removes_their_access(admin, kefu, stores):
    user_update_access(actor=admin, user=kefu, roles=[], stores=[], is_active=False)
    kefu.refresh_from_db()
    assert kefu.is_active is False
    assert kefu.permission_codes() == frozenset()
    event = AuditEvent.objects.get(action="accounts.user.update", object_id=str(kefu.pk))
    assert event.before["is_active"] is True
    assert event.after["is_active"] is False


def test_admin_cannot_deactivate_themselves(admin):
    with pytest.raises(Conflict):
        user_update_access(actor=admin, user=admin, roles=[], stores=[], is_active=False)
    admin.refresh_from_db()
    assert admin.is_active is True


def test_store_create_validates_platform_and_code(admin):
    with pytest.raises(Invalid):
        store_create(actor=admin, code="x-shop", platform="amazon", name="X")
    with pytest.raises(Conflict):
        store_create(actor=admin, code="tb-main", platform="taobao", name="重复")
    store = store_create(actor=admin, code="tb-branch", platform="taobao", name="淘宝分店")
    assert store.is_main_store is False
    assert AuditEvent.objects.filter(action="accounts.store.create", store_id=store.pk).exists()


def test_only_store_managers_create_stores(yunying):
    with pytest.raises(Forbidden):
        store_create(actor=yunying, code="new-shop", platform="jd", name="新店")
    assert not Store.objects.filter(code="new-shop").exists()


def test_language_is_the_users_own_choice(kefu):
    with pytest.raises(Invalid):
        user_set_language(actor=kefu, language="fr")
    user_set_language(actor=kefu, language="en")
    kefu.refresh_from_db()
    assert kefu.language == "en"


def test_demo_seed_is_idempotent(demo):
    users, stores, events = User.objects.count(), Store.objects.count(), AuditEvent.objects.count()
    report = demo_seed(password=PASSWORD)
    assert report.created_users == []
    assert report.created_stores == []
    assert (User.objects.count(), Store.objects.count()) == (users, stores)
    assert AuditEvent.objects.count() == events
    assert users == len(DEMO_USERS)
    assert stores == 6


def test_user_changes_own_password_with_the_current_one(kefu, web_as):
    client = web_as(kefu)
    wrong = client.post(
        "/account/password/", {"current_password": "not-it-123", "password": "Neues-Passwort-9"}
    )
    assert wrong.status_code == 302
    kefu.refresh_from_db()
    assert kefu.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="accounts.user.set_password").exists()

    client.post(
        "/account/password/", {"current_password": PASSWORD, "password": "Neues-Passwort-9"}
    )
    kefu.refresh_from_db()
    assert kefu.check_password("Neues-Passwort-9")
    assert client.get("/workbench/").status_code == 200  # still signed in
    event = AuditEvent.objects.get(action="accounts.user.set_password")
    assert event.actor_username == "kefu"
    assert event.after is None  # the password never enters the log


def test_weak_password_is_refused_by_the_validators(kefu):
    with pytest.raises(Invalid) as info:
        user_set_password(actor=kefu, user=kefu, password="password", current_password=PASSWORD)
    assert info.value.details == {"field": "password"}
    kefu.refresh_from_db()
    assert kefu.check_password(PASSWORD)


def test_only_user_managers_set_someone_elses_password(kefu, yunying, admin):
    with pytest.raises(Forbidden):
        user_set_password(actor=yunying, user=kefu, password="Another-pass-77")
    kefu.refresh_from_db()
    assert kefu.check_password(PASSWORD)
    user_set_password(actor=admin, user=kefu, password="Another-pass-77")
    kefu.refresh_from_db()
    assert kefu.check_password("Another-pass-77")
