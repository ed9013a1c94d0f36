"""The front door: `/` sends a visitor to the login form, a signed-in user to the 工作台."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_root_sends_visitor_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/login/"
    page = client.get("/login/").content.decode()
    assert 'name="username"' in page
    assert 'name="password"' in page


def test_login_then_workbench_in_chinese(client, kefu):
    response = client.post("/login/", {"username": "kefu", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/workbench/"
    page = client.get("/workbench/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "工作台" in page
    assert "我的任务" in page
    assert "待我审批" in page


def test_token_then_me(api_as, kefu_jd):
    response = api_as(None).post(
        "/api/v1/auth/token", {"username": "kefu_jd", "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = api_as(None)
    me.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = me.get("/api/v1/me").json()
    assert body["username"] == "kefu_jd"
    assert [r["code"] for r in body["roles"]] == ["customer_service"]
    assert [s["code"] for s in body["stores"]] == ["jd-main"]
    assert "web.module_orders" in body["permissions"]
