"""Browsing the audit log: the API (filters, newest first, cursor pages), the page, the Excel export."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pytest
from django.db import transaction
from openpyxl import load_workbook

from storeops.audit.models import AuditEvent
from storeops.audit.services import audit_record
from storeops.core.clock import BUSINESS_TZ
from storeops.core.excel import XLSX_TYPE

URL = "/api/v1/audit/events"


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=BUSINESS_TZ)


@pytest.fixture
def events(admin, kefu, jingli):
    """Four events by three people; dated in Beijing time (b is March 2 there, March 1 in UTC)."""
    with transaction.atomic():
        a = audit_record(
            actor=kefu,
            action="orders.order.update",
            object_type="orders.order",
            object_id="A100",
            object_repr="订单 A100",
            before={"remark": ""},
            after={"remark": "加急"},
        )
        b = audit_record(
            actor=kefu,
            action="orders.order.cancel",
            object_type="orders.order",
            object_id="A101",
            object_repr="订单 A101",
        )
        c = audit_record(
            actor=jingli,
            action="marketing.campaign.update",
            object_type="marketing.campaign",
            object_id="P1",
            object_repr="活动 P1",
        )
        d = audit_record(
            actor=admin,
            action="orders.refund.approve",
            object_type="orders.refund",
            object_id="R1",
            object_repr="退款 R1",
        )
    for event, at in ((a, _at(1, 10)), (b, _at(2, 0, 30)), (c, _at(3, 23, 59)), (d, _at(4, 9))):
        AuditEvent.objects.filter(pk=event.pk).update(occurred_at=at)
    return {"a": a.pk, "b": b.pk, "c": c.pk, "d": d.pk}


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()["items"]]


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert body["error"]["code"] == code
    return body["error"]


# --- API ------------------------------------------------------------------------------------------
def test_api_lists_every_event_newest_first(shenji, events, api_as):
    client = api_as(shenji)
    body = client.get(URL, limit=200).json()
    ids = [e["id"] for e in body["items"]]
    assert ids == list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:200])
    assert ids == sorted(ids, reverse=True)
    # the newest is the token this client was given, then the fixture's events, newest first
    assert body["items"][0]["action"] == "accounts.token.create"
    assert ids[1:5] == [events["d"], events["c"], events["b"], events["a"]]


def test_api_event_shape(shenji, events, api_as):
    item = api_as(shenji).get(URL, object_id="A100").json()["items"][0]
    assert {k: item[k] for k in item if k not in {"ip", "request_id"}} == {
        "id": events["a"],
        "occurred_at": "2025-03-01T02:00:00Z",
        "actor": "kefu",
        "action": "orders.order.update",
        "object_type": "orders.order",
        "object_id": "A100",
        "object_repr": "订单 A100",
        "store_id": None,
        "before": {"remark": ""},
        "after": {"remark": "加急"},
        "sealed": False,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "kefu", "date_to": "2025-12-31"}, ["b", "a"]),  # the demo's own come later
        ({"actor": "jingli", "date_to": "2025-12-31"}, ["c"]),  # the demo's own come later
        ({"actor": "nobody"}, []),
        ({"action": "orders.order", "date_to": "2025-12-31"}, ["b", "a"]),
        ({"action": "orders.order.cancel", "date_to": "2025-12-31"}, ["b"]),
        ({"action": "orders", "actor": "admin"}, ["d"]),
        ({"object_type": "marketing.campaign"}, ["c"]),
        ({"object_type": "orders.order", "object_id": "A101", "date_to": "2025-12-31"}, ["b"]),
        ({"object_id": "R1"}, ["d"]),
        ({"date_from": "2025-03-01", "date_to": "2025-03-01"}, ["a"]),
        ({"date_from": "2025-03-02", "date_to": "2025-03-02"}, ["b"]),
        ({"date_from": "2025-03-02", "date_to": "2025-03-03"}, ["c", "b"]),
        ({"date_from": "2025-03-03", "date_to": "2025-03-04"}, ["d", "c"]),
        ({"date_to": "2025-02-28"}, []),
        ({"actor": "kefu", "date_from": "2025-03-02", "date_to": "2025-12-31"}, ["b"]),
    ],
)
def test_api_filters(params, expected, shenji, events, api_as):
    response = api_as(shenji).get(URL, **params)
    assert _ids(response) == [events[k] for k in expected]


def test_api_bad_date_is_422(shenji, api_as):
    error = _error(api_as(shenji).get(URL, date_from="2025-13-01"), 422, "invalid")
    assert error["details"][0]["field"] == "date_from"


def test_api_cursor_walks_the_pages(shenji, events, api_as):
    client = api_as(shenji)
    # given two orders events; when read one per page
    first = client.get(URL, object_type="orders.order", date_to="2025-12-31", limit=1).json()
    assert [e["id"] for e in first["items"]] == [events["b"]]
    assert isinstance(first["next"], str)
    # then the cursor leads to the second, which is the last
    second = client.get(
        URL, object_type="orders.order", date_to="2025-12-31", limit=1, cursor=first["next"]
    ).json()
    assert second == {"items": second["items"], "next": None}
    assert [e["id"] for e in second["items"]] == [events["a"]]


def test_api_cursor_pages_cover_the_whole_log_once(shenji, events, api_as):
    client = api_as(shenji)
    expected = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True))
    seen, cursor = [], None
    for _ in range(len(expected)):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, **params).json()
        seen += [e["id"] for e in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == expected


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "abc", _b64({"k": "12"}), _b64({"k": -1}), _b64({"k": 2**60}), _b64([1]), _b64(True)],
    ids=["junk", "short", "string-key", "negative", "huge", "list", "bool"],
)
def test_api_bad_cursor_is_422(cursor, shenji, api_as):
    error = _error(api_as(shenji).get(URL, cursor=cursor), 422, "pagination.cursor_invalid")
    assert error["details"] == {"field": "cursor"}


@pytest.mark.parametrize("limit", [0, -1, 201, 1000, 2**63])
def test_api_limit_out_of_bounds_is_422(limit, shenji, api_as):
    error = _error(api_as(shenji).get(URL, limit=limit), 422, "invalid")
    assert error["details"][0]["field"] == "limit"


def test_api_limit_at_the_bounds_is_accepted(shenji, events, api_as):
    client = api_as(shenji)
    assert len(_ids(client.get(URL, limit=1))) == 1
    assert _ids(client.get(URL, limit=200)) == list(
        AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:200]
    )


def test_api_kefu_is_403(kefu, events, api_as):
    _error(api_as(kefu).get(URL), 403, "permission.denied")


def test_api_anonymous_is_401(events, api_as):
    _error(api_as(None).get(URL), 401, "auth.required")


# --- the page -------------------------------------------------------------------------------------
def test_page_with_filters_renders_the_matching_rows(shenji, events, web_as):
    response = web_as(shenji).get("/audit/events/", {"actor": "kefu", "date_to": "2025-12-31"})
    assert response.status_code == 200
    assert [e.id for e in response.context["events"]] == [events["b"], events["a"]]
    page = response.content.decode()
    assert 'data-action="orders.order.cancel"' in page
    assert 'data-action="orders.order.update"' in page
    assert "订单 A100" in page
    assert 'data-action="marketing.campaign.update"' not in page


def test_page_date_filter_uses_beijing_days(shenji, events, web_as):
    response = web_as(shenji).get(
        "/audit/events/", {"date_from": "2025-03-02", "date_to": "2025-03-02"}
    )
    assert [e.id for e in response.context["events"]] == [events["b"]]


def test_page_htmx_request_gets_rows_only(shenji, events, web_as):
    response = web_as(shenji).get(
        "/audit/events/", {"object_type": "marketing.campaign"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'data-action="marketing.campaign.update"' in page


def test_page_bad_cursor_shows_no_rows_not_an_error(shenji, events, web_as):
    response = web_as(shenji).get("/audit/events/", {"cursor": "!!!"})
    assert response.status_code == 200
    assert list(response.context["events"]) == []


def test_page_kefu_is_403(kefu, web_as):
    assert web_as(kefu).get("/audit/events/").status_code == 403


# --- the export -----------------------------------------------------------------------------------
HEADERS = (
    "编号",
    "时间（北京时间）",
    "操作人",
    "动作",
    "对象类型",
    "对象ID",
    "对象",
    "IP",
    "请求ID",
    "修改前",
    "修改后",
    "哈希",
)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    return load_workbook(io.BytesIO(response.content)).active


def test_export_holds_the_filtered_rows(shenji, events, web_as):
    sheet = _sheet(
        web_as(shenji).get("/audit/events/export/", {"actor": "kefu", "date_to": "2025-12-31"})
    )
    assert sheet.title == "操作日志"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == [events["b"], events["a"]]
    a = rows[2]
    assert a[:7] == (
        events["a"],
        _at(1, 10).replace(tzinfo=None),  # Beijing wall-clock time, as Excel shows it
        "kefu",
        "orders.order.update",
        "orders.order",
        "A100",
        "订单 A100",
    )
    assert (a[9], a[10]) == ('{"remark": ""}', '{"remark": "加急"}')  # JSON, readable


FORMULAS = ['=HYPERLINK("http://evil.example/","点我")', "+1+2", "-3+4", "@SUM(A1:A2)"]


def test_export_neutralises_formula_cells(shenji, admin, web_as):
    # given events whose text a spreadsheet would run as a formula
    with transaction.atomic():
        for text in FORMULAS:
            audit_record(
                actor=admin,
                action="marketing.campaign.rename",
                object_type="marketing.campaign",
                object_id=text,
                object_repr=text,
            )
    # when they are exported
    sheet = _sheet(
        web_as(shenji).get("/audit/events/export/", {"action": "marketing.campaign.rename"})
    )
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # then every such cell starts with ' and is plain text, not a formula
    assert [(r[5], r[6]) for r in rows] == [("'" + t, "'" + t) for t in reversed(FORMULAS)]
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)


def test_export_kefu_is_403(kefu, web_as):
    assert web_as(kefu).get("/audit/events/export/").status_code == 403
