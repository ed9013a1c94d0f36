"""Drift detection (R5.1): live text pasted or imported from the platform's export is compared
with the approved live version; a difference is recorded and alerted (运营, 经理; once per
publication), matching text resolves it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.accounts.models import Role
from storeops.accounts.services import user_create
from storeops.audit.models import AuditEvent
from storeops.catalog.models import PlatformSkuMapping
from storeops.content.models import DriftFinding, ReleaseDraft
from storeops.content.selectors import package_rows
from storeops.content.services import (
    draft_approve,
    draft_create,
    draft_publish,
    draft_submit,
    drift_check,
    drift_import,
)
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.roles import RoleCode
from storeops.notifications.models import Alert
from tests.conftest import PASSWORD
from tests.content_helpers import scanner  # noqa: F401

pytestmark = pytest.mark.usefixtures("scanner")
CHECKS = "/api/v1/content/drift-checks"
IMPORTS = "/api/v1/content/drift-imports"


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


def publish(
    qihua, jingli, listing, *, title="保温杯 500ml", body="双层真空\n保温 12 小时", **extra
):
    draft = draft_create(
        actor=qihua,
        store=listing.store,
        kind="listing",
        target=listing.pk,
        title=title,
        body=body,
        priority="general",
        **extra,
    )
    draft_submit(actor=qihua, draft=draft)
    draft_approve(actor=jingli, draft=draft, comment="")
    return draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))


@pytest.fixture
def mapped(stores):
    """A tb-main listing whose product has a Taobao item id (seeded mappings)."""
    mapping = PlatformSkuMapping.objects.filter(store=stores["tb-main"]).order_by("id").first()
    listing = stores["tb-main"].listings.get(product_id=mapping.sku.product_id)
    return listing, mapping.platform_item_id


@pytest.fixture
def live(qihua, jingli, mapped):
    return publish(qihua, jingli, mapped[0], price="79.00")


def drift_alert(publication):
    return Alert.objects.filter(dedupe_key=f"content.drift:{publication.pk}")


def test_same_text_records_nothing(yunying, live):
    result = drift_check(
        actor=yunying,
        publication=live,
        title=" 保温杯  500ml ",
        body="双层真空\r\n\r\n保温 12 小时\n",
        price="79",
    )

    assert result.has_drift is False
    assert not DriftFinding.objects.filter(publication=live).exists()
    assert not drift_alert(live).exists()
    event = AuditEvent.objects.get(action="content.drift.check", object_id=str(live.pk))
    assert event.after["differs"] == []


def test_the_exported_description_counts_as_the_approved_body(yunying, live):
    _headers, rows = package_rows(live.package)

    result = drift_check(actor=yunying, publication=live, body=rows[0][3])

    assert result.has_drift is False


def test_a_difference_is_recorded_and_alerted_once_then_resolved(yunying, jingli, demo, live):
    first = drift_check(actor=yunying, publication=live, title="保温杯 500ml 全网最低价")
    second = drift_check(
        actor=yunying, publication=live, body="双层真空\n保温 24 小时", price="69.00"
    )

    assert [d["field"] for d in first.differences] == ["title"]
    assert first.differences[0]["approved"] == "保温杯 500ml"
    assert first.differences[0]["live"] == "保温杯 500ml 全网最低价"
    assert [d["field"] for d in second.differences] == ["body", "price"]
    assert "+保温 24 小时" in second.differences[0]["diff"]
    assert second.differences[1] == {
        "field": "price",
        "label": "售价",
        "approved": "79.00",
        "live": "69.00",
    }
    assert DriftFinding.objects.filter(publication=live, resolved_at__isnull=True).count() == 2
    alert = drift_alert(live).get()  # one alert per publication
    assert alert.severity == "critical"
    recipients = set(alert.notifications.values_list("recipient__username", flat=True))
    assert {"yunying", "jingli"} <= recipients
    assert "qihua" not in recipients
    assert "kefu" not in recipients

    same = drift_check(actor=jingli, publication=live, title="保温杯 500ml")

    assert same.resolved == 2
    assert not DriftFinding.objects.filter(publication=live, resolved_at__isnull=True).exists()
    assert drift_alert(live).get().resolved_at is not None


def test_republishing_the_page_closes_the_old_versions_drift(yunying, qihua, jingli, mapped, live):
    drift_check(actor=yunying, publication=live, title="被人改过的标题")

    publish(qihua, jingli, mapped[0], title="被人改过的标题")

    assert drift_alert(live).get().resolved_at is not None
    with pytest.raises(Conflict) as refused:
        drift_check(actor=yunying, publication=live, title="x")
    assert refused.value.code == "publication.not_live"


def test_refusals_record_nothing(kefu, yunying, live):
    with pytest.raises(Forbidden):
        drift_check(actor=kefu, publication=live, title="x")
    with pytest.raises(Invalid) as empty:
        drift_check(actor=yunying, publication=live, title="  ", body="")
    with pytest.raises(Invalid):
        drift_check(actor=yunying, publication=live, price="-1")

    assert empty.value.code == "drift.nothing"
    assert not DriftFinding.objects.filter(publication=live).exists()


def test_api_permission_matrix(api_as, demo, stores, live):
    jd_only = user_create(
        actor=None,
        username="yunying_jd2",
        password=PASSWORD,
        first_name="京东运营",
        roles=[Role.objects.get(code=RoleCode.OPERATIONS)],
        stores=[stores["jd-main"]],
    )
    payload = {"publication": live.pk, "title": "改过的标题", "body": None, "price": None}

    answered = api_as(demo["yunying"]).post(CHECKS, payload)

    assert answered.status_code == 200
    body = answered.json()
    assert body["drift"] is True
    assert body["differences"][0]["field"] == "title"
    assert body["finding"] == DriftFinding.objects.get(publication=live).pk
    for name in ("jingli", "qihua"):
        assert api_as(demo[name]).post(CHECKS, payload).status_code == 200, name
    for name in ("kefu", "shenji", "caiwu"):
        assert api_as(demo[name]).post(CHECKS, payload).status_code == 403, name
    assert api_as(jd_only).post(CHECKS, payload).status_code == 404
    assert api_as(None).post(CHECKS, payload).status_code == 401
    nothing = api_as(demo["yunying"]).post(CHECKS, {"publication": live.pk})
    assert nothing.status_code == 422
    assert nothing.json()["error"]["code"] == "drift.nothing"
    assert (
        api_as(demo["yunying"]).post(CHECKS, {"publication": 2**40, "title": "x"}).status_code
        == 404
    )


def csv_file(rows):
    text = "\n".join(",".join(row) for row in rows)
    return ("\ufeff" + text).encode()


def test_import_checks_every_row_by_item_id_or_listing(
    yunying, qihua, jingli, stores, mapped, live
):
    other = stores["tb-main"].listings.exclude(pk=mapped[0].pk).order_by("id").first()
    second = publish(qihua, jingli, other, title="玻璃杯", body="耐热玻璃")
    data = csv_file(
        [
            ("商品ID", "商品编号", "宝贝标题", "一口价", "宝贝描述"),
            (mapped[1], "", "保温杯 500ml", "79.00", "双层真空 保温 12 小时"),
            ("", str(other.pk), "玻璃杯（已改）", "", "耐热玻璃"),
        ]
    )

    result = drift_import(actor=yunying, store=stores["tb-main"], source=data, filename="items.csv")

    assert result["applied"] is True
    assert (result["updated"], result["unchanged"]) == (1, 1)
    assert result["findings"] == [
        {
            "line": 3,
            "publication": second.pk,
            "finding": DriftFinding.objects.get(publication=second).pk,
            "fields": ["title"],
        }
    ]
    assert not DriftFinding.objects.filter(publication=live).exists()
    assert drift_alert(second).exists()
    event = AuditEvent.objects.filter(action="content.drift.import").latest("id")
    assert (event.after["differ"], event.after["match"]) == (1, 1)


def test_import_with_a_bad_row_checks_nothing(api_as, demo, stores, live):
    data = csv_file(
        [
            ("商品ID", "标题"),
            ("999999999999", "不存在的商品"),
            ("", "缺少编号"),
        ]
    )
    response = api_as(demo["yunying"]).client.post(
        IMPORTS,
        {"store": "tb-main", "file": _upload(data)},
        **api_as(demo["yunying"]).headers,
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import.rejected"
    assert [e["line"] for e in error["details"]["errors"]] == [2, 3]
    assert not DriftFinding.objects.filter(store=stores["tb-main"], source="import").exists()
    denied = api_as(demo["kefu"]).client.post(
        IMPORTS, {"store": "tb-main", "file": _upload(data)}, **api_as(demo["kefu"]).headers
    )
    assert denied.status_code == 403


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("items.csv", data, content_type="text/csv")


def test_pages_paste_and_import(web_as, demo, stores, live, mapped):
    yunying = web_as(demo["yunying"])
    page = yunying.get(f"/content/publications/{live.pk}/").content.decode()
    assert 'data-testid="drift-form"' in page

    response = yunying.post(
        f"/content/publications/{live.pk}/drift/", {"title": "", "body": "", "price": "59.00"}
    )
    assert response.status_code == 302
    html = yunying.get(f"/content/publications/{live.pk}/").content.decode()
    assert 'data-testid="drift-open"' in html
    assert "¥79.00" in html
    board = yunying.get("/content/drift/").content.decode()
    assert f"/content/publications/{live.pk}/" in board
    imported = yunying.post(
        "/content/drift/",
        {
            "store": "tb-main",
            "file": _upload(csv_file([("商品ID", "一口价"), (mapped[1], "79.00")])),
        },
    )
    assert imported.status_code == 200
    assert "不一致 0 个，一致 1 个" in imported.content.decode()
    assert DriftFinding.objects.get(publication=live).resolved_at is not None
    assert web_as(demo["kefu"]).get("/content/drift/").status_code == 403
    assert (
        web_as(demo["shenji"])
        .post(f"/content/publications/{live.pk}/drift/", {"title": "x"})
        .status_code
        == 403
    )
    assert Decimal(live.package["price"]) == Decimal("79.00")
