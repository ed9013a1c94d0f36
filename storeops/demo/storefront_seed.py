"""The demo company's store pages (R2.3, R2.4, R2.12, R3.5), built through the storefront and
content services: a shop sign for every store (published), the main store's sub-pages and category
pages, a branch page that differs from the main store's, brand and promotion modules, a promotion
zone with two designed variants (one active), and a redesign proposal under discussion.

Skipped when the main store's shop sign already exists (idempotent, and fast on re-runs).
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from storeops.catalog.models import Category
from storeops.content import services as content
from storeops.storefront import services as storefront
from storeops.storefront.models import StorePage
from storeops.storefront.selectors import variant_latest_draft

SIGNS = {
    "tb-main": ("格润莱特淘宝店招牌", "格润莱特 · 好杯好壶 用心生活｜新人关注领 5 元券"),
    "tm-flagship": ("格润莱特天猫旗舰店招牌", "格润莱特官方旗舰店｜正品保障 一年质保"),
    "jd-main": ("格润莱特京东店招牌", "格润莱特京东自营｜次日达 上门退换"),
    "pdd-main": ("格润莱特拼多多店招牌", "格润莱特拼多多店｜两件九折"),
    "dy-main": ("格润莱特抖音小店招牌", "格润莱特抖音小店｜直播间专享价"),
    "mall": ("格润莱特公司商城招牌", "格润莱特公司商城｜会员积分抵现"),
}


def _published(page: Any, *, writer: Any, approvers: list[Any], title: str, body: str) -> Any:
    draft = content.draft_create(
        actor=writer,
        store=page.store,
        kind=page.kind,
        title=title,
        body=body,
        priority="general",
        target=page.pk,
    )
    content.draft_submit(actor=writer, draft=draft)
    for approver in approvers:
        draft = content.draft_approve(actor=approver, draft=draft, comment="同意")
    return content.draft_publish(actor=writer, draft=draft)


def _mockup() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (235, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def seed_storefront(*, users: dict[str, Any], stores: dict[str, Any]) -> None:
    main = stores["tb-main"]
    if StorePage.objects.filter(store=main, kind="shop_sign").exists():
        return
    qihua, yunying, jingli = users["qihua"], users["yunying"], users["jingli"]
    manager = [jingli]

    for code, (name, text) in SIGNS.items():
        sign = storefront.page_create(actor=qihua, store=stores[code], kind="shop_sign", name=name)
        _published(sign, writer=qihua, approvers=manager, title=name, body=text)

    # the main store's sub-pages; the Tmall branch's version of one differs
    home = storefront.page_create(actor=qihua, store=main, kind="store_page", name="店铺首页")
    _published(
        home,
        writer=qihua,
        approvers=manager,
        title="店铺首页",
        body="本周主推：不锈钢真空保温杯 500ml\n新品：折叠硅胶水壶\n会员专区：关注店铺领券",
    )
    new_arrivals = storefront.page_create(
        actor=qihua, store=main, kind="store_page", name="新品专区", parent=home
    )
    _published(
        new_arrivals,
        writer=qihua,
        approvers=manager,
        title="新品专区",
        body="冬季新品：焖烧杯、迷你保温杯 350ml",
    )
    branch_home = storefront.page_create(
        actor=qihua,
        store=stores["tm-flagship"],
        kind="store_page",
        name="旗舰店首页",
        based_on=home,
    )
    _published(
        branch_home,
        writer=qihua,
        approvers=manager,
        title="旗舰店首页",
        body="本周主推：不锈钢真空保温杯 500ml\n新品：折叠硅胶水壶\n天猫会员：88VIP 再享九五折",
    )
    for category in Category.objects.filter(store=main, depth=1).order_by("path")[:3]:
        storefront.page_create(
            actor=qihua, store=main, kind="store_page", name="", category=category
        )

    brand = storefront.page_create(
        actor=qihua, store=main, kind="custom_module", name="品牌故事", module_type="brand"
    )
    _published(
        brand,
        writer=qihua,
        approvers=manager,
        title="格润莱特的品牌故事",
        body="从一只保温杯开始，格润莱特专注厨房与随行杯壶十年。",
    )
    storefront.page_create(
        actor=yunying,
        store=main,
        kind="custom_module",
        name="双十二促销页",
        module_type="promotion",
    )

    # R2.3 促销区: two designs, the winter one live, the new-year one approved and ready to swap in
    zone = storefront.page_create(actor=qihua, store=main, kind="promotion_zone", name="首页促销区")
    winter = storefront.variant_create(
        actor=qihua,
        zone=zone,
        name="冬季暖心",
        note="12 月上旬使用",
        title="冬季暖心 保温杯第二件半价",
        body="保温杯第二件半价，焖烧杯满 99 减 10。",
    )
    new_year = storefront.variant_create(
        actor=qihua,
        zone=zone,
        name="元旦迎新",
        note="12 月 28 日换上",
        title="元旦迎新 全场满 199 减 30",
        body="元旦迎新，全场满 199 减 30，下单送杯刷。",
    )
    for variant in (winter, new_year):
        draft = variant_latest_draft(variant)
        content.draft_submit(actor=qihua, draft=draft)
        draft = content.draft_approve(actor=yunying, draft=draft, comment="活动规则已核对")
        content.draft_approve(actor=jingli, draft=draft, comment="同意")
    storefront.variant_activate(actor=qihua, variant=winter)

    # R3.5: 客服 proposes a redesign of the home page; 运营 and 美工 discuss it
    proposal = storefront.proposal_create(
        actor=users["kefu"],
        page=home,
        title="首页首屏改成大图轮播",
        description="很多顾客在旺旺里问首页的活动在哪里：首屏信息太多。建议改成三张大图轮播，"
        "每张只讲一件事，活动入口放在第二屏。",
    )
    storefront.proposal_image_add(
        actor=users["kefu"], proposal=proposal, kind="mockup", content=_mockup()
    )
    storefront.proposal_comment(
        actor=yunying, proposal=proposal, body="同意，轮播不要超过三张，移动端先做。"
    )
    storefront.proposal_comment(
        actor=users["meigong"], proposal=proposal, body="我可以在下周出三张图的初稿。"
    )
