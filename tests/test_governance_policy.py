"""The policy's numbers as settings: defaults, changes by 系统管理员 (audited), refusals, bad values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Forbidden, Invalid, NotFound
from storeops.governance.enums import PolicyKey
from storeops.governance.models import PolicySetting
from storeops.governance.selectors import policy_value
from storeops.governance.services import policy_set


def test_defaults(db):
    assert policy_value(PolicyKey.PUBLISH_SLA_GENERAL_HOURS) == 24
    assert policy_value("publish_sla_important_hours") == 12
    assert policy_value("stocktake_interval_days") == 7
    assert policy_value("copy_refresh_days") == 15
    limit = policy_value("price_adjust_limit_percent_customer_service")
    assert limit == Decimal("10")
    assert isinstance(limit, Decimal)


def test_admin_changes_a_value_and_it_is_audited(admin):
    assert policy_set(actor=admin, key="publish_sla_general_hours", value="20") == 20

    assert policy_value("publish_sla_general_hours") == 20
    event = AuditEvent.objects.get(action="governance.policy.update")
    assert event.actor == admin
    assert event.before == {"key": "publish_sla_general_hours", "value": "24"}
    assert event.after == {"key": "publish_sla_general_hours", "value": "20"}

    policy_set(actor=admin, key="price_adjust_limit_percent_customer_service", value="7.5")
    assert policy_value("price_adjust_limit_percent_customer_service") == Decimal("7.5")


def test_non_admin_is_refused_and_nothing_changes(jingli, kefu):
    for user in (jingli, kefu):
        with pytest.raises(Forbidden):
            policy_set(actor=user, key="copy_refresh_days", value=10)
    assert policy_value("copy_refresh_days") == 15
    assert not PolicySetting.objects.exists()
    assert not AuditEvent.objects.filter(action="governance.policy.update").exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("publish_sla_general_hours", -1),
        ("publish_sla_general_hours", 0),
        ("publish_sla_general_hours", 100000),
        ("publish_sla_general_hours", "1.5"),
        ("publish_sla_general_hours", "二十"),
        ("publish_sla_general_hours", True),
        ("stocktake_interval_days", None),
        ("price_adjust_limit_percent_customer_service", "101"),
        ("price_adjust_limit_percent_customer_service", "-0.1"),
        ("price_adjust_limit_percent_customer_service", "1.234"),
        ("price_adjust_limit_percent_customer_service", "NaN"),
    ],
)
def test_bad_values_are_invalid_naming_the_field(admin, key, value):
    with pytest.raises(Invalid) as bad:
        policy_set(actor=admin, key=key, value=value)
    assert bad.value.details["field"] == "value"
    assert not PolicySetting.objects.exists()


def test_unknown_key(admin):
    with pytest.raises(NotFound):
        policy_set(actor=admin, key="nope", value=1)


def put(api_client, url, payload):
    return api_client.client.put(
        url, payload, content_type="application/json", **api_client.headers
    )


def test_api_list_and_put(api_as, admin, kefu, jingli):
    listed = api_as(kefu).get("/api/v1/policy").json()["items"]
    assert {row["key"]: row["value"] for row in listed} == {
        "publish_sla_general_hours": "24",
        "publish_sla_important_hours": "12",
        "stocktake_interval_days": "7",
        "copy_refresh_days": "15",
        "price_adjust_limit_percent_customer_service": "10",
    }
    assert listed[0]["label"] == "一般信息发布时限"

    url = "/api/v1/policy/copy_refresh_days"
    assert put(api_as(jingli), url, {"value": 10}).status_code == 403
    client = api_as(admin)
    response = put(client, url, {"value": 10})
    assert response.status_code == 200
    assert response.json()["value"] == "10"
    assert response.json()["updated_by"] == "admin"

    bad = put(client, url, {"value": -3})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["field"] == "value"
    wrong_type = put(client, url, {"value": [1]})
    assert wrong_type.status_code == 422
    missing = put(client, "/api/v1/policy/nope", {"value": 1})
    assert missing.status_code == 404
    assert policy_value("copy_refresh_days") == 10


def test_page(web_as, admin, jingli, kefu):
    html = web_as(jingli).get("/governance/policy/").content.decode()
    assert "一般信息发布时限" in html
    assert "R4.2" in html
    assert "/governance/policy/copy_refresh_days/" not in html  # no edit form for the manager
    assert web_as(kefu).get("/governance/policy/").status_code == 403
    assert (
        web_as(jingli).post("/governance/policy/copy_refresh_days/", {"value": "9"}).status_code
        == 403
    )

    response = web_as(admin).post(
        "/governance/policy/copy_refresh_days/", {"value": "12"}, follow=True
    )
    assert "制度参数已保存" in response.content.decode()
    assert policy_value("copy_refresh_days") == 12
    response = web_as(admin).post(
        "/governance/policy/copy_refresh_days/", {"value": "-1"}, follow=True
    )
    assert "须为 1 到 366 之间的整数" in response.content.decode()
    assert policy_value("copy_refresh_days") == 12
