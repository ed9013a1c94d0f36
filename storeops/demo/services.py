"""Builds the demo company through the apps' own services, so demo data obeys every rule. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@transaction.atomic
def demo_seed(*, password: str) -> SeedReport:
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
    return report
