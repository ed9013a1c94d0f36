"""API tokens: issued for a password, stored as SHA-256 only, audited, revocable, refused when bad."""

from __future__ import annotations

import hashlib
import json

import pytest

from storeops.accounts.models import ApiToken
from storeops.accounts.services import token_create, user_update_access
from storeops.audit.models import AuditEvent
from tests.conftest import PASSWORD, ApiClient


def _issue(username: str, password: str = PASSWORD, **extra):
    return ApiClient().post(
        "/api/v1/auth/token", {"username": username, "password": password, **extra}
    )


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"] != ""


def test_password_buys_a_token(kefu):
    # given 客服 with their password; when they ask for a token
    response = _issue("kefu", name="脚本")
    # then 200 {"token"} and the token works
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["token"]
    raw = body["token"]
    assert len(raw) == 43  # 32 random bytes, URL-safe base64
    me = ApiClient(raw).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "kefu"


def test_token_issue_is_audited_without_the_raw_token(kefu):
    before = AuditEvent.objects.count()
    raw = _issue("kefu", name="脚本").json()["token"]
    token = ApiToken.objects.get(user=kefu)
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.actor_username, e.object_type, e.object_id) for e in events] == [
        ("accounts.token.create", "kefu", "accounts.apitoken", str(token.pk))
    ]
    assert events[0].before is None
    assert events[0].after == {"name": "脚本", "prefix": raw[:8]}
    dumped = json.dumps(
        [events[0].before, events[0].after, events[0].object_repr], ensure_ascii=False
    )
    assert raw not in dumped


def test_token_is_stored_as_sha256_only(kefu):
    raw = _issue("kefu").json()["token"]
    token = ApiToken.objects.get(user=kefu)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:8]
    assert token.revoked_at is None
    # the raw value is nowhere in the token table or the audit log
    for row in ApiToken.objects.values():
        assert raw not in json.dumps(row, default=str)
    for row in AuditEvent.objects.values("before", "after", "object_repr"):
        assert raw not in json.dumps(row, ensure_ascii=False)


def test_bad_password_is_401_and_no_token(kefu):
    response = _issue("kefu", password="wrong-password")
    _assert_error(response, 401, "auth.invalid_credentials")
    assert response.json()["error"]["message"] == "用户名或密码错误"
    assert ApiToken.objects.filter(user=kefu).count() == 0
    assert not AuditEvent.objects.filter(action="accounts.token.create").exists()


def test_unknown_user_is_401_like_a_bad_password(db):
    response = _issue("nobody")
    _assert_error(response, 401, "auth.invalid_credentials")
    assert ApiToken.objects.count() == 0


def test_missing_fields_are_422(db):
    response = ApiClient().post("/api/v1/auth/token", {"username": "kefu"})
    _assert_error(response, 422, "invalid")
    assert response.json()["error"]["details"][0]["field"] == "password"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ", "Bearer garbage", "Token abc", "Bearer " + "x" * 300],
    ids=["none", "empty", "garbage", "wrong-scheme", "too-long"],
)
def test_no_or_garbage_bearer_is_401(header, db):
    client = ApiClient()
    if header is not None:
        client.headers = {"HTTP_AUTHORIZATION": header}
    _assert_error(client.get("/api/v1/me"), 401, "auth.required")


def test_revoked_token_is_401(kefu):
    # given a token of 客服
    token, raw = token_create(user=kefu, name="t")
    client = ApiClient(raw)
    assert client.get("/api/v1/me").status_code == 200
    # when they revoke it
    response = client.post(f"/api/v1/auth/tokens/{token.pk}/revoke")
    # then it answers its revoked state, is audited, and no longer works
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == token.pk
    assert body["prefix"] == raw[:8]
    assert body["revoked_at"] is not None
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.filter(action="accounts.token.revoke").get()
    assert (event.actor_username, event.object_id, event.after) == (
        "kefu",
        str(token.pk),
        {"prefix": raw[:8]},
    )
    _assert_error(client.get("/api/v1/me"), 401, "auth.required")


def test_revoking_one_token_leaves_the_others(kefu):
    first, raw1 = token_create(user=kefu, name="a")
    _second, raw2 = token_create(user=kefu, name="b")
    assert ApiClient(raw2).post(f"/api/v1/auth/tokens/{first.pk}/revoke").status_code == 200
    assert ApiClient(raw1).get("/api/v1/me").status_code == 401
    assert ApiClient(raw2).get("/api/v1/me").status_code == 200


def test_deactivated_users_token_is_401(kefu, admin):
    # given a working token of 客服
    _token, raw = token_create(user=kefu, name="t")
    assert ApiClient(raw).get("/api/v1/me").status_code == 200
    # when the admin deactivates 客服
    user_update_access(
        actor=admin,
        user=kefu,
        roles=list(kefu.roles.all()),
        stores=list(kefu.stores.all()),
        is_active=False,
    )
    # then the token no longer works, and no new one can be had
    _assert_error(ApiClient(raw).get("/api/v1/me"), 401, "auth.required")
    _assert_error(_issue("kefu"), 401, "auth.invalid_credentials")


def test_revoking_another_users_token_is_404_and_changes_nothing(kefu, cangku):
    # given a token of 仓库 and a client of 客服
    theirs, their_raw = token_create(user=cangku, name="仓库脚本")
    _mine, my_raw = token_create(user=kefu, name="t")
    events_before = AuditEvent.objects.count()
    # when 客服 tries to revoke 仓库's token
    response = ApiClient(my_raw).post(f"/api/v1/auth/tokens/{theirs.pk}/revoke")
    # then 404, as if it did not exist, and it still works
    _assert_error(response, 404, "token.not_found")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert AuditEvent.objects.count() == events_before
    assert ApiClient(their_raw).get("/api/v1/me").status_code == 200


def test_revoking_a_token_id_out_of_range_is_422(kefu):
    _mine, raw = token_create(user=kefu, name="t")
    _assert_error(ApiClient(raw).post("/api/v1/auth/tokens/0/revoke"), 422, "invalid")
    _assert_error(ApiClient(raw).post(f"/api/v1/auth/tokens/{2**63}/revoke"), 422, "invalid")


def test_token_list_shows_only_my_tokens(kefu, cangku):
    mine, raw = token_create(user=kefu, name="mine")
    token_create(user=cangku, name="theirs")
    body = ApiClient(raw).get("/api/v1/auth/tokens").json()
    assert [(t["id"], t["name"], t["prefix"]) for t in body["items"]] == [
        (mine.pk, "mine", raw[:8])
    ]
    assert "key_hash" not in body["items"][0]
