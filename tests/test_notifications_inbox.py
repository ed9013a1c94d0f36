"""The inbox pages (通知中心), the unread badge in the header and the 工作台's 预警 panel."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storeops.notifications.enums import Severity
from storeops.notifications.models import Notification
from storeops.notifications.services import alert_raise, alert_resolve, notify


@pytest.fixture
def inbox(kefu, cangku):
    """kefu's inbox holds exactly three notices (one read), cangku's one (the demo's emptied)."""
    Notification.objects.filter(recipient__in=[kefu, cangku]).delete()
    first = notify(kind="k.a", title="第一条通知", recipients=[kefu], url="/orders/1/")[0]
    second = notify(kind="k.b", title="第二条通知", recipients=[kefu], body="详情见订单")[0]
    third = notify(kind="k.c", title="第三条（已读）", recipients=[kefu])[0]
    Notification.objects.filter(pk=third.pk).update(read_at=third.created_at)
    theirs = notify(kind="k.a", title="仓库的通知", recipients=[cangku])[0]
    return {"first": first, "second": second, "third": third, "theirs": theirs}


def _ids(html: str) -> list[int]:
    import re

    return [int(x) for x in re.findall(r'data-notification="(\d+)"', html)]


def test_inbox_lists_my_notifications_newest_first(web_as, kefu, inbox):
    response = web_as(kefu).get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "通知中心" in html
    assert _ids(html) == [inbox["third"].pk, inbox["second"].pk, inbox["first"].pk]
    assert "仓库的通知" not in html


def test_unread_filter(web_as, kefu, inbox):
    html = web_as(kefu).get("/notifications/", {"filter": "unread"}).content.decode()
    assert _ids(html) == [inbox["second"].pk, inbox["first"].pk]


def test_mark_one_read(web_as, kefu, inbox):
    response = web_as(kefu).post(f"/notifications/{inbox['second'].pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    inbox["second"].refresh_from_db()
    assert inbox["second"].read_at is not None
    inbox["first"].refresh_from_db()
    assert inbox["first"].read_at is None


def test_someone_elses_notification_does_not_exist_for_me(web_as, kefu, inbox):
    theirs = inbox["theirs"]
    assert web_as(kefu).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert web_as(kefu).post(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_mine(web_as, kefu, inbox):
    response = web_as(kefu).post("/notifications/read-all/", {"filter": "unread"})
    assert response["Location"] == "/notifications/?filter=unread"
    assert not Notification.objects.filter(recipient=kefu, read_at__isnull=True).exists()
    inbox["theirs"].refresh_from_db()
    assert inbox["theirs"].read_at is None


def test_marking_read_needs_post(web_as, kefu, inbox):
    client = web_as(kefu)
    assert client.get(f"/notifications/{inbox['first'].pk}/open/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    assert Notification.objects.filter(recipient=kefu, read_at__isnull=True).count() == 2


def test_opening_marks_read_and_follows_the_link(web_as, kefu, inbox):
    response = web_as(kefu).post(f"/notifications/{inbox['first'].pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/orders/1/"
    inbox["first"].refresh_from_db()
    assert inbox["first"].read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "orders/1/",
        "",
    ],
)
def test_opening_never_leaves_the_site(web_as, kefu, url):
    (notice,) = notify(kind="k.a", title="链接", recipients=[kefu], url=url)
    response = web_as(kefu).post(f"/notifications/{notice.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"


def test_inbox_needs_login(client, demo):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- the header badge ---------------------------------------------------------------------------
def test_header_shows_my_unread_count_with_one_count_query(web_as, kefu, inbox):
    client = web_as(kefu)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/workbench/").content.decode()
    assert 'data-testid="unread-count">2<' in html
    touching = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    counts = [sql for sql in touching if "COUNT(" in sql.upper()]
    assert len(counts) == 1

    client.post("/notifications/read-all/")
    html = client.get("/workbench/").content.decode()
    assert 'data-testid="unread-count"' not in html
    assert 'data-testid="inbox-link"' in html


def test_no_badge_on_the_login_page(client, demo):
    html = client.get("/login/").content.decode()
    assert "unread-count" not in html


# --- the 工作台's 预警 panel -----------------------------------------------------------------------
def test_workbench_alert_panel_lists_my_open_alerts(web_as, kefu, cangku):
    alert_raise(
        kind="inventory.low_stock",
        title="库存不足：SKU-009",
        recipients=[kefu],
        url="/inventory/items/9/",
        severity=Severity.CRITICAL,
        dedupe_key="low:9",
    )
    alert_raise(kind="x.y", title="外链预警", recipients=[kefu], url="https://evil.example/")
    alert_raise(kind="x.y", title="已解除的预警", recipients=[kefu], dedupe_key="gone")
    alert_resolve(dedupe_key="gone")
    alert_raise(kind="x.y", title="仓库的预警", recipients=[cangku])

    html = web_as(kefu).get("/workbench/").content.decode()
    panel = html.split('data-panel="alerts"')[1].split("</section>")[0]
    assert '<a href="/inventory/items/9/">库存不足：SKU-009</a>' in panel
    assert 'data-severity="critical"' in panel
    assert '<a href="/notifications/">外链预警</a>' in panel
    assert "已解除的预警" not in panel
    assert "仓库的预警" not in panel
