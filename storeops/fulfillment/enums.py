"""States of an allocation, kinds of packing exception, couriers and their number patterns (hints)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.orders.enums import COURIERS


class AllocationStatus(models.TextChoices):
    ALLOCATED = "allocated", _("已配货")
    VERIFIED = "verified", _("已核对")
    PACKED = "packed", _("已打包")
    PARTIALLY_SHIPPED = "partially_shipped", _("部分发货")
    SHIPPED = "shipped", _("已发货")
    CANCELLED = "cancelled", _("已取消")


A = AllocationStatus

ALLOCATION_TRANSITIONS: dict[str, frozenset[str]] = {
    A.ALLOCATED: frozenset({A.VERIFIED, A.CANCELLED}),
    A.VERIFIED: frozenset({A.PACKED, A.ALLOCATED, A.CANCELLED}),
    A.PACKED: frozenset({A.PARTIALLY_SHIPPED, A.SHIPPED, A.CANCELLED}),
    A.PARTIALLY_SHIPPED: frozenset({A.SHIPPED}),
    A.SHIPPED: frozenset(),
    A.CANCELLED: frozenset(),
}

# Allocations still holding the order (one per order at a time).
OPEN_ALLOCATION = frozenset({A.ALLOCATED, A.VERIFIED, A.PACKED, A.PARTIALLY_SHIPPED})


class ScanResult(models.TextChoices):
    OK = "ok", _("正确")
    WRONG = "wrong", _("错误商品")
    EXTRA = "extra", _("多出商品")
    UNKNOWN = "unknown", _("无法识别")


class PackExceptionKind(models.TextChoices):
    WRONG_ITEM = "wrong_item", _("扫到错误商品")
    EXTRA_ITEM = "extra_item", _("扫到多出商品")
    PACKAGE_TYPE = "package_type", _("包装类型不符")
    PROTECTIVE_MATERIAL = "protective_material", _("缓冲材料不符")
    INSERTS = "inserts", _("随箱物品缺失")
    WEIGHT = "weight", _("重量超出允差")
    OTHER = "other", _("其他")


# The checklist items of a packing standard, in the order the pack station shows them.
CHECKLIST_ITEMS: tuple[tuple[str, str], ...] = (
    ("package_type", PackExceptionKind.PACKAGE_TYPE),
    ("protective_material", PackExceptionKind.PROTECTIVE_MATERIAL),
    ("inserts", PackExceptionKind.INSERTS),
)


# Couriers: the names and kuaidi100 codes are orders' (`orders.enums.COURIERS`, the one list); here
# only our short code and the number pattern (a hint, never a refusal) are added. Seeded into the
# editable `Courier` table after every migrate (`services.fulfillment_defaults_seed`).
_CODES_AND_PATTERNS = {
    "顺丰": ("SF", r"^SF[0-9A-Z]{13}$"),
    "中通": ("ZTO", r"^7[3-8][0-9]{12}$"),
    "圆通": ("YTO", r"^YT[0-9]{13}$"),
    "韵达": ("YD", r"^(?:[34][0-9]{14}|5[0-9]{12})$"),
    "申通": ("STO", r"^(?:77|43)[0-9]{12,15}$"),
    "极兔": ("JT", r"^JT[0-9]{13}$"),
    "京东": ("JD", r"^JD[0-9A-Z]{2}[0-9]{11}$"),
    "邮政/EMS": ("EMS", r"^[981][0-9]{12}$"),
    "德邦": ("DBL", r"^DPK[0-9]{12}$"),
}
# (code, name as orders know it, kuaidi100 code, number pattern)
COURIER_SEED: tuple[tuple[str, str, str, str], ...] = tuple(
    (_CODES_AND_PATTERNS[name][0], name, kuaidi100, _CODES_AND_PATTERNS[name][1])
    for name, kuaidi100 in COURIERS
)
