"""The notifications API: my inbox, read/unread, and the alerts each persona may see."""

from __future__ import annotations

import pytest

from storeops.notifications.enums import Severity
from storeops.notifications.models import Notification
from storeops.notifications.services import alert_raise, alert_resolve, notify


@pytest.fixture
def notices(kefu, cangku):
    """kefu's inbox holds exactly two notices, cangku's one (the demo's emptied)."""
    Notification.objects.filter(recipient__in=[kefu, cangku]).delete()
    first = notify(kind="k.a", title="第一条", recipients=[kefu], url="/orders/1/")[0]
    second = notify(kind="k.b", title="第二条", recipients=[kefu], severity=Severity.WARNING)[0]
    theirs = notify(kind="k.a", title="仓库的", recipients=[cangku])[0]
    return {"first": first, "second": second, "theirs": theirs}


def test_list_my_notifications(api_as, kefu, notices):
    response = api_as(kefu).get("/api/v1/notifications")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert [n["id"] for n in body["items"]] == [notices["second"].pk, notices["first"].pk]
    item = body["items"][1]
    assert {k: item[k] for k in ("kind", "severity", "title", "body", "url", "read")} == {
        "kind": "k.a",
        "severity": "info",
        "title": "第一条",
        "body": "",
        "url": "/orders/1/",
        "read": False,
    }
    assert item["created_at"]


def test_unread_filter_and_pages(api_as, kefu, notices):
    client = api_as(kefu)
    client.post(f"/api/v1/notifications/{notices['first'].pk}/read")
    unread = client.get("/api/v1/notifications", unread="true").json()
    assert [n["id"] for n in unread["items"]] == [notices["second"].pk]

    page = client.get("/api/v1/notifications", limit=1).json()
    assert [n["id"] for n in page["items"]] == [notices["second"].pk]
    rest = client.get("/api/v1/notifications", limit=1, cursor=page["next"]).json()
    assert [n["id"] for n in rest["items"]] == [notices["first"].pk]
    assert rest["next"] is None


def test_mark_read(api_as, kefu, notices):
    response = api_as(kefu).post(f"/api/v1/notifications/{notices['first'].pk}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True
    notices["first"].refresh_from_db()
    assert notices["first"].read_at is not None


def test_someone_elses_notification_is_404(api_as, kefu, notices):
    response = api_as(kefu).post(f"/api/v1/notifications/{notices['theirs'].pk}/read")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    notices["theirs"].refresh_from_db()
    assert notices["theirs"].read_at is None


def test_read_all(api_as, kefu, notices):
    response = api_as(kefu).post("/api/v1/notifications/read-all")
    assert response.status_code == 200
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=kefu, read_at__isnull=True).exists()
    notices["theirs"].refresh_from_db()
    assert notices["theirs"].read_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/notifications"),
        ("post", "/api/v1/notifications/1/read"),
        ("post", "/api/v1/notifications/read-all"),
        ("get", "/api/v1/alerts"),
    ],
)
def test_anonymous_is_401(api_as, demo, method, path):
    response = getattr(api_as(None), method)(path)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor"}, {"unread": "maybe"}]
)
def test_bad_query_is_422(api_as, kefu, params):
    response = api_as(kefu).get("/api/v1/notifications", **params)
    assert response.status_code == 422
    assert "error" in response.json()


def test_huge_id_is_422_not_500(api_as, kefu):
    assert api_as(kefu).post(f"/api/v1/notifications/{2**63}/read").status_code == 422


# --- alerts -------------------------------------------------------------------------------------
@pytest.fixture
def alerts(stores, kefu, cangku):
    return {
        "jd_for_kefu": alert_raise(
            kind="k", title="京东·告诉客服", recipients=[kefu], store=stores["jd-main"]
        ),
        "tmall_for_cangku": alert_raise(
            kind="k", title="天猫·告诉仓库", recipients=[cangku], store=stores["tm-flagship"]
        ),
        "company": alert_raise(kind="k", title="全公司", recipients=[cangku], dedupe_key="c"),
        "resolved_jd": alert_raise(
            kind="k",
            title="京东·已解除",
            recipients=[cangku],
            store=stores["jd-main"],
            dedupe_key="r",
        ),
    }


MINE = {"京东·告诉客服", "天猫·告诉仓库", "全公司", "京东·已解除"}


def _titles(response):
    """The titles of this test's alerts in the answer (the demo seed raises its own too)."""
    assert response.status_code == 200
    return sorted(a["title"] for a in response.json()["items"] if a["title"] in MINE)


def test_alerts_persona_matrix(api_as, alerts, kefu, cangku, jingli, shenji, shenji_jd):
    alert_resolve(dedupe_key="r")
    # told of it: only what I was notified of
    assert _titles(api_as(kefu).get("/api/v1/alerts")) == ["京东·告诉客服"]
    assert _titles(api_as(cangku).get("/api/v1/alerts", open="true")) == ["全公司", "天猫·告诉仓库"]
    # 查看全部预警 (经理, 审计): every alert of my stores, and those of no store
    assert _titles(api_as(jingli).get("/api/v1/alerts", open="true")) == [
        "京东·告诉客服",
        "全公司",
        "天猫·告诉仓库",
    ]
    assert _titles(api_as(shenji).get("/api/v1/alerts", open="false")) == ["京东·已解除"]
    # an auditor working in jd-main only: the tmall alert does not exist for them
    assert _titles(api_as(shenji_jd).get("/api/v1/alerts")) == [
        "京东·告诉客服",
        "京东·已解除",
        "全公司",
    ]


def test_alert_fields(api_as, alerts, kefu, stores):
    items = api_as(kefu).get("/api/v1/alerts").json()["items"]
    (item,) = [a for a in items if a["title"] in MINE]
    assert item["id"] == alerts["jd_for_kefu"].pk
    assert item["store_id"] == stores["jd-main"].pk
    assert item["severity"] == "warning"
    assert item["open"] is True
    assert item["resolved_at"] is None
