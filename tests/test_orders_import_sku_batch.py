"""Order import: the SKUs of an export's lines are looked up in a few batch queries
(catalog.selectors.sku_resolve_many), not two to four per distinct code."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from storeops.orders.services.imports import order_import_files
from tests.inventory_helpers import make_sku

from .test_orders_import_staging import ITEM_HEADER, ORDER_HEADER, _csv, _item, _order


def test_distinct_codes_are_resolved_in_a_few_batch_queries(admin, stores):
    codes = [make_sku(f"BATCH-{n:03d}").merchant_code for n in range(40)]
    orders = [_order(f"76{n:04d}") for n in range(40)]
    items = [_item(f"76{n:04d}", code) for n, code in enumerate(codes)]
    files = [
        _csv("76_ExportOrderList.csv", ORDER_HEADER, orders),
        _csv("76_ExportOrderDetailList.csv", ITEM_HEADER, items),
    ]
    with CaptureQueriesContext(connection) as queries:
        result = order_import_files(actor=admin, store=stores["tb-main"], files=files)
    assert (result.created, result.exceptions) == (40, 0)
    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if "catalog_sku" in q["sql"] or "catalog_platformskumapping" in q["sql"]
    ]
    assert len(lookups) <= 4, lookups  # not 2–4 per code: 80–160 for these 40
