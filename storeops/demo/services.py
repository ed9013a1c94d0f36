"""Builds the demo company through the apps' own services, so demo data obeys every rule. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from storeops.accounts.models import Role, Store, User
from storeops.accounts.services import role_sync_defaults, store_create, user_create
from storeops.core.roles import RoleCode

COMPANY = "格润莱特"

DEMO_STORES = (
    ("tb-main", "taobao", "格润莱特淘宝店", True),
    ("tm-flagship", "tmall", "格润莱特天猫旗舰店", False),
    ("jd-main", "jd", "格润莱特京东自营店", False),
    ("pdd-main", "pdd", "格润莱特拼多多店", False),
    ("dy-main", "douyin", "格润莱特抖音小店", False),
    ("mall", "own_mall", "格润莱特公司商城", False),
)

# username, display name, role, stores (None = all six)
DEMO_USERS = (
    ("admin", "系统管理员", RoleCode.ADMIN, None),
    ("yunying", "王运营", RoleCode.OPERATIONS, None),
    ("kefu", "李客服", RoleCode.CUSTOMER_SERVICE, None),
    ("qihua", "赵企划", RoleCode.PLANNING, None),
    ("meigong", "孙美工", RoleCode.DESIGN, None),
    ("yingxiao", "周营销", RoleCode.MARKETING, None),
    ("shichang", "吴市场", RoleCode.MARKETING_GROUP, None),
    ("shangwu", "郑商务", RoleCode.COMMERCE, None),
    ("cangku", "钱仓库", RoleCode.WAREHOUSE, None),
    ("caiwu", "冯财务", RoleCode.FINANCE, None),
    ("shenji", "陈审计", RoleCode.AUDITOR, None),
    ("jingli", "刘经理", RoleCode.MANAGER, None),
    ("kefu_jd", "京东客服", RoleCode.CUSTOMER_SERVICE, ("jd-main",)),
)


@dataclass
class SeedReport:
    created_users: list[str] = field(default_factory=list)
    created_stores: list[str] = field(default_factory=list)


DEMO_ORDERS = 300  # a few hundred orders; `seed-demo --orders 1000000` for the benchmarks


@transaction.atomic
def demo_seed(*, password: str, orders: int = DEMO_ORDERS) -> SeedReport:
    report = SeedReport()
    role_sync_defaults()
    for code, platform, name, is_main in DEMO_STORES:
        if not Store.objects.filter(code=code).exists():
            store_create(actor=None, code=code, platform=platform, name=name, is_main_store=is_main)
            report.created_stores.append(code)
    stores = {s.code: s for s in Store.objects.filter(code__in=[s[0] for s in DEMO_STORES])}
    roles = {r.code: r for r in Role.objects.all()}
    for username, display, role_code, store_codes in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user_stores = [stores[c] for c in (store_codes or stores.keys())]
        user_create(
            actor=None,
            username=username,
            password=password,
            first_name=display,
            roles=[roles[role_code.value]],
            stores=user_stores,
        )
        report.created_users.append(username)
    _seed_org(stores)
    _seed_catalog(stores)
    _seed_inventory()
    _seed_governance()
    _seed_content(stores)
    _seed_storefront(stores)
    _seed_orders(stores, orders)
    _seed_fulfillment(stores)
    return report


def _seed_orders(stores: dict[str, Store], count: int) -> None:
    """Demo orders through the order import (issue 5); `seed-demo --orders N` for more."""
    from storeops.demo.orders_seed import seed_orders

    seed_orders(users={u.username: u for u in User.objects.all()}, stores=stores, count=count)


def _seed_fulfillment(stores: dict[str, Store]) -> None:
    """A few orders allocated, packed and shipped (issue 6, R2.9)."""
    from storeops.demo.fulfillment_seed import seed_fulfillment

    seed_fulfillment(users={u.username: u for u in User.objects.all()}, stores=stores)


def _seed_storefront(stores: dict[str, Store]) -> None:
    """Shop signs, sub-pages, category pages, modules, a promotion zone with two variants, a
    redesign proposal under discussion (R2.3, R2.4, R3.5)."""
    from storeops.demo.storefront_seed import seed_storefront
    from storeops.storefront.services import blog_obligations_ensure

    seed_storefront(users={u.username: u for u in User.objects.all()}, stores=stores)
    blog_obligations_ensure()  # R2.12: each store's weekly blog duty


def _seed_content(stores: dict[str, Store]) -> None:
    """Intake, release drafts in every state, a listing overdue for its copy refresh (R3.3)."""
    from storeops.demo.content_seed import seed_content

    seed_content(users={u.username: u for u in User.objects.all()}, stores=stores)


# --- governance: the policy's recurring duties (R3.2, R3.3, R2.16, R2.12) ------------------------
DEMO_OBLIGATIONS = (  # kind, owner, title, policy id, schedule, due hours, description
    # R3.2's weekly count is one duty per warehouse, created by inventory (inventory_seed)
    # R3.3's half-monthly refresh is one duty per store, created by content (content_seed)
    (
        "finance.reconciliation",
        "caiwu",
        "及时对账",
        "R2.16",
        "0 10 * * 1",
        168,
        "核对上周各平台结算与订单，审核进账金额。",
    ),
    (
        "marketing.soft_review",
        "yingxiao",
        "软营销复盘",
        "R2.12",
        "0 9 1 * *",
        672,
        "回看上月软营销活动的数据，总结策划与执行。",
    ),
)


def _seed_governance() -> None:
    """The recurring duties as obligations; creating one opens its current period."""
    from storeops.governance.selectors import obligation_for
    from storeops.governance.services import obligation_create

    users = {u.username: u for u in User.objects.all()}
    for kind, owner, title, policy_id, schedule, due_hours, description in DEMO_OBLIGATIONS:
        if obligation_for(kind=kind, owner=users[owner]) is not None:
            continue
        obligation_create(
            actor=None,
            title=title,
            owner=users[owner],
            schedule=schedule,
            due_hours=due_hours,
            policy_id=policy_id,
            description=description,
            kind=kind,
        )


def _seed_inventory() -> None:
    """Two warehouses and stock for every demo SKU (issue 6)."""
    from storeops.demo.inventory_seed import seed_inventory

    seed_inventory(users={u.username: u for u in User.objects.all()})


def _seed_catalog(stores: dict[str, Store]) -> None:
    """Categories, ~30 products with SKUs, combos, listings, mappings, images, descriptions."""
    from storeops.demo.catalog_seed import seed_catalog

    seed_catalog(users={u.username: u for u in User.objects.all()}, stores=stores)


# --- org: departments, processes, positions, store profiles, duties, vault (R2.1–R2.17, R5.2) ---
DEMO_DEPARTMENTS = (  # code, name, contact person, members
    ("commerce", "商务部", "shangwu", ("shangwu",)),
    ("marketing", "市场组", "shichang", ("shichang", "yingxiao")),
    ("planning", "企划组", "qihua", ("qihua", "meigong")),
    ("operations", "运营部", "yunying", ("yunying",)),
    ("service", "客服部", "kefu", ("kefu", "kefu_jd")),
    ("warehouse", "仓库", "cangku", ("cangku",)),
    ("finance", "财务部", "caiwu", ("caiwu",)),
)
DEMO_PROCESSES = (  # from, to, title, what is handed over
    ("commerce", "planning", "新品资料", "新产品、新技术资料与图片，企划组整理成发布稿件（R4.1）"),
    ("marketing", "planning", "名称价格客服信息", "现行产品名称、价格和客服信息的变更（R4.1）"),
    ("operations", "warehouse", "发货", "审核通过的订单交仓库配货、核对、打包、发货（R2.9）"),
    ("service", "finance", "退款", "售后确认的退款申请交财务审核并退款（R2.10、R2.16）"),
)
DEMO_POSITIONS = (  # name, department, base pay, commission rate, members, duties, qualifications
    (
        "运营专员",
        "operations",
        "6000.00",
        "0.0100",
        ("yunying",),
        "建设、运行和维护网店；审核营销推广方案；指导检查各网店运营。",
        "一年以上电商运营经验。",
    ),
    (
        "客服专员",
        "service",
        "4500.00",
        "0.0150",
        ("kefu", "kefu_jd"),
        "旺旺在线接待；交易处理；每周盘点一次商品；处理售后反馈。",
        "普通话标准，打字每分钟 60 字以上。",
    ),
    (
        "企划专员",
        "planning",
        "5500.00",
        "0.0050",
        ("qihua",),
        "整理各部门信息并编成发布稿件；维护网店与公司商城。",
        "熟悉各平台规则。",
    ),
    (
        "美工",
        "planning",
        "5500.00",
        "0.0000",
        ("meigong",),
        "商品拍照与图片处理；店铺招牌、促销区与广告设计。",
        "熟练使用 Photoshop。",
    ),
    (
        "市场专员",
        "marketing",
        "5000.00",
        "0.0100",
        ("shichang", "yingxiao"),
        "策划软营销、硬广告与店内促销；市场调查。",
        "市场营销相关经验。",
    ),
    ("商务专员", "commerce", "5500.00", "0.0050", ("shangwu",), "提供新品与新技术资料。", ""),
    (
        "仓管员",
        "warehouse",
        "4000.00",
        "0.0000",
        ("cangku",),
        "配货、核对、按打包规范打包、安排快递取件。",
        "细心，能适应旺季加班。",
    ),
    (
        "财务专员",
        "finance",
        "5000.00",
        "0.0000",
        ("caiwu",),
        "及时对账、审核进账金额、财务对接。",
        "会计从业经验。",
    ),
)
DEMO_PROFILES = {
    "tb-main": (
        "家用照明灯具，爆款优先上线",
        "25-40 岁城市家庭，自住装修为主",
        "中端价位，主推 99-399 元",
        "节能护眼与简约设计",
        "七天无理由、破损包赔、一年质保",
    ),
    "tm-flagship": (
        "品牌全系列",
        "注重品牌与品质的客户",
        "与官方价格一致",
        "品牌故事与新品首发",
        "天猫官方售后，一年质保",
    ),
    "jd-main": (
        "适合京东物流的标准品",
        "追求快速送达的客户",
        "中端价位",
        "次日达",
        "京东配送与上门退换",
    ),
}
# policy id → (owner, department code); items listed in DEMO_DUTY_EXCEPTIONS override it.
DEMO_DUTY_OWNERS = {
    "R2.1": ("jingli", None),
    "R2.2": ("yunying", "operations"),
    "R2.3": ("qihua", "planning"),
    "R2.4": ("yunying", "operations"),
    "R2.5": ("jingli", None),
    "R2.6": ("jingli", None),
    "R2.7": ("qihua", "planning"),
    "R2.8": ("kefu", "service"),
    "R2.9": ("cangku", "warehouse"),
    "R2.10": ("kefu", "service"),
    "R2.11": ("kefu", "service"),
    "R2.12": ("yingxiao", "marketing"),
    "R2.13": ("yingxiao", "marketing"),
    "R2.14": ("yunying", "operations"),
    "R2.16": ("caiwu", "finance"),
}
DEMO_DUTY_EXCEPTIONS = {
    ("R2.3", "店铺招牌"): ("meigong", "planning"),
    ("R2.7", "商品拍照"): ("meigong", "planning"),
    ("R2.11", "统计分析，决策支持"): ("yunying", "operations"),
    ("R2.16", "库存预警"): ("cangku", "warehouse"),
    ("R2.4", "企业博客"): (None, None),  # left open: the 系统管理员 sees the alert
}


def _seed_org(stores: dict[str, Store]) -> None:
    import datetime as dt
    import secrets

    from storeops.core import clock
    from storeops.org import services as org
    from storeops.org.models import (
        Company,
        Department,
        DepartmentProcess,
        Duty,
        Position,
        StoreCredential,
        StoreProfile,
    )

    users = {u.username: u for u in User.objects.all()}
    if not Company.objects.exists():
        org.company_set_name(actor=None, name=COMPANY)
    for order, (code, name, contact, members) in enumerate(DEMO_DEPARTMENTS):
        if not Department.objects.filter(code=code).exists():
            org.department_create(
                actor=None,
                code=code,
                name=name,
                contact_person=users.get(contact),
                members=[users[m] for m in members if m in users],
                sort_order=order,
            )
    departments = {d.code: d for d in Department.objects.all()}
    for source, target, title, handover in DEMO_PROCESSES:
        if not DepartmentProcess.objects.filter(title=title).exists():
            org.process_create(
                actor=None,
                from_department=departments[source],
                to_department=departments[target],
                title=title,
                handover=handover,
            )
    for name, dept, base, rate, members, duties, quals in DEMO_POSITIONS:
        if not Position.objects.filter(name=name).exists():
            org.position_create(
                actor=None,
                name=name,
                department=departments[dept],
                duties=duties,
                qualifications=quals,
                base_pay=Decimal(base),
                commission_rate=Decimal(rate),
                members=[users[m] for m in members if m in users],
            )
    for code, texts in DEMO_PROFILES.items():
        if code in stores and not StoreProfile.objects.filter(store=stores[code]).exists():
            profile = StoreProfile(store=stores[code])
            org.store_profile_update(
                actor=None, profile=profile, **dict(zip(org.PROFILE_FIELDS, texts, strict=True))
            )
    org.duty_seed()
    for duty in Duty.objects.filter(owner__isnull=True, department__isnull=True, notes=""):
        owner, dept = DEMO_DUTY_EXCEPTIONS.get(
            (duty.policy_id, duty.item), DEMO_DUTY_OWNERS.get(duty.policy_id, (None, None))
        )
        if owner is not None:
            org.duty_update(
                actor=None,
                duty=duty,
                owner=users.get(owner),
                department=departments.get(dept) if dept else None,
            )
    org.duty_owner_check()
    today = clock.business_date()
    for code in ("tb-main", "tm-flagship", "jd-main"):
        if code in stores and not StoreCredential.objects.filter(store=stores[code]).exists():
            org.credential_create(
                actor=None,
                store=stores[code],
                name="主账号",
                login=f"glt_{code.replace('-', '_')}",
                secret=secrets.token_urlsafe(12),
                custodian=users.get("yunying"),
                rotation_due=today + dt.timedelta(days=60),
            )
