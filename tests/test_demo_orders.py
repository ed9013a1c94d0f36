"""`seed-demo --orders N` writes its orders through the import like a platform export: a Taobao
number ending in 0000 (every 10,000th order) is written wrapped (`="…"`), so the import trusts it
instead of refusing the whole file as Excel damage (which had left 1,000,000 at 300,000)."""

import csv
import random

from storeops.core import clock
from storeops.demo.orders_seed import HEADER, _rows
from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import Order
from storeops.orders.services.imports import order_import_files


def test_the_ten_thousandth_taobao_demo_order_is_imported(demo, stores, tmp_path):
    path = tmp_path / "demo.csv"
    rows = _rows(
        random.Random(1),
        prefix="39",
        width=17,
        first=9_999,
        last=10_000,
        skus=[("GLT-CUP-500-BK", "杯子", "79.00")],
        now=clock.now(),
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)

    result = order_import_files(
        actor=demo["yunying"],
        store=stores["tb-main"],
        files=[ImportFile.from_path(path)],
        platform="generic",
    )

    assert result.errors == []
    assert result.created == 2
    assert Order.objects.filter(
        store=stores["tb-main"], platform_order_no="3900000000000010000"
    ).exists()
