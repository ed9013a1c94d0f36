"""Login lockout (django-axes): five wrong passwords lock the username, on the form and the API alike."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.test import Client

from storeops.accounts.lockout import MESSAGE
from storeops.accounts.models import ApiToken
from tests.conftest import PASSWORD, ApiClient

LIMIT = 5
WRONG = "wrong-password"


@pytest.fixture(autouse=True)
def _clean_axes(db):
    """Each test starts with no recorded failures (the database is fresh too; this says so)."""
    reset()
    yield
    reset()


def _form(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def _api(username: str, password: str):
    return ApiClient().post("/api/v1/auth/token", {"username": username, "password": password})


def _assert_form_locked(response) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert MESSAGE in page
    assert MESSAGE == "登录失败次数过多，账号已暂时锁定，请稍后再试或联系系统管理员"
    assert "_auth_user_id" not in response.wsgi_request.session


def _assert_api_locked(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "auth.locked_out"
    assert set(body["error"]) == {"code", "message", "details"}


def test_the_limit_is_five():
    assert settings.AXES_FAILURE_LIMIT == LIMIT


def test_form_locks_after_five_wrong_passwords(kefu):
    client = Client()
    # given four wrong passwords: each is an ordinary refusal
    for _ in range(LIMIT - 1):
        response = _form(client, "kefu", WRONG)
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    # when the fifth is wrong too, the username locks
    _assert_form_locked(_form(client, "kefu", WRONG))
    # then the right password is refused as well, from a fresh browser too
    _assert_form_locked(_form(client, "kefu", PASSWORD))
    _assert_form_locked(_form(Client(), "kefu", PASSWORD))
    assert AccessAttempt.objects.get(username="kefu").failures_since_start >= LIMIT


def test_api_locks_after_five_wrong_passwords(kefu):
    for _ in range(LIMIT - 1):
        assert _api("kefu", WRONG).status_code == 401
    _assert_api_locked(_api("kefu", WRONG))
    # the right password is refused and no token is issued
    _assert_api_locked(_api("kefu", PASSWORD))
    assert ApiToken.objects.filter(user=kefu).count() == 0


def test_api_failures_lock_the_form(kefu):
    # given five wrong passwords through the API
    for _ in range(LIMIT):
        _api("kefu", WRONG)
    # when the right password is typed into the form, then it is refused
    _assert_form_locked(_form(Client(), "kefu", PASSWORD))


def test_form_failures_lock_the_api(kefu):
    client = Client()
    for _ in range(LIMIT):
        _form(client, "kefu", WRONG)
    _assert_api_locked(_api("kefu", PASSWORD))
    assert ApiToken.objects.filter(user=kefu).count() == 0


def test_mixed_failures_count_together(kefu):
    client = Client()
    for i in range(LIMIT - 1):
        (_form(client, "kefu", WRONG) if i % 2 else _api("kefu", WRONG))
    assert _api("kefu", WRONG).status_code == 429
    _assert_form_locked(_form(client, "kefu", PASSWORD))


def test_lock_is_per_username(kefu, cangku):
    for _ in range(LIMIT):
        _api("kefu", WRONG)
    # another user on the same office address still signs in
    assert _api("cangku", PASSWORD).status_code == 200
    response = _form(Client(), "cangku", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/workbench/"


def test_form_success_before_the_limit_resets_the_count(kefu):
    client = Client()
    for _ in range(LIMIT - 1):
        _form(client, "kefu", WRONG)
    assert _form(client, "kefu", PASSWORD).status_code == 302
    # the count starts again: four more wrong ones do not lock
    for _ in range(LIMIT - 1):
        assert _form(Client(), "kefu", WRONG).status_code == 200
    assert _form(Client(), "kefu", PASSWORD).status_code == 302


def test_api_success_before_the_limit_resets_the_count(kefu):
    for _ in range(LIMIT - 1):
        _api("kefu", WRONG)
    assert _api("kefu", PASSWORD).status_code == 200
    # the count starts again: four more wrong ones do not lock
    for _ in range(LIMIT - 1):
        assert _api("kefu", WRONG).status_code == 401
    assert _api("kefu", PASSWORD).status_code == 200


def test_reset_unlocks(kefu):
    for _ in range(LIMIT):
        _api("kefu", WRONG)
    _assert_api_locked(_api("kefu", PASSWORD))
    reset(username="kefu")
    assert _api("kefu", PASSWORD).status_code == 200
