"""API tokens are cached per process for a few seconds: every change of access still takes effect
on the next request in this process (revoked token 401, permission or role gone 403, store gone
from the list), and within the cache's seconds when the change comes from another process."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storeops.accounts import selectors
from storeops.accounts.models import ApiToken, Role, RolePermission, User
from storeops.accounts.services import (
    role_set_permissions,
    store_create,
    token_create,
    token_revoke,
    user_update_access,
)
from storeops.core.roles import RoleCode
from storeops.inventory.permissions import InventoryPerm
from tests.conftest import ApiClient

STOCK = "/api/v1/inventory/stock"


def _codes(role: Role) -> set[str]:
    return set(role.grants.values_list("codename", flat=True))


def _error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture
def warehouse_role(db):
    return Role.objects.get(code=RoleCode.WAREHOUSE)


@pytest.fixture
def later(monkeypatch):
    """The cache's clock stands still from the test's start; later(seconds) sets it that many
    seconds after the start, as if that much time had passed."""
    start = selectors._clock()
    now = [start]
    monkeypatch.setattr(selectors, "_clock", lambda: now[0])

    def move(seconds: float) -> None:
        now[0] = start + seconds

    return move


def test_revoked_token_is_401_on_the_next_request(cangku, admin):
    token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200  # now cached
    token_revoke(actor=admin, token=token)
    response = client.get(STOCK)
    assert response.status_code == 401
    assert _error_code(response) == "auth.required"


def test_permission_removed_from_the_role_is_403_on_the_next_request(cangku, admin, warehouse_role):
    _token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200
    # when the admin takes 查看库存 from the 仓库 role
    kept = _codes(warehouse_role) - {InventoryPerm.VIEW_STOCK.value}
    role_set_permissions(actor=admin, role=warehouse_role, codenames=kept)
    # then the very next request is refused, naming the permission's refusal
    response = client.get(STOCK)
    assert response.status_code == 403
    assert _error_code(response) == "permission.denied"
    # and granting it back works at once too
    role_set_permissions(
        actor=admin, role=warehouse_role, codenames=kept | {InventoryPerm.VIEW_STOCK.value}
    )
    assert client.get(STOCK).status_code == 200


def test_role_taken_from_the_user_is_403_on_the_next_request(cangku, admin):
    _token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200
    user_update_access(
        actor=admin, user=cangku, roles=[], stores=list(cangku.stores.all()), is_active=True
    )
    response = client.get(STOCK)
    assert response.status_code == 403
    assert _error_code(response) == "permission.denied"


def test_deactivated_user_is_401_on_the_next_request(cangku, admin):
    _token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200
    user_update_access(
        actor=admin,
        user=cangku,
        roles=list(cangku.roles.all()),
        stores=list(cangku.stores.all()),
        is_active=False,
    )
    assert client.get(STOCK).status_code == 401


def test_store_taken_from_the_user_is_gone_on_the_next_request(kefu_jd, admin, stores):
    _token, raw = token_create(user=kefu_jd, name="脚本")
    client = ApiClient(raw)
    assert [s["code"] for s in client.get("/api/v1/stores").json()["items"]] == ["jd-main"]
    # when the admin moves 京东客服 from jd-main to tb-main
    user_update_access(
        actor=admin,
        user=kefu_jd,
        roles=list(kefu_jd.roles.all()),
        stores=[stores["tb-main"]],
        is_active=True,
    )
    # then the next request sees tb-main only, and jd-main's data no longer exists for them
    assert [s["code"] for s in client.get("/api/v1/stores").json()["items"]] == ["tb-main"]
    response = client.get("/api/v1/inventory/available", store="jd-main")
    assert response.status_code == 404


def test_superuser_sees_a_new_store_on_the_next_request(admin):
    boss = User.objects.create_superuser(username="boss", password=None)
    _token, raw = token_create(user=boss, name="脚本")
    client = ApiClient(raw)
    before = {s["code"] for s in client.get("/api/v1/stores").json()["items"]}
    store_create(actor=admin, code="ks-main", platform="douyin", name="快手店")
    after = {s["code"] for s in client.get("/api/v1/stores").json()["items"]}
    assert after == before | {"ks-main"}


def test_change_from_another_process_takes_effect_within_the_cache_seconds(cangku, settings, later):
    settings.AUTH_TOKEN_CACHE_SECONDS = 5
    token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200
    # when another process revokes the token (a plain UPDATE: this process hears no signal)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ApiToken._meta.db_table} SET revoked_at = %s WHERE id = %s",  # noqa: S608
            ["2026-01-01 00:00:00", token.pk],
        )
    # then this process may still accept it for up to the cache's seconds …
    later(4.9)
    assert client.get(STOCK).status_code == 200
    # … and refuses it after them
    later(5.1)
    assert client.get(STOCK).status_code == 401


def test_permission_removed_by_another_process_is_403_within_the_cache_seconds(
    cangku, warehouse_role, settings, later
):
    settings.AUTH_TOKEN_CACHE_SECONDS = 5
    _token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {RolePermission._meta.db_table} "  # noqa: S608
            "WHERE role_id = %s AND codename = %s",
            [warehouse_role.pk, InventoryPerm.VIEW_STOCK.value],
        )
    later(5.1)
    response = client.get(STOCK)
    assert response.status_code == 403
    assert _error_code(response) == "permission.denied"


def test_a_change_made_while_a_token_is_being_read_is_not_cached(cangku, monkeypatch):
    """A lookup that read the rows before a change must not keep them: the next request reads
    again and sees the change."""
    token, raw = token_create(user=cangku, name="脚本")
    real_read = selectors._grant_read

    def read_then_revoked_elsewhere(digest, ttl):
        grant = real_read(digest, ttl)  # read while the token was still valid …
        ApiToken.objects.filter(pk=token.pk).update(revoked_at="2026-01-01T00:00:00Z")
        selectors.token_cache_forget()  # … and revoked (with its signal) before it was stored
        return grant

    monkeypatch.setattr(selectors, "_grant_read", read_then_revoked_elsewhere)
    assert ApiClient(raw).get(STOCK).status_code == 200  # the request already under way
    monkeypatch.setattr(selectors, "_grant_read", real_read)
    assert ApiClient(raw).get(STOCK).status_code == 401


def test_second_request_reads_no_token_permission_or_store_rows(cangku):
    _token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(STOCK).status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("accounts_apitoken", "accounts_rolepermission", "accounts_user_stores"):
        assert table not in read


def test_without_the_cache_every_request_reads_the_token(cangku, warehouse_role, settings):
    settings.AUTH_TOKEN_CACHE_SECONDS = 0
    _token, raw = token_create(user=cangku, name="脚本")
    client = ApiClient(raw)
    assert client.get(STOCK).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(STOCK).status_code == 200
    assert any("accounts_apitoken" in q["sql"] for q in queries.captured_queries)
    # and a change no signal announces counts on the very next request
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {RolePermission._meta.db_table} "  # noqa: S608
            "WHERE role_id = %s AND codename = %s",
            [warehouse_role.pk, InventoryPerm.VIEW_STOCK.value],
        )
    assert client.get(STOCK).status_code == 403


def test_each_request_gets_its_own_user_object(cangku):
    _token, raw = token_create(user=cangku, name="脚本")
    first, _grant = selectors.user_for_token(raw)
    second, _grant = selectors.user_for_token(raw)
    assert first is not second
    assert first.pk == second.pk == cangku.pk
    assert first.username == "cangku"
    assert InventoryPerm.VIEW_STOCK.value in first.permission_codes()
    assert first.permission_codes() == second.permission_codes() == cangku.permission_codes()


def test_use_is_recorded_on_the_token(cangku):
    token, raw = token_create(user=cangku, name="脚本")
    assert ApiClient(raw).get(STOCK).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
