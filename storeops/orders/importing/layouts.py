"""The marketplaces' order export layouts: columns (with aliases), how to tell them apart, statuses.

Each platform may have several layouts (Taobao's classic order report + item report, its newer
single-file exports). A layout maps header texts to our field names; detection picks the layout
whose marker headers are all present. Aliases kept in the database (`ImportAlias`) extend every
layout of their platform, so a renamed column is a data change, not a code change.

Field names used by the pipeline:
order level  order_no buyer_id buyer_nick receiver_name receiver_phone receiver_mobile
             receiver_address province city district street buyer_message seller_remark flag
             goods_amount shipping_amount discount_amount paid_amount refund_amount created_at
             paid_at shipped_at finished_at status close_reason courier tracking_no aftersales
line level   line_id title attributes quantity unit_price line_discount merchant_code
             merchant_code_alt item_id sku_id line_status
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from storeops.core.imports import normalise_header
from storeops.orders.enums import ImportFormat, OrderStatus

S = OrderStatus

ORDER_FIELDS = (
    "buyer_id",
    "buyer_nick",
    "receiver_name",
    "receiver_phone",
    "receiver_mobile",
    "receiver_address",
    "province",
    "city",
    "district",
    "street",
    "buyer_message",
    "seller_remark",
    "flag",
    "goods_amount",
    "shipping_amount",
    "discount_amount",
    "paid_amount",
    "total_amount",
    "refund_amount",
    "created_at",
    "paid_at",
    "shipped_at",
    "finished_at",
    "status",
    "close_reason",
    "courier",
    "tracking_no",
    "aftersales",
)
LINE_FIELDS = (
    "line_id",
    "title",
    "attributes",
    "quantity",
    "unit_price",
    "line_discount",
    "merchant_code",
    "merchant_code_alt",
    "item_id",
    "sku_id",
    "line_status",
)

# Kinds of layout: the order half of a two-file export, its item half, or one row per line.
ORDERS, ITEMS, SINGLE = "orders", "items", "single"


@dataclass(frozen=True)
class Layout:
    code: str  # e.g. "taobao_orders"
    platform: str  # ImportFormat value
    kind: str  # ORDERS, ITEMS or SINGLE
    label: str
    columns: Mapping[str, tuple[str, ...]]  # field → header spellings (first one is the label)
    markers: tuple[str, ...]  # headers that must all be present to detect this layout
    excludes: tuple[str, ...] = ()  # headers whose presence rules it out
    required: tuple[str, ...] = ("order_no",)
    statuses: Mapping[str, str] = field(default_factory=dict)

    def header_map(self, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
        found: dict[str, str] = {}
        for name, spellings in self.columns.items():
            for spelling in spellings:
                found.setdefault(normalise_header(spelling), name)
        for alias, name in extra:
            found[normalise_header(alias)] = name
        return found

    def label_of(self, name: str) -> str:
        spellings = self.columns.get(name)
        return spellings[0] if spellings else name


def _status_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch not in " \t,，、()（）").lower()


def _statuses(mapping: Mapping[str, str]) -> dict[str, str]:
    return {_status_key(k): v for k, v in mapping.items()}


# Our own labels and codes are understood everywhere (the generic template writes them).
COMMON_STATUSES = {
    **{str(s.label): s.value for s in OrderStatus},
    **{s.value: s.value for s in OrderStatus},
    "已审核": S.REVIEWED,
    "待发货": S.PENDING_REVIEW,
}

TAOBAO_STATUSES = {
    "等待买家付款": S.PENDING_PAYMENT,
    "WAIT_BUYER_PAY": S.PENDING_PAYMENT,
    "买家已付款，等待卖家发货": S.PENDING_REVIEW,
    "买家已付款": S.PENDING_REVIEW,
    "等待卖家发货": S.PENDING_REVIEW,
    "WAIT_SELLER_SEND_GOODS": S.PENDING_REVIEW,
    "卖家部分发货": S.PARTIALLY_SHIPPED,
    "SELLER_CONSIGNED_PART": S.PARTIALLY_SHIPPED,
    "卖家已发货，等待买家确认": S.SHIPPED,
    "卖家已发货": S.SHIPPED,
    "WAIT_BUYER_CONFIRM_GOODS": S.SHIPPED,
    "交易成功": S.COMPLETED,
    "TRADE_FINISHED": S.COMPLETED,
    "交易关闭": S.CLOSED,
    "交易被淘宝关闭": S.CLOSED,
    "TRADE_CLOSED": S.CLOSED,
    "TRADE_CLOSED_BY_TAOBAO": S.CLOSED,
    # a group buy not yet formed: paid, but not to be shipped yet
    "PAID_FORBID_CONSIGN": S.PENDING_PAYMENT,
    "拼团中": S.PENDING_PAYMENT,
}
JD_STATUSES = {
    "等待付款": S.PENDING_PAYMENT,
    "等待出库": S.PENDING_REVIEW,
    "等待发货": S.PENDING_REVIEW,
    "暂停": S.PENDING_REVIEW,
    "等待确认收货": S.SHIPPED,
    "已出库": S.SHIPPED,
    "完成": S.COMPLETED,
    "已完成": S.COMPLETED,
    "已取消": S.CLOSED,
    "取消": S.CLOSED,
    "(删除)": S.CLOSED,
    "锁定": S.PENDING_REVIEW,
}
PDD_STATUSES = {
    "待支付": S.PENDING_PAYMENT,
    "待付款": S.PENDING_PAYMENT,
    "待发货": S.PENDING_REVIEW,
    "已发货，待签收": S.SHIPPED,
    "已发货，待收货": S.SHIPPED,
    "已发货": S.SHIPPED,
    "已签收": S.COMPLETED,
    "交易成功": S.COMPLETED,
    "已收货": S.COMPLETED,
    "已取消": S.CLOSED,
    "未发货，退款成功": S.CLOSED,
    "已发货，退款成功": S.CLOSED,
    "交易关闭": S.CLOSED,
}
DOUYIN_STATUSES = {
    "待支付": S.PENDING_PAYMENT,
    "已支付": S.PENDING_REVIEW,
    "备货中": S.PENDING_REVIEW,
    "待发货": S.PENDING_REVIEW,
    "部分发货": S.PARTIALLY_SHIPPED,
    "已发货": S.SHIPPED,
    "已取消": S.CLOSED,
    "已关闭": S.CLOSED,
    "已完成": S.COMPLETED,
}


def _columns(**spellings: tuple[str, ...] | str) -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else v for k, v in spellings.items()}


TAOBAO_ORDERS = Layout(
    code="taobao_orders",
    platform=ImportFormat.TAOBAO,
    kind=ORDERS,
    label="淘宝/天猫 订单报表",
    columns=_columns(
        order_no=("订单编号", "主订单编号"),
        buyer_nick="买家会员名",
        goods_amount="买家应付货款",
        shipping_amount="买家应付邮费",
        total_amount="总金额",
        paid_amount="买家实际支付金额",
        status="订单状态",
        buyer_message="买家留言",
        receiver_name="收货人姓名",
        receiver_address="收货地址",
        receiver_phone="联系电话",
        receiver_mobile="联系手机",
        created_at="订单创建时间",
        paid_at="订单付款时间",
        tracking_no="物流单号",
        courier="物流公司",
        seller_remark="订单备注",
        close_reason="订单关闭原因",
        refund_amount="退款金额",
        shipped_at="发货时间",
        finished_at=("确认收货时间", "交易成功时间"),
        flag=("旗帜", "旗帜颜色", "插旗"),
    ),
    markers=("订单编号", "买家会员名", "买家应付货款", "收货地址"),
    excludes=("商家编码", "宝贝规格", "子订单编号"),
    required=("order_no", "status", "created_at"),
    statuses=_statuses({**COMMON_STATUSES, **TAOBAO_STATUSES}),
)

TAOBAO_ITEMS = Layout(
    code="taobao_items",
    platform=ImportFormat.TAOBAO,
    kind=ITEMS,
    label="淘宝/天猫 宝贝报表",
    columns=_columns(
        order_no=("订单编号", "主订单编号"),
        line_id="子订单编号",
        title=("标题", "宝贝标题"),
        unit_price="价格",
        quantity="购买数量",
        merchant_code_alt="外部系统编号",
        attributes=("商品属性", "宝贝规格", "套餐信息"),
        line_status="订单状态",
        merchant_code="商家编码",
        item_id="宝贝ID",
        sku_id="SKUID",
    ),
    markers=("订单编号", "标题", "购买数量"),
    excludes=("收货地址", "买家会员名"),
    required=("order_no", "title", "unit_price", "quantity"),
    statuses=_statuses({**COMMON_STATUSES, **TAOBAO_STATUSES}),
)

TAOBAO_SINGLE = Layout(
    code="taobao_single",
    platform=ImportFormat.TAOBAO,
    kind=SINGLE,
    label="淘宝/天猫 订单明细（单文件）",
    columns=_columns(
        order_no=("主订单编号", "订单编号"),
        line_id="子订单编号",
        buyer_nick="买家会员名",
        goods_amount=("买家应付货款", "商品金额"),
        shipping_amount=("买家应付邮费", "运费"),
        total_amount="总金额",
        paid_amount=("买家实付金额", "买家实际支付金额", "实付金额"),
        refund_amount="退款金额",
        status="订单状态",
        aftersales="退款状态",
        buyer_message="买家留言",
        receiver_name="收货人姓名",
        receiver_address="收货地址",
        receiver_phone="联系电话",
        receiver_mobile="联系手机",
        created_at=("买家下单时间", "订单创建时间", "下单时间"),
        paid_at=("买家付款时间", "订单付款时间", "付款时间"),
        shipped_at="发货时间",
        finished_at=("确认收货时间", "交易成功时间"),
        tracking_no=("运单号", "物流单号"),
        courier="物流公司",
        seller_remark=("卖家备注", "订单备注"),
        flag=("旗帜", "旗帜颜色", "插旗"),
        close_reason="订单关闭原因",
        title=("宝贝标题", "商品标题", "标题"),
        attributes=("宝贝规格", "商品属性", "销售属性"),
        unit_price=("商品价格", "价格", "宝贝单价"),
        quantity=("购买数量", "宝贝数量", "商品数量"),
        merchant_code=("商家编码", "SKU商家编码"),
        merchant_code_alt="外部系统编号",
        item_id=("宝贝ID", "商品ID"),
        sku_id=("SKUID", "SKU ID"),
    ),
    markers=("买家会员名", "商家编码"),
    required=("order_no", "status", "created_at", "title", "quantity"),
    statuses=_statuses({**COMMON_STATUSES, **TAOBAO_STATUSES}),
)

JD = Layout(
    code="jd",
    platform=ImportFormat.JD,
    kind=SINGLE,
    label="京东 订单导出",
    columns=_columns(
        order_no="订单号",
        item_id="商品ID",
        title="商品名称",
        quantity="订购数量",
        created_at="下单时间",
        unit_price="京东价",
        goods_amount="订单金额",
        paid_amount="应付金额",
        status="订单状态",
        buyer_id="下单帐号",
        receiver_name="客户姓名",
        receiver_address="客户地址",
        receiver_phone="联系电话",
        buyer_message="订单备注",
        seller_remark="商家备注",
        flag=("商家备注等级", "商家备注等级(1-5)", "商家备注等级（1–5）"),
        shipping_amount="运费金额",
        paid_at="付款确认时间",
        merchant_code=("商家SKUID", "货号", "商家编码"),
        finished_at="订单完成时间",
        sku_id="SKUID",
    ),
    markers=("订单号", "商品ID", "订购数量", "客户姓名"),
    required=("order_no", "status", "created_at", "title", "quantity"),
    statuses=_statuses({**COMMON_STATUSES, **JD_STATUSES}),
)

PDD = Layout(
    code="pdd",
    platform=ImportFormat.PDD,
    kind=SINGLE,
    label="拼多多 订单导出",
    columns=_columns(
        title="商品",
        order_no="订单号",
        status="订单状态",
        goods_amount=("商品总价(元)", "商品总价"),
        discount_amount=("店铺优惠折扣(元)", "店铺优惠折扣"),
        shipping_amount=("邮费(元)", "邮费"),
        paid_amount=("用户实付金额(元)", "用户实付金额"),
        quantity=("商品数量(件)", "商品数量"),
        receiver_name="收货人",
        receiver_mobile="手机",
        province="省",
        city="市",
        district="区",
        street="街道",
        paid_at="支付时间",
        created_at=("订单成交时间", "拼单成功时间", "支付时间"),
        shipped_at="发货时间",
        finished_at="确认收货时间",
        item_id="商品id",
        attributes="商品规格",
        sku_id="样式ID",
        merchant_code=("商家编码-SKU维度", "商家编码"),
        merchant_code_alt="商家编码-商品维度",
        tracking_no="快递单号",
        courier="快递公司",
        seller_remark="商家备注",
        buyer_message="买家留言",
        aftersales="售后状态",
    ),
    markers=("订单号", "商品数量(件)", "用户实付金额(元)"),
    required=("order_no", "status", "created_at", "quantity"),
    statuses=_statuses({**COMMON_STATUSES, **PDD_STATUSES}),
)

# No public column list was found for 抖店: these names follow its order export as commonly
# seen; the alias profile fixes them when a real sample differs.
DOUYIN = Layout(
    code="douyin",
    platform=ImportFormat.DOUYIN,
    kind=SINGLE,
    label="抖店 订单导出",
    columns=_columns(
        order_no="主订单编号",
        line_id="子订单编号",
        title="选购商品",
        attributes="商品规格",
        quantity="商品数量",
        item_id="商品ID",
        merchant_code="商家编码",
        unit_price="商品单价",
        paid_amount=("订单应付金额", "实付金额"),
        shipping_amount="运费",
        discount_amount=("商家优惠", "优惠总金额"),
        receiver_name="收件人",
        receiver_mobile="收件人手机号",
        province="省",
        city="市",
        district="区",
        street=("详细地址", "街道"),
        buyer_message="买家留言",
        created_at="订单提交时间",
        paid_at="支付完成时间",
        shipped_at="发货时间",
        finished_at="订单完成时间",
        status="订单状态",
        aftersales="售后状态",
        close_reason="取消原因",
        seller_remark="商家备注",
        flag="旗帜颜色",
        tracking_no="快递单号",
        courier="快递公司",
        buyer_nick="用户昵称",
    ),
    markers=("主订单编号", "选购商品"),
    required=("order_no", "status", "created_at", "quantity"),
    statuses=_statuses({**COMMON_STATUSES, **DOUYIN_STATUSES}),
)

# Our own documented template (docs: 订单导入通用模板): one row per line, our labels.
GENERIC = Layout(
    code="generic",
    platform=ImportFormat.GENERIC,
    kind=SINGLE,
    label="通用模板",
    columns=_columns(
        order_no="平台订单号",
        created_at="下单时间",
        paid_at="付款时间",
        shipped_at="发货时间",
        finished_at="完成时间",
        status="订单状态",
        buyer_id="买家ID",
        buyer_nick="买家昵称",
        receiver_name="收货人",
        receiver_mobile=("收货人电话", "手机"),
        province="省",
        city="市",
        district="区",
        street="详细地址",
        receiver_address="收货地址",
        buyer_message="买家留言",
        seller_remark="卖家备注",
        flag="旗帜",
        goods_amount="商品金额",
        shipping_amount="运费",
        discount_amount="优惠金额",
        paid_amount="实付金额",
        refund_amount="退款金额",
        courier="快递公司",
        tracking_no="运单号",
        line_id="子订单号",
        merchant_code="商家编码",
        item_id="平台商品ID",
        sku_id="平台SKU ID",
        title="商品标题",
        attributes="商品属性",
        quantity="数量",
        unit_price="单价",
        line_discount="行优惠",
        line_status="行状态",
    ),
    markers=("平台订单号", "数量"),
    required=("order_no", "status", "created_at", "quantity"),
    statuses=_statuses({**COMMON_STATUSES, **DOUYIN_STATUSES, **TAOBAO_STATUSES}),
)

LAYOUTS: tuple[Layout, ...] = (
    TAOBAO_ORDERS,
    TAOBAO_ITEMS,
    TAOBAO_SINGLE,
    JD,
    PDD,
    DOUYIN,
    GENERIC,
)
GENERIC_TEMPLATE_HEADERS = tuple(spellings[0] for spellings in GENERIC.columns.values())


def status_key(text: str) -> str:
    return _status_key(text)


def detect_layout(
    headers: Iterable[str],
    *,
    platform: str | None = None,
    aliases: Mapping[str, Iterable[tuple[str, str]]] | None = None,
) -> Layout | None:
    """The layout whose markers are all among `headers` (normalised), most markers first.

    A marker also counts as present when an alias of the platform's profile names its field
    (a platform renamed the column)."""
    present = {normalise_header(h) for h in headers if h}
    best: Layout | None = None
    for layout in LAYOUTS:
        if platform and platform != "auto" and layout.platform != platform:
            continue
        mapping = layout.header_map((aliases or {}).get(layout.platform, ()))
        fields = {mapping[h] for h in present if h in mapping}
        markers = {normalise_header(m) for m in layout.markers}
        own = layout.header_map()
        if not all(m in present or own.get(m) in fields for m in markers):
            continue
        if any(normalise_header(x) in present for x in layout.excludes):
            continue
        if best is None or len(layout.markers) > len(best.markers):
            best = layout
    return best


FLAG_WORDS = {
    "红": "red",
    "red": "red",
    "1": "red",
    "黄": "yellow",
    "yellow": "yellow",
    "2": "yellow",
    "绿": "green",
    "green": "green",
    "3": "green",
    "蓝": "blue",
    "blue": "blue",
    "4": "blue",
    "紫": "purple",
    "purple": "purple",
    "5": "purple",
}
