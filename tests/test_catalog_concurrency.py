"""Two people creating the same merchant code at once (threads on PostgreSQL): one SKU, one 409."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_creators_of_the_same_merchant_code_get_one_sku_and_one_conflict(demo):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only")
    from storeops.catalog import services
    from storeops.catalog.models import Sku
    from storeops.core.errors import Conflict

    yunying, qihua = demo["yunying"], demo["qihua"]
    first = services.product_create(actor=yunying, name="并发杯甲", attribute_names=["颜色"])
    second = services.product_create(actor=qihua, name="并发杯乙", attribute_names=["颜色"])

    def create(actor, product, colour):
        return services.sku_create(
            actor=actor,
            product=product,
            merchant_code="RACE-CUP-1",
            attributes={"颜色": colour},
            price="10",
        )

    results = race(
        lambda: create(yunying, first, "黑色"),
        lambda: create(qihua, second, "白色"),
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    created = [r for r in results if isinstance(r, Sku)]
    assert len(created) == 1, results
    assert len(conflicts) == 1, results
    assert conflicts[0].code == "sku.merchant_code_taken"
    assert conflicts[0].status == 409
    assert Sku.objects.filter(merchant_code="RACE-CUP-1").count() == 1
