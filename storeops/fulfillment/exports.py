"""发货回传: the file each platform takes back for its bulk-ship upload (批量发货), one row per parcel.

The column names and the courier names each platform expects are data here, to be checked against
a real template when one arrives (a platform changes its upload format now and then).
CSV written as UTF-8 with BOM so Excel shows the Chinese.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from storeops.fulfillment.models import Shipment


@dataclass(frozen=True)
class ShipmentExportFormat:
    label: str
    headers: tuple[str, str, str]  # order number, courier, tracking number
    courier_names: dict[str, str] = field(default_factory=dict)  # our code → platform's name


_TAOBAO_NAMES = {
    "SF": "顺丰速运",
    "ZTO": "中通快递",
    "YTO": "圆通速递",
    "YD": "韵达快递",
    "STO": "申通快递",
    "JT": "极兔速递",
    "JD": "京东快递",
    "EMS": "EMS",
    "DBL": "德邦快递",
}

SHIPMENT_EXPORTS: dict[str, ShipmentExportFormat] = {
    "taobao": ShipmentExportFormat("淘宝", ("订单编号", "物流公司", "运单号"), _TAOBAO_NAMES),
    "tmall": ShipmentExportFormat("天猫", ("订单编号", "物流公司", "运单号"), _TAOBAO_NAMES),
    "jd": ShipmentExportFormat(
        "京东",
        ("订单号", "物流公司", "运单号"),
        {**_TAOBAO_NAMES, "SF": "顺丰快递", "JD": "京东物流", "EMS": "中国邮政"},
    ),
    "pdd": ShipmentExportFormat(
        "拼多多", ("订单号", "快递公司", "快递单号"), {**_TAOBAO_NAMES, "EMS": "邮政EMS"}
    ),
    "douyin": ShipmentExportFormat("抖店", ("订单号", "物流公司", "运单号"), _TAOBAO_NAMES),
    "own_mall": ShipmentExportFormat("公司商城", ("订单号", "快递公司", "运单号")),
}


def shipment_export_csv(platform: str, shipments: Iterable[Shipment]) -> bytes:
    fmt = SHIPMENT_EXPORTS.get(platform, SHIPMENT_EXPORTS["own_mall"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fmt.headers)
    for shipment in shipments:
        name = fmt.courier_names.get(shipment.courier.code, shipment.courier.name)
        # plain text: the platform reads the file as uploaded (open it in Excel and an 18-digit
        # order number turns into 3.1E+18 — upload the file as downloaded)
        writer.writerow([shipment.order.platform_order_no, name, shipment.tracking_no])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
